// SessionJournal: writes every sequenced feed message of one session to a per-session SQLite file (format in
// sessionFormat.ts). Messages are buffered in an open block of consecutive seqs; a flush (at least every
// `flushIntervalMs`, 100 ms by default, and whenever a block fills) writes the full blocks and rewrites the open
// block in one transaction, so a SIGKILL loses at most the unflushed tail and the file is never half-written
// (SQLite WAL). The open block is rewritten in place until it is full, so a slow feed still ends up in large,
// well-compressed blocks.
//
// Recording must never take the live view down: no method throws for a disk problem. A failed write (disk full,
// unwritable folder, I/O error) is reported once through `onProblem`, the messages that could not be written are
// counted (and their seq range becomes a `not_recorded` gap in the file once writing works again), and the write is
// retried every `retryIntervalMs`. A file that cannot be used at all (exists in create mode, corrupt, another
// session) is a permanent problem: reported once, nothing more is attempted.
//
// The journal is synchronous and owns its connection, so it can run on the core thread or in its own worker
// (journalWorker.ts) fed with batches encoded as binary records on the thread that decoded them (`encodeBatch` +
// `appendEncoded`). New blocks are codec 2 (binary records); a file continued from an older build keeps its
// codec-1 blocks as they are.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { isSequenced, type ServerMessage } from '../../shared/protocol';
import { SESSION_SCHEMA_VERSION, migrateSession } from './migrations';
import { AUDIT_ANCHORS_TABLE, SESSION_AUDIT_ANCHORS_KEPT } from './migrations/v5';
import type { AuditHeadAnchor } from './auditAnchors';
import { RecordWriter, type RecordBatch } from './recordCodec';
import {
  CODEC_DEFLATE_RAW_RECORDS,
  DEFAULT_BLOCK_SIZE,
  META_KEYS,
  SEALED_CODEC_FLAG,
  SessionFileError,
  type SessionSeal,
  appVersion as currentAppVersion,
  encodeRecordBlock,
  sqliteCode,
  type BlockItem,
  type SessionGap,
  type SessionInfo,
} from './sessionFormat';
import { installedDataKey } from '../security/dataKey';
import { ensurePrivateFile } from '../security/fileModes';
import { checkSessionDb, readSessionMeta, readSessionSeal, toSessionFileError, writeSealMeta } from './sessionOpen';

export type JournalProblemKind = 'disk_full' | 'unwritable' | 'io_error' | 'bad_file';

export interface JournalProblem {
  file: string;
  kind: JournalProblemKind;
  /** One line for an operator: what happened and what the journal does about it. */
  message: string;
  /** What happened, without the journal's reaction (for callers with their own, e.g. an import that stops). */
  reason: string;
  /** SQLite or Node error code. */
  code: string;
  /** True when retrying cannot help (bad or foreign file): the journal stops trying. */
  permanent: boolean;
}

export type JournalState = 'recording' | 'failing' | 'failed' | 'closed';

export interface UnrecordedMessages {
  messages: number;
  firstSeq: number | null;
  lastSeq: number | null;
  ranges: { fromSeq: number; toSeq: number }[];
}

/** Most not-recorded ranges a health report lists (later ones merge into the last). */
export const MAX_UNRECORDED_RANGES = 100;

/** Adds [fromSeq, toSeq] to `unrecorded` (ranges kept merged and in order; the last absorbs any beyond the cap). */
export function addUnrecorded(unrecorded: UnrecordedMessages, fromSeq: number, toSeq: number, messages: number): void {
  if (messages <= 0) return;
  unrecorded.messages += messages;
  if (unrecorded.firstSeq === null || fromSeq < unrecorded.firstSeq) unrecorded.firstSeq = fromSeq;
  if (unrecorded.lastSeq === null || toSeq > unrecorded.lastSeq) unrecorded.lastSeq = toSeq;
  addRange(unrecorded.ranges, fromSeq, toSeq);
}

/** Both reports together (a journal's and what its caller dropped before the journal saw it). */
export function mergeUnrecorded(a: UnrecordedMessages, b: UnrecordedMessages): UnrecordedMessages {
  const merged: UnrecordedMessages = { ...a, ranges: a.ranges.map((r) => ({ ...r })) };
  if (b.messages === 0) return merged;
  merged.messages += b.messages;
  merged.firstSeq = Math.min(merged.firstSeq ?? Infinity, b.firstSeq ?? Infinity);
  merged.lastSeq = Math.max(merged.lastSeq ?? 0, b.lastSeq ?? 0);
  for (const range of b.ranges) addRange(merged.ranges, range.fromSeq, range.toSeq);
  return merged;
}

