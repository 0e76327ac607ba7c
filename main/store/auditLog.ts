// The audit log: who did what, when, and proof that nobody changed it afterwards. Its own SQLite file in WAL mode
// with synchronous=FULL, so append() returns only once the row is on disk. Rows form a SHA-256 hash chain; the
// triggers that refuse UPDATE/DELETE are a first line of defence only — verify() recomputes the chain and would
// catch an edit made after dropping them.
//
// What a keyless hash chain cannot prove: someone who recomputes every hash after an edit produces a valid chain,
// and someone who drops the triggers can delete the newest rows and move audit_head back. Anchors catch both: after
// every durable append the head goes to the anchor sinks (the `audit.anchors` file beside the log, the session file
// being recorded; auditAnchors.ts), and verify({ anchors }) compares the chain with every anchor it is given.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { auditRowHash, canonicalJson, GENESIS_HASH } from './auditCanonical';
import {
  AUDIT_ANCHORS_FILE_NAME,
  AuditAnchorFile,
  logIdOf,
  type AuditAnchorSink,
  type AuditHeadAnchor,
  type SourcedAnchor,
} from './auditAnchors';
import { AuditChainChecker, type AuditAnchor, type AuditVerifyResult } from './auditChain';
import { migrate, schemaVersion, SchemaVersionError, type Migration } from './auditMigrate';
import { installedDataKey, SealError, type DataKey } from '../security/dataKey';
import { ensurePrivateFile } from '../security/fileModes';
import { keyForSealedFile, openColumn, sealColumn, sealRowsInPlace } from './sealedColumns';

export type { AuditAnchor, AuditProblem, AuditVerifyResult } from './auditChain';

/** Everything the workstation records. Adding an action: append it here (never rename one: old rows use it). */
export const AUDIT_ACTIONS = [
  'app_started',
  'audit_verified',
  'admin_created',
  'operator_created',
  'operator_updated',
  'password_changed',
  'password_reset',
  'login',
  'login_failed',
  'lockout',
  'logout',
  'lock',
  'unlock',
  'session_resumed',
  'session_opened',
  'session_closed',
  'alert_created',
  'alert_state_changed',
  'note_added',
  'account_action_requested',
  'account_action_approved',
  'account_action_rejected',
  'account_action_delivery',
  'thresholds_changed',
  'settings_changed',
  'export',
  'api_rejected',
  'operator_unlocked',
  'team_settings_changed',
  'operator_scope_changed',
  'audit_imported',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
const KNOWN_ACTIONS = new Set<string>(AUDIT_ACTIONS);

/** Who acts when no operator does (the engine creating an alert, the app starting). */
export const SYSTEM_ACTOR = { operator: 'system', role: 'system' } as const;

/** What a caller records. */
export interface AuditEntry {
  /** Operator user name, or 'system'. */
  operator: string;
  /** The operator's role at the time, or 'system'. */
  role: string;
  action: AuditAction;
  /** What the action is about, `kind:id` by convention: 'alert:42', 'account:A001', 'operator:li.wei'. */
  target?: string;
  /** A plain JSON object; stored as canonical JSON. */
  details?: Record<string, unknown>;
  /** Why, in the operator's words. */
  reason?: string;
}

/** One stored row, as in the file. `details` is the canonical JSON text that was hashed. */
export interface AuditRow {
  id: number;
  /** Epoch milliseconds (wall clock of the workstation). */
  time: number;
  operator: string;
  role: string;
  action: string;
  target: string;
  details: string;
  reason: string;
  prevHash: string;
  hash: string;
}

export type AuditExportFormat = 'csv' | 'ndjson';

/** The file cannot be used as an audit log: missing, not SQLite, corrupt, or from a newer version. */
export class AuditLogError extends Error {}

export const AUDIT_LIMITS = {
  operator: 128,
  role: 32,
  target: 512,
  reason: 4000,
  detailsChars: 64 * 1024,
} as const;

/**
 * Columns sealed with the data key: what an action was about (account ids…), its details and the operator's words.
 * id, time, operator, role and action stay in clear: the append-only triggers, the chain links (prev_hash, hash),
 * filtering by action, and `audit verify` naming a broken row and who wrote it need them. The hash covers the
 * clear text, so sealing an existing log leaves its chain (and every anchor taken of it) as it was.
 */
const SEALED_COLUMNS = ['target', 'details', 'reason'] as const;
const SEAL_TABLE_NAME = 'audit_log';

const NO_UPDATE_TRIGGER = `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`;

/** Signal Desktop's habit: report any statement slower than this. */
const SLOW_MS = 40;

export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit_log table, append-only triggers',
    up(db) {
      db.exec(`
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,
          operator TEXT NOT NULL,
          role TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT NOT NULL,
          details TEXT NOT NULL,
          reason TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        ) STRICT;
        ${NO_UPDATE_TRIGGER}
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_extend_only BEFORE INSERT ON audit_log
          WHEN NEW.id IS NOT COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1
            OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${GENESIS_HASH}')
          BEGIN SELECT RAISE(ABORT, 'audit_log rows must extend the chain'); END;
      `);
    },
  },
  {
    version: 2,
    name: 'recorded head (catches a truncated tail), index by action',
    up(db) {
      db.exec(`
        CREATE TABLE audit_head (
          one INTEGER PRIMARY KEY CHECK (one = 1),
          id INTEGER NOT NULL,
          hash TEXT NOT NULL
        ) STRICT;
        INSERT INTO audit_head (one, id, hash) VALUES (1,
          COALESCE((SELECT MAX(id) FROM audit_log), 0),
          COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${GENESIS_HASH}'));
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
          BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END;
        CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head WHEN NEW.id <= OLD.id
          BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
        CREATE INDEX audit_log_by_action ON audit_log (action, id);
      `);
    },
  },
];

