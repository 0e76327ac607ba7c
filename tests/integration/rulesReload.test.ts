// Live rules reload: thresholds adopted through rules.adopt reach the running core at once. Today's counts are
// rebuilt from the session journal (an alert the new threshold makes from messages already seen appears at once,
// the next messages raise with the new threshold), alerts raised under the old thresholds stay, and the change is
// audited as thresholds_changed. Without a journal the core keeps its thresholds and says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { HealthSnapshot } from '../../shared/domain/types';
import type { SequencedMessage } from '../../shared/protocol';
import { mergeRulesFile } from '../../shared/rules/config';
import { inlineWhatIfRunner, RulesService } from '../../main/alerts/rulesService';
import { CoreProcess } from '../../main/core/coreProcess';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { defaultRulesConfig } from '../../main/rules';
import { Workstation } from '../../main/review/workstation';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { SessionJournal } from '../../main/store/journal';
import { TestFeedServer } from './support/testFeedServer';
import { waitUntil } from './support/waitUntil';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const waitFor = (what: string, condition: () => boolean, timeoutMs = 15_000) => waitUntil(what, condition, timeoutMs);

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-rules-reload-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function selfTrades(feed: FeedBuilder, account: string, n: number): void {
  for (let i = 0; i < n; i++) {
    feed.advance(1000);
    feed.cross('rb2605', account, account, 1, 3500, 'sell');
  }
}

/**
 * Before the pause: B1 2 self-trades, B2 6 (an alert at the default 5), B3 3, C1 500 cancels (frequent_cancel at
 * the default 500). After it: B1's third self-trade.
 */
function buildSession(): { messages: SequencedMessage[]; pauseAfter: number } {
  const feed = new FeedBuilder({ tradingDay: null });
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE' });
  for (const id of ['B1', 'B2', 'B3', 'C1']) feed.account(id);
  feed.phase('SHFE', 'continuous');
  selfTrades(feed, 'B1', 2);
  selfTrades(feed, 'B2', 6);
  selfTrades(feed, 'B3', 3);
  for (let i = 0; i < 500; i++) {
    feed.advance(10);
    feed.orderAndCancel('C1', 'rb2605', 'buy', 1, 3400);
  }
  const pauseAfter = feed.seq;
  selfTrades(feed, 'B1', 1);
  feed.advance(1000).end();
  return { messages: feed.messages as SequencedMessage[], pauseAfter };
}

const byKey = (rows: AlertRow[]) => new Map(rows.map((row) => [`${row.rule}|${row.subjectId}`, row]));
const health = (core: CoreProcess): HealthSnapshot | undefined => core.current('health')[0];

async function startCore(recording: boolean) {
  const { messages, pauseAfter } = buildSession();
  // One message a frame, so the pause falls exactly after `pauseAfter`.
  const server = await TestFeedServer.start({
    session: messages,
    batchSize: 1,
    intervalMs: 1,
    silentAfter: pauseAfter,
  });
  cleanups.push(() => server.kill());
  const dataDir = tempDir();
  const core = await CoreProcess.start({
    feedUrl: server.url,
    publishIntervalMs: 50,
    healthIntervalMs: 100,
    heartbeatTimeoutMs: 60_000, // the pause is on purpose: no reconnect until the test asks
    log: () => {},
    recording: recording ? { dataDir } : false,
  });
  cleanups.push(() => core.stop());
  const audit = AuditLog.open(path.join(dataDir, 'audit.sqlite'));
  cleanups.push(() => audit.close());
  const rules = new RulesService({
    audit: new SqliteAuditStore(audit),
    userFile: path.join(dataDir, 'rules.json'),
    currentSessionFile: () => null,
    applyRules: async (config) => {
      await core.reloadRules(config);
    },
    runner: inlineWhatIfRunner,
  });
  await waitFor('the feed to pause', () => health(core)?.lastSeq === pauseAfter);
  await waitFor('the alerts of the default thresholds', () => core.current('alerts').length === 2);
  return { core, audit, rules, pauseAfter, total: messages.length };
}

const SUPERVISOR = { operator: 'sup1', role: 'supervisor' };
const OVERRIDES = { rules: { self_trade: { threshold: 3 }, frequent_cancel: { threshold: 1000 } } };

