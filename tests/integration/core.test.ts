// CoreProcess end to end: a real core worker thread reading a real WebSocket feed on 127.0.0.1, publishing
// conflated topics into the main side's hub.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ViewFrame } from '../../shared/views/spec';
import type { AccountRow } from '../../shared/domain/types';
import type { TopicUpdate } from '../../shared/api/contract';
import type { FeedGap, HealthSnapshot } from '../../shared/domain/types';
import { CoreProcess } from '../../main/core/coreProcess';
import { EngineState } from '../../main/engine/state';
import type { LogFn } from '../../main/core/log';
import { WORKER_RESOURCE_LIMITS } from '../../main/util/workers';
import { buildSession } from './support/feedMessages';
import { TestFeedServer } from './support/testFeedServer';
import { waitUntil } from './support/waitUntil';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const waitFor = (what: string, condition: () => boolean, timeoutMs = 8_000) =>
  waitUntil(what, condition, timeoutMs, 10);

const quiet: LogFn = () => {};
const health = (core: CoreProcess): HealthSnapshot | undefined => core.current('health')[0];

async function coreOn(server: TestFeedServer) {
  const core = await CoreProcess.start({
    feedUrl: server.url,
    recording: false, // core-recording.test.ts covers it
    publishIntervalMs: 50,
    healthIntervalMs: 100,
    log: quiet,
  });
  cleanups.push(() => core.stop());
  return core;
}

