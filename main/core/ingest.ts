// Synchronous ingest of recorded frames through the live path (decode → sequencer → engine state), without a
// socket. For benchmarks and for checks that want the engine's state after a known stream.
import { EngineState } from '../engine/state';
import { FeedClient, type FeedStats } from '../feed/feedClient';
import { silentLog, type LogFn } from './log';

export interface IngestResult {
  engine: EngineState;
  feed: FeedStats;
  /** Sequenced messages applied. */
  messages: number;
  elapsedMs: number;
}

/**
 * Feeds `frames` (fw-feed/1 text frames: one message or a JSON array each) into `engine` (a fresh EngineState by
 * default) exactly as the core does, and times it. A gap stops delivery (there is no server to resend).
 */
export function ingestFrames(
  frames: readonly string[],
  engine = new EngineState(),
  log: LogFn = silentLog,
): IngestResult {
  const client = new FeedClient({
    url: 'replay:',
    log,
    handlers: { onBatch: (messages) => engine.applyBatch(messages) },
  });
  const started = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i] as string;
    // Byte count is only a counter here; the frame's length in chars avoids an encode the live path does not do.
    client.handleFrame(frame, frame.length, Date.now());
  }
  const elapsedMs = performance.now() - started;
  const feed = client.snapshot();
  return { engine, feed, messages: feed.messages, elapsedMs };
}
