// Feed load for the audit benchmark: fw-feed/1 quote frames (100 messages each, as a batching gateway sends
// them) decoded and validated by the real decoder at a paced rate. Used in the benchmark's own thread, or run as
// a worker thread (bench/audit.ts starts it with workerData.role = 'audit-feed-load'; it reports `ready`, then
// runs on `start`).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { decodeFrame, encodeFrame, type ServerMessage } from '../shared/protocol';

export const MESSAGES_PER_FRAME = 100;

/** `count` distinct frames of quote messages with running seq numbers. */
export function makeQuoteFrames(count: number, perFrame = MESSAGES_PER_FRAME): string[] {
  const frames: string[] = [];
  let seq = 1;
  const ts = Date.now();
  for (let f = 0; f < count; f++) {
    const messages: ServerMessage[] = [];
    for (let i = 0; i < perFrame; i++, seq++) {
      const mid = 3500 + (seq % 40);
      messages.push({
        type: 'quote',
        seq,
        ts,
        instrumentId: `rb26${String(5 + (seq % 6)).padStart(2, '0')}`,
        last: mid,
        volume: seq * 3,
        openInterest: 100_000 + (seq % 500),
        bids: [
          [mid - 1, 10 + (seq % 7)],
          [mid - 2, 20],
          [mid - 3, 30],
          [mid - 4, 40],
          [mid - 5, 50],
        ],
        asks: [
          [mid + 1, 11],
          [mid + 2, 21],
          [mid + 3, 31],
          [mid + 4, 41],
          [mid + 5, 51],
        ],
      } as ServerMessage);
    }
    frames.push(encodeFrame(messages));
  }
  return frames;
}

/** Paces decoding: call `step()` often; it decodes the one frame that is due, if any. */
export class FeedLoad {
  private readonly frames = makeQuoteFrames(64);
  private readonly started = performance.now();
  private framesDone = 0;
  decoded = 0;

  constructor(private readonly messagesPerSecond: number) {}

  /** Decodes one frame if the schedule says one is due; true when it did. */
  step(): boolean {
    const due = Math.floor(((performance.now() - this.started) * this.messagesPerSecond) / 1000 / MESSAGES_PER_FRAME);
    if (this.framesDone >= due) return false;
    const frame = this.frames[this.framesDone % this.frames.length] as string;
    this.decoded += decodeFrame(frame).messages.length;
    this.framesDone += 1;
    return true;
  }

  /** Messages per second achieved so far. */
  rate(): number {
    return (this.decoded * 1000) / Math.max(1, performance.now() - this.started);
  }
}

const data = workerData as { role?: string; rate?: number; durationMs?: number } | null;
if (!isMainThread && data?.role === 'audit-feed-load') {
  parentPort?.once('message', () => runFeedLoad(data));
  parentPort?.postMessage({ ready: true });
}

function runFeedLoad(data: { rate?: number; durationMs?: number }): void {
  const load = new FeedLoad(data.rate ?? 100_000);
  const stopAt = performance.now() + (data.durationMs ?? 5_000);
  while (performance.now() < stopAt) load.step();
  parentPort?.postMessage({ decoded: load.decoded, rate: load.rate() });
}