function addRange(ranges: { fromSeq: number; toSeq: number }[], fromSeq: number, toSeq: number): void {
  const last = ranges[ranges.length - 1];
  // The common case: the loss goes on where the last one ended.
  if (last && fromSeq >= last.fromSeq && fromSeq <= last.toSeq + 1) {
    last.toSeq = Math.max(last.toSeq, toSeq);
    return;
  }
  ranges.push({ fromSeq, toSeq });
  ranges.sort((x, y) => x.fromSeq - y.fromSeq);
  let kept = 0;
  for (const range of ranges) {
    const previous = kept > 0 ? ranges[kept - 1]! : undefined;
    if (previous && range.fromSeq <= previous.toSeq + 1) previous.toSeq = Math.max(previous.toSeq, range.toSeq);
    else ranges[kept++] = range;
  }
  ranges.length = kept;
  while (ranges.length > MAX_UNRECORDED_RANGES) {
    const extra = ranges.pop()!;
    ranges[ranges.length - 1]!.toSeq = Math.max(ranges[ranges.length - 1]!.toSeq, extra.toSeq);
  }
}

export const noneUnrecorded = (): UnrecordedMessages => ({ messages: 0, firstSeq: null, lastSeq: null, ranges: [] });

/**
 * A little space kept inside the session file (a row of zeros in its own table): on a full disk it is given up so
 * the record of what could not be written still fits in the file; taken back once writing works again.
 */
const RESERVE_BYTES = 32 * 1024;

export interface JournalHealth {
  file: string;
  state: JournalState;
  /** Messages committed to the file by this journal. */
  recordedMessages: number;
  /** Messages accepted but not yet flushed. */
  pendingMessages: number;
  lastRecordedSeq: number | null;
  /**
   * Messages that could not be written: their count, overall seq range, and the exact ranges (merged, oldest first,
   * at most MAX_UNRECORDED_RANGES): the same seqs the file's `not_recorded` gap rows name.
   */
  unrecorded: UnrecordedMessages;
  /** Messages dropped because their seq was not above the last accepted one. */
  duplicatesDropped: number;
  /** Gap rows written (feed-reported, jumps, not_recorded). */
  gapsRecorded: number;
  blocksWritten: number;
  flushes: number;
  /** Slowest flush so far, ms (Signal logs queries over 40 ms; the core can do the same from here). */
  slowestFlushMs: number;
  problem: JournalProblem | null;
}

export interface JournalOptions {
  /** Identity of the session (from the feed's hello). Required to create; checked against the file to append. */
  session: SessionInfo;
  /** 'create' (default): the file must not exist. 'append': continue an existing session file of this session. */
  mode?: 'create' | 'append';
  /** Recorded in the file: what made it ('core', 'record', 'import'…). */
  createdBy?: string;
  appVersion?: string;
  /** Messages per block (default 1024). */
  blockSize?: number;
  /** Longest time accepted messages stay unflushed, ms (default 100; 0 disables the timer). */
  flushIntervalMs?: number;
  /** Pause between attempts after a write failed, ms (default 2000). */
  retryIntervalMs?: number;
  /** Called once per outage (and once for a permanent problem). May be called from the constructor. */
  onProblem?: (problem: JournalProblem) => void;
  /** Called when writing works again after an outage. */
  onRecovered?: (health: JournalHealth) => void;
  /** Test hook: SQLite `max_page_count`, to simulate a full disk. */
  maxPageCount?: number;
  /** Clock for flush and retry timing (default Date.now). */
  now?: () => number;
}

/** Messages encoded for `appendEncoded`: binary records and their seqs, ts and catalog entries (transferable). */
export type EncodedBatch = RecordBatch;

/**
 * Collects messages into one EncodedBatch, across calls (a journal thread is best fed a few large posts rather
 * than one per frame: each postMessage has a fixed cost). Its buffers are reused; `take` hands out copies.
 */
export class EncodedBatchBuilder {
  private readonly writer = new RecordWriter();
  private ends = new Uint32Array(1024);
  private seqs = new Float64Array(1024);
  private ts = new Float64Array(1024);
  private catalog: EncodedBatch['catalog'] = [];
  private events: EncodedBatch['events'] = [];
  private count = 0;

  /** Sequenced messages added and not yet taken. */
  get size(): number {
    return this.count;
  }

  get empty(): boolean {
    return this.count === 0 && this.events.length === 0;
  }

