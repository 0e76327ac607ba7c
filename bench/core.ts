// Figures of the live core for the bench runner: ingest (decode + sequencer + engine state), recording while
// ingesting (decode + journal thread + state + rules), and what the surveillance rules cost.
//
// Input: one simulator day (seed 1, every misconduct scenario injected) generated in this process beforehand and cut
// into JSON frames of 200 messages, as the simulator sends them. Pre-generated frames instead of a simulator in
// another process: the figures are the core's work only, not the generator's or the socket's (on a 2-core machine
// a second busy process would halve what is measured).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { HelloMessage, SequencedMessage } from '../shared/protocol';
import { CoreRuntime } from '../main/core/runtime';
import { EngineState } from '../main/engine/state';
import { FeedClient } from '../main/feed/feedClient';
import { generateSessionArray } from '../main/simulator/generator';
import { workerFile } from '../main/util/workers';

/** Messages of the benchmark day. */
export const CORE_BENCH_MESSAGES = 100_000;
/** Messages of the recording day: 1M, a few seconds of recording, so the figure is a sustained rate. */
const RECORD_BENCH_MESSAGES = 1_000_000;
const FRAME = 200;

interface Input {
  messages: SequencedMessage[];
  frames: string[];
  hello: HelloMessage;
}

const cached = new Map<number, Input>();

function input(count = CORE_BENCH_MESSAGES): Input {
  const known = cached.get(count);
  if (known) return known;
  const { messages } = generateSessionArray({ seed: 1, messages: count, scenarios: 'all' });
  const frames: string[] = [];
  for (let i = 0; i < messages.length; i += FRAME) frames.push(JSON.stringify(messages.slice(i, i + FRAME)));
  const hello: HelloMessage = {
    type: 'hello',
    ts: messages[0]!.ts,
    protocol: 'fw-feed/1',
    nextSeq: 1,
    sessionId: 'BENCH-CORE',
    tradingDay: '20260319',
    source: 'bench/core.ts',
  };
  const made = { messages, frames, hello };
  cached.set(count, made);
  return made;
}

const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000));

/** Drives `frames` through a FeedClient (decode + sequencer) into `onBatch`; returns elapsed ms. */
function drive(frames: readonly string[], onBatch: (batch: SequencedMessage[]) => void): number {
  const client = new FeedClient({ url: 'replay:', handlers: { onBatch } });
  const started = performance.now();
  for (const text of frames) client.handleFrame(text, text.length, Date.now());
  return performance.now() - started;
}

/** A core runtime with no live feed (the bench drives applyBatch, the message-source seam). */
function runtime(options: { rules: boolean; dataDir?: string }): CoreRuntime {
  return new CoreRuntime(
    {
      ...(options.rules ? {} : { rules: null }),
      recording: options.dataDir ? { dataDir: options.dataDir, journalWorkerFile: workerFile('journal') } : null,
    },
    () => {},
    () => {},
  );
}

/** Best of `runs` (less noise from the other helpers' work on a shared machine). */
function best(runs: number, measure: () => number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) fastest = Math.min(fastest, measure());
  return fastest;
}

/** decode + sequencer + engine state, and plain JSON.parse of the same frames (the ceiling): msg/s. */
export async function benchIngest(): Promise<{ ingest_msgs_per_s: number; json_parse_msgs_per_s: number }> {
  const { frames, messages } = input();
  const ingestMs = best(2, () => {
    const engine = new EngineState();
    return drive(frames, (batch) => engine.applyBatch(batch));
  });
  const parseMs = best(2, () => {
    const started = performance.now();
    for (const text of frames) JSON.parse(text);
    return performance.now() - started;
  });
  return {
    ingest_msgs_per_s: perSecond(messages.length, ingestMs),
    json_parse_msgs_per_s: perSecond(messages.length, parseMs),
  };
}

