// The team's operators in PostgreSQL: the same records and rules as operators.sqlite. Password hashes (scrypt PHC
// strings) and names are not sealed with a data key — servers sharing one database share no key — so the table is
// granted to the app's role only, and never to PUBLIC.
import type pg from 'pg';
import type { NewOperator, OperatorChanges, OperatorRepository } from '../auth/operatorRepository';
import { normaliseUsername, OperatorStoreError, type OperatorRecord } from '../auth/operatorStore';
import { isRole } from '../auth/permissions';
import { databaseProblem, describeDatabase, inTransaction } from './teamDatabase';

interface StoredOperator {
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: boolean;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** pg_advisory_xact_lock key: first-start set-up on several servers at once creates one admin. */
const FIRST_OPERATOR_LOCK = 0x466c7732; // "Flw2"

const COLUMNS =
  'username, display_name, role, password_hash, disabled, failed_logins, locked_until, created_at, updated_at';

const STATEMENTS = {
  count: { name: 'fw_operators_count', text: 'SELECT count(*)::int AS n FROM operators' },
  get: { name: 'fw_operators_get', text: `SELECT ${COLUMNS} FROM operators WHERE username = $1` },
  getForUpdate: {
    name: 'fw_operators_get_for_update',
    text: `SELECT ${COLUMNS} FROM operators WHERE username = $1 FOR UPDATE`,
  },
  list: { name: 'fw_operators_list', text: `SELECT ${COLUMNS} FROM operators ORDER BY username` },
  insert: {
    name: 'fw_operators_insert',
    text: `INSERT INTO operators (username, display_name, role, password_hash, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
  },
  update: {
    name: 'fw_operators_update',
    text: `UPDATE operators SET display_name = COALESCE($2, display_name), role = COALESCE($3, role),
           disabled = COALESCE($4, disabled), updated_at = $5 WHERE username = $1 RETURNING ${COLUMNS}`,
  },
  setPassword: {
    name: 'fw_operators_set_password',
    text: 'UPDATE operators SET password_hash = $2, updated_at = $3 WHERE username = $1',
  },
  countFailure: {
    name: 'fw_operators_count_failure',
    text: `UPDATE operators SET failed_logins = failed_logins + 1, updated_at = $2 WHERE username = $1
           RETURNING failed_logins`,
  },
  clearFailures: {
    name: 'fw_operators_clear_failures',
    text: 'UPDATE operators SET failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE username = $1',
  },
  unlock: {
    name: 'fw_operators_unlock',
    text: `UPDATE operators SET failed_logins = 0, locked_until = NULL, disabled = disabled AND NOT $2,
           updated_at = $3 WHERE username = $1 RETURNING ${COLUMNS}`,
  },
} as const;

export class PgOperatorRepository implements OperatorRepository {
  private readonly location: string;

  /** Uses `pool` (shared with the team's other stores; the caller ends it) on the database at `url`. */
  constructor(
    private readonly pool: pg.Pool,
    url: string,
  ) {
    this.location = describeDatabase(url);
  }

  async count(): Promise<number> {
    return this.run('count operators', async (db) => (await db.query<{ n: number }>(STATEMENTS.count)).rows[0]?.n ?? 0);
  }

  async get(username: string): Promise<(OperatorRecord & { passwordHash: string }) | null> {
    return this.run('read an operator', async (db) => {
      const row = (await db.query<StoredOperator>({ ...STATEMENTS.get, values: [normaliseUsername(username)] }))
        .rows[0];
      return row ? { ...fromStored(row), passwordHash: row.password_hash } : null;
    });
  }

  async list(): Promise<OperatorRecord[]> {
    return this.run('list operators', async (db) =>
      (await db.query<StoredOperator>(STATEMENTS.list)).rows.map(fromStored),
    );
  }

  async insert(operator: NewOperator, now: number, options: { onlyIfEmpty?: boolean } = {}): Promise<OperatorRecord> {
    const username = normaliseUsername(operator.username);
    return this.transaction('add an operator', async (db) => {
      if (options.onlyIfEmpty) {
        await db.query('SELECT pg_advisory_xact_lock($1)', [FIRST_OPERATOR_LOCK]);
        const n = (await db.query<{ n: number }>(STATEMENTS.count)).rows[0]?.n ?? 0;
        if (n > 0) throw new OperatorStoreError('an operator already exists');
      }
      const inserted = await db.query<StoredOperator>({
        ...STATEMENTS.insert,
        values: [username, operator.displayName, operator.role, operator.passwordHash, now],
      });
      const row = inserted.rows[0];
      if (!row) throw new OperatorStoreError(`operator "${username}" already exists`);
      return fromStored(row);
    });
  }

  async update(username: string, changes: OperatorChanges, now: number): Promise<OperatorRecord> {
    const name = normaliseUsername(username);
    return this.run('update an operator', async (db) => {
      const row = (
        await db.query<StoredOperator>({
          ...STATEMENTS.update,
          values: [name, changes.displayName ?? null, changes.role ?? null, changes.disabled ?? null, now],
        })
      ).rows[0];
      if (!row) throw noOperator(name);
      return fromStored(row);
    });
  }

  async setPasswordHash(username: string, passwordHash: string, now: number): Promise<void> {
    const name = normaliseUsername(username);
    await this.run('change a password', async (db) => {
      const result = await db.query({ ...STATEMENTS.setPassword, values: [name, passwordHash, now] });
      if (result.rowCount === 0) throw noOperator(name);
    });
  }

  async countFailure(username: string, now: number): Promise<number> {
    const name = normaliseUsername(username);
    return this.run('count a failed login', async (db) => {
      const row = (await db.query<{ failed_logins: number }>({ ...STATEMENTS.countFailure, values: [name, now] }))
        .rows[0];
      if (!row) throw noOperator(name);
      return row.failed_logins;
    });
  }

  async clearFailures(username: string, now: number): Promise<void> {
    await this.run('clear failed logins', async (db) => {
      await db.query({ ...STATEMENTS.clearFailures, values: [normaliseUsername(username), now] });
    });
  }

  async unlock(
    username: string,
    now: number,
    options: { enable?: boolean } = {},
  ): Promise<{ before: OperatorRecord; after: OperatorRecord }> {
    const name = normaliseUsername(username);
    return this.transaction('unlock an operator', async (db) => {
      const current = (await db.query<StoredOperator>({ ...STATEMENTS.getForUpdate, values: [name] })).rows[0];
      if (!current) throw noOperator(name);
      const after = (
        await db.query<StoredOperator>({ ...STATEMENTS.unlock, values: [name, options.enable === true, now] })
      ).rows[0] as StoredOperator;
      return { before: fromStored(current), after: fromStored(after) };
    });
  }

  /** The pool belongs to whoever passed it in. */
  async close(): Promise<void> {}

  private async run<T>(what: string, work: (db: Queryable) => Promise<T>): Promise<T> {
    try {
      return await work(this.pool);
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private transaction<T>(what: string, work: (db: Queryable) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, 'BEGIN', work, (error) => this.failure(what, error));
  }

  private failure(what: string, error: unknown): OperatorStoreError {
    if (error instanceof OperatorStoreError) return error;
    return new OperatorStoreError(`cannot ${what}: ${databaseProblem(this.location, error)}`);
  }
}

function noOperator(username: string): OperatorStoreError {
  return new OperatorStoreError(`no operator "${username}"`);
}

function fromStored(row: StoredOperator): OperatorRecord {
  if (!isRole(row.role)) throw new OperatorStoreError(`operator "${row.username}" has an unknown role`);
  return {
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
