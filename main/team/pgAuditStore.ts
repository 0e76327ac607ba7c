// The team's audit log in PostgreSQL: the same rows and hash chain as the SQLite log, so the same checker verifies
// it and its NDJSON export verifies offline like any other. Appends lock the head row (SELECT … FOR UPDATE) inside
// their transaction: however many servers share the database, they append one after the other and the chain stays
// one line. The app's role can only SELECT and INSERT here (grants), and triggers refuse UPDATE, DELETE and
// TRUNCATE (teamDatabase.ts). Values are stored in clear: access is the database's grants and TLS, and servers
// sharing one database share no data key.
import type pg from 'pg';
import { logIdOf, type AuditHeadAnchor } from '../store/auditAnchors';
import { AuditChainChecker, type AuditAnchor, type AuditVerifyResult } from '../store/auditChain';
import { GENESIS_HASH } from '../store/auditCanonical';
import {
  AUDIT_CSV_HEADER,
  AUDIT_ROW_COLUMNS,
  AuditLogError,
  auditExportLine,
  auditRowFromStored,
  chainAuditRows,
  normaliseAuditEntry,
  type AuditEntry,
  type AuditExportFormat,
  type AuditReadOptions,
  type AuditRow,
  type StoredAuditRow,
} from '../store/auditLog';
import {
  AuditConflictError,
  type AuditAppendGuard,
  type AuditStore,
  type AuditVerifyOptions,
} from '../store/auditStore';
import { databaseProblem, describeDatabase, inTransaction, openMigratedPool, TeamDatabaseError } from './teamDatabase';

/** Rows fetched per query while verifying or exporting (keyset pages inside one snapshot). */
const PAGE_ROWS = 5000;
/** Signal Desktop's habit: report any statement slower than this. */
const SLOW_MS = 40;

const EXPECTED_TRIGGERS = ['audit_log_no_change', 'audit_log_no_truncate', 'audit_log_extend_only'];

