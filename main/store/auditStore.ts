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

export interface AuditStore {
  /** Where the log is, for messages: a file path, or a database URL without its password. */
  readonly location: string;
  /** Records one entry; resolves with its row once it is durable. Rejects (AuditLogError) if it cannot be. */
  append(entry: AuditEntry): Promise<AuditRow>;
  /** Records several entries in one transaction, in order, with consecutive ids; durable when it resolves. */
  appendBatch(entries: readonly AuditEntry[]): Promise<AuditRow[]>;
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

  async appendBatch(entries: readonly AuditEntry[]): Promise<AuditRow[]> {
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
