// JournalWorker: the SessionJournal in its own worker thread. The caller's thread only encodes each frame's
// messages as binary records (EncodedBatchBuilder; no JSON is made) and posts them, several frames a post, at the
// latest when the caller's current event-loop turn ends; compression, SQLite and fsync happen in the worker. Problems and recoveries come back as callbacks, health as a periodically refreshed snapshot.
// If the worker falls behind by more than `maxBacklogMessages`, further messages are dropped here, counted and
// recorded as a `not_recorded` gap: the live view must never wait for, or run out of memory because of, the disk.
import { Worker } from 'node:worker_threads';
import { isSequenced, type ServerMessage } from '../../shared/protocol';
import { dataKeyWorkerData } from '../security/dataKey';
import { startWorker } from '../util/workers';
import { transferablesOf } from './recordCodec';
import type { AuditHeadAnchor } from './auditAnchors';
import {
  EncodedBatchBuilder,
  addUnrecorded,
  mergeUnrecorded,
  noneUnrecorded,
  type UnrecordedMessages,
  type EncodedBatch,
  type JournalHealth,
  type JournalOptions,
  type JournalProblem,
} from './journal';

/** Options that cross the thread boundary (no functions). */
export type JournalWorkerOptions = Omit<JournalOptions, 'onProblem' | 'onRecovered' | 'now'>;

export interface JournalWorkerData {
  file: string;
  options: JournalWorkerOptions;
}

export type JournalWorkerRequest =
  | { type: 'append'; batch: EncodedBatch }
  | { type: 'gap'; fromSeq: number; toSeq: number; reason: string }
  | { type: 'auditAnchor'; head: AuditHeadAnchor }
  | { type: 'flush'; id: number }
  | { type: 'close' };

export type JournalWorkerReply =
  | { type: 'ack'; messages: number }
  | { type: 'health'; health: JournalHealth }
  | { type: 'problem'; problem: JournalProblem }
  | { type: 'recovered'; health: JournalHealth }
  | { type: 'flushed'; id: number; health: JournalHealth }
  | { type: 'closed'; health: JournalHealth };

export interface JournalWorkerStartOptions extends JournalWorkerOptions {
  onProblem?: (problem: JournalProblem) => void;
  onRecovered?: (health: JournalHealth) => void;
  /** Messages posted but not yet taken by the worker beyond which new ones are dropped (default 1,000,000). */
  maxBacklogMessages?: number;
  /** Script of the journal thread (main/util/workers.ts `workerFile('journal')`), for callers inside a bundle. */
  workerFile?: string;
}

/** Messages collected before they are posted even within one event-loop turn (a replay or a burst of frames). */
const POST_EVERY_MESSAGES = 4096;

function startJournalThread(data: JournalWorkerData, workerFile?: string): Worker {
  if (workerFile) return new Worker(workerFile, { workerData: { ...data, ...dataKeyWorkerData() } });
  return startWorker('journal', { ...data });
}

export class JournalWorker {
  readonly file: string;
  private readonly worker: Worker;
  private readonly options: JournalWorkerStartOptions;
  private readonly maxBacklog: number;
  private backlog = 0;
  private latest: JournalHealth | null = null;
  /** Messages dropped on this side for backlog (the worker records them as a not_recorded gap). */
  private readonly dropped: UnrecordedMessages = noneUnrecorded();
  private dropping: { fromSeq: number; toSeq: number } | null = null;
  private nextFlushId = 1;
  private readonly flushWaiters = new Map<number, (health: JournalHealth) => void>();
  private closing: Promise<JournalHealth> | null = null;
  /** Messages encoded and not yet posted, and the scheduled post of them. */
  private readonly unposted = new EncodedBatchBuilder();
  private postScheduled = false;
  private exited = false;
  private failure: string | null = null;

  private constructor(file: string, options: JournalWorkerStartOptions) {
    this.file = file;
    this.options = options;
    this.maxBacklog = options.maxBacklogMessages ?? 1_000_000;
    const { onProblem: _p, onRecovered: _r, maxBacklogMessages: _m, workerFile, ...plain } = options;
    this.worker = startJournalThread({ file, options: plain }, workerFile);
    this.worker.on('message', (reply: JournalWorkerReply) => this.onReply(reply));
    this.worker.on('error', (error) => {
      this.failure = `journal worker failed: ${error.message}`;
      this.options.onProblem?.({
        file,
        kind: 'io_error',
        code: 'WORKER',
        permanent: true,
        reason: this.failure,
        message: `session not recorded to ${file}: ${this.failure}; recording is off for this session`,
      });
    });
    this.worker.on('exit', () => {
      this.exited = true;
      for (const resolve of this.flushWaiters.values()) resolve(this.health());
      this.flushWaiters.clear();
    });
  }

  /** Starts a journal thread writing `file` (same options as SessionJournal). */
  static start(file: string, options: JournalWorkerStartOptions): JournalWorker {
    return new JournalWorker(file, options);
  }

