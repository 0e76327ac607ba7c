// Opening an existing session file, for the reader and for a journal that appends: turns SQLite's errors and a
// wrong or newer file into one SessionFileError that names the file and what is wrong. Never recreates a file.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { SESSION_SCHEMA_VERSION, migrateSession, readableInPlace, schemaVersionOf } from './migrations';
import { installedDataKey, missingDataKeyReason } from '../security/dataKey';
import {
  FORMAT_NAME,
  META_KEYS,
  SESSION_APPLICATION_ID,
  SessionFileError,
  SessionSeal,
  sqliteCode,
  type SessionGap,
  type SessionMeta,
} from './sessionFormat';

/**
 * True for an error that means the file's bytes are bad or cannot be read back: SQLite corruption (SQLITE_CORRUPT,
 * SQLITE_NOTADB, "malformed"), an I/O error, or a block that fails its own checks. A reader answers these by
 * naming what is damaged; everything else (a bug, a closed connection) is not the file's fault.
 */
export function isDamage(error: unknown): boolean {
  if (error instanceof SessionFileError) return error.problem === 'corrupt';
  const code = sqliteCode(error);
  return (
    code.startsWith('SQLITE_CORRUPT') ||
    code === 'SQLITE_NOTADB' ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'EIO' ||
    /malformed/i.test((error as Error)?.message ?? '')
  );
}

/** Maps an error thrown while opening or reading `file` to a SessionFileError. */
export function toSessionFileError(file: string, error: unknown): SessionFileError {
  if (error instanceof SessionFileError) return error;
  const code = sqliteCode(error);
  const message = (error as Error)?.message ?? String(error);
  if (code === 'SQLITE_NOTADB')
    return new SessionFileError(file, 'not_sqlite', 'not a session file (not an SQLite database)');
  if (code.startsWith('SQLITE_CORRUPT') || /malformed/i.test(message))
    return new SessionFileError(file, 'corrupt', `the file is damaged (${message})`);
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO')
    return new SessionFileError(file, 'corrupt', `the file cannot be read back (I/O error: ${message})`);
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return existsSync(file)
      ? new SessionFileError(file, 'unreadable', `cannot open the file (${message})`)
      : new SessionFileError(file, 'missing', 'no such file');
  }
  return new SessionFileError(file, 'unreadable', `cannot read the file (${code}: ${message})`);
}

/**
 * Checks that `db` is a Floorwatch session and returns its schema version. Throws for another SQLite file, a newer
 * schema, or missing tables.
 */
export function checkSessionDb(file: string, db: Db): number {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = schemaVersionOf(db);
  if (applicationId !== SESSION_APPLICATION_ID) {
    throw new SessionFileError(
      file,
      'not_session',
      'an SQLite file, but not a Floorwatch session (wrong application id)',
    );
  }
  if (version > SESSION_SCHEMA_VERSION) {
    throw new SessionFileError(
      file,
      'newer_schema',
      `session schema v${version} is newer than this build reads (v${SESSION_SCHEMA_VERSION}); update Floorwatch`,
    );
  }
  if (version < 1) throw new SessionFileError(file, 'corrupt', 'session file has no schema (version 0)');
  const tables = new Set(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name),
  );
  const needed =
    version === 1 ? ['meta', 'messages', 'gaps'] : ['session_meta', 'blocks', 'catalog', 'gaps', 'feed_events'];
  const missing = needed.filter((name) => !tables.has(name));
  if (missing.length > 0) {
    throw new SessionFileError(file, 'corrupt', `session schema v${version} lacks table(s) ${missing.join(', ')}`);
  }
  return version;
}

/**
 * Opens `file` read-only. A file of an older schema is copied into memory and migrated there, so old sessions stay
 * readable without ever being written to (unless every newer step reads in place, as v2 → v3 does). Returns the
 * connection and the version the file had when it was older than this build's.
 */
export function openSessionReadOnly(file: string): { db: Db; migratedFrom: number | null } {
  if (!existsSync(file)) throw new SessionFileError(file, 'missing', 'no such file');
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    let version: number;
    try {
      version = checkSessionDb(file, db);
    } catch (error) {
      if (!isDamage(error)) throw error;
      // A truncated file: SQLite refuses it whole because its header counts more pages than the file holds. With
      // defensive mode off and writable_schema on (a read-only connection still cannot write) it reads the pages
      // that are there, so the reader can say which blocks survive and salvage them.
      db.unsafeMode(true);
      db.pragma('writable_schema = ON');
      version = checkSessionDb(file, db);
      if (version !== SESSION_SCHEMA_VERSION && !readableInPlace(version)) throw error;
    }
    if (version === SESSION_SCHEMA_VERSION) return { db, migratedFrom: null };
    if (readableInPlace(version)) return { db, migratedFrom: version };
    const image = db.serialize();
    db.close();
    db = new Database(image);
    migrateSession(db);
    return { db, migratedFrom: version };
  } catch (error) {
    db?.close();
    throw toSessionFileError(file, error);
  }
}

