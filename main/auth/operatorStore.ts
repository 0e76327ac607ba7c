// Local, offline operator accounts in their own SQLite file (operators.sqlite in the data folder).
// Not in the audit file: operator rows change (failed-login counters, lockouts, roles, password changes) while the
// audit log is append-only, and the audit file is evidence that gets copied and handed over — password hashes
// must not travel with it. Every change made here is recorded in the audit log by AuthService.
import Database from 'better-sqlite3';
import { migrate, SchemaVersionError, type Migration } from '../store/auditMigrate';
import { installedDataKey, SealError, type DataKey } from '../security/dataKey';
import { ensurePrivateFile } from '../security/fileModes';
import { keyForSealedFile, openColumn, sealColumn, sealRowsInPlace } from '../store/sealedColumns';
import { isRole, type Role } from './permissions';

export interface OperatorRecord {
  /** Login name, lower case. */
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  /** Failed password checks since the last successful one (shown to admins; it never locks the account). */
  failedLogins: number;
  /** Epoch ms until which logins are refused (a lock left by an older version); null when not locked. */
  lockedUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

interface StoredOperator {
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export class OperatorStoreError extends Error {}

/**
 * Columns sealed with the data key: the password hash (an offline guessing target) and the person's name. The user
 * name stays in clear: it is the key a login looks up, and the audit log names operators by it anyway.
 */
const SEALED_OPERATOR_COLUMNS = ['password_hash', 'display_name'] as const;
const SEAL_TABLE_NAME = 'operators';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export const OPERATOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'operators',
    up(db) {
      db.exec(`
        CREATE TABLE operators (
          username TEXT PRIMARY KEY,
          display_name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin', 'auditor')),
          password_hash TEXT NOT NULL,
          disabled INTEGER NOT NULL DEFAULT 0,
          failed_logins INTEGER NOT NULL DEFAULT 0,
          locked_until INTEGER,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    // Failures used to count toward a 5-minute account lock that anyone could trigger; logins now slow down per
    // source instead. The old counters restart; expired locks go; a lock still running is left to run out (or
    // to `floorwatch operators unlock`), since the file cannot tell who caused it.
    version: 2,
    name: 'failed logins no longer lock',
    up(db) {
      db.exec(`
        UPDATE operators SET failed_logins = 0;
        UPDATE operators SET locked_until = NULL
          WHERE locked_until IS NOT NULL AND locked_until <= CAST(strftime('%s', 'now') AS INTEGER) * 1000;
      `);
    },
  },
];

export class OperatorStore {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    /** Seals and opens password hashes and names (null: the store is in clear). */
    private readonly key: DataKey | null,
  ) {}

  static open(file: string, options: { dataKey?: DataKey | null } = {}): OperatorStore {
    let db: Database.Database | undefined;
    try {
      ensurePrivateFile(file); // 0600 before SQLite opens it: its -wal/-shm get the same mode
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db, OPERATOR_MIGRATIONS, 'operator store');
      const installed = options.dataKey === undefined ? installedDataKey() : options.dataKey;
      const { key, needsSealing } = keyForSealedFile(
        db,
        installed,
        `operators database ${file}`,
        (message) => new OperatorStoreError(message),
      );
      if (needsSealing) sealOperatorRows(db, key as DataKey);
      return new OperatorStore(db, file, key);
    } catch (error) {
      db?.close();
      if (error instanceof OperatorStoreError) throw error;
      const message = error instanceof SchemaVersionError ? error.message : (error as Error).message;
      throw new OperatorStoreError(`cannot open operator store ${file}: ${message}`);
    }
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM operators').get() as { n: number }).n;
  }

  get(username: string): (OperatorRecord & { passwordHash: string }) | null {
    const row = this.db.prepare('SELECT * FROM operators WHERE username = ?').get(normaliseUsername(username)) as
      StoredOperator | undefined;
    if (!row) return null;
    const opened = this.opened(row);
    return { ...fromStored(opened), passwordHash: opened.password_hash };
  }

  list(): OperatorRecord[] {
    return (this.db.prepare('SELECT * FROM operators ORDER BY username').all() as StoredOperator[]).map((row) =>
      fromStored(this.opened(row)),
    );
  }

  /**
   * Adds an operator. With `onlyIfEmpty`, the check and the insert are one transaction, so two windows racing
   * through first-start setup cannot both create an admin.
   */
  insert(
    operator: { username: string; displayName: string; role: Role; passwordHash: string },
    now: number,
    options: { onlyIfEmpty?: boolean } = {},
  ): OperatorRecord {
    const username = normaliseUsername(operator.username);
    return this.db
      .transaction(() => {
        if (options.onlyIfEmpty && this.count() > 0) throw new OperatorStoreError('an operator already exists');
        if (this.get(username)) throw new OperatorStoreError(`operator "${username}" already exists`);
        this.db
          .prepare(
            `INSERT INTO operators (username, display_name, role, password_hash, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            username,
            this.seal(username, 'display_name', operator.displayName),
            operator.role,
            this.seal(username, 'password_hash', operator.passwordHash),
            now,
            now,
          );
        return this.require(username);
      })
      .immediate();
  }

