// Feed client against a real WebSocket server on 127.0.0.1: order, resume after a killed server, gaps.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import type { FeedGap, FeedState } from '../../shared/domain/types';
import { FeedClient, type FeedClientOptions } from '../../main/feed/feedClient';
import { EngineState } from '../../main/engine/state';
import { buildSession } from './support/feedMessages';
import { TestFeedServer, type TestFeedServerOptions } from './support/testFeedServer';
import { waitUntil } from './support/waitUntil';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const waitFor = (what: string, condition: () => boolean, timeoutMs = 6_000) =>
  waitUntil(what, condition, timeoutMs, 10);

type ClientOptions = Partial<FeedClientOptions> | ((server: TestFeedServer) => Partial<FeedClientOptions>);

async function harness(
  serverOptions: TestFeedServerOptions,
  clientOptions: ClientOptions = {},
  afterBatch?: (messages: SequencedMessage[]) => void,
) {
  const server = await TestFeedServer.start(serverOptions);
  const engine = new EngineState();
  const seqs: number[] = [];
  const gaps: FeedGap[] = [];
  const states: FeedState[] = [];
  let batches = 0;
  let sessionChanges = 0;
  const client = new FeedClient({
    url: server.url,
    backoff: { initialMs: 20, maxMs: 200, random: () => 0.5 },
    ...(typeof clientOptions === 'function' ? clientOptions(server) : clientOptions),
    handlers: {
      onBatch: (messages: SequencedMessage[]) => {
        batches++;
        for (const message of messages) seqs.push(message.seq);
        engine.applyBatch(messages);
        afterBatch?.(messages);
      },
      onGap: (gap) => gaps.push(gap),
      onHello: (_hello, sessionChanged) => {
        if (!sessionChanged) return;
        sessionChanges++;
        seqs.length = 0;
        engine.reset();
      },
      onState: (state) => states.push(state),
    },
  });
  cleanups.push(() => server.kill());
  cleanups.push(() => client.stop());
  client.start();
  return { server, client, engine, seqs, gaps, states, batches: () => batches, sessionChanges: () => sessionChanges };
}

