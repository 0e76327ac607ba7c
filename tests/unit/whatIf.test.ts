// What-if tuning and adopting thresholds: a lowered threshold shows more alerts and lists them, a raised one lists
// the ones that disappear; adopting is a supervisor action, audited, persisted as the user rules file and handed to
// the live core.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertServices } from '../../main/alerts';
import { ApiFailure } from '../../main/api/dispatcher';
import { inlineWhatIfRunner, RulesService } from '../../main/alerts/rulesService';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { SessionJournal } from '../../main/store/journal';
import type { RulesConfig } from '../../shared/rules/config';

let dir: string;
let audit: AuditLog;
let sessionFile: string;

/** B1: 4 self-trades on rb2605 (one below the default 5); B2: 6 (an alert by default). */
function writeSession(file: string): void {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE' });
  feed.account('B1').account('B2');
  feed.phase('SHFE', 'continuous');
  for (const [account, n] of [
    ['B1', 4],
    ['B2', 6],
  ] as const) {
    for (let i = 0; i < n; i++) {
      feed.advance(1000);
      const buy = feed.order(account, 'rb2605', 'buy', 1, 3500);
      const sell = feed.order(account, 'rb2605', 'sell', 1, 3500);
      feed.trade(
        'rb2605',
        3500,
        1,
        { accountId: account, orderId: buy },
        { accountId: account, orderId: sell },
        'sell',
      );
    }
  }
  feed.end();
  const journal = new SessionJournal(file, {
    session: { sessionId: 'S20261124', tradingDay: '20261124', source: 'test' },
    createdBy: 'test',
  });
  journal.append(feed.messages);
  journal.close();
}

function service(applied: RulesConfig[] = []): RulesService {
  return new RulesService({
    audit: new SqliteAuditStore(audit),
    userFile: path.join(dir, 'data', 'rules.json'),
    currentSessionFile: () => sessionFile,
    applyRules: (config) => {
      applied.push(config);
    },
    runner: inlineWhatIfRunner,
  });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-whatif-'));
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'));
  sessionFile = path.join(dir, 'session.fwsession');
  writeSession(sessionFile);
});
afterEach(() => {
  audit.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rules.whatIf', () => {
  it('with a lowered threshold shows more alerts, side by side, and lists the ones that appear', async () => {
    const rules = service();
    const result = await rules.whatIf({ overrides: { rules: { self_trade: { threshold: 4 } } } });
    expect(result.file).toBe(sessionFile);
    expect(result.messages).toBeGreaterThan(30);
    const selfTrade = result.rules.find((r) => r.rule === 'self_trade')!;
    expect(selfTrade).toEqual({ rule: 'self_trade', current: 1, proposed: 2, delta: 1 });
    expect(result.current.total).toBe(result.proposed.total - 1);
    expect(result.appeared.map((a) => [a.rule, a.subjectId, a.count, a.threshold])).toEqual([
      ['self_trade', 'B1', 4, 4],
    ]);
    expect(result.appearedTotal).toBe(1);
    expect(result.disappeared).toEqual([]);
    expect(result.proposed.version).toContain('what-if');
  });

  it('with a raised threshold lists the alerts that disappear', async () => {
    const result = await service().whatIf({
      file: sessionFile,
      overrides: { rules: { self_trade: { threshold: 7 } } },
    });
    expect(result.rules.find((r) => r.rule === 'self_trade')).toMatchObject({ current: 1, proposed: 0, delta: -1 });
    expect(result.disappeared.map((a) => a.subjectId)).toEqual(['B2']);
    expect(result.appeared).toEqual([]);
  });

  it('refuses bad thresholds with the field named, and a missing session file', async () => {
    const rules = service();
    await expect(rules.whatIf({ overrides: { rules: { self_trade: { threshold: 0 } } } })).rejects.toThrow(
      /self_trade\.threshold/,
    );
    await expect(rules.whatIf({ file: path.join(dir, 'nope.fwsession'), overrides: {} })).rejects.toThrow(
      /no session file/,
    );
  });
});