  /**
   * Encodes the messages as binary records on this thread (the one that decoded them) and hands them over with the
   * next post. Never blocks, never throws for the disk.
   */
  append(messages: readonly ServerMessage[]): void {
    if (this.closing || this.exited || messages.length === 0) return;
    let first: number | null = null;
    let last = 0;
    let count = 0;
    for (const message of messages) {
      if (!isSequenced(message)) continue;
      first ??= message.seq;
      last = message.seq;
      count++;
    }
    if (first !== null && this.backlog + this.unposted.size + count > this.maxBacklog) {
      this.drop(first, last, count);
      this.unposted.add(messages, true); // hello and error are still kept
    } else {
      this.endDropping();
      this.unposted.add(messages);
    }
    if (this.unposted.size >= POST_EVERY_MESSAGES) this.postUnposted();
    else if (!this.postScheduled && !this.unposted.empty) {
      this.postScheduled = true;
      setImmediate(() => this.postUnposted());
    }
  }

  recordGap(fromSeq: number, toSeq: number, reason = 'feed_gap'): void {
    if (!this.closing && !this.exited) this.post({ type: 'gap', fromSeq, toSeq, reason });
  }

  /** Anchors the audit chain's head in the session file (SessionJournal.recordAuditAnchor). */
  recordAuditAnchor(head: AuditHeadAnchor): void {
    if (!this.closing && !this.exited) this.post({ type: 'auditAnchor', head });
  }

  /** Writes everything posted so far; resolves with the health after the write. */
  flush(): Promise<JournalHealth> {
    if (this.exited) return Promise.resolve(this.health());
    const id = this.nextFlushId++;
    return new Promise((resolve) => {
      this.flushWaiters.set(id, resolve);
      this.post({ type: 'flush', id });
    });
  }

  /** Latest health from the worker, with what this side dropped for backlog added in. */
  health(): JournalHealth {
    const base: JournalHealth = this.latest ?? {
      file: this.file,
      state: this.failure ? 'failed' : 'recording',
      recordedMessages: 0,
      pendingMessages: 0,
      lastRecordedSeq: null,
      unrecorded: noneUnrecorded(),
      duplicatesDropped: 0,
      gapsRecorded: 0,
      blocksWritten: 0,
      flushes: 0,
      slowestFlushMs: 0,
      problem: null,
    };
    const unrecorded = mergeUnrecorded(base.unrecorded, this.dropped);
    return { ...base, pendingMessages: base.pendingMessages + this.backlog + this.unposted.size, unrecorded };
  }

  /** Flushes, closes the file and ends the thread. */
  close(): Promise<JournalHealth> {
    if (this.closing) return this.closing;
    this.endDropping();
    this.closing = new Promise<JournalHealth>((resolve) => {
      if (this.exited) return resolve(this.health());
      const finish = () => resolve(this.health());
      this.worker.once('exit', finish);
      this.post({ type: 'close' });
    });
    return this.closing;
  }

  /** Posts `request` after whatever append() collected (the worker sees everything in call order). */
  private post(request: JournalWorkerRequest): void {
    if (request.type !== 'append') this.postUnposted();
    try {
      // A batch's buffers are moved, not copied (hundreds of KB a post in a burst).
      this.worker.postMessage(request, request.type === 'append' ? transferablesOf(request.batch) : []);
    } catch {
      // the worker is gone; its exit handler reports it
    }
  }

  private postUnposted(): void {
    this.postScheduled = false;
    if (this.unposted.empty) return;
    const batch = this.unposted.take();
    this.backlog += batch.seqs.length;
    this.post({ type: 'append', batch });
  }

  private drop(fromSeq: number, toSeq: number, count: number): void {
    const d = this.dropped;
    if (d.messages === 0 && this.options.onProblem) {
      this.options.onProblem({
        file: this.file,
        kind: 'io_error',
        code: 'BACKLOG',
        permanent: false,
        reason: `the disk cannot keep up (${this.backlog} messages waiting)`,
        message:
          `session not fully recorded to ${this.file}: the disk cannot keep up; messages are left out of the ` +
          'recording until it catches up (recorded as a gap); the live view goes on',
      });
    }
    addUnrecorded(d, fromSeq, toSeq, count);
    if (this.dropping) this.dropping.toSeq = toSeq;
    else this.dropping = { fromSeq, toSeq };
  }

  private endDropping(): void {
    if (!this.dropping) return;
    this.post({ type: 'gap', fromSeq: this.dropping.fromSeq, toSeq: this.dropping.toSeq, reason: 'not_recorded' });
    this.dropping = null;
  }

  private onReply(reply: JournalWorkerReply): void {
    switch (reply.type) {
      case 'ack':
        this.backlog -= reply.messages;
        break;
      case 'health':
      case 'closed':
        this.latest = reply.health;
        break;
      case 'problem':
        this.options.onProblem?.(reply.problem);
        break;
      case 'recovered':
        this.latest = reply.health;
        this.options.onRecovered?.(reply.health);
        break;
      case 'flushed': {
        this.latest = reply.health;
        const resolve = this.flushWaiters.get(reply.id);
        this.flushWaiters.delete(reply.id);
        resolve?.(this.health());
        break;
      }
    }
  }
}