const EXPECTED_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_extend_only'];

/** A row as stored: the chain columns under their column names (what verify and the exports read). */
export interface StoredAuditRow {
  id: number;
  time: number;
  operator: string;
  role: string;
  action: string;
  target: string;
  details: string;
  reason: string;
  prev_hash: string;
  hash: string;
}

export const AUDIT_ROW_COLUMNS = 'id, time, operator, role, action, target, details, reason, prev_hash, hash';

/** Which rows readRows returns. */
export interface AuditReadOptions {
  afterId?: number;
  beforeId?: number;
  limit?: number;
  actions?: readonly string[];
  newestFirst?: boolean;
}

export interface AuditLogOptions {
  /** Epoch milliseconds; tests pass a fake clock. */
  clock?: () => number;
  /** Open for reading only (verify, export): no migrations, nothing written, the file must exist. */
  readonly?: boolean;
  /** Called when one append or read takes longer than 40 ms. */
  onSlow?: (what: string, ms: number) => void;
  /** Data key to seal and open the sensitive columns with (default: the process's installed key). */
  dataKey?: DataKey | null;
  /**
   * Writable logs anchor every new head in this file (default `audit.anchors` beside the log; false: none, for
   * tools that write a throw-away log).
   */
  anchorFile?: string | false;
  /** One line when an anchor sink fails (the append itself has succeeded), and when it works again. */
  onAnchorProblem?: (message: string) => void;
}