describe('CoreProcess on a WebSocket feed', () => {
  it('publishes the stream as conflated topics and gives a late subscriber a snapshot at once', async () => {
    const session = buildSession(2_000);
    const server = await TestFeedServer.start({ session, batchSize: 10, intervalMs: 3 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server);
    const market: TopicUpdate<'market'>[] = [];
    core.subscribe('market', (update) => market.push(update));
    // Accounts and positions go out whole only while someone takes them whole (else through views).
    core.subscribe('accounts', () => {});
    core.subscribe('positions', () => {});
    await waitFor('the end of the session', () => health(core)?.feedState === 'ended');
    await waitFor('the last publication', () => health(core)?.lastSeq === 2_000);

    const expected = new EngineState();
    expected.applyBatch(session);
    const rows = expected.allRows();
    await waitFor('final rows', () => JSON.stringify(core.current('accounts')) === JSON.stringify(rows.accounts));
    // The hub keeps rows in order of first appearance; compare as sets keyed by row key.
    const byKey = <T extends { key: string }>(list: T[]) => [...list].sort((a, b) => a.key.localeCompare(b.key));
    expect(core.current('market')).toEqual(rows.market);
    expect(byKey(core.current('positions'))).toEqual(byKey(rows.positions));

    // Conflated: far fewer updates than quotes, and each is a handful of rows.
    const quotes = session.filter((m) => m.type === 'quote').length;
    expect(market.length).toBeLessThan(quotes / 4);
    // The hub's snapshot on subscribe, then the core's first snapshot (unless it had already published), then deltas.
    expect(market[0]!.snapshot).toBe(true);
    const deltas = market.slice(market[1]?.snapshot ? 2 : 1);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.every((u) => !u.snapshot && u.rows.length >= 1 && u.rows.length <= 2)).toBe(true);
    expect(market.at(-1)!.sourceTs).toBeGreaterThan(0);

    const late: TopicUpdate<'positions'>[] = [];
    core.subscribe('positions', (update) => late.push(update));
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ snapshot: true });
    expect(byKey(late[0]!.rows)).toEqual(byKey(rows.positions));

    const h = health(core)!;
    expect(h).toMatchObject({
      messages: 2_000,
      duplicates: 0,
      gaps: 0,
      rejects: 0,
      sessionId: 'TEST-SESSION',
      simulator: null,
    });
    expect(h.rssBytes).toBeGreaterThan(0);
    expect(h.heapUsedBytes).toBeGreaterThan(0);
    expect(h.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(h.cpuPercent).toBeLessThanOrEqual(100);
  });

  it('surfaces an unrecoverable gap on the health topic and as an event', async () => {
    const server = await TestFeedServer.start({
      session: buildSession(800),
      batchSize: 25,
      intervalMs: 1,
      hole: { from: 300, to: 304 },
    });
    cleanups.push(() => server.kill());
    const core = await coreOn(server);
    const gaps: FeedGap[] = [];
    core.onGap((gap) => gaps.push(gap));
    await waitFor('the end of the session', () => health(core)?.feedState === 'ended');
    expect(gaps).toEqual([expect.objectContaining({ fromSeq: 300, toSeq: 304, recovered: false })]);
    const h = health(core)!;
    expect(h.gaps).toBe(1);
    expect(h.unrecoverableGaps).toEqual([expect.objectContaining({ fromSeq: 300, toSeq: 304 })]);
    expect(h.lastError).toContain('300..304');
  });

  it('follows the policy feed plan into the worker: a backup wss:// gateway trusted through the given CA', async () => {
    const tlsDir = path.join(import.meta.dirname, '../fixtures/tls');
    const read = (name: string) => readFileSync(path.join(tlsDir, name), 'utf8');
    const server = await TestFeedServer.start({
      session: buildSession(300),
      batchSize: 20,
      intervalMs: 2,
      tls: { key: read('server.key'), cert: read('server.pem') },
    });
    cleanups.push(() => server.kill());
    const core = await CoreProcess.start({
      feedUrl: 'ws://127.0.0.1:1', // nothing listens on port 1
      feedFallbackUrls: [server.url],
      feedCa: read('ca.pem'),
      backoff: { initialMs: 20, maxMs: 100 },
      recording: false,
      healthIntervalMs: 100,
      log: quiet,
    });
    cleanups.push(() => core.stop());
    await waitFor('the session over TLS on the backup gateway', () => health(core)?.feedState === 'ended');
    expect(health(core)).toMatchObject({ lastSeq: 300, feedUrl: server.url });
  });

  it('runs the core thread with the young generation sized for the feed (WORKER_RESOURCE_LIMITS.core)', async () => {
    const server = await TestFeedServer.start({ session: buildSession(200), batchSize: 20, intervalMs: 2 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server);
    const wanted = WORKER_RESOURCE_LIMITS.core!.maxYoungGenerationSizeMb!;
    // The thread's own limits as V8 applied them, not the option passed.
    const applied = (core as unknown as { core: Worker }).core.resourceLimits?.maxYoungGenerationSizeMb ?? 0;
    expect(applied).toBeGreaterThanOrEqual(wanted);
    expect(applied).toBeLessThan(wanted * 2);
  });

  it('reports a dead core worker as down, and reconnect starts it again', async () => {
    const server = await TestFeedServer.start({ session: buildSession(400), batchSize: 20, intervalMs: 2 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server);
    await waitFor('live', () => (health(core)?.lastSeq ?? 0) > 0);
    const states: string[] = [];
    core.onFeedState((state) => states.push(state));
    // Kill the thread from outside, as a crash would.
    await (core as unknown as { core: Worker }).core.terminate();
    await waitFor('down', () => health(core)?.feedState === 'down');
    expect(health(core)!.lastError).toMatch(/core worker exited/);
    expect(states).toContain('down');
    await core.reconnect();
    await waitFor('the restarted core to finish the session', () => health(core)?.feedState === 'ended');
    expect(health(core)!.lastSeq).toBe(400);
  });

  it('reconnects on request and stops everything it started', async () => {
    const server = await TestFeedServer.start({ session: buildSession(5_000), batchSize: 10, intervalMs: 5 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server);
    await waitFor('live', () => (health(core)?.lastSeq ?? 0) > 0);
    await core.reconnect();
    await waitFor('the second link', () => server.connections === 2);
    await waitFor('the resume', () => (health(core)?.reconnects ?? 0) === 1 && health(core)?.feedState === 'live');
    expect(server.subscribes[1]).toBeGreaterThan(1);
    await core.stop();
    await waitFor(
      'the link to close',
      () => (server as unknown as { clients: Set<unknown> }).clients.size === 0,
      3_000,
    );
    await expect(core.reconnect()).rejects.toThrow(/stopping/);
  });

  it('with no feed configured, runs the simulator in its own worker and reads it over WebSocket', async () => {
    const core = await CoreProcess.start({
      simulator: { seed: 5, rate: 5_000 },
      publishIntervalMs: 50,
      log: quiet,
      recording: false,
    });
    cleanups.push(() => core.stop());
    expect(core.simulatorRunning).toBe(true);
    expect(core.feedUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    await waitFor('ticking prices', () => core.current('market').some((row) => row.last !== null));
    await waitFor('live health', () => health(core)?.feedState === 'live');
    expect(health(core)!.simulator).toEqual({ url: core.feedUrl, seed: 5, rate: 5_000 });
    // Accounts are read through a view (no one takes them whole here).
    expect(core.current('accounts')).toEqual([]);
    const frame = (await core.viewRequest({
      action: 'open',
      viewId: 'accounts-1',
      source: 'accounts',
      spec: { sort: [{ colId: 'riskDegree', sort: 'desc' }] },
      range: { start: 0, end: 20 },
    })) as ViewFrame<AccountRow>;
    expect(frame.total).toBeGreaterThanOrEqual(10);
    expect(frame.keys).toHaveLength(Math.min(20, frame.total));
    const degrees = frame.rows.map((row) => (row as AccountRow).riskDegree);
    expect(degrees).toEqual([...degrees].sort((a, b) => b - a));
    await core.stop();
    expect(core.simulatorRunning).toBe(false);
  });
});