describe('live rules reload', () => {
  it('adopted thresholds apply in the running core: counts rebuilt, old alerts kept, next messages use them', async () => {
    const { core, audit, rules, total } = await startCore(true);
    const before = byKey(core.current('alerts'));
    expect([...before.keys()].sort()).toEqual(['frequent_cancel|C1', 'self_trade|B2']);
    expect(before.get('self_trade|B2')).toMatchObject({ count: 6, threshold: 5 });

    const adopted = await rules.adopt(SUPERVISOR, { overrides: OVERRIDES, reason: 'fit reviewer capacity' });
    expect(adopted.appliedToCore).toBe(true);
    expect(adopted.config.rules.self_trade.threshold).toBe(3);

    // Rebuilt from the journal: B3's 3 self-trades reach the new threshold at once; B2's alert takes it too; the
    // frequent_cancel alert of the old threshold (500 < the new 1000) stays as it was raised.
    await waitFor('B3 alert from the rebuilt counts', () => byKey(core.current('alerts')).has('self_trade|B3'));
    let alerts = byKey(core.current('alerts'));
    expect(alerts.get('self_trade|B3')).toMatchObject({ count: 3, threshold: 3 });
    expect(alerts.get('self_trade|B3')!.message).toMatch(/threshold 3/);
    await waitFor(
      'B2 under the new threshold',
      () => byKey(core.current('alerts')).get('self_trade|B2')?.threshold === 3,
    );
    alerts = byKey(core.current('alerts'));
    expect(alerts.get('self_trade|B2')).toMatchObject({ count: 6, createdAt: before.get('self_trade|B2')!.createdAt });
    expect(alerts.get('frequent_cancel|C1')).toMatchObject({ count: 500, threshold: 500 });
    expect(alerts.has('self_trade|B1')).toBe(false);

    // The next messages: B1's third self-trade raises with the new threshold.
    await core.reconnect();
    await waitFor('the rest of the session', () => health(core)?.lastSeq === total);
    await waitFor('B1 alert', () => byKey(core.current('alerts')).has('self_trade|B1'));
    expect(byKey(core.current('alerts')).get('self_trade|B1')).toMatchObject({ count: 3, threshold: 3 });

    const rows = audit
      .exportText('ndjson')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; operator: string; reason: string | null; details: unknown });
    const changed = rows.filter((row) => row.action === 'thresholds_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ operator: 'sup1', reason: 'fit reviewer capacity' });
    expect(JSON.stringify(changed[0]!.details)).toContain('"threshold":3');
  }, 40_000);

  it('without a session journal the core keeps its thresholds and the adopt says it was not applied', async () => {
    const { core, rules } = await startCore(false);
    await expect(core.reloadRules(rules.config)).rejects.toThrow(/no session journal/);
    const adopted = await rules.adopt(SUPERVISOR, { overrides: OVERRIDES, reason: 'try without a journal' });
    expect(adopted.appliedToCore).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const alerts = byKey(core.current('alerts'));
    expect(alerts.has('self_trade|B3')).toBe(false);
    expect(alerts.get('self_trade|B2')).toMatchObject({ threshold: 5 });
  }, 30_000);
});

describe('rules reload in review', () => {
  it('replays the reviewed session under the new thresholds at the same position; later reviews start with them', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'reviewed.fwsession');
    const { messages } = buildSession();
    const journal = new SessionJournal(file, {
      session: { sessionId: 'S-REVIEW', tradingDay: '20261124', source: 'test' },
      createdBy: 'test',
    });
    journal.append(messages);
    journal.close();
    const workstation = new Workstation({ live: null, sessionsDir: dir, log: () => {} });
    cleanups.push(() => workstation.stop());
    let alerts: AlertRow[] = [];
    const follow = (reviewId: string) =>
      workstation.reviewTopic(reviewId, 'alerts')!.subscribe('alerts', (update) => {
        const next = new Map(update.snapshot ? [] : alerts.map((row) => [row.id, row]));
        for (const row of update.rows) next.set(row.id, row);
        for (const id of update.removed) next.delete(id);
        alerts = [...next.values()];
      });
    const first = (await workstation.openSession(file)).reviewId!;
    const unfollowFirst = follow(first);
    const state = await workstation.control({ action: 'seek', seq: messages.length }, first);
    expect(state.positionSeq).toBe(messages.length);
    await waitFor('the review alerts', () => alerts.length === 2);
    expect(byKey(alerts).get('self_trade|B2')).toMatchObject({ threshold: 5 });

    const config = mergeRulesFile(defaultRulesConfig(), OVERRIDES, 'test');
    // No live core runs: the adopt is not live, but the review shows the new thresholds at once.
    await expect(workstation.reloadRules(config)).rejects.toThrow(/no live core/);
    await waitFor('the review under the new thresholds', () => byKey(alerts).has('self_trade|B1'));
    const after = byKey(alerts);
    expect([...after.keys()].sort()).toEqual(['self_trade|B1', 'self_trade|B2', 'self_trade|B3']);
    expect(after.get('self_trade|B1')).toMatchObject({ count: 3, threshold: 3 });

    // A review opened after the adopt starts with the new thresholds.
    unfollowFirst();
    await workstation.closeReview(first);
    alerts = [];
    const second = (await workstation.openSession(file)).reviewId!;
    follow(second);
    await workstation.control({ action: 'seek', seq: messages.length }, second);
    await waitFor('the reopened review', () => alerts.length === 3);
    expect(byKey(alerts).get('self_trade|B3')).toMatchObject({ threshold: 3 });
  }, 30_000);
});
