// Review workspaces beside the live floor, through the real host on 127.0.0.1 and real WebSocket clients: two
// reviews of recorded sessions open at once (each its own review core worker) while a live window keeps getting its
// ticks; each review window sees only its review, controls only its review; playing to the end at max speed never
// passes the end; replayed alerts carry the workflow the audit log had at the replay clock and session-time ages; a
// review ends when its last window closed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeClient, type BridgeClient } from '../../shared/api/bridgeClient';
import type { TopicName, TopicRows, TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { ReplayState } from '../../shared/api/methods/sessions';
import type { MarketRow } from '../../shared/domain/types';
import type { BridgeReply } from '../../shared/api/wire';
import { TopicHub } from '../../main/api/topicHub';
import { createCaseHandlers } from '../../main/alerts/handlers';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { silentLog } from '../../main/core/log';
import { startHost, type HostAccess, type HostHandle } from '../../main/host/server';
import { ReplaySession } from '../../main/review/replaySession';
import { WORKFLOW_AUDIT_ACTIONS } from '../../main/review/replayedAlerts';
import { recordSimulatedSession } from '../../main/review/simulatedSession';
import { Workstation, withReview, type LiveCore } from '../../main/review/workstation';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { testGate } from '../support/testGate';

const NAME_A = '20260319-SIM-3.fwsession';
const NAME_B = '20260320-SIM-4.fwsession';

class FakeLive implements LiveCore {
  readonly mode = 'live' as const;
  readonly feedUrl = 'ws://127.0.0.1:1/feed';
  readonly simulatorRunning = true;
  readonly hub = new TopicHub();
  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void) {
    return this.hub.subscribe(topic, listener);
  }
  async reconnect() {}
  async stop() {}
}

async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A window's connection: a real WebSocket to the host, optionally of a review workspace. */
interface Window {
  api: BridgeClient;
  rows<T extends TopicName>(topic: T): Map<string, TopicRows[T]>;
  /** Every replay row received, in order. */
  replays: ReplayState[];
  updates: Map<TopicName, number>;
  close(): Promise<void>;
}

