// Where a served session's frames come from: a FrameProducer turns the generator's messages into stored frames
// (stamps ts, applies the test gap, writes the bytes). It runs either in the server's thread (LocalFrameSource) or,
// for high rates, in a worker thread of its own (ThreadFrameSource), so generating and encoding never compete
// with the socket writes for one core. Either way the same seed gives the same messages.
import type { Worker } from 'node:worker_threads';
import type { SequencedMessage } from '../../shared/protocol';
import { startWorker } from '../util/workers';
import { FrameWriter } from './frameWriter';
import { SessionGenerator } from './generator';
import type { GroundTruth, ScenarioSelection } from './scenarios';

export interface UnfillableGap {
  /** The last seq sent before the jump. */
  afterSeq: number;
  /** How many seqs are skipped (never sent, never resendable). */
  length: number;
}

export interface ProducerOptions {
  seed: number;
  messages: number;
  scenarios: ScenarioSelection;
  /** Floor size (see GenerateOptions). */
  accounts?: number;
  instruments?: number | 'all';
  tradingDay: string;
  /** Keep the simulated ts (true) or stamp the wall clock as frames are made (false). */
  virtualClock: boolean;
  gap?: UnfillableGap;
  /** Largest number of messages in one frame. */
  maxBatch: number;
}

export interface ProducedFrame {
  firstSeq: number;
  lastSeq: number;
  count: number;
  data: Buffer;
}

export interface FrameSourceListener {
  frames(frames: ProducedFrame[], taken: number, ended: boolean): void;
  truth(truth: GroundTruth): void;
  note(note: string): void;
  error(message: string): void;
}

/** Generator + FrameWriter: frames of contiguous seqs (split where the test gap jumps), as served. */
export class FrameProducer {
  private readonly generator: SessionGenerator;
  private readonly writer = new FrameWriter();
  private readonly batch: SequencedMessage[] = [];
  /** Generator seq of the last message taken. */
  taken = 0;

  constructor(
    private readonly options: ProducerOptions,
    onTruth: (truth: GroundTruth) => void,
    onNote: (note: string) => void,
  ) {
    // The generator always runs on its simulated clock (cheap, deterministic); ts is overwritten below unless the
    // session serves simulated time.
    this.generator = new SessionGenerator({
      seed: options.seed,
      messages: options.messages,
      scenarios: options.scenarios,
      accounts: options.accounts,
      instruments: options.instruments,
      virtualClock: true,
      tradingDay: options.tradingDay,
      onTruth,
      onNote,
    });
  }

  get ended(): boolean {
    return this.generator.done;
  }

  /** Up to `count` more messages as frames. */
  produce(count: number): ProducedFrame[] {
    const frames: ProducedFrame[] = [];
    const { gap, maxBatch, virtualClock } = this.options;
    const batch = this.batch;
    let produced = 0;
    while (produced < count && !this.generator.done) {
      batch.length = 0;
      this.generator.take(Math.min(maxBatch, count - produced), batch);
      if (batch.length === 0) break;
      produced += batch.length;
      this.taken = batch[batch.length - 1]!.seq;
      const now = Date.now();
      let start = 0;
      for (let i = 0; i < batch.length; i++) {
        const message = batch[i]!;
        if (!virtualClock) message.ts = now;
        if (gap && message.seq > gap.afterSeq) {
          if (message.seq === gap.afterSeq + 1 && i > start) {
            frames.push(this.frame(batch.slice(start, i)));
            start = i;
          }
          message.seq += gap.length;
        }
      }
      frames.push(this.frame(start === 0 ? batch : batch.slice(start)));
    }
    return frames;
  }

  private frame(messages: SequencedMessage[]): ProducedFrame {
    return {
      firstSeq: messages[0]!.seq,
      lastSeq: messages[messages.length - 1]!.seq,
      count: messages.length,
      data: this.writer.write(messages),
    };
  }
}

export interface FrameSource {
  /** Messages asked for and not delivered yet. */
  readonly inFlight: number;
  /** Asks for `count` more messages; they arrive through the listener (synchronously for a local source). */
  request(count: number): void;
  close(): Promise<void>;
}

/** Produces in the calling thread, synchronously. */
export class LocalFrameSource implements FrameSource {
  readonly inFlight = 0;
  private readonly producer: FrameProducer;

  constructor(
    options: ProducerOptions,
    private readonly listener: () => FrameSourceListener,
  ) {
    this.producer = new FrameProducer(
      options,
      (truth) => this.listener().truth(truth),
      (note) => this.listener().note(note),
    );
  }

