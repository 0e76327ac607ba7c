// JournalWorker: the SessionJournal in its own worker thread. The caller's thread only serializes each frame's
// messages (encodeBatch: canonical JSON joined into one string) and posts it; compression, SQLite and fsync happen
// in the worker. Problems and recoveries come back as callbacks, health as a periodically refreshed snapshot.
// If the worker falls behind by more than `maxBacklogMessages`, further messages are dropped here, counted and
// recorded as a `not_recorded` gap: the live view must never wait for, or run out of memory because of, the disk.
import { Worker } from 'node:worker_threads';
import { isSequenced, type ServerMessage } from '../../shared/protocol';
import { transferablesOf } from './recordCodec';
import { startWorker } from '../util/workers';
import {
  encodeBatch,
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
  | { type: 'frame'; text: string; fromSeq: number; toSeq: number; count: number; rejected: number[] }
  | { type: 'gap'; fromSeq: number; toSeq: number; reason: string }
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

function startJournalThread(data: JournalWorkerData, workerFile?: string): Worker {
  if (workerFile) return new Worker(workerFile, { workerData: data });
  return startWorker('journal', { ...data });
}

export class JournalWorker {
  readonly file: string;
  private readonly worker: Worker;
  private readonly options: JournalWorkerStartOptions;
  private readonly maxBacklog: number;
  private backlog = 0;
  private latest: JournalHealth | null = null;
  private dropped = { messages: 0, firstSeq: null as number | null, lastSeq: null as number | null };
  private dropping: { fromSeq: number; toSeq: number } | null = null;
  private nextFlushId = 1;
  private readonly flushWaiters = new Map<number, (health: JournalHealth) => void>();
  private closing: Promise<JournalHealth> | null = null;
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
   * Encodes the messages as binary records on this thread (the one that decoded them) and hands the bytes over
   * (transferred, not copied). Never blocks, never throws for the disk.
   */
  append(messages: readonly ServerMessage[]): void {
    if (this.closing || this.exited || messages.length === 0) return;
    let batch = encodeBatch(messages);
    const count = batch.seqs.length;
    if (count > 0 && this.backlog + count > this.maxBacklog) {
      this.drop(batch.seqs[0]!, batch.seqs[count - 1]!, count);
      if (batch.events.length === 0) return;
      batch = encodeBatch(messages.filter((message) => !isSequenced(message)));
    } else {
      this.endDropping();
    }
    this.backlog += batch.seqs.length;
    this.post({ type: 'append', batch }, transferablesOf(batch));
  }

  /**
   * The cheapest path for the feed thread: posts the raw frame text and the seq range the feed client delivered
   * from it (`batch`, in seq order); the worker cuts the messages out of the text itself (journal.appendFrameText),
   * so nothing is serialized on this thread. `rejectedIndices`: the decoder's rejects in this frame (usually none).
   */
  appendFrame(text: string, batch: readonly { seq: number }[], rejectedIndices: readonly number[] = []): void {
    if (this.closing || this.exited || batch.length === 0) return;
    const fromSeq = batch[0]!.seq;
    const toSeq = batch[batch.length - 1]!.seq;
    if (this.backlog + batch.length > this.maxBacklog) {
      this.drop(fromSeq, toSeq, batch.length);
      return;
    }
    this.endDropping();
    this.backlog += batch.length;
    this.post({ type: 'frame', text, fromSeq, toSeq, count: batch.length, rejected: [...rejectedIndices] });
  }

  recordGap(fromSeq: number, toSeq: number, reason = 'feed_gap'): void {
    if (!this.closing && !this.exited) this.post({ type: 'gap', fromSeq, toSeq, reason });
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
      unrecorded: { messages: 0, firstSeq: null, lastSeq: null },
      duplicatesDropped: 0,
      gapsRecorded: 0,
      blocksWritten: 0,
      flushes: 0,
      slowestFlushMs: 0,
      problem: null,
    };
    const unrecorded = { ...base.unrecorded };
    if (this.dropped.messages > 0) {
      unrecorded.messages += this.dropped.messages;
      unrecorded.firstSeq = Math.min(unrecorded.firstSeq ?? Infinity, this.dropped.firstSeq!);
      unrecorded.lastSeq = Math.max(unrecorded.lastSeq ?? 0, this.dropped.lastSeq!);
    }
    return { ...base, pendingMessages: base.pendingMessages + this.backlog, unrecorded };
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

  private post(request: JournalWorkerRequest, transfer: ArrayBuffer[] = []): void {
    try {
      this.worker.postMessage(request, transfer);
    } catch {
      // the worker is gone; its exit handler reports it
    }
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
    d.messages += count;
    d.firstSeq ??= fromSeq;
    d.lastSeq = toSeq;
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