  /** Adds the messages (`eventsOnly`: only the unsequenced ones worth keeping, e.g. while dropping for backlog). */
  add(messages: readonly ServerMessage[], eventsOnly = false): void {
    for (const message of messages) {
      if (!isSequenced(message)) {
        if (message.type !== 'heartbeat') {
          this.events.push({ line: JSON.stringify(message), type: message.type, ts: message.ts });
        }
        continue;
      }
      if (eventsOnly) continue;
      if (this.count === this.ends.length) this.grow();
      const index = this.count++;
      if (message.type === 'instrument') this.catalog.push({ index, kind: 'instrument', id: message.instrumentId });
      else if (message.type === 'account') this.catalog.push({ index, kind: 'account', id: message.accountId });
      this.writer.write(message);
      this.ends[index] = this.writer.length;
      this.seqs[index] = message.seq;
      this.ts[index] = message.ts;
    }
  }

  /** Everything added since the last take, as one batch; starts over. */
  take(): EncodedBatch {
    const batch: EncodedBatch = {
      records: this.writer.take(),
      ends: this.ends.slice(0, this.count),
      seqs: this.seqs.slice(0, this.count),
      ts: this.ts.slice(0, this.count),
      catalog: this.catalog,
      events: this.events,
    };
    this.count = 0;
    this.catalog = [];
    this.events = [];
    return batch;
  }

  private grow(): void {
    const size = this.ends.length * 2;
    const ends = new Uint32Array(size);
    ends.set(this.ends);
    const seqs = new Float64Array(size);
    seqs.set(this.seqs);
    const ts = new Float64Array(size);
    ts.set(this.ts);
    this.ends = ends;
    this.seqs = seqs;
    this.ts = ts;
  }
}

/** One builder per thread for encodeBatch. */
let batchBuilder: EncodedBatchBuilder | null = null;

/** Encodes messages as records for `appendEncoded` (run it on the thread that decoded them: no JSON is made). */
export function encodeBatch(messages: readonly ServerMessage[]): EncodedBatch {
  const builder = (batchBuilder ??= new EncodedBatchBuilder());
  builder.add(messages);
  return builder.take();
}

/** Messages of consecutive seqs not yet in a closed block. `committed` lines are already in the file. */
interface OpenBlock {
  items: BlockItem[];
  firstSeq: number;
  firstTs: number;
  lastTs: number;
  /** Running max ts of the session up to the end of this block. */
  maxTs: number;
  committed: number;
}

interface Statements {
  upsertBlock: Statement;
  insertCatalog: Statement;
  upsertGap: Statement;
  insertEvent: Statement;
  upsertAuditAnchor: Statement;
  pruneAuditAnchors: Statement;
}

const isUnwritable = (code: string) =>
  code.startsWith('SQLITE_CANTOPEN') ||
  code.startsWith('SQLITE_READONLY') ||
  code === 'SQLITE_PERM' ||
  code === 'SQLITE_AUTH' ||
  code === 'EACCES' ||
  code === 'EROFS' ||
  code === 'ENOENT';

export class SessionJournal {
  readonly file: string;
  private readonly options: JournalOptions;
  private readonly blockSize: number;
  private readonly flushIntervalMs: number;
  private readonly retryIntervalMs: number;
  private readonly now: () => number;
  private db: Db | null = null;
  private statements: Statements | null = null;
  /** Seals blocks, catalog ids and events with the data key (null: no key installed, written in clear). */
  private seal: SessionSeal | null = null;
  private state: JournalState = 'recording';
  private problem: JournalProblem | null = null;
  private timer: NodeJS.Timeout | null = null;

  private open: OpenBlock | null = null;
  private readonly closedBlocks: OpenBlock[] = [];
  private pendingCatalog: { kind: string; id: string; seq: number }[] = [];
  private pendingEvents: { afterSeq: number; ts: number; type: string; line: string }[] = [];
  private pendingGaps: SessionGap[] = [];
  /** The newest audit head not yet in the file (written with the next flush). */
  private pendingAuditAnchor: AuditHeadAnchor | null = null;
  private pendingCount = 0;
  /** Highest seq accepted (written, pending or dropped); the next must be above it. */
  private lastAcceptedSeq = 0;
  private runningMaxTs = -Infinity;
  private lastFlushAt: number;
  private nextRetryAt = 0;
  /** This journal made the file (so a retry after a failure continues it instead of refusing it). */
  private createdFile = false;

