// The audit log as the rest of the app should see it: asynchronous, so one interface fits the single seat's SQLite
// file and the team's PostgreSQL database. Both write the same rows with the same hash chain (auditCanonical.ts)
// and verify with the same checker (auditChain.ts), so an export from either verifies offline the same way.
import type { AuditHeadAnchor, SourcedAnchor } from './auditAnchors';
import type { AuditAnchor, AuditVerifyResult } from './auditChain';
import type { AuditEntry, AuditExportFormat, AuditLog, AuditReadOptions, AuditRow } from './auditLog';

export interface AuditVerifyOptions {
  /** One row id and its hash the chain must pass through (given by hand). */
  anchor?: AuditAnchor;
  /** Anchors of the head found elsewhere (anchor file, session files, evidence packs). */
  anchors?: readonly SourcedAnchor[];
}

/**
 * A condition checked inside the append's own transaction, after the chain is locked: what makes two writers (two
 * servers on one database) unable to both act on the same state.
 */
export interface AuditAppendGuard {
  /**
   * The batch is refused (AuditConflictError naming the newest such row) when a row for `target` with one of
   * `actions` (and, with `detail`, that value under that key of its details) is newer than row `afterId`.
   */
  unchangedSince?: {
    target: string;
    actions: readonly string[];
    afterId: number;
    detail?: { key: string; value: string | number };
  };
  /** Entries whose action and target are recorded already are left out: recorded once, by whoever came first. */
  once?: boolean;
}

/** A guarded append found the state changed: `row` is the newest row that changed it. */
export class AuditConflictError extends Error {
  constructor(readonly row: AuditRow) {
    super(`row ${row.id} (${row.action} by ${row.operator}) came first`);
  }
}

/**
 * A log several servers append to (the team database): what applies everyone's rows to this server's state, in
 * chain order and once each. A workflow on it applies its own rows through it too, so no row overtakes another.
 */
export interface SharedAuditChain {
  /**
   * Applies the rows committed so far (at least through row `throughId`, when given) to every follower, in chain
   * order. Rejects (one line) when the database cannot be read; the rows are applied on the next catch-up.
   */
  catchUp(throughId?: number): Promise<void>;
}

export interface AuditStore {
  /** Where the log is, for messages: a file path, or a database URL without its password. */
  readonly location: string;
  /** Records one entry; resolves with its row once it is durable. Rejects (AuditLogError) if it cannot be. */
  append(entry: AuditEntry): Promise<AuditRow>;
  /**
   * Records several entries in one transaction, in order, with consecutive ids; durable when it resolves. With a
   * guard, only if it holds (else AuditConflictError), and without the entries it leaves out (`once`).
   */
  appendBatch(entries: readonly AuditEntry[], guard?: AuditAppendGuard): Promise<AuditRow[]>;
  /** Rows in id order (or newest first), filtered. */
  readRows(options?: AuditReadOptions): Promise<AuditRow[]>;
  /** The newest row's id and hash (id 0 and the genesis hash when empty). */
  head(): Promise<AuditAnchor>;
  /** The head with the time now and the log's identity (row 1's hash): what a report prints as its audit head. */
  headAnchor(): Promise<AuditHeadAnchor>;
  /** Recomputes the whole chain; names the first broken row. Never rejects for a damaged log. */
  verify(options?: AuditVerifyOptions): Promise<AuditVerifyResult>;
  /** The log as export lines (each ending in a newline), CSV with a header or NDJSON, hashes included. */
  exportLines(format: AuditExportFormat): AsyncGenerator<string>;
  /** The whole export as one string. */
  exportText(format: AuditExportFormat): Promise<string>;
  /** Releases the file or the connections. */
  close(): Promise<void>;
}

/** The single seat's SQLite audit log behind the asynchronous interface (its file format does not change). */
export class SqliteAuditStore implements AuditStore {
  constructor(readonly log: AuditLog) {}

  get location(): string {
    return this.log.file;
  }

  async append(entry: AuditEntry): Promise<AuditRow> {
    return this.log.append(entry);
  }

  /**
   * The single seat's log has one writer (this process, whose workflows write one at a time and check their state
   * first), so a guard holds by construction; its sealed target column could not be searched anyway.
   */
  async appendBatch(entries: readonly AuditEntry[], _guard?: AuditAppendGuard): Promise<AuditRow[]> {
    return this.log.appendBatch(entries);
  }

  async readRows(options?: AuditReadOptions): Promise<AuditRow[]> {
    return this.log.readRows(options);
  }

  async head(): Promise<AuditAnchor> {
    return this.log.head();
  }

  async headAnchor(): Promise<AuditHeadAnchor> {
    return this.log.headAnchor();
  }

  async verify(options?: AuditVerifyOptions): Promise<AuditVerifyResult> {
    return this.log.verify(options);
  }

  async *exportLines(format: AuditExportFormat): AsyncGenerator<string> {
    yield* this.log.exportLines(format);
  }

  async exportText(format: AuditExportFormat): Promise<string> {
    return this.log.exportText(format);
  }

  async close(): Promise<void> {
    this.log.close();
  }
}