/**
 * The seal of a schema-v2+ session file with this process's data key: null when nothing in the file is sealed (no
 * seal id). With `forWriting`, a file without one gets a fresh seal id (written by the caller with writeSealMeta).
 */
export function readSessionSeal(file: string, db: Db, options: { forWriting?: boolean } = {}): SessionSeal | null {
  const rows = db
    .prepare('SELECT key, value FROM session_meta WHERE key IN (?, ?)')
    .all(META_KEYS.sealId, META_KEYS.dataKeyId) as { key: string; value: string }[];
  const values = new Map(rows.map((row) => [row.key, row.value]));
  const key = installedDataKey();
  let sealId = values.get(META_KEYS.sealId);
  if (!sealId) {
    if (!options.forWriting || !key) return null;
    sealId = randomBytes(16).toString('hex');
  }
  const fileKeyId = values.get(META_KEYS.dataKeyId) ?? null;
  return new SessionSeal(file, sealId, key, fileKeyId, () => {
    throw new SessionFileError(
      file,
      'key',
      `the session is encrypted (data key ${fileKeyId ?? 'unknown'}) and ${missingDataKeyReason()}`,
    );
  });
}

/** Records the seal id and key fingerprint in the file (idempotent), before any sealed value is written. */
export function writeSealMeta(db: Db, seal: SessionSeal, keyId: string): void {
  const set = db.prepare('INSERT OR IGNORE INTO session_meta (key, value) VALUES (?, ?)');
  set.run(META_KEYS.sealId, seal.sealId);
  set.run(META_KEYS.dataKeyId, keyId);
}

/** Reads the self-description of a schema-v2 session. Counts and ranges come from the blocks themselves. */
export function readSessionMeta(file: string, db: Db, seal: SessionSeal | null = null): SessionMeta {
  const rows = db.prepare('SELECT key, value FROM session_meta').all() as { key: string; value: string }[];
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  if (meta.get(META_KEYS.format) !== FORMAT_NAME || !meta.has(META_KEYS.sessionId)) {
    throw new SessionFileError(file, 'corrupt', 'session metadata is missing (no format or session id)');
  }
  const totals = db
    .prepare(
      `SELECT count(*) AS blocks, coalesce(sum(count), 0) AS count, min(first_seq) AS firstSeq,
              max(last_seq) AS lastSeq
       FROM blocks`,
    )
    .get() as { blocks: number; count: number; firstSeq: number | null; lastSeq: number | null };
  const first = db.prepare('SELECT first_ts AS ts FROM blocks ORDER BY first_seq LIMIT 1').get() as
    { ts: number } | undefined;
  const last = db.prepare('SELECT last_ts AS ts FROM blocks ORDER BY first_seq DESC LIMIT 1').get() as
    { ts: number } | undefined;
  const catalog = (
    db.prepare('SELECT kind, id FROM catalog ORDER BY seq, id').all() as { kind: string; id: string }[]
  ).map((entry) => (seal ? { kind: entry.kind, id: seal.openCatalogId(entry.kind, entry.id) } : entry));
  const gaps = db
    .prepare('SELECT from_seq AS fromSeq, to_seq AS toSeq, reason FROM gaps ORDER BY from_seq')
    .all() as SessionGap[];
  return {
    ...describedByMeta(file, db, meta, catalog),
    count: totals.count,
    firstSeq: totals.firstSeq,
    lastSeq: totals.lastSeq,
    firstTs: first?.ts ?? null,
    lastTs: last?.ts ?? null,
    blocks: totals.blocks,
    gaps,
  };
}

/** The part of a session's description its metadata and catalog give (the rest comes from its blocks). */
export function describedByMeta(
  file: string,
  db: Db,
  meta: ReadonlyMap<string, string>,
  catalog: readonly { kind: string; id: string }[],
) {
  return {
    file,
    sessionId: meta.get(META_KEYS.sessionId) ?? '',
    tradingDay: meta.get(META_KEYS.tradingDay) ?? '',
    source: meta.get(META_KEYS.source) ?? '',
    schemaVersion: schemaVersionOf(db),
    appVersion: meta.get(META_KEYS.appVersion) ?? '',
    protocol: meta.get(META_KEYS.protocol) ?? '',
    createdAt: meta.get(META_KEYS.createdAt) ?? '',
    createdBy: meta.get(META_KEYS.createdBy) ?? '',
    instruments: catalog.filter((c) => c.kind === 'instrument').map((c) => c.id),
    accounts: catalog.filter((c) => c.kind === 'account').map((c) => c.id),
  };
}
