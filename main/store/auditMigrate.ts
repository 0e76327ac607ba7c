// Numbered schema migrations for the audit log and the operator store, tracked in SQLite's user_version.
// Each migration runs in its own transaction together with the version bump, so a crash leaves a file at a
// known version; a file newer than this code is refused instead of being guessed at.
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3 … in order, no gaps. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export class SchemaVersionError extends Error {}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` to the newest version in `migrations`. Returns the versions before and after. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  label: string,
): { from: number; to: number } {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`${label} migrations must be numbered 1..n without gaps`);
  });
  const newest = migrations.length;
  const from = schemaVersion(db);
  if (from > newest) {
    throw new SchemaVersionError(
      `${label} schema version ${from} is newer than this Floorwatch knows (${newest}); use a newer Floorwatch`,
    );
  }
  for (const migration of migrations.slice(from)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: newest };
}
