// The feed client against the real simulator server on 127.0.0.1: the stream arrives in order and complete; a
// killed and restarted simulator is resumed with no gap and no duplicate; a gap it cannot fill is reported.
import { afterEach, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import type { FeedGap } from '../../shared/domain/types';
import { FeedClient } from '../../main/feed/feedClient';
import { EngineState } from '../../main/engine/state';
import { startSimulatorServer, type RunningSimulator, type SimulatorServerOptions } from '../../main/simulator/server';
import { generateSessionArray } from '../../main/simulator/generator';
import { waitUntil } from './support/waitUntil';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const waitFor = (what: string, condition: () => boolean, timeoutMs = 7_000) =>
  waitUntil(what, condition, timeoutMs, 10);

const SEED = 11;
const MESSAGES = 6_000;
const simOptions = (extra: Partial<SimulatorServerOptions> = {}): SimulatorServerOptions => ({
  host: '127.0.0.1',
  port: 0,
  seed: SEED,
  messages: MESSAGES,
  rate: 15_000,
  virtualClock: true, // byte-identical to generateSessionArray, so the end state can be checked exactly
  heartbeatMs: 200,
  ...extra,
});

function follow(url: string) {
  const engine = new EngineState();
  const seqs: number[] = [];
  const gaps: FeedGap[] = [];
  const client = new FeedClient({
    url,
    backoff: { initialMs: 20, maxMs: 200, random: () => 0.5 },
    handlers: {
      onBatch: (messages: SequencedMessage[]) => {
        for (const message of messages) seqs.push(message.seq);
        engine.applyBatch(messages);
      },
      onGap: (gap) => gaps.push(gap),
    },
  });
  cleanups.push(() => client.stop());
  client.start();
  return { client, engine, seqs, gaps };
}

/** The generator's session applied directly; `hole` renumbers as the simulator serves it (seqs skip, no content). */
function expectedRows(hole?: { from: number; to: number }) {
  const { messages } = generateSessionArray({ seed: SEED, messages: MESSAGES, virtualClock: true });
  const engine = new EngineState();
  for (const message of messages) {
    if (hole && message.seq >= hole.from) message.seq += hole.to - hole.from + 1;
    engine.apply(message);
  }
  return { rows: engine.allRows(), last: messages.at(-1)!.seq };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function simulator(options: SimulatorServerOptions): Promise<RunningSimulator> {
  const sim = await startSimulatorServer(options);
  cleanups.push(() => sim.stop());
  return sim;
}

describe('FeedClient ↔ simulator', () => {
  it('receives the whole session in order, and the engine ends in the generator’s state', async () => {
    const sim = await simulator(simOptions());
    const feed = follow(sim.url);
    await waitFor('end', () => feed.client.state === 'ended');
    const expected = expectedRows();
    expect(feed.seqs).toEqual(range(1, expected.last));
    expect(feed.engine.allRows()).toEqual(expected.rows);
    expect(feed.client.snapshot()).toMatchObject({ duplicates: 0, gaps: 0, rejects: 0, reconnects: 0 });
    expect(feed.engine.anomalies).toEqual(Object.fromEntries(Object.keys(feed.engine.anomalies).map((k) => [k, 0])));
  });

  it('resumes a killed and restarted simulator with no gap and no duplicate', async () => {
    const first = await startSimulatorServer(simOptions({ rate: 8_000 }));
    const feed = follow(first.url);
    await waitFor('part of the session', () => feed.seqs.length >= 1_500);
    await first.stop();
    await waitFor('the client to notice', () => feed.client.state === 'reconnecting');
    const cut = feed.client.lastApplied;
    expect(cut).toBeLessThan(MESSAGES);
    await new Promise((resolve) => setTimeout(resolve, 100)); // refused reconnects meanwhile
    const second = await simulator({ ...simOptions({ rate: 8_000 }), port: first.port, resumeFrom: first.session });
    await waitFor('end', () => feed.client.state === 'ended');
    const expected = expectedRows();
    expect(feed.seqs).toEqual(range(1, expected.last)); // every seq once, in order
    expect(feed.engine.allRows()).toEqual(expected.rows);
    const stats = feed.client.snapshot();
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(stats).toMatchObject({ gaps: 0, duplicates: 0, sessionId: second.session.sessionId });
    expect(second.counters().subscribes).toBe(1);
  });

  it('reports the simulator’s unfillable gap as an unrecoverable gap and carries on', async () => {
    const hole = { from: 2_001, to: 2_030 };
    const sim = await simulator(simOptions({ unfillableGap: { afterSeq: 2_000, length: 30 } }));
    const feed = follow(sim.url);
    await waitFor('end', () => feed.client.state === 'ended');
    const expected = expectedRows(hole);
    expect(feed.seqs).toEqual([...range(1, 2_000), ...range(2_031, expected.last)]);
    expect(feed.gaps).toEqual([expect.objectContaining({ fromSeq: 2_001, toSeq: 2_030, recovered: false })]);
    expect(feed.client.snapshot().unrecoverableGaps).toHaveLength(1);
    expect(sim.counters().resendUnavailable).toBe(1);
    expect(feed.engine.allRows()).toEqual(expected.rows);
  });
});
