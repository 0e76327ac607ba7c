// Figures of the live core for the bench runner: ingest (decode + sequencer + engine state) and what the
// surveillance rules cost; bench/record.ts adds recording while ingesting on the same input.
//
// Input: one simulator day (seed 1, every misconduct scenario injected) generated in this process beforehand and cut
// into JSON frames of 200 messages, as the simulator sends them. Pre-generated frames instead of a simulator in
// another process: the figures are the core's work only, not the generator's or the socket's (on a 2-core machine
// a second busy process would halve what is measured).
import type { HelloMessage, SequencedMessage } from '../shared/protocol';
import { CoreRuntime } from '../main/core/runtime';
import { EngineState } from '../main/engine/state';
import { FeedClient } from '../main/feed/feedClient';
import { generateSessionArray } from '../main/simulator/generator';
import { workerFile } from '../main/util/workers';

/** Messages of the benchmark day. */
export const CORE_BENCH_MESSAGES = 100_000;
const FRAME = 200;

interface Input {
  messages: SequencedMessage[];
  frames: string[];
  hello: HelloMessage;
}

const cached = new Map<number, Input>();

export function input(count = CORE_BENCH_MESSAGES): Input {
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

export const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000));

/** Drives `frames` through a FeedClient (decode + sequencer) into `onBatch`; returns elapsed ms. */
export function drive(frames: readonly string[], onBatch: (batch: SequencedMessage[]) => void): number {
  const client = new FeedClient({ url: 'replay:', handlers: { onBatch } });
  const started = performance.now();
  for (const text of frames) client.handleFrame(text, text.length, Date.now());
  return performance.now() - started;
}

/** A core runtime with no live feed (the bench drives applyBatch, the message-source seam). */
export function runtime(options: { rules: boolean; dataDir?: string }): CoreRuntime {
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