describe('rules.adopt', () => {
  it('is refused for an operator (audited as api_rejected, nothing written)', async () => {
    const rules = service();
    const attempt = rules.adopt({ operator: 'li.wei', role: 'operator' }, { overrides: {}, reason: 'too many' });
    await expect(attempt).rejects.toBeInstanceOf(ApiFailure);
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
    expect(audit.readRows({ actions: ['api_rejected'] })).toHaveLength(1);
    expect(audit.readRows({ actions: ['thresholds_changed'] })).toHaveLength(0);
    expect(existsSync(path.join(dir, 'data', 'rules.json'))).toBe(false);
  });

  it('is allowed for a supervisor: audited, persisted as the user rules file, applied to the core', async () => {
    const applied: RulesConfig[] = [];
    const rules = service(applied);
    const before = rules.info().version;
    const result = await rules.adopt(
      { operator: 'zhao.min', role: 'supervisor' },
      { overrides: { rules: { self_trade: { threshold: 4 } } }, reason: 'desk review capacity, approved by CCO' },
    );
    expect(result.appliedToCore).toBe(true);
    expect(result.config.rules.self_trade.threshold).toBe(4);
    expect(result.version).toBe(`${before}+u1`);
    expect(applied.map((c) => c.rules.self_trade.threshold)).toEqual([4]);
    const [row] = audit.readRows({ actions: ['thresholds_changed'] });
    expect(row).toMatchObject({
      operator: 'zhao.min',
      role: 'supervisor',
      reason: 'desk review capacity, approved by CCO',
    });
    expect(JSON.parse(row!.details)).toMatchObject({ fromVersion: before, toVersion: `${before}+u1` });
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'data', 'rules.json'), 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ version: 'u1', rules: { self_trade: { threshold: 4 } } });
    // A second adopt merges over the first; a restart reads the file back.
    await rules.adopt(
      { operator: 'admin', role: 'admin' },
      { overrides: { rules: { frequent_cancel: { threshold: 300 } } }, reason: 'tighter' },
    );
    const restarted = service();
    expect(restarted.config.rules.self_trade.threshold).toBe(4);
    expect(restarted.config.rules.frequent_cancel.threshold).toBe(300);
    expect(restarted.info().version).toBe(`${before}+u2`);
    // What-if now compares against the adopted thresholds.
    const again = await restarted.whatIf({ overrides: {} });
    expect(again.rules.find((r) => r.rule === 'self_trade')).toMatchObject({ current: 2, proposed: 2 });
  });

  it('needs a reason', async () => {
    await expect(
      service().adopt({ operator: 'z', role: 'supervisor' }, { overrides: {}, reason: ' ' }),
    ).rejects.toThrow(/needs a reason/);
  });
});

describe('session files named by a window', () => {
  it('must be inside the sessions folder', async () => {
    const sessions = path.join(dir, 'sessions');
    mkdirSync(sessions);
    copyFileSync(sessionFile, path.join(sessions, 'day.fwsession'));
    const alerts = await createAlertServices({
      audit: new SqliteAuditStore(audit),
      dataDir: dir,
      sessionsDir: sessions,
      whatIfRunner: inlineWhatIfRunner,
    });
    const caller = { transport: 'test' as const, connectionId: 'c' };
    try {
      const whatIf = alerts.services['rules.whatIf']!;
      const inside = await whatIf(
        { file: 'day.fwsession', overrides: { rules: { self_trade: { threshold: 4 } } } },
        caller,
      );
      expect(inside.appearedTotal).toBe(1);
      await expect(Promise.resolve().then(() => whatIf({ file: sessionFile, overrides: {} }, caller))).rejects.toThrow(
        /only sessions in/,
      );
      await expect(
        Promise.resolve().then(() => whatIf({ file: '../session.fwsession', overrides: {} }, caller)),
      ).rejects.toThrow(/only sessions in/);
    } finally {
      await alerts.stop();
    }
  });
});