  request(count: number): void {
    const frames = this.producer.produce(count);
    this.listener().frames(frames, this.producer.taken, this.producer.ended);
  }

  async close(): Promise<void> {}
}

/** Messages between a ThreadFrameSource and its producer thread (main/simulator/worker.ts, role 'producer'). */
export type ProducerRequest = { type: 'produce'; count: number } | { type: 'close' };
export type ProducerEvent =
  | { type: 'ready' }
  | { type: 'frames'; frames: Array<Omit<ProducedFrame, 'data'> & { data: Uint8Array }>; taken: number; ended: boolean }
  | { type: 'truth'; truth: GroundTruth }
  | { type: 'note'; note: string }
  | { type: 'error'; message: string };

/** Chunk a producer thread posts at a time, so frames start flowing while it works through a request. */
export const PRODUCER_CHUNK = 1000;

/** Produces in a worker thread; frames arrive as transferred buffers. */
export class ThreadFrameSource implements FrameSource {
  inFlight = 0;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly listener: () => FrameSourceListener,
  ) {
    worker.on('message', (event: ProducerEvent) => this.onEvent(event));
    worker.on('error', (error) => this.listener().error(`producer thread failed: ${error.message}`));
    // The thread must not keep a process alive on its own; the session closes it.
    worker.unref();
  }

  static async start(options: ProducerOptions, listener: () => FrameSourceListener): Promise<ThreadFrameSource> {
    const worker = startWorker('simulator', { role: 'producer', producer: options });
    const ready = await new Promise<ProducerEvent>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the producer thread exited during start (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (event: ProducerEvent) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(event);
      });
    });
    if (ready.type !== 'ready') {
      await worker.terminate();
      throw new Error(ready.type === 'error' ? ready.message : 'the producer thread did not start');
    }
    return new ThreadFrameSource(worker, listener);
  }

  request(count: number): void {
    if (this.closed || count <= 0) return;
    this.inFlight += count;
    this.worker.postMessage({ type: 'produce', count } satisfies ProducerRequest);
  }

  private onEvent(event: ProducerEvent): void {
    const listener = this.listener();
    switch (event.type) {
      case 'frames': {
        const frames = event.frames.map((f) => ({
          ...f,
          data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
        }));
        const delivered = frames.reduce((sum, f) => sum + f.count, 0);
        this.inFlight = event.ended ? 0 : Math.max(0, this.inFlight - delivered);
        listener.frames(frames, event.taken, event.ended);
        break;
      }
      case 'truth':
        listener.truth(event.truth);
        break;
      case 'note':
        listener.note(event.note);
        break;
      case 'error':
        listener.error(event.message);
        break;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }
}

/** Body of the producer thread: answers produce requests with transferred frames. */
export function runProducerThread(
  port: {
    postMessage(value: unknown, transfer?: ArrayBuffer[]): void;
    on(event: 'message', fn: (m: ProducerRequest) => void): void;
    close(): void;
  },
  options: ProducerOptions,
): void {
  let producer: FrameProducer;
  try {
    producer = new FrameProducer(
      options,
      (truth) => port.postMessage({ type: 'truth', truth } satisfies ProducerEvent),
      (note) => port.postMessage({ type: 'note', note } satisfies ProducerEvent),
    );
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).message } satisfies ProducerEvent);
    port.close();
    return;
  }
  port.postMessage({ type: 'ready' } satisfies ProducerEvent);
  port.on('message', (request) => {
    if (request.type === 'close') {
      port.close();
      return;
    }
    try {
      let left = request.count;
      while (left > 0 && !producer.ended) {
        const frames = producer.produce(Math.min(left, PRODUCER_CHUNK));
        left -= frames.reduce((sum, f) => sum + f.count, 0);
        // Each frame owns its bytes (FrameWriter copies out), so its ArrayBuffer can be transferred.
        const transfer = frames.map((f) => f.data.buffer as ArrayBuffer);
        port.postMessage(
          {
            type: 'frames',
            frames: frames.map((f) => ({ firstSeq: f.firstSeq, lastSeq: f.lastSeq, count: f.count, data: f.data })),
            taken: producer.taken,
            ended: producer.ended,
          } satisfies ProducerEvent,
          transfer,
        );
        if (frames.length === 0) break;
      }
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message } satisfies ProducerEvent);
    }
  });
}
