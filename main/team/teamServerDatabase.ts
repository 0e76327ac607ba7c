// The database a team server runs on: the one named by --db (migrated first when it is behind and its role may), or
// an embedded PostgreSQL in the data folder, provisioned on first start, so `npm run server` works out of the box.
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from './embeddedPostgres';
import {
  databaseProblem,
  describeDatabase,
  migrateTeamDatabase,
  openTeamPool,
  provisionTeamDatabase,
  TeamDatabaseError,
  teamSchemaVersion,
  TEAM_MIGRATIONS,
} from './teamDatabase';

/** The embedded cluster's folder inside the data folder. */
export const EMBEDDED_POSTGRES_FOLDER = 'team-postgres';
/** Where root's clusters go when the data folder is closed to other users (root's home is): a service's place. */
const ROOT_CLUSTERS_FOLDER = '/var/lib/floorwatch';

/**
 * The embedded cluster's folder. PostgreSQL refuses root, so as root the cluster runs as the user `postgres`, which
 * must pass through every folder above it; when the data folder is closed to it (under /root), the cluster lives in
 * /var/lib/floorwatch instead, one folder per data folder.
 */
export function embeddedClusterFolder(dataDir: string): string {
  const inDataDir = path.join(path.resolve(dataDir), EMBEDDED_POSTGRES_FOLDER);
  if (process.getuid?.() !== 0 || othersCanPass(path.dirname(inDataDir))) return inDataDir;
  const tag = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(ROOT_CLUSTERS_FOLDER, `${EMBEDDED_POSTGRES_FOLDER}-${tag}`);
}

function othersCanPass(folder: string): boolean {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      // Not made yet: it will be made with the usual mode; what is above it decides.
    }
    if (path.dirname(dir) === dir) return true;
  }
}
const EMBEDDED_DATABASE = 'floorwatch';
const EMBEDDED_ROLES = { owner: 'floorwatch_owner', app: 'floorwatch_server' };

export interface TeamServerDatabase {
  /** What the server connects as (the app's role on the embedded server). */
  readonly url: string;
  /** For messages: the URL without its password, or the embedded server's folder. */
  readonly description: string;
  /** Stops the embedded server (nothing for --db). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The database at `url`, at this version's schema: migrated here when it is behind, which needs a role that owns
 * the tables. A role that may not migrate gets one line naming what to run instead.
 */
export async function prepareTeamDatabase(url: string): Promise<TeamServerDatabase> {
  const pool = openTeamPool(url, { max: 1 });
  let version: number;
  try {
    version = await teamSchemaVersion(pool);
  } catch (error) {
    throw new TeamDatabaseError(databaseProblem(url, error));
  } finally {
    await pool.end().catch(() => undefined);
  }
  if (version < TEAM_MIGRATIONS.length) {
    try {
      await migrateTeamDatabase(url);
    } catch (error) {
      const detail = error instanceof TeamDatabaseError ? error.message : (error as Error).message;
      throw new TeamDatabaseError(
        `${describeDatabase(url)} is at team schema ${version} of ${TEAM_MIGRATIONS.length} and this role cannot ` +
          `migrate it (${detail}); run "floorwatch team migrate --db URL" as the role that owns the database`,
      );
    }
  }
  return { url, description: describeDatabase(url), stop: async () => {} };
}

/**
 * An embedded PostgreSQL in `<dataDir>/team-postgres` (created on first start), with the team database and its
 * roles. The roles get fresh random passwords at every start: only this process ever needs them.
 */
export async function startEmbeddedTeamDatabase(dataDir: string): Promise<TeamServerDatabase> {
  const folder = embeddedClusterFolder(dataDir);
  let server: RunningPostgres;
  try {
    server = await startEmbeddedPostgres({ dataDir: folder });
  } catch (error) {
    const message = (error as Error).message;
    // PostgreSQL refuses root: as root the cluster runs as the `postgres` user, which must reach the folder.
    const hint =
      process.getuid?.() === 0 && /permission denied/i.test(message)
        ? ` (as root the cluster runs as the user postgres: let it reach ${folder}, e.g. chmod o+x on the folders above)`
        : '';
    throw new TeamDatabaseError(`the embedded PostgreSQL did not start: ${message}${hint}`);
  }
  try {
    const roles = {
      owner: { name: EMBEDDED_ROLES.owner, password: randomBytes(24).toString('base64url') },
      app: { name: EMBEDDED_ROLES.app, password: randomBytes(24).toString('base64url') },
    };
    await setPasswords(server, roles);
    const { appUrl } = await provisionTeamDatabase(server.url(), EMBEDDED_DATABASE, roles);
    return { url: appUrl, description: `embedded PostgreSQL in ${folder}`, stop: () => server.stop() };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}

/** Roles left by an earlier start keep their names; their passwords become this start's. */
async function setPasswords(
  server: RunningPostgres,
  roles: Record<'owner' | 'app', { name: string; password: string }>,
): Promise<void> {
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    for (const role of Object.values(roles)) {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
      if (found.rowCount === 0) continue; // created by provisionTeamDatabase with this password
      await client.query(`ALTER ROLE ${pg.escapeIdentifier(role.name)} PASSWORD ${pg.escapeLiteral(role.password)}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