export class AuditLog {
  private readonly clock: () => number;
  private readonly onSlow: (what: string, ms: number) => void;
  private readonly statements: {
    last: Database.Statement<[], { id: number; hash: string } | undefined>;
    insert: Database.Statement<[StoredAuditRow]>;
    moveHead: Database.Statement<[{ id: number; hash: string }]>;
  } | null;
  private readonly hasHead: boolean;
  private readonly sinks = new Set<AuditAnchorSink>();
  private readonly onAnchorProblem: (message: string) => void;
  private identity: string | null = null;
  readonly anchorFile: AuditAnchorFile | null;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly readonly: boolean,
    options: AuditLogOptions,
    /** Seals and opens the sensitive columns (null: the log is in clear). */
    private readonly key: DataKey | null,
  ) {
    this.clock = options.clock ?? Date.now;
    this.onSlow = options.onSlow ?? (() => {});
    this.onAnchorProblem = options.onAnchorProblem ?? (() => {});
    this.hasHead = tableExists(db, 'audit_head');
    const anchorFile = readonly
      ? false
      : (options.anchorFile ?? path.join(path.dirname(file), AUDIT_ANCHORS_FILE_NAME));
    this.anchorFile = anchorFile === false ? null : new AuditAnchorFile(anchorFile, this.onAnchorProblem);
    if (this.anchorFile) this.sinks.add(this.anchorFile);
    this.statements = readonly
      ? null
      : {
          last: db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
          insert: db.prepare(
            `INSERT INTO audit_log (${AUDIT_ROW_COLUMNS}) VALUES (@id, @time, @operator, @role, @action, @target, @details, @reason, @prev_hash, @hash)`,
          ),
          moveHead: db.prepare('UPDATE audit_head SET id = @id, hash = @hash WHERE one = 1'),
        };
  }

  /** Opens (creating and migrating when writable) the audit log at `file`. Throws AuditLogError when unusable. */
  static open(file: string, options: AuditLogOptions = {}): AuditLog {
    const readonly = options.readonly ?? false;
    if (readonly && !fs.existsSync(file)) throw new AuditLogError(`no audit log at ${file}`);
    let db: Database.Database | undefined;
    try {
      if (!readonly) ensurePrivateFile(file); // 0600 before SQLite opens it: its -wal/-shm get the same mode
      db = new Database(file, { readonly, fileMustExist: readonly });
      if (readonly) {
        if (!tableExists(db, 'audit_log')) throw new AuditLogError(`${file} is not a Floorwatch audit log`);
        const version = schemaVersion(db);
        if (version > AUDIT_MIGRATIONS.length) {
          throw new AuditLogError(`${file} has audit schema ${version}, newer than this Floorwatch knows`);
        }
      } else {
        db.pragma('journal_mode = WAL');
        // FULL: every commit fsyncs the WAL, so a returned append survives power loss, not only a crash.
        db.pragma('synchronous = FULL');
        // macOS fsync does not flush the drive's cache; F_FULLFSYNC does. No effect elsewhere.
        db.pragma('fullfsync = ON');
        db.pragma('checkpoint_fullfsync = ON');
        if (schemaVersion(db) === 0 && hasUserTables(db)) {
          throw new AuditLogError(`${file} is a SQLite file but not a Floorwatch audit log`);
        }
        migrate(db, AUDIT_MIGRATIONS, 'audit log');
      }
      const installed = options.dataKey === undefined ? installedDataKey() : options.dataKey;
      const { key, needsSealing } = keyForSealedFile(
        db,
        installed,
        `audit log ${file}`,
        (message) => new AuditLogError(message),
      );
      if (needsSealing && !readonly) sealAuditRows(db, key as DataKey);
      return new AuditLog(db, file, readonly, options, readonly && needsSealing ? null : key);
    } catch (error) {
      db?.close();
      if (error instanceof AuditLogError) throw error;
      if (error instanceof SchemaVersionError) throw new AuditLogError(`${file}: ${error.message}`);
      throw new AuditLogError(`cannot open audit log ${file}: ${(error as Error).message}`);
    }
  }

  /** Records one entry and returns its row once it is durable. Throws if it cannot be recorded. */
  append(entry: AuditEntry): AuditRow {
    return this.appendBatch([entry])[0] as AuditRow;
  }

  /** Records several entries in one transaction (one fsync); durable on return. For imports and fixtures. */
  appendBatch(entries: readonly AuditEntry[]): AuditRow[] {
    const statements = this.writable();
    const prepared = entries.map(normaliseAuditEntry);
    const started = performance.now();
    const rows = this.db
      .transaction(() => {
        const written = chainAuditRows(statements.last.get(), prepared, this.clock());
        for (const row of written) {
          const { prevHash, hash, ...content } = row;
          statements.insert.run({ ...this.sealed(content), prev_hash: prevHash, hash });
        }
        const head = written[written.length - 1];
        if (head) statements.moveHead.run({ id: head.id, hash: head.hash });
        return written;
      })
      .immediate();
    const elapsed = performance.now() - started;
    if (elapsed > SLOW_MS) this.onSlow(`audit append of ${entries.length} row(s)`, elapsed);
    const last = rows[rows.length - 1];
    if (last) this.anchor({ id: last.id, hash: last.hash, time: this.clock(), log: this.logId() });
    return rows;
  }

  /**
   * Adds a place where the head is anchored after every append (a session file, later the team database); it gets
   * the current head at once. Returns the function that removes it.
   */
  addAnchorSink(sink: AuditAnchorSink): () => void {
    this.sinks.add(sink);
    const head = this.headAnchor();
    if (head.id > 0) this.deliver(sink, head);
    return () => {
      this.sinks.delete(sink);
    };
  }

  /** The head with the time now and this log's identity: what a report prints as "audit head at generation". */
  headAnchor(): AuditHeadAnchor {
    const head = this.head();
    return { id: head.id, hash: head.hash, time: this.clock(), log: this.logId() };
  }

  /** This log's identity: the first 16 hex digits of row 1's hash (null while the log is empty). */
  logId(): string | null {
    if (this.identity === null) {
      const first = this.db.prepare('SELECT hash FROM audit_log WHERE id = 1').get() as { hash: string } | undefined;
      if (first) this.identity = logIdOf(first.hash);
    }
    return this.identity;
  }

  private anchor(head: AuditHeadAnchor): void {
    for (const sink of this.sinks) this.deliver(sink, head);
  }

  private deliver(sink: AuditAnchorSink, head: AuditHeadAnchor): void {
    try {
      sink.anchor(head);
    } catch (error) {
      // The row is durable already; a sink that fails must not make the caller think it is not.
      this.onAnchorProblem(`audit anchor not delivered to ${sink.name}: ${(error as Error).message}`);
    }
  }

  /** The newest row's id and hash (id 0 and the genesis hash when empty). */
  head(): AuditAnchor {
    const last = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
      AuditAnchor | undefined;
    return last ?? { id: 0, hash: GENESIS_HASH };
  }

  /**
   * Recomputes the whole chain and compares it with the anchors; names the first broken row and every anchor source
   * that disagrees. Never throws for a damaged file.
   */
  verify(options: { anchor?: AuditAnchor; anchors?: readonly SourcedAnchor[] } = {}): AuditVerifyResult {
    const started = performance.now();
    const checker = new AuditChainChecker(options.anchor, options.anchors);
    let head: AuditAnchor | null = null;
    try {
      const missing = EXPECTED_TRIGGERS.filter((name) => !triggerExists(this.db, name));
      if (missing.length > 0) checker.warnings.push(`append-only trigger(s) missing: ${missing.join(', ')}`);
      for (const stored of this.db.prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log ORDER BY id`).iterate()) {
        let row: StoredAuditRow;
        try {
          row = this.opened(stored as StoredAuditRow);
        } catch (error) {
          if (!(error instanceof SealError)) throw error;
          checker.abort('edited', error.message);
          break;
        }
        if (!checker.push(row)) break;
      }
      if (this.hasHead && !checker.broken) {
        head =
          (this.db.prepare('SELECT id, hash FROM audit_head WHERE one = 1').get() as AuditAnchor | undefined) ?? null;
        if (!head) checker.abort('truncated', 'the recorded head row is gone (edited by hand)');
      }
    } catch (error) {
      checker.abort('unreadable', `the file cannot be read: ${(error as Error).message}`);
    }
    const elapsed = performance.now() - started;
    if (elapsed > SLOW_MS) this.onSlow('audit verify', elapsed);
    return checker.finish(head);
  }

  /** Rows in id order, filtered; returns arrays so no statement stays open between calls. */
  readRows(options: AuditReadOptions = {}): AuditRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.afterId !== undefined) {
      where.push('id > ?');
      params.push(options.afterId);
    }
    if (options.beforeId !== undefined) {
      where.push('id < ?');
      params.push(options.beforeId);
    }
    if (options.actions) {
      if (options.actions.length === 0) return [];
      where.push(`action IN (${options.actions.map(() => '?').join(', ')})`);
      params.push(...options.actions);
    }
    const sql =
      `SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY id ${options.newestFirst ? 'DESC' : 'ASC'}` +
      (options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : '');
    return (this.db.prepare(sql).all(...params) as StoredAuditRow[]).map((row) =>
      auditRowFromStored(this.openedOrThrow(row)),
    );
  }

  /**
   * The log as export lines (each ending in a newline), CSV with a header or NDJSON, hashes included. NDJSON rows
   * are verifiable offline (`floorwatch audit verify FILE.ndjson`). Consume it without writing to this log in
   * between: the read stays open while the generator runs.
   */
  *exportLines(format: AuditExportFormat): Generator<string> {
    if (format === 'csv') yield AUDIT_CSV_HEADER;
    for (const stored of this.db.prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM audit_log ORDER BY id`).iterate()) {
      yield auditExportLine(this.openedOrThrow(stored as StoredAuditRow), format);
    }
  }

  /** The whole export as one string (for the API; the CLI streams exportLines). */
  exportText(format: AuditExportFormat): string {
    return Array.from(this.exportLines(format)).join('');
  }

  /** journal_mode and synchronous as SQLite reports them (for tests and the health view). */
  durability(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    };
  }

  /** Closes the log; the anchor sinks write the latest head first. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sink of this.sinks) {
      try {
        sink.close?.();
      } catch (error) {
        this.onAnchorProblem(`audit anchor sink ${sink.name} failed to close: ${(error as Error).message}`);
      }
    }
    this.sinks.clear();
    this.db.close();
  }

  /** The row with its sensitive columns sealed (as stored). */
  private sealed<T extends Pick<StoredAuditRow, 'id' | (typeof SEALED_COLUMNS)[number]>>(row: T): T {
    if (!this.key) return row;
    const out = { ...row };
    for (const column of SEALED_COLUMNS)
      out[column] = sealColumn(this.key, SEAL_TABLE_NAME, row.id, column, row[column]);
    return out;
  }

  /** The stored row with its sensitive columns opened; SealError names the row when one was changed or moved. */
  private opened(row: StoredAuditRow): StoredAuditRow {
    const out = { ...row };
    for (const column of SEALED_COLUMNS) {
      try {
        out[column] = openColumn(this.key, SEAL_TABLE_NAME, row.id, column, row[column]);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        throw new SealError(`row ${row.id}: ${column} fails its authentication (edited, or moved from another row)`);
      }
    }
    return out;
  }

  private openedOrThrow(row: StoredAuditRow): StoredAuditRow {
    try {
      return this.opened(row);
    } catch (error) {
      if (error instanceof SealError) throw new AuditLogError(`${this.file}: ${error.message}`);
      throw error;
    }
  }

  private writable() {
    if (this.closed) throw new AuditLogError('the audit log is closed');
    if (!this.statements) throw new AuditLogError(`${this.file} is open read-only`);
    return this.statements;
  }
}