const STATEMENTS = {
  lockHead: { name: 'fw_audit_lock_head', text: 'SELECT id, hash FROM audit_head WHERE one = 1 FOR UPDATE' },
  last: { name: 'fw_audit_last', text: 'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1' },
  insert: {
    name: 'fw_audit_insert',
    text: `INSERT INTO audit_log (${AUDIT_ROW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  },
  moveHead: { name: 'fw_audit_move_head', text: 'UPDATE audit_head SET id = $1, hash = $2 WHERE one = 1' },
  page: {
    name: 'fw_audit_page',
    text: `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT ${PAGE_ROWS}`,
  },
  headAnchor: {
    name: 'fw_audit_head_anchor',
    text: `SELECT last.id, last.hash, (SELECT hash FROM audit_log WHERE id = 1) AS first
           FROM (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) AS last`,
  },
  recorded: {
    name: 'fw_audit_recorded',
    text: 'SELECT target FROM audit_log WHERE action = $1 AND target = ANY($2::text[])',
  },
  newestFor: {
    name: 'fw_audit_newest_for',
    text: `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log
           WHERE target = $1 AND action = ANY($2::text[]) AND id > $3
             AND ($4::text IS NULL OR (details::jsonb ->> $4::text) = $5::text)
           ORDER BY id DESC LIMIT 1`,
  },
  recordedHead: { name: 'fw_audit_recorded_head', text: 'SELECT id, hash FROM audit_head WHERE one = 1' },
  triggers: {
    name: 'fw_audit_triggers',
    text: `SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal AND tgenabled <> 'D'`,
  },
} as const;

/** The chain inside onLockedChain(): its transaction's connection, and appends that extend the chain. */
export interface LockedAuditChain {
  readonly client: pg.PoolClient;
  /** Chains and inserts `entries` (normalised), every one at `time`. */
  append(entries: readonly ReturnType<typeof normaliseAuditEntry>[], time: number): Promise<AuditRow[]>;
}

export interface PgAuditStoreOptions {
  /** Epoch milliseconds; tests pass a fake clock. */
  clock?: () => number;
  /** Called when one append or verify takes longer than 40 ms. */
  onSlow?: (what: string, ms: number) => void;
  /** A connection dropped while idle: one line (the pool reconnects). */
  onProblem?: (message: string) => void;
  /** Every transaction read-only (verify, export): nothing can be written through this store. */
  readonly?: boolean;
}

export class PgAuditStore implements AuditStore {
  private readonly clock: () => number;
  private readonly onSlow: (what: string, ms: number) => void;

  /** Uses `pool` (shared with the team's other stores; the caller ends it) on the database at `url`. */
  constructor(
    private readonly pool: pg.Pool,
    url: string,
    options: PgAuditStoreOptions = {},
    private readonly ownsPool = false,
  ) {
    this.location = describeDatabase(url);
    this.clock = options.clock ?? Date.now;
    this.onSlow = options.onSlow ?? (() => {});
  }

  readonly location: string;

  /** Connects to the team database at `url` with a pool of its own, checked to have a known schema. */
  static async open(url: string, options: PgAuditStoreOptions & { max?: number } = {}): Promise<PgAuditStore> {
    let pool: pg.Pool;
    try {
      pool = await openMigratedPool(url, {
        max: options.max,
        onProblem: options.onProblem,
        readonly: options.readonly,
        applicationName: options.readonly ? 'floorwatch audit (read-only)' : 'floorwatch',
      });
    } catch (error) {
      throw new AuditLogError((error as Error).message);
    }
    return new PgAuditStore(pool, url, options, true);
  }

  async append(entry: AuditEntry): Promise<AuditRow> {
    return (await this.appendBatch([entry]))[0] as AuditRow;
  }

  async appendBatch(entries: readonly AuditEntry[], guard: AuditAppendGuard = {}): Promise<AuditRow[]> {
    let prepared = entries.map(normaliseAuditEntry);
    if (prepared.length === 0) return [];
    const started = performance.now();
    const rows = await this.onLockedChain(`record ${entries.length} audit row(s)`, async (chain) => {
      // Checked under the lock: every other server's append has committed or waits behind this one.
      const since = guard.unchangedSince;
      if (since) {
        const newer = (
          await chain.client.query<StoredAuditRow>({
            ...STATEMENTS.newestFor,
            values: [
              since.target,
              [...since.actions],
              since.afterId,
              since.detail?.key ?? null,
              since.detail === undefined ? null : String(since.detail.value),
            ],
          })
        ).rows[0];
        if (newer) throw new AuditConflictError(auditRowFromStored(newer));
      }
      if (guard.once) prepared = await this.notYetRecorded(chain.client, prepared);
      return chain.append(prepared, this.clock());
    });
    const elapsed = performance.now() - started;
    if (elapsed > SLOW_MS) this.onSlow(`audit append of ${entries.length} row(s)`, elapsed);
    return rows;
  }

  /**
   * Runs `work` in one transaction holding the chain's lock (appends from every server wait for it), durable when
   * it resolves. What `work` appends extends the chain; the recorded head moves to its last row at the end.
   */
  async onLockedChain<T>(what: string, work: (chain: LockedAuditChain) => Promise<T>): Promise<T> {
    return this.transaction('READ WRITE', what, async (client) => {
      // Durable on return whatever the server's default: the commit waits for the WAL flush.
      await client.query('SET LOCAL synchronous_commit TO on');
      // Waits for any other append (from any server) to commit; then the newest row is the one to extend.
      await client.query(STATEMENTS.lockHead);
      let last: { id: number; hash: string } | undefined;
      let lastRead = false;
      let moved = false;
      const chain: LockedAuditChain = {
        client,
        append: async (entries, time) => {
          if (entries.length === 0) return [];
          if (!lastRead) {
            last = (await client.query<{ id: number; hash: string }>(STATEMENTS.last)).rows[0];
            lastRead = true;
          }
          const written = chainAuditRows(last, entries, time);
          for (const row of written) {
            await client.query({
              ...STATEMENTS.insert,
              values: [
                row.id,
                row.time,
                row.operator,
                row.role,
                row.action,
                row.target,
                row.details,
                row.reason,
                row.prevHash,
                row.hash,
              ],
            });
          }
          last = written[written.length - 1]!;
          moved = true;
          return written;
        },
      };
      const result = await work(chain);
      if (moved && last) await client.query({ ...STATEMENTS.moveHead, values: [last.id, last.hash] });
      return result;
    });
  }

  /** The entries whose action and target have no row yet (nor an earlier entry of this batch). */
  private async notYetRecorded(
    client: pg.PoolClient,
    prepared: ReturnType<typeof normaliseAuditEntry>[],
  ): Promise<ReturnType<typeof normaliseAuditEntry>[]> {
    const seen = new Set<string>();
    for (const action of new Set(prepared.map((entry) => entry.action))) {
      const targets = prepared.filter((entry) => entry.action === action).map((entry) => entry.target);
      const found = await client.query<{ target: string }>({ ...STATEMENTS.recorded, values: [action, targets] });
      for (const row of found.rows) seen.add(`${action}\n${row.target}`);
    }
    return prepared.filter((entry) => {
      const key = `${entry.action}\n${entry.target}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  async readRows(options: AuditReadOptions = {}): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.afterId !== undefined) {
      params.push(options.afterId);
      where.push(`id > $${params.length}`);
    }
    if (options.beforeId !== undefined) {
      params.push(options.beforeId);
      where.push(`id < $${params.length}`);
    }
    if (options.actions) {
      if (options.actions.length === 0) return [];
      params.push([...options.actions]);
      where.push(`action = ANY($${params.length}::text[])`);
    }
    const sql =
      `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY id ${options.newestFirst ? 'DESC' : 'ASC'}` +
      (options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : '');
    const result = await this.query<StoredAuditRow>('read audit rows', sql, params);
    return result.rows.map(auditRowFromStored);
  }

  async head(): Promise<AuditAnchor> {
    const result = await this.query<AuditAnchor>('read the audit head', STATEMENTS.last.text, []);
    return result.rows[0] ?? { id: 0, hash: GENESIS_HASH };
  }

  async headAnchor(): Promise<AuditHeadAnchor> {
    const result = await this.query<AuditAnchor & { first: string | null }>(
      'read the audit head',
      STATEMENTS.headAnchor.text,
      [],
    );
    const row = result.rows[0];
    return {
      id: row?.id ?? 0,
      hash: row?.hash ?? GENESIS_HASH,
      time: this.clock(),
      log: row?.first ? logIdOf(row.first) : null,
    };
  }

  async verify(options: AuditVerifyOptions = {}): Promise<AuditVerifyResult> {
    const started = performance.now();
    const checker = new AuditChainChecker(options.anchor, options.anchors);
    let head: AuditAnchor | null = null;
    try {
      await this.transaction('READ ONLY', 'verify the audit log', async (client) => {
        const triggers = new Set(
          (await client.query<{ tgname: string }>(STATEMENTS.triggers)).rows.map((r) => r.tgname),
        );
        const missing = EXPECTED_TRIGGERS.filter((name) => !triggers.has(name));
        if (missing.length > 0)
          checker.warnings.push(`append-only trigger(s) missing or disabled: ${missing.join(', ')}`);
        for await (const row of pages(client)) if (!checker.push(row)) return;
        head = (await client.query<AuditAnchor>(STATEMENTS.recordedHead)).rows[0] ?? null;
        if (!head) checker.abort('truncated', 'the recorded head row is gone (edited by hand)');
      });
    } catch (error) {
      checker.abort('unreadable', `the database cannot be read: ${(error as Error).message}`);
    }
    const elapsed = performance.now() - started;
    if (elapsed > SLOW_MS) this.onSlow('audit verify', elapsed);
    return checker.finish(head);
  }

  /** One consistent snapshot of the whole log, fetched in pages (a long export never holds the rows in memory). */
  async *exportLines(format: AuditExportFormat): AsyncGenerator<string> {
    const client = await this.connect('export the audit log');
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (format === 'csv') yield AUDIT_CSV_HEADER;
      for await (const row of pages(client)) yield auditExportLine(row, format);
      await client.query('COMMIT');
    } catch (error) {
      throw new AuditLogError(`cannot export the audit log: ${databaseProblem(this.location, error)}`);
    } finally {
      // A consumer that stops early leaves the snapshot open: ROLLBACK is harmless after COMMIT.
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  async exportText(format: AuditExportFormat): Promise<string> {
    const lines: string[] = [];
    for await (const line of this.exportLines(format)) lines.push(line);
    return lines.join('');
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end().catch(() => undefined);
  }

  private async connect(what: string): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new AuditLogError(`cannot ${what}: ${databaseProblem(this.location, error)}`);
    }
  }

  private async query<R extends pg.QueryResultRow>(what: string, text: string, values: unknown[]) {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw new AuditLogError(`cannot ${what}: ${databaseProblem(this.location, error)}`);
    }
  }

  /** Runs `work` in one transaction (read-only ones in one repeatable-read snapshot). */
  private transaction<T>(
    mode: 'READ WRITE' | 'READ ONLY',
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    // Read committed for writes: the head row's lock makes appends wait, then they see the newest row.
    const begin = mode === 'READ ONLY' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
    return inTransaction(this.pool, begin, work, (error) =>
      error instanceof AuditLogError || error instanceof TeamDatabaseError || error instanceof AuditConflictError
        ? error
        : new AuditLogError(`cannot ${what}: ${databaseProblem(this.location, error)}`),
    );
  }
}

/** Every row in id order, PAGE_ROWS at a time (keyset pagination on the primary key). */
async function* pages(client: pg.PoolClient): AsyncGenerator<StoredAuditRow> {
  let after = 0;
  for (;;) {
    const page = (await client.query<StoredAuditRow>({ ...STATEMENTS.page, values: [after] })).rows;
    yield* page;
    if (page.length < PAGE_ROWS) return;
    after = (page[page.length - 1] as StoredAuditRow).id;
  }
}
