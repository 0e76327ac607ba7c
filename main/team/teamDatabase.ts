// The team database on PostgreSQL: connection pools, the numbered schema migrations and the roles they grant to.
//
// Two roles, so the app cannot rewrite history: an OWNER role owns the tables and runs the migrations; the app's
// login role is a member of the group role `floorwatch_app`, which may SELECT and INSERT audit rows but not UPDATE,
// DELETE or TRUNCATE them (grants), and a trigger refuses those changes even to the owner (only a superuser who
// disables triggers gets past both, and `audit verify --db` then names the edited row).
import pg from 'pg';
import { GENESIS_HASH } from '../store/auditCanonical';

/** The group role the app's login role belongs to; the migrations grant to it. */
export const APP_GROUP_ROLE = 'floorwatch_app';

/** The database cannot be used as a team database (one line: which database, what is wrong). */
export class TeamDatabaseError extends Error {}

export interface TeamMigration {
  /** 1, 2, 3 … in order, no gaps. */
  version: number;
  name: string;
  sql: string;
}

const AUDIT_TABLES = `
  CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY CHECK (id > 0),
    time BIGINT NOT NULL,
    operator TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,
    reason TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_by_action ON audit_log (action, id);
  -- The recorded head: appends lock this row (FOR UPDATE), so appends from every server form one line, and a
  -- truncated tail shows as a head beyond the last row.
  CREATE TABLE audit_head (
    one SMALLINT PRIMARY KEY CHECK (one = 1),
    id BIGINT NOT NULL,
    hash TEXT NOT NULL
  );
  INSERT INTO audit_head (one, id, hash) VALUES (1, 0, '${GENESIS_HASH}');

  CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
  END $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

  CREATE FUNCTION audit_extend_only() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    last_id BIGINT;
    last_hash TEXT;
  BEGIN
    SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    IF NEW.id <> COALESCE(last_id, 0) + 1 OR NEW.prev_hash <> COALESCE(last_hash, '${GENESIS_HASH}') THEN
      RAISE EXCEPTION 'audit_log rows must extend the chain' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER audit_log_extend_only BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_extend_only();

  CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.one <> OLD.one OR NEW.id <= OLD.id THEN
      RAISE EXCEPTION 'audit_head only moves forward' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
  CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
  CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

  REVOKE ALL ON audit_log, audit_head FROM PUBLIC;
  GRANT SELECT, INSERT ON audit_log TO ${APP_GROUP_ROLE};
  GRANT SELECT, UPDATE ON audit_head TO ${APP_GROUP_ROLE};
`;

const OPERATOR_TABLES = `
  CREATE TABLE operators (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin', 'auditor')),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT false,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  REVOKE ALL ON operators FROM PUBLIC;
  -- No DELETE: an operator is disabled, never removed (the audit log names them).
  GRANT SELECT, INSERT, UPDATE ON operators TO ${APP_GROUP_ROLE};
`;

/** The channel every server LISTENs on: each new audit row is announced with its id (delivered at commit). */
export const AUDIT_CHANNEL = 'floorwatch_audit';

// Several servers on one database: each follows the others' rows by LISTEN, and one alert is created once however
// many cores raise it (the servers check inside the head lock; the unique index is the last word).
const SHARED_CHAIN = `
  CREATE FUNCTION audit_announce() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${AUDIT_CHANNEL}', NEW.id::text);
    RETURN NULL;
  END $$;
  CREATE TRIGGER audit_log_announce AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_announce();
  CREATE INDEX audit_log_by_target ON audit_log (target, id);
  CREATE UNIQUE INDEX audit_log_alert_created_once ON audit_log (target) WHERE action = 'alert_created';
`;

export const TEAM_MIGRATIONS: readonly TeamMigration[] = [
  { version: 1, name: 'audit log (append-only, hash-chained) and its head', sql: AUDIT_TABLES },
  { version: 2, name: 'operators', sql: OPERATOR_TABLES },
  { version: 3, name: 'shared chain: new rows announced, alerts created once', sql: SHARED_CHAIN },
];

/** Names the database without its password: for messages and `audit verify` output. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the database (its URL is not valid)';
  }
}

/** One line for a PostgreSQL or connection error, naming the database. */
export function databaseProblem(url: string, error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = ((error as Error)?.message || String(error)).replace(/\s+/g, ' ');
  const hint =
    code === 'ECONNREFUSED'
      ? ' (is PostgreSQL running there?)'
      : code === '28P01' || code === '28000'
        ? ' (check the user and password in the URL)'
        : code === '3D000'
          ? ' (create the database first)'
          : '';
  return `${describeDatabase(url)}: ${message}${hint}`;
}

// BIGINT (int8) columns hold epoch milliseconds and row ids: numbers in JavaScript, as SQLite returns them. A value
// beyond 2^53 (only possible after a hand edit) becomes an unsafe number, which verify reports as a bad row.
const INT8_OID = 20;
const teamTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface TeamPoolOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** A connection dropped while idle (server restart, network): one line; the pool opens a new one when needed. */
  onProblem?: (message: string) => void;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Every transaction read-only (the server refuses writes): for verify and export. */
  readonly?: boolean;
}

/** A connection pool to `url` that reads BIGINT as numbers. The caller ends it (pool.end()). */
export function openTeamPool(url: string, options: TeamPoolOptions = {}): pg.Pool {
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      types: teamTypes,
      application_name: options.applicationName ?? 'floorwatch',
      connectionTimeoutMillis: 10_000,
      ...(options.readonly ? { options: '-c default_transaction_read_only=on' } : {}),
    });
  } catch (error) {
    throw new TeamDatabaseError(databaseProblem(url, error));
  }
  pool.on('error', (error) => options.onProblem?.(`team database connection lost: ${databaseProblem(url, error)}`));
  return pool;
}