/**
 * Seals the sensitive columns of a log written in clear, in one transaction (the update trigger is dropped and
 * recreated inside it): a crash leaves the log as it was, and the next start seals it again. Hashes do not change.
 */
function sealAuditRows(db: Database.Database, key: DataKey): void {
  sealRowsInPlace(db, key, () => {
    const rows = db.prepare(`SELECT id, ${SEALED_COLUMNS.join(', ')} FROM audit_log ORDER BY id`).all() as Pick<
      StoredAuditRow,
      'id' | (typeof SEALED_COLUMNS)[number]
    >[];
    const hadTrigger = triggerExists(db, 'audit_log_no_update');
    if (hadTrigger) db.exec('DROP TRIGGER audit_log_no_update');
    const update = db.prepare('UPDATE audit_log SET target = ?, details = ?, reason = ? WHERE id = ?');
    for (const row of rows) {
      const [target, details, reason] = SEALED_COLUMNS.map((column) =>
        sealColumn(key, SEAL_TABLE_NAME, row.id, column, row[column]),
      );
      update.run(target, details, reason, row.id);
    }
    if (hadTrigger) db.exec(NO_UPDATE_TRIGGER);
  });
}

/** Checks an entry and gives the text columns it is stored and hashed with; throws on bad input. */
/**
 * The rows that extend a chain whose newest row is `last` (none: an empty log) by `entries`, ids and hashes
 * filled in. One transaction, one moment: every row of a batch carries the same time.
 */
