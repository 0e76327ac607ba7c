// Headless recording (`floorwatch record`): helper B's FeedClient (subscribe, resume, gaps, heartbeat watchdog)
// feeding a SessionJournal, until the feed says `end`, the duration runs out or the caller aborts. The journal file
// is created on the first hello, so it carries the session's real id, trading day and source.
import { FeedClient } from '../feed/feedClient';
import type { LogFn } from '../core/log';
import { SessionJournal, type JournalHealth, type JournalProblem } from './journal';

export interface RecordOptions {
  /** ws:// or wss:// URL of the feed. */
  url: string;
  /** Session file to create (must not exist). */
  out: string;
  /** Stop after this long, ms (default: until `end` or abort). */
  durationMs?: number;
  /** Stops the recording (e.g. on SIGINT). */
  signal?: AbortSignal;
  log?: LogFn;
  /** Called once per journal outage (disk full, unwritable…): recording goes on, the message says what is lost. */
  onProblem?: (problem: JournalProblem) => void;
  /** Give up when no hello arrived within this long, ms (default 10 s). */
  connectTimeoutMs?: number;
}

export type RecordStop = 'end' | 'duration' | 'aborted' | 'session_changed' | 'connect_failed';

export interface RecordResult {
  stop: RecordStop;
  /** Why the recorder could not start or stopped early ('connect_failed', 'session_changed'). */
  detail: string | null;
  sessionId: string | null;
  /** Sequenced messages handed to the journal. */
  messages: number;
  journal: JournalHealth | null;
}

/** Records the feed at `url` into `out`. Resolves when recording stops; never rejects for feed or disk trouble. */
export function recordFeed(options: RecordOptions): Promise<RecordResult> {
  return new Promise((resolve) => {
    let journal: SessionJournal | null = null;
    let sessionId: string | null = null;
    let messages = 0;
    let finished = false;
    let durationTimer: NodeJS.Timeout | null = null;

    const finish = (stop: RecordStop, detail: string | null = null) => {
      if (finished) return;
      finished = true;
      if (durationTimer) clearTimeout(durationTimer);
      clearTimeout(connectTimer);
      options.signal?.removeEventListener('abort', onAbort);
      void client.stop().then(() => {
        const health = journal ? journal.close() : null;
        resolve({ stop, detail, sessionId, messages, journal: health });
      });
    };
    const onAbort = () => finish('aborted');

    const client = new FeedClient({
      url: options.url,
      ...(options.log ? { log: options.log } : {}),
      handlers: {
        onHello(hello, sessionChanged) {
          if (sessionChanged) {
            finish('session_changed', `the feed switched from session ${sessionId} to ${hello.sessionId}`);
            return;
          }
          if (!journal) {
            sessionId = hello.sessionId;
            journal = new SessionJournal(options.out, {
              session: { sessionId: hello.sessionId, tradingDay: hello.tradingDay, source: hello.source },
              createdBy: 'record',
              ...(options.onProblem ? { onProblem: options.onProblem } : {}),
            });
          }
          clearTimeout(connectTimer);
          journal.append([hello]);
        },
        onBatch(batch) {
          messages += batch.length;
          journal?.append(batch);
        },
        onGap(gap) {
          if (!gap.recovered) journal?.recordGap(gap.fromSeq, gap.toSeq, `feed_gap: ${gap.reason}`);
        },
        onState(state, lastError) {
          if (state === 'ended') finish('end');
          else if ((state === 'reconnecting' || state === 'down') && !journal) {
            finish('connect_failed', lastError ?? `cannot connect to ${options.url}`);
          }
        },
      },
    });

    const connectTimer = setTimeout(
      () =>
        finish(
          'connect_failed',
          `no hello from ${options.url} within ${(options.connectTimeoutMs ?? 10_000) / 1000} s`,
        ),
      options.connectTimeoutMs ?? 10_000,
    );
    if (options.durationMs !== undefined) durationTimer = setTimeout(() => finish('duration'), options.durationMs);
    if (options.signal?.aborted) {
      finish('aborted');
      return;
    }
    options.signal?.addEventListener('abort', onAbort);
    client.start();
  });
}
