// Review figures for `npm run bench` (issue 4): a simulator day (all misconduct scenarios on) recorded straight
// into a session file with the journal, then opened and replayed "as fast as possible" through the live core's
// runtime with every rule on. Run alone: `npx tsx bench/review.ts [messages]`.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ReplaySession } from '../main/review/replaySession';
import { recordSimulatedSession } from '../main/review/simulatedSession';

export interface ReviewBenchFigures {
  messages: number;
  /** "As fast as possible" replay, all rules on (state, rules, account counters, alerts): msg/s. */
  replay_msgs_per_s: number;
  /** CPU time per message of that replay (reading, inflating and parsing included), µs. */
  replay_cpu_us_per_msg: number;
  /** Opening the session for review (read-only open, metadata, runtime): ms. */
  session_open_ms: number;
  /** Worst of 20 seeks spread over the session (by seq and by time), each landing on and reading its message: ms. */
  session_seek_ms: number;
  /** A review seek to the middle from the start (the engine state rebuilt up to there): ms. */
  review_seek_middle_ms: number;
  session_bytes_per_msg: number;
}

export async function benchReplay(options: { messages?: number } = {}): Promise<ReviewBenchFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-review-bench-'));
  try {
    const file = path.join(dir, 'bench.fwsession');
    const messages = recordSimulatedSession(file, {
      messages: options.messages ?? 1_000_000,
      seed: 1,
      scenarios: 'all',
    });
    const bytesPerMessage = statSync(file).size / messages;

    let started = performance.now();
    const session = ReplaySession.open(file);
    const openMs = performance.now() - started;
    try {
      const count = session.meta.count;
      const first = session.meta.firstTs ?? 0;
      const span = (session.meta.lastTs ?? 0) - first;
      let seekMs = 0;
      for (let k = 0; k < 20; k++) {
        const t = performance.now();
        const seq =
          k % 2 === 0
            ? session.reader.seekBySeq(1 + Math.floor(((k + 0.5) / 20) * count))
            : session.reader.seekByTime(first + Math.floor(((k + 0.5) / 20) * span));
        session.reader.readMessages(seq ?? 1, 1);
        seekMs = Math.max(seekMs, performance.now() - t);
      }

      started = performance.now();
      session.seekSeq(Math.floor(session.lastSeq / 2));
      const seekMiddleMs = performance.now() - started;
      session.reset();

      started = performance.now();
      const cpuStarted = process.cpuUsage();
      let applied = 0;
      while (!session.atEnd) applied += session.step(8192);
      const replayRate = Math.round(applied / ((performance.now() - started) / 1000));
      const cpu = process.cpuUsage(cpuStarted);
      return {
        messages,
        replay_msgs_per_s: replayRate,
        replay_cpu_us_per_msg: Math.round(((cpu.user + cpu.system) / Math.max(1, applied)) * 100) / 100,
        session_open_ms: Math.round(openMs * 10) / 10,
        session_seek_ms: Math.round(seekMs * 10) / 10,
        review_seek_middle_ms: Math.round(seekMiddleMs),
        session_bytes_per_msg: Math.round(bytesPerMessage * 10) / 10,
      };
    } finally {
      session.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const messages = process.argv[2] ? Number(process.argv[2]) : undefined;
  benchReplay({ messages }).then(
    (figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`review bench failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