export function chainAuditRows(
  last: { id: number; hash: string } | undefined,
  entries: readonly ReturnType<typeof normaliseAuditEntry>[],
  now: number,
): AuditRow[] {
  let prevHash = last?.hash ?? GENESIS_HASH;
  let id = last?.id ?? 0;
  const time = Math.trunc(now);
  return entries.map((entry) => {
    id += 1;
    const content = { id, time, ...entry };
    const hash = auditRowHash(prevHash, content);
    const row = { ...content, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

export function normaliseAuditEntry(entry: AuditEntry): Omit<AuditRow, 'id' | 'time' | 'prevHash' | 'hash'> {
  if (!KNOWN_ACTIONS.has(entry.action)) throw new RangeError(`unknown audit action "${String(entry.action)}"`);
  const details = entry.details ?? {};
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new TypeError('audit details must be a plain object');
  }
  const row = {
    operator: entry.operator,
    role: entry.role,
    action: entry.action,
    target: entry.target ?? '',
    details: canonicalJson(details),
    reason: entry.reason ?? '',
  };
  checkText('operator', row.operator, 1, AUDIT_LIMITS.operator);
  checkText('role', row.role, 1, AUDIT_LIMITS.role);
  checkText('target', row.target, 0, AUDIT_LIMITS.target);
  checkText('reason', row.reason, 0, AUDIT_LIMITS.reason);
  if (row.details.length > AUDIT_LIMITS.detailsChars) {
    throw new RangeError(`audit details are ${row.details.length} chars, more than ${AUDIT_LIMITS.detailsChars}`);
  }
  return row;
}

function checkText(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string') throw new TypeError(`audit ${field} must be text`);
  if (value.length < min || value.length > max) {
    throw new RangeError(`audit ${field} must be ${min}..${max} chars (got ${value.length})`);
  }
}

/** A stored row as callers see it. */
export function auditRowFromStored(row: StoredAuditRow): AuditRow {
  return {
    id: row.id,
    time: row.time,
    operator: row.operator,
    role: row.role,
    action: row.action,
    target: row.target,
    details: row.details,
    reason: row.reason,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Parses a row's details; {} when the text is not a JSON object (only possible after a hand edit). */
export function auditDetails(row: Pick<AuditRow, 'details'>): Record<string, unknown> {
  try {
    const parsed = JSON.parse(row.details) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export const CSV_COLUMNS = [
  'id',
  'time',
  'time_iso',
  'operator',
  'role',
  'action',
  'target',
  'details',
  'reason',
  'prev_hash',
  'hash',
] as const;

/** The CSV export's header line. */
export const AUDIT_CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

/** One stored row as an export line (ending in a newline). */
export function auditExportLine(row: StoredAuditRow, format: AuditExportFormat): string {
  return format === 'csv' ? csvLine(row) : ndjsonLine(row);
}

function isoTime(time: unknown): string {
  return typeof time === 'number' && Number.isFinite(time) && Math.abs(time) < 8.64e15
    ? new Date(time).toISOString()
    : '';
}

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(row: StoredAuditRow): string {
  return `${[
    row.id,
    row.time,
    isoTime(row.time),
    row.operator,
    row.role,
    row.action,
    row.target,
    row.details,
    row.reason,
    row.prev_hash,
    row.hash,
  ]
    .map(csvField)
    .join(',')}\n`;
}

/** details as a JSON object when the stored text is one (it re-canonicalises to the same text), else the raw text. */
function ndjsonLine(row: StoredAuditRow): string {
  let details: unknown = row.details;
  try {
    const parsed = JSON.parse(row.details) as unknown;
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      canonicalJson(parsed) === row.details
    ) {
      details = parsed;
    }
  } catch {
    // keep the raw text: verify will hash exactly what is stored
  }
  return `${JSON.stringify({
    id: row.id,
    time: row.time,
    time_iso: isoTime(row.time),
    operator: row.operator,
    role: row.role,
    action: row.action,
    target: row.target,
    details,
    reason: row.reason,
    prev_hash: row.prev_hash,
    hash: row.hash,
  })}\n`;
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function triggerExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?").get(name) !== undefined;
}

function hasUserTables(db: Database.Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() !== undefined
  );
}