function reference(session: SequencedMessage[], skip?: { from: number; to: number }): EngineState {
  const engine = new EngineState();
  engine.applyBatch(session.filter((m) => !skip || m.seq < skip.from || m.seq > skip.to));
  return engine;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('FeedClient over WebSocket', () => {
  it('receives the whole stream in order, in batches, and ends', async () => {
    const session = buildSession(1_500);
    const h = await harness({ session, batchSize: 50, intervalMs: 1 });
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.seqs).toEqual(range(1, 1_500));
    expect(h.batches()).toBeLessThanOrEqual(31); // frames, not messages
    expect(h.server.subscribes).toEqual([1]);
    expect(h.states).toEqual(['live', 'ended']);
    expect(h.engine.allRows()).toEqual(reference(session).allRows());
    const stats = h.client.snapshot();
    expect(stats).toMatchObject({
      messages: 1_500,
      duplicates: 0,
      gaps: 0,
      rejects: 0,
      reconnects: 0,
      sessionId: 'TEST-SESSION',
    });
  });

  it('resumes after the server is killed and restarted mid-stream: no gap, no duplicate', async () => {
    const session = buildSession(3_000);
    const h = await harness({ session, batchSize: 20, intervalMs: 2, resendOverlap: 7 });
    await waitFor('some of the stream', () => h.seqs.length >= 600);
    await h.server.kill();
    await waitFor('the client to notice', () => h.client.state === 'reconnecting');
    const cut = h.client.lastApplied;
    await new Promise((resolve) => setTimeout(resolve, 150)); // a few refused reconnects
    expect(h.seqs.length).toBe(cut);
    await h.server.restart();
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.seqs).toEqual(range(1, 3_000)); // in order, every one exactly once
    expect(h.server.subscribes[0]).toBe(1);
    expect(h.server.subscribes.at(-1)).toBe(cut + 1);
    const stats = h.client.snapshot();
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(stats.duplicates).toBe(7); // the server's overlap, dropped by seq
    expect(stats.gaps).toBe(0);
    expect(h.engine.allRows()).toEqual(reference(session).allRows());
  });

  it('refills a transient loss by resubscribing from the hole', async () => {
    const session = buildSession(1_000);
    const h = await harness({ session, batchSize: 25, intervalMs: 1, lostOnce: { from: 300, to: 304 } });
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.seqs).toEqual(range(1, 1_000));
    expect(h.server.subscribes).toEqual([1, 300]);
    expect(h.gaps).toEqual([expect.objectContaining({ fromSeq: 300, toSeq: 304, recovered: true })]);
    const stats = h.client.snapshot();
    expect(stats).toMatchObject({ gaps: 1, recoveredGaps: 1, unrecoverableGapCount: 0, pendingGap: null });
  });

  it('reports a gap the server cannot fill as unrecoverable and goes on from what it can give', async () => {
    const session = buildSession(1_000);
    const hole = { from: 400, to: 409 };
    const h = await harness({ session, batchSize: 25, intervalMs: 1, hole });
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.seqs).toEqual([...range(1, 399), ...range(410, 1_000)]); // nothing skipped silently, nothing twice
    expect(h.server.subscribes).toEqual([1, 400, 410]);
    expect(h.gaps).toHaveLength(1);
    expect(h.gaps[0]).toMatchObject({ fromSeq: 400, toSeq: 409, recovered: false });
    expect(h.gaps[0]!.reason).toContain('cannot resend');
    const stats = h.client.snapshot();
    expect(stats).toMatchObject({ gaps: 1, unrecoverableGapCount: 1, pendingGap: null });
    expect(stats.unrecoverableGaps).toEqual([expect.objectContaining({ fromSeq: 400, toSeq: 409 })]);
    expect(stats.lastError).toContain('400..409');
    expect(h.engine.allRows()).toEqual(reference(session, hole).allRows());
  });

  it('skips to where a restarted server resumes when it lost the history, and records the hole', async () => {
    const session = buildSession(1_200);
    const h = await harness({ session, batchSize: 20, intervalMs: 2 });
    await waitFor('some of the stream', () => h.seqs.length >= 300);
    await h.server.kill();
    await waitFor('the client to notice', () => h.client.state === 'reconnecting');
    const cut = h.client.lastApplied;
    h.server.options.holdsFrom = cut + 51;
    await h.server.restart();
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.seqs).toEqual([...range(1, cut), ...range(cut + 51, 1_200)]);
    expect(h.gaps).toEqual([expect.objectContaining({ fromSeq: cut + 1, toSeq: cut + 50, recovered: false })]);
  });

  it('falls back to the start of day when the server names no resume point, and records the hole', async () => {
    const session = buildSession(1_200);
    const h = await harness({ session, batchSize: 20, intervalMs: 2, startOfDay: 30, namesResumePoint: false });
    await waitFor('some of the stream', () => h.seqs.length >= 300);
    await h.server.kill();
    await waitFor('the client to notice', () => h.client.state === 'reconnecting');
    const cut = h.client.lastApplied;
    h.server.options.holdsFrom = cut + 51;
    await h.server.restart();
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.server.subscribes).toEqual([1, cut + 1, undefined]); // the hole once, then the start of day
    expect(h.seqs).toEqual([...range(1, cut), ...range(cut + 51, 1_200)]); // start of day again: dropped as repeats
    expect(h.gaps).toEqual([expect.objectContaining({ fromSeq: cut + 1, toSeq: cut + 50, recovered: false })]);
    expect(h.client.snapshot()).toMatchObject({ duplicates: 30, unrecoverableGapCount: 1 });
  });

  it('does not hammer a server that holds neither the hole nor the start of day and names no resume point', async () => {
    const session = buildSession(1_200);
    const h = await harness({ session, batchSize: 20, intervalMs: 2, namesResumePoint: false });
    await waitFor('some of the stream', () => h.seqs.length >= 300);
    await h.server.kill();
    await waitFor('the client to notice', () => h.client.state === 'reconnecting');
    h.server.options.holdsFrom = h.client.lastApplied + 51;
    await h.server.restart();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Backoff 20 ms doubling to 200 ms: about ten attempts of two asks in a second, whatever the machine's load; one
    // per loopback round trip (a millisecond or less) would be hundreds.
    expect(h.server.subscribes.length).toBeLessThanOrEqual(30);
    expect(h.client.state).toBe('reconnecting');
    expect(h.client.snapshot().lastError).toMatch(/holds neither seq \d+ nor the start of day/);
    expect(h.gaps).toEqual([]); // nothing skipped without knowing where to
  });

  it('does not take its own busy thread for a dead link', async () => {
    const session = buildSession(800);
    let blocked = false;
    const h = await harness({ session, batchSize: 20, intervalMs: 2 }, { heartbeatTimeoutMs: 300 }, (messages) => {
      if (blocked || messages[0]!.seq < 200) return;
      blocked = true; // a consumer busy for twice the heartbeat timeout (a core's long batch)
      const until = Date.now() + 700;
      while (Date.now() < until);
    });
    await waitFor('end', () => h.client.state === 'ended');
    expect(blocked).toBe(true);
    expect(h.seqs).toEqual(range(1, 800));
    expect(h.server.subscribes).toEqual([1]);
    expect(h.client.snapshot().reconnects).toBe(0);
  });

  it('treats a silent link as dead after the heartbeat timeout and resumes', async () => {
    const session = buildSession(800);
    const h = await harness({ session, batchSize: 20, intervalMs: 2, silentAfter: 200 }, { heartbeatTimeoutMs: 300 });
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.seqs).toEqual(range(1, 800));
    expect(h.server.subscribes).toEqual([1, 201]);
    const stats = h.client.snapshot();
    expect(stats.reconnects).toBe(1);
    expect(h.states).toContain('reconnecting');
  });

  it('starts over from seq 1 when the restarted server serves another session', async () => {
    const session = buildSession(900);
    const h = await harness({ session, batchSize: 20, intervalMs: 2, sessionId: 'DAY-1' });
    await waitFor('some of the stream', () => h.seqs.length >= 200);
    await h.server.kill();
    await waitFor('the client to notice', () => h.client.state === 'reconnecting');
    const cut = h.client.lastApplied;
    h.server.options.sessionId = 'DAY-2';
    await h.server.restart();
    await waitFor('end', () => h.client.state === 'ended');
    expect(h.sessionChanges()).toBe(1);
    expect(h.server.subscribes).toEqual([1, cut + 1, 1]);
    expect(h.seqs).toEqual(range(1, 900));
    expect(h.client.snapshot().sessionId).toBe('DAY-2');
    expect(h.engine.allRows()).toEqual(reference(session).allRows());
  });

  it('tries the backup gateways in turn when the first cannot be reached, and stays on the one that works', async () => {
    const session = buildSession(600);
    const deadUrl = `ws://127.0.0.1:${await closedPort()}`;
    const backup = await harness({ session, batchSize: 50, intervalMs: 1 }, (server) => ({
      url: deadUrl,
      fallbackUrls: [deadUrl, server.url],
    }));
    await waitFor('end on the backup gateway', () => backup.client.state === 'ended');
    expect(backup.seqs).toEqual(range(1, 600));
    const stats = backup.client.snapshot();
    expect(stats.url).toBe(backup.server.url);
    expect(stats.reconnects).toBe(1); // one refused attempt on the dead gateway, then the backup
    expect(stats.lastError).toContain(deadUrl);
  });

  it('connects to a wss:// gateway signed by the CA it is given, and refuses it without that CA', async () => {
    const tlsDir = path.join(import.meta.dirname, '../fixtures/tls');
    const tls = {
      key: readFileSync(path.join(tlsDir, 'server.key'), 'utf8'),
      cert: readFileSync(path.join(tlsDir, 'server.pem'), 'utf8'),
    };
    const ca = readFileSync(path.join(tlsDir, 'ca.pem'), 'utf8');
    const session = buildSession(300);
    const trusted = await harness({ session, batchSize: 50, intervalMs: 1, tls }, { ca });
    expect(trusted.server.url).toMatch(/^wss:/);
    await waitFor('end over TLS', () => trusted.client.state === 'ended');
    expect(trusted.seqs).toEqual(range(1, 300));

    const untrusted = await harness({ session, batchSize: 50, intervalMs: 1, tls });
    await waitFor('a refused handshake', () => (untrusted.client.snapshot().lastError ?? '') !== '');
    expect(untrusted.client.snapshot().lastError).toMatch(/certificate/i);
    expect(untrusted.seqs).toEqual([]);
    expect(untrusted.server.subscribes).toEqual([]);
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