async function openWindow(host: HostHandle, review?: string): Promise<Window> {
  const query = new URLSearchParams({ token: host.token, ...(review ? { review } : {}) });
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?${query}`, { headers: { Origin: host.origin } });
  let handler: (reply: BridgeReply) => void = () => {};
  ws.on('message', (data) => handler(JSON.parse(data.toString()) as BridgeReply));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const api = createBridgeClient({
    send: (request) => ws.send(JSON.stringify(request)),
    onReply: (h) => (handler = h),
  });
  const held = new Map<TopicName, Map<string, unknown>>();
  const replays: ReplayState[] = [];
  const updates = new Map<TopicName, number>();
  for (const topic of ['market', 'alerts', 'replay'] as const) {
    api.subscribe(topic, (update) => {
      const rows = update.snapshot ? new Map<string, unknown>() : (held.get(topic) ?? new Map<string, unknown>());
      for (const row of update.rows) {
        const key =
          topic === 'market' ? (row as MarketRow).instrumentId : topic === 'alerts' ? (row as AlertRow).id : 'all';
        rows.set(key, row);
        if (topic === 'replay') replays.push(row as ReplayState);
      }
      held.set(topic, rows);
      updates.set(topic, (updates.get(topic) ?? 0) + 1);
    });
  }
  return {
    api,
    rows: <T extends TopicName>(topic: T) => (held.get(topic) ?? new Map()) as Map<string, TopicRows[T]>,
    replays,
    updates,
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

let dir: string;
let sessionsDir: string;
let audit: AuditLog;
/** The alert of session A whose workflow the audit log holds, and the session times of its two changes. */
let tracked: { id: string; createdAt: number; acknowledgedAt: number; closedAt: number; lastTs: number };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-review-'));
  sessionsDir = path.join(dir, 'sessions');
  mkdirSync(sessionsDir);
  const fileA = path.join(sessionsDir, NAME_A);
  recordSimulatedSession(fileA, { messages: 50_000, seed: 3, scenarios: ['self_trade', 'frequent_cancel'] });
  recordSimulatedSession(path.join(sessionsDir, NAME_B), { messages: 10_000, seed: 4 });
  writeFileSync(path.join(sessionsDir, '20260101-broken.fwsession'), 'this is not a session');

  // What an operator did that day: the alert was acknowledged, then closed, while the session was being recorded.
  const reference = ReplaySession.open(fileA);
  let raised: AlertRow;
  try {
    reference.seekSeq(reference.lastSeq);
    raised = [...reference.runtime.alerts()].sort((a, b) => a.createdAt - b.createdAt)[0]!;
    expect(raised).toBeDefined();
    const lastTs = reference.meta.lastTs ?? 0;
    const acknowledgedAt = raised.createdAt + Math.floor((lastTs - raised.createdAt) / 4);
    const closedAt = raised.createdAt + Math.floor((lastTs - raised.createdAt) / 2);
    tracked = { id: raised.id, createdAt: raised.createdAt, acknowledgedAt, closedAt, lastTs };
  } finally {
    reference.close();
  }
  let now = tracked.createdAt;
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'), { clock: () => now });
  const workflow = await AlertWorkflow.open({ audit: new SqliteAuditStore(audit), clock: () => now });
  await workflow.ingest([raised]);
  const operator = { operator: 'duty.officer', role: 'operator' };
  now = tracked.acknowledgedAt;
  await workflow.setState(operator, { id: tracked.id, state: 'acknowledged' });
  now = tracked.closedAt;
  await workflow.setState(operator, { id: tracked.id, state: 'closed', reason: 'matched hedge, no misconduct' });
}, 90_000);

afterAll(() => {
  audit?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('review workspaces beside the live floor', () => {
  it('two reviews at once and live: separate windows, clamped end, workflow at the replay clock', async () => {
    const live = new FakeLive();
    let tick = 0;
    const publishTick = () => {
      tick++;
      const row = { instrumentId: 'LIVE1', last: 3500 + tick } as MarketRow;
      live.hub.publish({ topic: 'market', snapshot: false, rows: [row], removed: [], at: Date.now(), sourceTs: tick });
    };
    publishTick();
    const ticker = setInterval(publishTick, 20);
    const station = new Workstation({
      live,
      sessionsDir,
      log: silentLog,
      workflowRows: () => audit.readRows({ actions: WORKFLOW_AUDIT_ACTIONS }),
      reviewTimers: { firstWindowMs: 20_000, lastWindowMs: 200 },
    });
    // Case review is wired as the apps wire it: a review window's case reads its review's session and alert.
    const cases = createCaseHandlers({
      workflow: await AlertWorkflow.open({ audit: new SqliteAuditStore(audit) }),
      currentSessionFile: () => null,
      reviewOf: (caller) => station.reviewOf(caller),
    });
    const access = withReview<HostAccess>({ gate: testGate(), services: cases }, station);
    const host = await startHost({
      core: station,
      access,
      staticDir: dir,
      version: 'test',
      port: 0,
      log: () => {},
    });
    const windows: Window[] = [];
    try {
      const liveWindow = await openWindow(host);
      windows.push(liveWindow);
      const list = await liveWindow.api.call('sessions.list', {});
      expect(list.map((s) => path.basename(s.file))).toEqual([NAME_B, NAME_A, '20260101-broken.fwsession']);
      await expect(liveWindow.api.call('sessions.open', { file: '20260101-broken.fwsession' })).rejects.toThrow(
        /not a session file/,
      );
      await expect(liveWindow.api.call('replay.control', { action: 'play' })).rejects.toThrow(/live floor/);

      const openedA = await liveWindow.api.call('sessions.open', { file: NAME_A });
      const openedB = await liveWindow.api.call('sessions.open', { file: NAME_B });
      expect(openedA.reviewId).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(openedB.reviewId).not.toBe(openedA.reviewId);
      expect(station.reviewIds).toHaveLength(2);
      const windowA = await openWindow(host, openedA.reviewId);
      const alertsA = await openWindow(host, openedA.reviewId);
      const windowB = await openWindow(host, openedB.reviewId);
      windows.push(windowA, alertsA, windowB);

      // Each review window is marked with its review; the live window still shows live.
      await until('review A paused at its start', () => windowA.replays.at(-1)?.mode === 'review');
      expect(windowA.replays.at(-1)).toMatchObject({
        reviewId: openedA.reviewId,
        name: '20260319-SIM-3',
        positionSeq: 0,
        lastSeq: openedA.lastSeq,
      });
      await until('review B', () => windowB.replays.at(-1)?.reviewId === openedB.reviewId);
      expect(liveWindow.replays.at(-1)?.mode).toBe('live');
      expect((await windowA.api.call('app.info', {})).mode).toBe('review');
      expect((await liveWindow.api.call('app.info', {})).mode).toBe('live');

      // Controls go to the caller's review only.
      expect((await windowB.api.call('replay.control', { action: 'step', count: 500 })).positionSeq).toBe(500);
      expect(station.reviewState(openedA.reviewId!)?.positionSeq).toBe(0);

      // Review A to the end at max speed while the live window keeps ticking.
      const liveBefore = liveWindow.updates.get('market') ?? 0;
      await windowA.api.call('replay.control', { action: 'speed', speed: 0 });
      await windowA.api.call('replay.control', { action: 'play' });
      await until(
        'the end of review A',
        () => windowA.replays.at(-1)?.playing === false && windowA.replays.at(-1)!.positionSeq === openedA.lastSeq,
        40_000,
      );
      expect(Math.max(...windowA.replays.map((r) => r.positionSeq))).toBe(openedA.lastSeq);
      await until('live ticks during the review', () => (liveWindow.updates.get('market') ?? 0) > liveBefore + 5);
      expect(liveWindow.rows('market').get('LIVE1')?.last).toBeGreaterThan(3500);
      expect([...windowA.rows('market').keys()]).not.toContain('LIVE1');
      expect([...liveWindow.rows('alerts').keys()]).not.toContain(tracked.id);

      // At the end the tracked alert is closed, as the audit log had it before the end of the session; its age is
      // session time (replay clock − the moment it was raised), not wall time.
      const closed = await until('the closed alert', () => {
        const row = alertsA.rows('alerts').get(tracked.id);
        return row?.state === 'closed' ? row : null;
      });
      expect(closed.createdAt).toBe(tracked.createdAt);
      const endClock = windowA.replays.at(-1)!.positionTs;
      expect(endClock - closed.createdAt).toBeLessThan(24 * 3600_000);
      expect(endClock).toBeLessThanOrEqual(tracked.lastTs);

      // Case review from the review's window reads the reviewed file around the replayed alert.
      const caseWindow = await alertsA.api.call('cases.window', { alertId: tracked.id });
      expect(caseWindow.evidence.length).toBeGreaterThan(0);
      expect(caseWindow.anchorTs).toBeLessThanOrEqual(tracked.lastTs);
      await expect(liveWindow.api.call('cases.window', { alertId: 'no-such-alert' })).rejects.toThrow(/no alert/);
      // A replayed alert is history: a review window cannot move, note or assign it (the live one could).
      for (const [method, args] of [
        ['alerts.setState', { id: tracked.id, state: 'acknowledged' }],
        ['alerts.addNote', { id: tracked.id, text: 'from the past' }],
        ['alerts.assign', { id: tracked.id, assignee: null }],
      ] as const) {
        await expect(alertsA.api.call(method, args as never)).rejects.toThrow(/replayed alert is history/);
      }
      await expect(
        liveWindow.api.call('alerts.setState', { id: tracked.id, state: 'acknowledged' }),
      ).rejects.not.toThrow(/replayed alert is history/);

      // Back to between the two changes: acknowledged; before the first: new.
      const between = Math.floor((tracked.acknowledgedAt + tracked.closedAt) / 2);
      expect((await windowA.api.call('replay.control', { action: 'seek', ts: between })).positionTs).toBeGreaterThan(
        tracked.acknowledgedAt,
      );
      await until('the acknowledged alert', () => alertsA.rows('alerts').get(tracked.id)?.state === 'acknowledged');
      await windowA.api.call('replay.control', { action: 'seek', ts: tracked.createdAt });
      await until('the new alert', () => alertsA.rows('alerts').get(tracked.id)?.state === 'new');

      // A page of an ended or unknown review gets no data and a clear refusal; a malformed id is refused at once.
      const stray = await openWindow(host, 'no-such-review');
      windows.push(stray);
      await expect(stray.api.call('replay.control', { action: 'play' })).rejects.toThrow(/has ended/);
      await expect(openWindow(host, 'bad id!')).rejects.toThrow(/400/);

      // Review A ends when its last window closed; B and live go on.
      await windowA.close();
      await alertsA.close();
      await until('review A ended', () => !station.reviewIds.includes(openedA.reviewId!));
      expect(station.reviewIds).toEqual([openedB.reviewId]);
      expect((await windowB.api.call('replay.control', { action: 'step', count: 1 })).positionSeq).toBe(501);
    } finally {
      clearInterval(ticker);
      for (const window of windows) await window.close().catch(() => {});
      await host.stop();
      await station.stop();
    }
  }, 90_000);
});
