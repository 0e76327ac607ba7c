// A real PostgreSQL for a test file: one embedded server per file (started in beforeAll, stopped in afterAll, its
// folder deleted), and a fresh database per test or suite, provisioned with the owner and app roles a real team
// database has, so grants and triggers are tested as they will run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../main/team/embeddedPostgres';
import { provisionTeamDatabase } from '../../main/team/teamDatabase';

export interface TestTeamDatabase {
  name: string;
  /** The role that owns the tables (runs migrations). */
  ownerUrl: string;
  /** The app's role (member of floorwatch_app). */
  appUrl: string;
  /** The cluster's superuser on this database: for tampering the way only a superuser can. */
  superuserUrl: string;
}

export interface TestPostgres {
  server(): RunningPostgres;
  /** A new team database with its own name: migrated, or (`migrated: false`) empty, owned by the owner role. */
  createDatabase(options?: { migrated?: boolean }): Promise<TestTeamDatabase>;
  /** Runs one statement as the superuser on `database` (triggers off when `bypassTriggers`). */
  asSuperuser(database: TestTeamDatabase, sql: string, options?: { bypassTriggers?: boolean }): Promise<void>;
}

const TEMPLATE = 'fw_test_template';
const ROLES = {
  owner: { name: 'fw_test_owner', password: 'owner-secret' },
  app: { name: 'fw_test_app', password: 'app-secret' },
};

/** Registers beforeAll/afterAll for one PostgreSQL server in this test file. */
export function usePostgres(): TestPostgres {
  let running: RunningPostgres | null = null;
  let counter = 0;
  beforeAll(async () => {
    // Its own folder in the temp dir: when run as root the cluster's owner is the `postgres` user, which must reach it.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-pg-'));
    // A throw-away cluster (fsync off): a machine crash is not under test here, and each test's seconds count.
    running = await startEmbeddedPostgres({
      dataDir,
      persistent: false,
      durable: false,
    });
    // Migrated once; each test's database is a copy of it (as if provisioned and migrated, in a third of the time).
    await provisionTeamDatabase(running.url(), TEMPLATE, ROLES);
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  }, 30_000);
  const server = () => {
    if (!running) throw new Error('PostgreSQL is not running (usePostgres() must be called at file level)');
    return running;
  };
  return {
    server,
    async createDatabase(options = {}) {
      counter += 1;
      const name = `fw_test_${process.pid}_${counter}`;
      const client = new pg.Client({ connectionString: server().url() });
      await client.connect();
      try {
        const template = options.migrated === false ? 'template1' : TEMPLATE;
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${template} OWNER ${ROLES.owner.name}`);
      } finally {
        await client.end();
      }
      const urlAs = (role: { name: string; password: string }) => {
        const url = new URL(server().url(name));
        url.username = role.name;
        url.password = role.password;
        return url.toString();
      };
      return { name, ownerUrl: urlAs(ROLES.owner), appUrl: urlAs(ROLES.app), superuserUrl: server().url(name) };
    },
    async asSuperuser(database, sql, options = {}) {
      const client = new pg.Client({ connectionString: database.superuserUrl });
      await client.connect();
      try {
        if (options.bypassTriggers) await client.query("SET session_replication_role = 'replica'");
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
  };
}
