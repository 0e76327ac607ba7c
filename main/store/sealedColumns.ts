// Sensitive text columns of the audit log and the operators database, sealed with the installation's data key
// (`fw1:` + AES-256-GCM, associated data naming the row and column, so a sealed value moved to another row or column
// does not open). A one-row `data_seal` table says that a file's values are sealed and with which key; it is written
// in the same transaction that seals the rows an older build wrote in clear, so a file is either all clear or all
// sealed, whatever moment a crash strikes.
import type Database from 'better-sqlite3';
import { isSealedText, missingDataKeyReason, SealError, type DataKey } from '../security/dataKey';

const SEAL_TABLE = 'data_seal';

/** The fingerprint of the key a file's values are sealed with; null when they are in clear. */
export function sealedKeyId(db: Database.Database): string | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(SEAL_TABLE);
  if (!table) return null;
  const row = db.prepare(`SELECT key_id AS keyId FROM ${SEAL_TABLE} WHERE one = 1`).get() as
    { keyId: string } | undefined;
  return row?.keyId ?? null;
}

/**
 * Seals a file's rows in place: `sealRows` runs in one transaction with the `data_seal` mark. Then no clear copy may
 * stay behind: secure_delete zeroes what SQLite frees, VACUUM rewrites every page (a b-tree page keeps old cells in
 * its unused space when it splits), and the WAL, which holds page versions until a checkpoint, is truncated.
 */
export function sealRowsInPlace(db: Database.Database, key: DataKey, sealRows: () => void): void {
  db.pragma('secure_delete = ON');
  db.transaction(() => {
    sealRows();
    markSealed(db, key);
  }).immediate();
  scrubFreedSpace(db);
}

/** After values were rewritten sealed: rewrite every page and empty the WAL. Atomic (a crash keeps either file). */
export function scrubFreedSpace(db: Database.Database): void {
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Inside the sealing transaction: records that the file's values are now sealed with `key`. */
function markSealed(db: Database.Database, key: DataKey): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${SEAL_TABLE} (one INTEGER PRIMARY KEY CHECK (one = 1), key_id TEXT NOT NULL) STRICT`,
  );
  db.prepare(`INSERT OR REPLACE INTO ${SEAL_TABLE} (one, key_id) VALUES (1, ?)`).run(key.id);
}

/**
 * The key to open (and seal) a file's values with: the installed key when the file is sealed with it, or when the
 * file is in clear and is opened for writing (it gets sealed then). Null: clear file, no key (or read-only).
 * Throws `makeError(one line)` when the file is sealed and the key is missing or another one.
 */
export function keyForSealedFile(
  db: Database.Database,
  key: DataKey | null,
  describe: string,
  makeError: (message: string) => Error,
): { key: DataKey | null; needsSealing: boolean } {
  const fileKeyId = sealedKeyId(db);
  if (fileKeyId === null) return { key, needsSealing: key !== null };
  if (!key) throw makeError(`${describe} is encrypted (data key ${fileKeyId}) and ${missingDataKeyReason()}`);
  if (key.id !== fileKeyId) {
    throw makeError(
      `${describe} is encrypted with data key ${fileKeyId}, but this installation's key is ${key.id}: use the key file of the installation that wrote it`,
    );
  }
  return { key, needsSealing: false };
}

/** Seals `value` for `column` of row `rowKey` of `table` (clear when `key` is null). */
export function sealColumn(
  key: DataKey | null,
  table: string,
  rowKey: string | number,
  column: string,
  value: string,
): string {
  return key ? key.sealText(value, `${table}:${rowKey}:${column}`) : value;
}

/** Opens a value stored by sealColumn; a value in clear is returned as it is. Throws SealError when it was changed. */
export function openColumn(
  key: DataKey | null,
  table: string,
  rowKey: string | number,
  column: string,
  stored: string,
): string {
  if (!isSealedText(stored)) return stored;
  if (!key) throw new SealError(`${table} row ${rowKey}: ${column} is encrypted and no data key is installed`);
  return key.openText(stored, `${table}:${rowKey}:${column}`);
}
