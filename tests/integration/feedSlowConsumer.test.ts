// A consumer that stalls past the gateway's buffer (the core falling behind on a busy floor): the simulator drops it
// with SLOW_CONSUMER and no longer holds where it stopped. The workstation must not loop asking for that seq: it
// records the hole as a gap (counted, in health, in the session file) and goes on live. The stall is a real one: a
// TCP relay on 127.0.0.1 between the simulator and the core stops reading, so the gateway's socket buffer fills.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedGap, HealthSnapshot } from '../../shared/domain/types';
import type { SequencedMessage } from '../../shared/protocol';
import { CoreProcess } from '../../main/core/coreProcess';
import { FeedClient } from '../../main/feed/feedClient';
import { startSimulatorServer, type RunningSimulator } from '../../main/simulator/server';
import { SessionReader } from '../../main/store/sessionReader';
import { waitUntil } from './support/waitUntil';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const waitFor = (what: string, condition: () => boolean, timeoutMs = 15_000) => waitUntil(what, condition, timeoutMs);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A gateway with a small buffer: 20k messages of history, dropped past 10k behind. */
async function smallBufferSimulator(): Promise<RunningSimulator> {
  const sim = await startSimulatorServer({
    host: '127.0.0.1',
    port: 0,
    seed: 3,
    rate: 20_000,
    messages: 2_000_000,
    historyMessages: 20_000,
    maxLagMessages: 10_000,
    highWaterBytes: 64 * 1024,
    heartbeatMs: 200,
  });
  cleanups.push(async () => {
    await sim.stop();
    await sim.session.close();
  });
  return sim;
}

/** Stalls until the gateway has dropped the consumer and no longer holds anything the consumer could have read. */
async function untilDroppedAndForgotten(sim: RunningSimulator): Promise<void> {
  await waitFor('the gateway to drop the stalled consumer', () => sim.counters().slowConsumersDropped === 1);
  const droppedAt = sim.counters().nextSeq;
  await waitFor('the gateway to move on', () => (sim.counters().oldestSeq ?? 0) > droppedAt);
}

/** A TCP relay on 127.0.0.1 that can stop reading from the gateway (as a consumer that stopped reading). */
async function stallingRelay(
  target: number,
): Promise<{ url: string; stallWhile(run: () => Promise<void>): Promise<void> }> {
  const upstreams = new Map<Socket, Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    upstreams.set(upstream, client);
    client.pipe(upstream).pipe(client);
    const end = () => {
      upstreams.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const upstream of upstreams.keys()) upstream.destroy();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    async stallWhile(run: () => Promise<void>) {
      // Unpiped, or the pipe would resume reading on the consumer side's next 'drain'.
      const stalled = [...upstreams];
      for (const [upstream, client] of stalled) {
        upstream.unpipe(client);
        upstream.pause();
      }
      try {
        await run();
      } finally {
        for (const [upstream, client] of stalled) upstream.pipe(client);
      }
    },
  };
}

describe('feed recovery after a slow consumer', () => {
  it('the feed client records the hole the gateway no longer holds and goes on live, without looping', async () => {
    const sim = await smallBufferSimulator();
    const relay = await stallingRelay(sim.port);
    const seqs: number[] = [];
    const gaps: FeedGap[] = [];
    const client = new FeedClient({
      url: relay.url,
      backoff: { initialMs: 20, maxMs: 200, random: () => 0.5 },
      handlers: {
        onBatch: (messages: SequencedMessage[]) => {
          for (const message of messages) seqs.push(message.seq);
        },
        onGap: (gap) => gaps.push(gap),
      },
    });
    cleanups.push(() => client.stop());
    client.start();
    await waitFor('the stream', () => seqs.length >= 5_000);
    await relay.stallWhile(() => untilDroppedAndForgotten(sim));
    await waitFor(
      'the client to go on after the stall',
      () => sim.counters().slowConsumersDropped === 1 && gaps.length > 0,
    );
    const resumedAt = client.lastApplied;
    await sleep(1_000);

    expect(client.state).toBe('live');
    expect(client.lastApplied).toBeGreaterThan(resumedAt + 10_000); // live at 20k msg/s again
    const [gap] = gaps;
    expect(gaps).toHaveLength(1);
    expect(gap).toMatchObject({ recovered: false });
    expect(gap!.reason).toContain('cannot resend');
    // Every seq once, in order, except exactly the recorded hole.
    const at = seqs.indexOf(gap!.fromSeq - 1);
    expect(seqs[at + 1]).toBe(gap!.toSeq + 1);
    expect(seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1 || i === at + 1)).toBe(true);
    const stats = client.snapshot();
    expect(stats).toMatchObject({ unrecoverableGapCount: 1, duplicates: 0 });
    // Asked once for the lost seq, then went on: no loop of subscribes.
    expect(sim.counters().resendUnavailable).toBe(1);
    expect(sim.counters().subscribes).toBeLessThanOrEqual(3);
  }, 30_000);

  it('the core keeps the gap in health and in the session file, and its view of the floor goes on live', async () => {
    const sim = await smallBufferSimulator();
    const relay = await stallingRelay(sim.port);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-slow-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const core = await CoreProcess.start({
      feedUrl: relay.url,
      recording: { dataDir },
      rules: false,
      publishIntervalMs: 50,
      healthIntervalMs: 100,
      backoff: { initialMs: 20, maxMs: 200 },
      log: () => {},
    });
    cleanups.push(() => core.stop());
    const health = (): HealthSnapshot | undefined => core.current('health')[0];
    await waitFor('the stream', () => (health()?.lastSeq ?? 0) >= 5_000);
    await relay.stallWhile(() => untilDroppedAndForgotten(sim));
    await waitFor('the gap in health', () => (health()?.unrecoverableGaps.length ?? 0) > 0);
    const gap = health()!.unrecoverableGaps[0]!;
    await waitFor(
      'the core live past the gap',
      () => health()?.feedState === 'live' && health()!.lastSeq > gap.toSeq + 10_000,
    );
    expect(health()!.unrecoverableGaps).toHaveLength(1);
    expect(sim.counters().subscribes).toBeLessThanOrEqual(3);
    const file = health()!.recorder!.file!;
    await core.stop();

    const reader = SessionReader.open(file);
    cleanups.push(() => reader.close());
    expect(reader.gaps()).toEqual([
      expect.objectContaining({ fromSeq: gap.fromSeq, toSeq: gap.toSeq, reason: expect.stringMatching(/^feed_gap: /) }),
    ]);
  }, 40_000);
});
