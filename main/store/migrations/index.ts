// Numbered migrations of the session file (learned from Signal Desktop's sql/migrations): `PRAGMA user_version`
// is the schema version, and migration N takes a file at version N-1 to N in its own transaction. A new file
// starts at 0 and goes through every step, so the path an old file takes is exercised by every new file too.
import type { Database as Db } from 'better-sqlite3';
import { SESSION_APPLICATION_ID } from '../sessionFormat';
import { createSchemaV1 } from './v1';
import { migrateV1ToV2 } from './v2';
import { migrateV2ToV3 } from './v3';
import { migrateV3ToV4 } from './v4';
import { migrateV4ToV5 } from './v5';

export interface SessionMigration {
  version: number;
  name: string;
  up(db: Db): void;
  /** This build reads a file at version - 1 as it is (the step adds nothing a reader needs): no in-memory copy. */
  readsInPlace?: boolean;
}

export const SESSION_MIGRATIONS: readonly SessionMigration[] = [
  { version: 1, name: 'one row per message', up: createSchemaV1 },
  { version: 2, name: 'compressed blocks, catalog, feed events', up: migrateV1ToV2 },
  { version: 3, name: 'binary record blocks (codec 2)', up: migrateV2ToV3, readsInPlace: true },
  { version: 4, name: 'sealed blocks and catalog (data key)', up: migrateV3ToV4, readsInPlace: true },
  { version: 5, name: 'audit head anchors', up: migrateV4ToV5, readsInPlace: true },
];

/** The schema version this build writes. */
export const SESSION_SCHEMA_VERSION = SESSION_MIGRATIONS[SESSION_MIGRATIONS.length - 1]!.version;

/** True when a file at `version` can be read by this build without migrating it first. */
export function readableInPlace(version: number): boolean {
  return SESSION_MIGRATIONS.every((migration) => migration.version <= version || migration.readsInPlace === true);
}

export function schemaVersionOf(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` to SESSION_SCHEMA_VERSION; returns the version it started from. Each step is atomic. */
export function migrateSession(db: Db): { from: number; to: number } {
  const from = schemaVersionOf(db);
  if (from > SESSION_SCHEMA_VERSION) {
    throw new RangeError(`schema v${from} is newer than this build supports (v${SESSION_SCHEMA_VERSION})`);
  }
  for (const migration of SESSION_MIGRATIONS) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`application_id = ${SESSION_APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from, to: SESSION_SCHEMA_VERSION };
}