  private recordedMessages = 0;
  private lastRecordedSeq: number | null = null;
  private unrecorded: UnrecordedMessages = noneUnrecorded();
  /** The file holds its space reserve (see RESERVE_BYTES). */
  private reserveInFile = false;
  private duplicatesDropped = 0;
  private gapsRecorded = 0;
  private blocksWritten = 0;
  private flushes = 0;
  private slowestFlushMs = 0;

  constructor(file: string, options: JournalOptions) {
    this.file = file;
    this.options = options;
    this.blockSize = Math.max(1, options.blockSize ?? DEFAULT_BLOCK_SIZE);
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.retryIntervalMs = options.retryIntervalMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.lastFlushAt = this.now();
    this.tryOpen();
    this.lastFlushAt = this.now();
    if (this.flushIntervalMs > 0) {
      this.timer = setInterval(() => this.onTimer(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Records sequenced messages (seq must increase; a jump is recorded as a gap), keeps hello/error as events. */
  append(messages: readonly ServerMessage[]): void {
    if (this.state === 'closed') return;
    this.appendEncoded(encodeBatch(messages));
  }

  /** Same as append for messages encoded by `encodeBatch` (possibly on another thread). */
  appendEncoded(batch: EncodedBatch): void {
    if (this.state === 'closed') return;
    for (const event of batch.events) this.acceptEvent(event.line, event.type, event.ts);
    const { records, ends, seqs, ts, catalog } = batch;
    const count = seqs.length;
    if (ends.length !== count || ts.length !== count || (count > 0 && ends[count - 1] !== records.length)) {
      throw new RangeError(`encoded batch holds ${ends.length} records in ${records.length} bytes for ${count} seqs`);
    }
    let nextCatalog = 0;
    let start = 0;
    for (let i = 0; i < count; i++) {
      const end = ends[i]!;
      const entry = catalog[nextCatalog]?.index === i ? catalog[nextCatalog++] : undefined;
      this.accept(records.subarray(start, end), seqs[i]!, ts[i]!, entry?.kind, entry?.id);
      start = end;
    }
    this.afterAppend();
  }

  /** Records seqs the feed reports as lost for good (written with the next flush). */
  recordGap(fromSeq: number, toSeq: number, reason = 'feed_gap'): void {
    if (this.state === 'closed' || !(toSeq >= fromSeq)) return;
    this.pendingGaps.push({ fromSeq, toSeq, reason });
    if (toSeq > this.lastAcceptedSeq) {
      this.lastAcceptedSeq = toSeq;
      this.closeOpenBlock();
    }
  }

  /**
   * Anchors the audit chain's head in this file (written with the next flush, the newest few kept), so the session
   * file can later show that the audit log once reached this row with this hash.
   */
  recordAuditAnchor(head: AuditHeadAnchor): void {
    if (this.state === 'closed') return;
    if (this.pendingAuditAnchor && this.pendingAuditAnchor.id > head.id) return;
    this.pendingAuditAnchor = head;
  }

  /** Writes everything accepted so far. Returns false when the write failed (reported through onProblem). */
  flush(): boolean {
    return this.write(true);
  }

  /**
   * One transaction: the closed blocks, and the open block too when `includeOpen` (a timed or explicit flush). A
   * block that just filled is written without the few messages after it, which will be flushed with their own block.
   */
  private write(includeOpen: boolean): boolean {
    if (this.state === 'closed' || this.state === 'failed') return false;
    if (this.state === 'failing' && this.now() < this.nextRetryAt) {
      this.dropPending();
      return false;
    }
    if (!this.db && !this.tryOpen()) return false;
    const openDirty = this.open !== null && this.open.items.length > this.open.committed;
    const hasWork =
      this.closedBlocks.length > 0 ||
      (includeOpen && (openDirty || this.pendingCatalog.length > 0 || this.pendingEvents.length > 0)) ||
      this.pendingGaps.length > 0 ||
      this.pendingAuditAnchor !== null;
    if (includeOpen) this.lastFlushAt = this.now();
    if (!hasWork) return true;
    const started = performance.now();
    try {
      this.db!.transaction(() => this.writePending(includeOpen))();
    } catch (error) {
      this.onWriteFailed(error);
      return false;
    }
    this.onWriteSucceeded(includeOpen, performance.now() - started);
    return true;
  }

  /** True when this journal created the file (rather than appending to or refusing an existing one). */
  get createdNewFile(): boolean {
    return this.createdFile;
  }

  /** Counters for the health view. */
  health(): JournalHealth {
    return {
      file: this.file,
      state: this.state,
      recordedMessages: this.recordedMessages,
      pendingMessages: this.pendingCount,
      lastRecordedSeq: this.lastRecordedSeq,
      unrecorded: { ...this.unrecorded, ranges: this.unrecorded.ranges.map((r) => ({ ...r })) },
      duplicatesDropped: this.duplicatesDropped,
      gapsRecorded: this.gapsRecorded,
      blocksWritten: this.blocksWritten,
      flushes: this.flushes,
      slowestFlushMs: this.slowestFlushMs,
      problem: this.problem,
    };
  }

  /**
   * Flushes, then leaves the file as one self-contained file (WAL checkpointed, rollback journal mode). Idempotent.
   * Returns the final health.
   */
  close(): JournalHealth {
    if (this.state === 'closed') return this.health();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.nextRetryAt = 0; // one last attempt, whatever the retry schedule says
    if (this.state !== 'failed') this.flush();
    if (this.pendingCount > 0) this.dropPending();
    if (this.state !== 'failed') this.recordLoss();
    if (this.db) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
        this.db.pragma('journal_mode = DELETE');
      } catch {
        // the WAL stays beside the file; SQLite folds it in on the next open
      }
      try {
        this.db.close();
      } catch {
        // closing a connection whose disk vanished: nothing left to save
      }
      this.db = null;
    }
    this.state = 'closed';
    return this.health();
  }

  // --- accepting -------------------------------------------------------------------------------------------------

  private accept(
    item: BlockItem,
    seq: number,
    ts: number,
    catalogKind: 'instrument' | 'account' | undefined,
    catalogId: string | undefined,
  ): void {
    if (seq <= this.lastAcceptedSeq) {
      this.duplicatesDropped++;
      return;
    }
    if (this.state === 'failed' || (this.state === 'failing' && this.now() < this.nextRetryAt)) {
      if (seq !== this.lastAcceptedSeq + 1 && (this.lastAcceptedSeq > 0 || seq > 1)) {
        // A jump in the feed is a gap of its own, not something the journal failed to write.
        this.pendingGaps.push({ fromSeq: this.lastAcceptedSeq + 1, toSeq: seq - 1, reason: 'missing' });
      }
      this.lastAcceptedSeq = seq;
      this.countUnrecorded(seq, seq, 1);
      return;
    }
    if (seq !== this.lastAcceptedSeq + 1) {
      if (this.lastAcceptedSeq > 0 || seq > 1) {
        this.pendingGaps.push({ fromSeq: this.lastAcceptedSeq + 1, toSeq: seq - 1, reason: 'missing' });
      }
      this.closeOpenBlock();
    }
    this.lastAcceptedSeq = seq;
    if (ts > this.runningMaxTs) this.runningMaxTs = ts;
    let block = this.open;
    if (!block) {
      block = {
        items: [],
        firstSeq: seq,
        firstTs: ts,
        lastTs: ts,
        maxTs: this.runningMaxTs,
        committed: 0,
      };
      this.open = block;
    }
    block.items.push(item);
    block.lastTs = ts;
    block.maxTs = this.runningMaxTs;
    this.pendingCount++;
    if (catalogKind && catalogId) this.pendingCatalog.push({ kind: catalogKind, id: catalogId, seq });
    if (block.items.length >= this.blockSize) this.closeOpenBlock();
  }

  private acceptEvent(line: string, type: string, ts: number): void {
    if (this.state === 'failed') return;
    this.pendingEvents.push({ afterSeq: this.lastAcceptedSeq, ts, type, line });
  }

  private closeOpenBlock(): void {
    if (!this.open) return;
    if (this.open.items.length > this.open.committed) this.closedBlocks.push(this.open);
    this.open = null;
  }

  private afterAppend(): void {
    if (this.state === 'failed') return;
    const due = this.now() - this.lastFlushAt >= this.flushIntervalMs && this.flushIntervalMs > 0;
    if (due) this.write(true);
    else if (this.closedBlocks.length > 0) this.write(false);
  }

  private onTimer(): void {
    if (this.state === 'recording' || this.state === 'failing') {
      if (this.now() - this.lastFlushAt >= this.flushIntervalMs) this.flush();
    }
  }

  // --- writing ---------------------------------------------------------------------------------------------------

  private tryOpen(): boolean {
    const { session } = this.options;
    // After this journal created the file once, a retry continues it whatever the requested mode was.
    const mode = this.createdFile ? 'append' : (this.options.mode ?? 'create');
    let db: Db | undefined;
    try {
      const exists = existsSync(this.file);
      if (mode === 'create' && exists) {
        throw new SessionFileError(this.file, 'exists', 'the file already exists; choose a new file name');
      }
      if (mode === 'append' && !exists && !this.createdFile) {
        throw new SessionFileError(this.file, 'missing', 'no such file to append to');
      }
      // 0600 before SQLite opens it (its -wal/-shm get the same mode); a missing folder is SQLite's error to report.
      if (!exists && existsSync(path.dirname(this.file))) ensurePrivateFile(this.file);
      db = new Database(this.file);
      if (!exists) this.createdFile = true;
      if (exists && !this.createdFile) {
        try {
          checkSessionDb(this.file, db);
        } catch (error) {
          throw toSessionFileError(this.file, error);
        }
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('wal_autocheckpoint = 4000');
      if (this.options.maxPageCount) db.pragma(`max_page_count = ${this.options.maxPageCount}`);
      migrateSession(db);
      const seal = readSessionSeal(this.file, db, { forWriting: true });
      seal?.check(); // a file sealed with another key (or none here) is not appended to
      const key = installedDataKey();
      if (seal && key) writeSealMeta(db, seal, key.id);
      this.seal = seal && key ? seal : null;
      const hasMeta = db.prepare('SELECT 1 FROM session_meta WHERE key = ?').get(META_KEYS.sessionId) !== undefined;
      if (hasMeta) this.resumeFrom(db, session);
      else this.writeMeta(db, session);
      this.keepReserve(db);
      this.statements = {
        upsertBlock: db.prepare(
          `INSERT OR REPLACE INTO blocks (first_seq, last_seq, count, first_ts, last_ts, max_ts, raw_bytes, crc32, codec, data)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        insertCatalog: db.prepare('INSERT OR IGNORE INTO catalog (kind, id, seq) VALUES (?, ?, ?)'),
        upsertGap: db.prepare(
          `INSERT INTO gaps (from_seq, to_seq, reason) VALUES (?, ?, ?)
           ON CONFLICT (from_seq) DO UPDATE SET to_seq = max(to_seq, excluded.to_seq), reason = excluded.reason`,
        ),
        insertEvent: db.prepare('INSERT INTO feed_events (after_seq, ts, type, body) VALUES (?, ?, ?, ?)'),
        upsertAuditAnchor: db.prepare(
          `INSERT OR IGNORE INTO ${AUDIT_ANCHORS_TABLE} (audit_id, hash, log, anchored_at) VALUES (?, ?, ?, ?)`,
        ),
        pruneAuditAnchors: db.prepare(
          `DELETE FROM ${AUDIT_ANCHORS_TABLE} WHERE audit_id NOT IN
             (SELECT audit_id FROM ${AUDIT_ANCHORS_TABLE} ORDER BY audit_id DESC LIMIT ${SESSION_AUDIT_ANCHORS_KEPT})`,
        ),
      };
      this.db = db;
      return true;
    } catch (error) {
      try {
        db?.close();
      } catch {
        // already unusable
      }
      this.onWriteFailed(error);
      return false;
    }
  }

  private writeMeta(db: Db, session: SessionInfo): void {
    const set = db.prepare('INSERT OR REPLACE INTO session_meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      set.run(META_KEYS.sessionId, session.sessionId);
      set.run(META_KEYS.tradingDay, session.tradingDay);
      set.run(META_KEYS.source, session.source);
      set.run(META_KEYS.appVersion, this.options.appVersion ?? currentAppVersion());
      set.run(META_KEYS.createdAt, new Date().toISOString());
      set.run(META_KEYS.createdBy, this.options.createdBy ?? 'core');
    })();
  }

  /** Append mode: the file must belong to the same session; continue after its last seq. */
  private resumeFrom(db: Db, session: SessionInfo): void {
    const meta = readSessionMeta(this.file, db, this.seal);
    if (meta.sessionId !== session.sessionId) {
      throw new SessionFileError(
        this.file,
        'exists',
        `the file holds session "${meta.sessionId}", not "${session.sessionId}"; choose another file`,
      );
    }
    const lastGap = meta.gaps.reduce((max, gap) => Math.max(max, gap.toSeq), 0);
    const resumeAfter = Math.max(meta.lastSeq ?? 0, lastGap);
    if (resumeAfter > this.lastAcceptedSeq) {
      // Anything accepted before the file opened (a retry after an outage) that is already in the file is dropped.
      this.lastAcceptedSeq = resumeAfter;
    }
    const tail = db.prepare('SELECT max_ts AS maxTs FROM blocks ORDER BY first_seq DESC LIMIT 1').get() as
      { maxTs: number } | undefined;
    if (tail && tail.maxTs > this.runningMaxTs) this.runningMaxTs = tail.maxTs;
    if (this.lastRecordedSeq === null && meta.lastSeq !== null) this.lastRecordedSeq = meta.lastSeq;
  }

  private writeBlock(block: OpenBlock): void {
    const encoded = encodeRecordBlock(block.items);
    const header = {
      first_seq: block.firstSeq,
      last_seq: block.firstSeq + block.items.length - 1,
      count: block.items.length,
      raw_bytes: encoded.rawBytes,
      crc32: encoded.crc,
      codec: this.seal ? CODEC_DEFLATE_RAW_RECORDS | SEALED_CODEC_FLAG : CODEC_DEFLATE_RAW_RECORDS,
    };
    this.statements!.upsertBlock.run(
      header.first_seq,
      header.last_seq,
      header.count,
      block.firstTs,
      block.lastTs,
      block.maxTs,
      header.raw_bytes,
      header.crc32,
      header.codec,
      this.seal ? this.seal.sealBlock(header, encoded.data) : encoded.data,
    );
  }

  /** Seq up to which pending catalog entries and events go with this write. */
  private writtenUpTo(includeOpen: boolean): number {
    if (includeOpen) return Number.MAX_SAFE_INTEGER;
    const last = this.closedBlocks[this.closedBlocks.length - 1];
    return last ? last.firstSeq + last.items.length - 1 : 0;
  }

  private writePending(includeOpen: boolean): void {
    const statements = this.statements!;
    for (const block of this.closedBlocks) this.writeBlock(block);
    const open = this.open;
    if (includeOpen && open && open.items.length > open.committed) this.writeBlock(open);
    const upTo = this.writtenUpTo(includeOpen);
    for (const entry of this.pendingCatalog) {
      if (entry.seq <= upTo) {
        const id = this.seal ? this.seal.sealCatalogId(entry.kind, entry.id) : entry.id;
        statements.insertCatalog.run(entry.kind, id, entry.seq);
      }
    }
    for (const event of this.pendingEvents) {
      if (event.afterSeq <= upTo) {
        const body = this.seal ? this.seal.sealEvent(event.afterSeq, event.ts, event.type, event.line) : event.line;
        statements.insertEvent.run(event.afterSeq, event.ts, event.type, body);
      }
    }
    for (const gap of this.pendingGaps) statements.upsertGap.run(gap.fromSeq, gap.toSeq, gap.reason);
    const anchor = this.pendingAuditAnchor;
    if (anchor) {
      statements.upsertAuditAnchor.run(anchor.id, anchor.hash, anchor.log, Math.trunc(anchor.time));
      statements.pruneAuditAnchors.run();
    }
  }

  private onWriteSucceeded(includeOpen: boolean, elapsedMs: number): void {
    const open = this.open;
    const upTo = this.writtenUpTo(includeOpen);
    let written = this.closedBlocks.length;
    for (const block of this.closedBlocks) {
      const added = block.items.length - block.committed;
      this.noteRecorded(block, added);
      this.pendingCount -= added;
    }
    this.closedBlocks.length = 0;
    if (includeOpen && open && open.items.length > open.committed) {
      written++;
      this.noteRecorded(open, open.items.length - open.committed);
      this.pendingCount -= open.items.length - open.committed;
      open.committed = open.items.length;
    }
    this.blocksWritten += written;
    this.gapsRecorded += this.pendingGaps.length;
    this.pendingCatalog = this.pendingCatalog.filter((entry) => entry.seq > upTo);
    this.pendingEvents = this.pendingEvents.filter((event) => event.afterSeq > upTo);
    this.pendingGaps = [];
    this.pendingAuditAnchor = null;
    this.flushes++;
    if (elapsedMs > this.slowestFlushMs) this.slowestFlushMs = elapsedMs;
    if (this.state === 'failing') {
      this.state = 'recording';
      this.problem = null;
      if (this.db) this.keepReserve(this.db);
      this.options.onRecovered?.(this.health());
    }
  }

  /** Makes sure the file holds its space reserve; on a disk already full it simply has none for now. */
  private keepReserve(db: Db): void {
    if (this.reserveInFile) return;
    try {
      db.exec('CREATE TABLE IF NOT EXISTS space_reserve (bytes BLOB NOT NULL)');
      const has = db.prepare('SELECT 1 FROM space_reserve LIMIT 1').get() !== undefined;
      if (!has) db.prepare('INSERT INTO space_reserve (bytes) VALUES (zeroblob(?))').run(RESERVE_BYTES);
      this.reserveInFile = true;
    } catch {
      this.reserveInFile = false;
    }
  }

  /**
   * Writes the gap rows of what could not be recorded (and any other pending gaps) on their own, so the file says
   * exactly what it lacks even while the disk stays full: if they do not fit, the space reserve is given up for
   * them in the same transaction. The rows stay pending (upserts are idempotent) and grow with later losses.
   */
  private recordLoss(): void {
    const db = this.db;
    const statements = this.statements;
    if (!db || !statements || this.pendingGaps.length === 0) return;
    const writeGaps = (dropReserve: boolean) =>
      db.transaction(() => {
        if (dropReserve) db.exec('DELETE FROM space_reserve');
        for (const gap of this.pendingGaps) statements.upsertGap.run(gap.fromSeq, gap.toSeq, gap.reason);
      })();
    try {
      writeGaps(false);
    } catch {
      try {
        writeGaps(this.reserveInFile);
        this.reserveInFile = false;
      } catch {
        // not even the reserve helps: the gap rows go with the next write that succeeds
      }
    }
  }

  private noteRecorded(block: OpenBlock, newLines: number): void {
    this.recordedMessages += newLines;
    this.lastRecordedSeq = block.firstSeq + block.items.length - 1;
  }

  /** The transaction rolled back: what was pending is lost (counted, becomes a not_recorded gap). */
  private onWriteFailed(error: unknown): void {
    this.dropPending();
    this.recordLoss();
    const permanent = error instanceof SessionFileError;
    const detail = (error as Error)?.message ?? String(error);
    // better-sqlite3 checks the folder itself and throws a code-less TypeError when it is missing.
    const code = permanent ? error.problem : /directory does not exist/.test(detail) ? 'ENOENT' : sqliteCode(error);
    const kind: JournalProblemKind = permanent
      ? 'bad_file'
      : code === 'SQLITE_FULL' || code === 'ENOSPC'
        ? 'disk_full'
        : isUnwritable(code)
          ? 'unwritable'
          : 'io_error';
    const what = {
      disk_full: 'the disk is full',
      unwritable: 'the file cannot be written (folder missing or read-only?)',
      io_error: 'a disk write failed',
      bad_file: 'the file cannot be used',
    }[kind];
    const action = permanent
      ? 'recording is off for this session'
      : `the live view goes on; retrying every ${Math.round(this.retryIntervalMs / 1000)} s`;
    this.nextRetryAt = this.now() + this.retryIntervalMs;
    if (permanent) this.state = 'failed';
    else if (this.state === 'recording') this.state = 'failing';
    else return; // already failing: reported once per outage
    const reason = permanent
      ? detail.replace(`${this.file}: `, '')
      : `${what} (${code}: ${detail.replace(`${this.file}: `, '')})`;
    this.problem = {
      file: this.file,
      kind,
      code,
      permanent,
      reason,
      message: `session not recorded to ${this.file}: ${reason}; ${action}`,
    };
    this.options.onProblem?.(this.problem);
  }

  /** Drops every uncommitted message: counted as unrecorded, remembered as a gap to write later. */
  private dropPending(): void {
    const dropped: OpenBlock[] = [...this.closedBlocks];
    if (this.open && this.open.items.length > this.open.committed) dropped.push(this.open);
    for (const block of dropped) {
      const from = block.firstSeq + block.committed;
      const to = block.firstSeq + block.items.length - 1;
      this.countUnrecorded(from, to, to - from + 1);
    }
    this.closedBlocks.length = 0;
    if (this.open) {
      // The committed prefix stays in the file as it is; the next message starts a new block after the gap.
      this.open = null;
    }
    this.pendingCatalog = [];
    this.pendingCount = 0;
  }

  private countUnrecorded(from: number, to: number, messages: number): void {
    if (messages <= 0) return;
    addUnrecorded(this.unrecorded, from, to, messages);
    const lastGap = this.pendingGaps[this.pendingGaps.length - 1];
    if (lastGap && lastGap.reason === 'not_recorded' && lastGap.toSeq + 1 >= from) {
      lastGap.toSeq = Math.max(lastGap.toSeq, to);
    } else {
      this.pendingGaps.push({ fromSeq: from, toSeq: to, reason: 'not_recorded' });
    }
  }
}

/** The schema version new journals write (re-exported for callers that report it). */
export const JOURNAL_SCHEMA_VERSION = SESSION_SCHEMA_VERSION;
