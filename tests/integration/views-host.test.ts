// Server-side views over the headless host, as windows use them: a real core (the embedded simulator, live) behind
// the host's WebSocket bridge on 127.0.0.1. Each window's `views` subscription carries its own views' frames and
// no other window's; the core publishes `accounts` whole only while a window subscribes to it whole.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicUpdate } from '../../shared/api/contract';
import type { BridgeReply } from '../../shared/api/wire';
import type { ViewFrame } from '../../shared/views/spec';
import { CoreProcess } from '../../main/core/coreProcess';
import { startHost, type HostHandle } from '../../main/host/server';
import { testGate } from '../support/testGate';
import { TestBridge } from './support/testBridge';
import { waitUntil } from './support/waitUntil';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = (what: string, condition: () => boolean, timeoutMs = 10_000) => waitUntil(what, condition, timeoutMs);

/** The frames a window received on its `views` topic so far (its updates after the subscription's snapshot). */
function viewFrames(bridge: TestBridge): ViewFrame[] {
  return bridge.replies
    .filter((r): r is Extract<BridgeReply, { kind: 'topic' }> => r.kind === 'topic' && r.update.topic === 'views')
    .flatMap((r) => (r.update as TopicUpdate<'views'>).rows);
}

async function openView(bridge: TestBridge, id: number, args: unknown): Promise<ViewFrame> {
  const reply = await bridge.call(id, 'views.open', args);
  if (!reply.ok) throw new Error(`views.open refused: ${JSON.stringify(reply.error)}`);
  return reply.value as ViewFrame;
}

describe('views over the host', () => {
  let staticDir: string;
  let core: CoreProcess;
  let host: HostHandle;
  const bridges: TestBridge[] = [];

  beforeAll(async () => {
    staticDir = await mkdtemp(path.join(os.tmpdir(), 'fw-views-host-'));
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>fw</title>');
    core = await CoreProcess.start({
      simulator: { seed: 11, rate: 4_000 },
      publishIntervalMs: 50,
      recording: false,
      log: () => {},
    });
    host = await startHost({
      port: 0,
      core,
      access: { gate: testGate() },
      staticDir,
      version: '9.9.9-test',
      log: () => {},
    });
  });

  afterAll(async () => {
    for (const bridge of bridges) await bridge.close();
    await host?.stop();
    await core?.stop();
    await rm(staticDir, { recursive: true, force: true });
  });

  async function window(): Promise<TestBridge> {
    const bridge = await TestBridge.open(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, host.origin);
    bridges.push(bridge);
    return bridge;
  }

  it('each window gets its own views’ frames only; accounts go out whole only while a window takes them', async () => {
    const first = await window();
    const second = await window();
    for (const bridge of [first, second]) {
      bridge.send({ kind: 'subscribe', topic: 'views' });
      expect(await bridge.topic('views')).toMatchObject({ snapshot: true, rows: [] });
    }
    await waitFor('accounts in the core', () => core.current('market').some((row) => row.last !== null));

    // The first window: the riskiest accounts and the largest positions; the second: the market by volume.
    const risky = await openView(first, 1, {
      source: 'accounts',
      spec: { sort: [{ colId: 'riskDegree', sort: 'desc' }] },
      range: { start: 0, end: 10 },
    });
    const largest = await openView(first, 2, {
      source: 'positions',
      spec: { sort: [{ colId: 'margin', sort: 'desc' }] },
      range: { start: 0, end: 10 },
    });
    const busiest = await openView(second, 1, {
      source: 'market',
      spec: { sort: [{ colId: 'volume', sort: 'desc' }] },
      range: { start: 0, end: 5 },
    });
    expect(risky.total).toBeGreaterThanOrEqual(10);
    expect(risky.keys).toHaveLength(10);
    expect(largest.total).toBeGreaterThan(0);

    await waitFor('frames of every view', () => {
      const mine = new Set(viewFrames(first).map((f) => f.viewId));
      return mine.has(risky.viewId) && mine.has(largest.viewId) && viewFrames(second).length > 0;
    });
    await pause(300);
    const ownViews = new Set([risky.viewId, largest.viewId]);
    expect(viewFrames(first).every((frame) => ownViews.has(frame.viewId))).toBe(true);
    expect(viewFrames(second).every((frame) => frame.viewId === busiest.viewId)).toBe(true);
    // Frames carry the range's rows only.
    for (const frame of [...viewFrames(first), ...viewFrames(second)])
      expect(frame.rows.length).toBeLessThanOrEqual(10);
    // No window took a whole topic of the core: nothing of accounts or positions reached the main side whole.
    expect(core.current('accounts')).toEqual([]);
    expect(core.current('positions')).toEqual([]);

    // A third window takes accounts whole: the core publishes every account to it.
    const whole = await window();
    whole.send({ kind: 'subscribe', topic: 'accounts' });
    const accounts = new Map<string, unknown>();
    await waitFor('every account, whole', () => {
      for (const reply of whole.replies.splice(0)) {
        if (reply.kind !== 'topic' || reply.update.topic !== 'accounts') continue;
        for (const row of (reply.update as TopicUpdate<'accounts'>).rows) accounts.set(row.accountId, row);
      }
      return accounts.size === risky.total;
    });

    // It leaves: the accounts stop going out whole, while the first window's accounts view keeps changing.
    await whole.close();
    await pause(400); // the core hears of it
    const frozen = JSON.stringify(core.current('accounts'));
    const framesBefore = viewFrames(first).filter((f) => f.viewId === risky.viewId).length;
    await pause(1_000);
    expect(viewFrames(first).filter((f) => f.viewId === risky.viewId).length).toBeGreaterThan(framesBefore);
    expect(JSON.stringify(core.current('accounts'))).toBe(frozen);
  });
});