const MIGRATIONS_TABLE = 'floorwatch_migrations';
/** pg_advisory_xact_lock key: two servers migrating the same database at once take turns. */
const MIGRATION_LOCK = 0x466c7731; // "Flw1"

/**
 * Runs `work` on one pooled connection inside one transaction (`begin`: the BEGIN statement, e.g. with an isolation
 * level). Any error rolls back and is passed through `failure` (which turns it into the caller's one-line error);
 * a connection that cannot even roll back is dropped, not reused.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: pg.PoolClient) => Promise<T>,
  failure: (error: unknown) => Error,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw failure(error);
  }
  let broken = false;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw failure(error);
  } finally {
    client.release(broken);
  }
}

/** The schema version of the database behind `pool` (0: not a team database yet). */
export async function teamSchemaVersion(pool: Pick<pg.Pool, 'query'>): Promise<number> {
  const table = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    MIGRATIONS_TABLE,
  ]);
  if (!table.rows[0]?.exists) return 0;
  const result = await pool.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${MIGRATIONS_TABLE}`,
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Brings the team database at `ownerUrl` to the newest schema, connected as the role that owns the tables. Each
 * migration runs in one transaction with its row in `floorwatch_migrations`; a database newer than this code is
 * refused. Returns the versions before and after.
 */
export async function migrateTeamDatabase(
  ownerUrl: string,
  migrations: readonly TeamMigration[] = TEAM_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error('team migrations must be numbered 1..n without gaps');
  });
  const client = new pg.Client({ connectionString: ownerUrl, types: teamTypes });
  try {
    await client.connect();
  } catch (error) {
    throw new TeamDatabaseError(`cannot migrate ${databaseProblem(ownerUrl, error)}`);
  }
  let from = 0;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    await client.query(`GRANT SELECT ON ${MIGRATIONS_TABLE} TO ${APP_GROUP_ROLE}`);
    await client.query('COMMIT');
    from = await teamSchemaVersion(client);
    if (from > migrations.length) {
      throw new TeamDatabaseError(
        `${describeDatabase(ownerUrl)} has team schema ${from}, newer than this Floorwatch knows (${migrations.length}): use a newer Floorwatch`,
      );
    }
    for (const migration of migrations) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        // Another server may have applied it while this one waited for the lock.
        if ((await teamSchemaVersion(client)) < migration.version) {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
    return { from, to: migrations.length };
  } catch (error) {
    if (error instanceof TeamDatabaseError) throw error;
    const missingRole =
      (error as { code?: string }).code === '42704' ? ` (create the role ${APP_GROUP_ROLE} first)` : '';
    throw new TeamDatabaseError(`cannot migrate ${databaseProblem(ownerUrl, error)}${missingRole}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Refuses a database whose schema is older (not migrated) or newer than this code. */
export async function requireTeamSchema(pool: pg.Pool, url: string): Promise<number> {
  let version: number;
  try {
    version = await teamSchemaVersion(pool);
  } catch (error) {
    throw new TeamDatabaseError(databaseProblem(url, error));
  }
  if (version === 0) throw new TeamDatabaseError(`${describeDatabase(url)} is not a Floorwatch team database`);
  if (version > TEAM_MIGRATIONS.length) {
    throw new TeamDatabaseError(
      `${describeDatabase(url)} has team schema ${version}, newer than this Floorwatch knows (${TEAM_MIGRATIONS.length}): use a newer Floorwatch`,
    );
  }
  return version;
}

/** A pool on the team database at `url`, once its schema is known to be one this code can use (else it is ended). */
export async function openMigratedPool(url: string, options: TeamPoolOptions = {}): Promise<pg.Pool> {
  const pool = openTeamPool(url, options);
  try {
    await requireTeamSchema(pool, url);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

export interface TeamRoles {
  /** Owns the tables, runs migrations. */
  owner: { name: string; password: string };
  /** What the app logs in as: a member of floorwatch_app. */
  app: { name: string; password: string };
}

/**
 * On a server where we hold a superuser (the embedded server, the tests): creates the roles and the database when
 * missing and migrates it. Returns the owner's and the app's connection URLs. A DBA does the same by hand on a
 * managed server (docs/deploy.md).
 */
export async function provisionTeamDatabase(
  superuserUrl: string,
  database: string,
  roles: TeamRoles,
): Promise<{ ownerUrl: string; appUrl: string }> {
  const client = new pg.Client({ connectionString: superuserUrl });
  try {
    await client.connect();
    const id = pg.escapeIdentifier;
    const literal = pg.escapeLiteral;
    const ensureRole = async (name: string, clause: string) => {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      if (found.rowCount === 0) await client.query(`CREATE ROLE ${id(name)} ${clause}`);
    };
    await ensureRole(APP_GROUP_ROLE, 'NOLOGIN');
    await ensureRole(roles.owner.name, `LOGIN PASSWORD ${literal(roles.owner.password)}`);
    await ensureRole(roles.app.name, `LOGIN PASSWORD ${literal(roles.app.password)}`);
    await client.query(`GRANT ${APP_GROUP_ROLE} TO ${id(roles.app.name)}`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${id(database)} OWNER ${id(roles.owner.name)}`);
  } catch (error) {
    throw new TeamDatabaseError(`cannot provision the team database: ${databaseProblem(superuserUrl, error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const urlFor = (role: { name: string; password: string }) => {
    const url = new URL(superuserUrl);
    url.username = encodeURIComponent(role.name);
    url.password = encodeURIComponent(role.password);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  };
  const ownerUrl = urlFor(roles.owner);
  await migrateTeamDatabase(ownerUrl);
  return { ownerUrl, appUrl: urlFor(roles.app) };
}