/**
 * Recording while ingesting, the live core's path: decode + recorder (batches encoded as binary records on the feed
 * thread, written by the journal thread) + state, timed until everything is on disk and the file is closed.
 * Returns msg/s and the CPU time of the whole process (feed + journal threads) per message.
 */
async function recordOnce(rules: boolean): Promise<{ perSecond: number; cpuUsPerMessage: number }> {
  const { frames, messages, hello } = input(RECORD_BENCH_MESSAGES);
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-core-bench-'));
  try {
    const core = runtime({ rules, dataDir: dir });
    const recorder = core.recorder!;
    core.onHello(hello);
    await recorder.flush(); // thread up and file open before the clock runs
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    drive(frames, (batch) => {
      recorder.append(batch);
      core.applyBatch(batch);
    });
    await recorder.flush();
    const recorded = recorder.health().recordedMessages;
    await core.stop();
    const recordMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    if (recorded !== messages.length) throw new Error(`record bench wrote ${recorded} of ${messages.length}`);
    return {
      perSecond: perSecond(messages.length, recordMs),
      cpuUsPerMessage: Math.round(((cpu.user + cpu.system) / messages.length) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 4's record figure (decode + journal + state over a 1M-message day, the best of 3 runs), the same with every rule on, and a plain
 * prepared INSERT of the same messages in one transaction (same run) for comparison.
 */
export async function benchRecord(): Promise<{
  record_msgs_per_s: number;
  /** CPU time of the whole process (feed thread + journal thread) per message, µs. */
  record_cpu_us_per_msg: number;
  record_with_rules_msgs_per_s: number;
  sqlite_insert_rows_per_s: number;
}> {
  const { messages } = input(RECORD_BENCH_MESSAGES);
  await recordOnce(false); // warm-up: first worker start, JIT
  let bare = { perSecond: 0, cpuUsPerMessage: 0 };
  let withRules = { perSecond: 0, cpuUsPerMessage: 0 };
  for (let i = 0; i < 3; i++) {
    const run = await recordOnce(false);
    if (run.perSecond > bare.perSecond) bare = run;
    const ruled = await recordOnce(true);
    if (ruled.perSecond > withRules.perSecond) withRules = ruled;
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'fw-core-bench-'));
  try {
    const db = new Database(path.join(dir, 'plain.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO messages (seq, ts, body) VALUES (?, ?, ?)');
    const bodies = messages.map((m) => JSON.stringify(m));
    const insertStarted = performance.now();
    db.transaction(() => {
      for (let i = 0; i < messages.length; i++) insert.run(messages[i]!.seq, messages[i]!.ts, bodies[i]);
    })();
    const insertMs = performance.now() - insertStarted;
    db.close();
    return {
      record_msgs_per_s: bare.perSecond,
      record_cpu_us_per_msg: bare.cpuUsPerMessage,
      record_with_rules_msgs_per_s: withRules.perSecond,
      sqlite_insert_rows_per_s: perSecond(messages.length, insertMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs per side of the rules cost (each ~0.3 s of CPU). */
const RULES_COST_RUNS = 9;

/**
 * Extra ingest time of the live path (decode + counters + state) with every rule on, in % (issue 5: ≤ 30). Time is
 * this process's CPU time (one thread runs here), not wall-clock: on a shared machine the wall-clock time of a run
 * mostly says how long it waited for a core. Runs without and with rules alternate; each side keeps its fastest of 9.
 */
export async function benchRulesCost(): Promise<{ rules_cost_pct: number }> {
  const { frames } = input();
  const once = (rules: boolean) => {
    const core = runtime({ rules });
    const started = process.cpuUsage();
    drive(frames, (batch) => core.applyBatch(batch));
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  once(true); // warm both paths up before measuring
  once(false);
  let without = Number.POSITIVE_INFINITY;
  let withRules = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RULES_COST_RUNS; i++) {
    without = Math.min(without, once(false));
    withRules = Math.min(withRules, once(true));
  }
  return { rules_cost_pct: Math.round(((withRules - without) / without) * 1000) / 10 };
}