  update(username: string, changes: { displayName?: string; role?: Role; disabled?: boolean }, now: number) {
    const current = this.require(username);
    this.db
      .prepare('UPDATE operators SET display_name = ?, role = ?, disabled = ?, updated_at = ? WHERE username = ?')
      .run(
        this.seal(current.username, 'display_name', changes.displayName ?? current.displayName),
        changes.role ?? current.role,
        (changes.disabled ?? current.disabled) ? 1 : 0,
        now,
        current.username,
      );
    return this.require(username);
  }

  setPasswordHash(username: string, passwordHash: string, now: number): void {
    const current = this.require(username);
    this.db
      .prepare('UPDATE operators SET password_hash = ?, updated_at = ? WHERE username = ?')
      .run(this.seal(current.username, 'password_hash', passwordHash), now, current.username);
  }

  /** Counts a failed password check; returns the count since the last success. */
  countFailure(username: string, now: number): number {
    return this.db
      .transaction(() => {
        const current = this.require(username);
        this.db
          .prepare('UPDATE operators SET failed_logins = failed_logins + 1, updated_at = ? WHERE username = ?')
          .run(now, current.username);
        return current.failedLogins + 1;
      })
      .immediate();
  }

  /** After a successful login, a password reset or an unlock: no lock, no failures counted. */
  clearFailures(username: string, now: number): void {
    this.db
      .prepare('UPDATE operators SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE username = ?')
      .run(now, normaliseUsername(username));
  }

  /** Lifts a lock (and, with `enable`, a disable); returns the record before and after. */
  unlock(
    username: string,
    now: number,
    options: { enable?: boolean } = {},
  ): { before: OperatorRecord; after: OperatorRecord } {
    return this.db
      .transaction(() => {
        const before = this.require(username);
        this.db
          .prepare(
            `UPDATE operators SET failed_logins = 0, locked_until = NULL, disabled = ?, updated_at = ?
             WHERE username = ?`,
          )
          .run(options.enable ? 0 : before.disabled ? 1 : 0, now, before.username);
        return { before, after: this.require(username) };
      })
      .immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private seal(username: string, column: (typeof SEALED_OPERATOR_COLUMNS)[number], value: string): string {
    return sealColumn(this.key, SEAL_TABLE_NAME, username, column, value);
  }

  private opened(row: StoredOperator): StoredOperator {
    const out = { ...row };
    for (const column of SEALED_OPERATOR_COLUMNS) {
      try {
        out[column] = openColumn(this.key, SEAL_TABLE_NAME, row.username, column, row[column]);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        throw new OperatorStoreError(
          `${this.file}: operator "${row.username}": ${column} fails its authentication (edited, or moved from another row)`,
        );
      }
    }
    return out;
  }

  private require(username: string): OperatorRecord {
    const found = this.get(username);
    if (!found) throw new OperatorStoreError(`no operator "${normaliseUsername(username)}"`);
    const { passwordHash: _hash, ...record } = found;
    return record;
  }
}

/** Seals the rows of a store written in clear, all in one transaction (a crash leaves it as it was). */
function sealOperatorRows(db: Database.Database, key: DataKey): void {
  sealRowsInPlace(db, key, () => {
    const rows = db.prepare('SELECT username, password_hash, display_name FROM operators').all() as Pick<
      StoredOperator,
      'username' | 'password_hash' | 'display_name'
    >[];
    const update = db.prepare('UPDATE operators SET password_hash = ?, display_name = ? WHERE username = ?');
    for (const row of rows) {
      update.run(
        sealColumn(key, SEAL_TABLE_NAME, row.username, 'password_hash', row.password_hash),
        sealColumn(key, SEAL_TABLE_NAME, row.username, 'display_name', row.display_name),
        row.username,
      );
    }
  });
}

function fromStored(row: StoredOperator): OperatorRecord {
  if (!isRole(row.role)) throw new OperatorStoreError(`operator "${row.username}" has an unknown role`);
  return {
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled !== 0,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
