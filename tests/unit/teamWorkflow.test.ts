// The team workflow's pure rules: SLA ageing per severity against an injected clock, the workload per operator,
// the queue views, account scopes and the checks of a settings change.
import { describe, expect, it } from 'vitest';
import {
  accountInScope,
  alertInScope,
  DEFAULT_SLA,
  DEFAULT_TEAM_SETTINGS,
  inQueueView,
  parseAccountPatterns,
  scopeFilter,
  scopeOf,
  slaStatus,
  teamSettingsProblem,
  workload,
  type TeamSettings,
} from '../../shared/domain/teamWorkflow';
import type { AlertRow } from '../../shared/api/methods/alerts';

const MIN = 60_000;
const T0 = 1_795_482_000_000;

function row(fields: Partial<AlertRow>): AlertRow {
  return {
    id: 'a1',
    rule: 'self_trade',
    subjectType: 'account',
    subjectId: 'A001',
    accountIds: ['A001'],
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    severity: 'high',
    score: 80,
    firstSeq: 1,
    lastSeq: 2,
    count: 5,
    threshold: 5,
    tradingDay: '20261207',
    message: '',
    messageZh: '',
    evidence: [],
    metrics: {},
    state: 'new',
    assignee: null,
    notes: 0,
    createdAt: T0,
    updatedAt: T0,
    firstTs: T0,
    ...fields,
  };
}

describe('SLA ageing', () => {
  it('a high alert is due for acknowledgement 15 minutes after it came in, overdue one ms later', () => {
    expect(DEFAULT_SLA.high.acknowledgeMinutes).toBe(15);
    const alert = row({ severity: 'high' });
    expect(slaStatus(alert, DEFAULT_SLA, T0 + 15 * MIN)).toEqual({
      stage: 'acknowledge',
      dueAt: T0 + 15 * MIN,
      overdue: false,
      ageMs: 15 * MIN,
    });
    expect(slaStatus(alert, DEFAULT_SLA, T0 + 15 * MIN + 1)?.overdue).toBe(true);
  });

  it('once acknowledged the resolve time runs; closed or dismissed alerts have no SLA', () => {
    const acknowledged = row({ severity: 'critical', state: 'acknowledged' });
    expect(slaStatus(acknowledged, DEFAULT_SLA, T0 + 30 * MIN)).toMatchObject({ stage: 'resolve', overdue: false });
    expect(slaStatus(acknowledged, DEFAULT_SLA, T0 + 61 * MIN)).toMatchObject({ stage: 'resolve', overdue: true });
    expect(slaStatus(row({ state: 'closed' }), DEFAULT_SLA, T0 + 10_000 * MIN)).toBeNull();
    expect(slaStatus(row({ state: 'dismissed' }), DEFAULT_SLA, T0 + 10_000 * MIN)).toBeNull();
  });

  it('follows the team setting, per severity', () => {
    const sla = { ...DEFAULT_SLA, low: { acknowledgeMinutes: 2, resolveMinutes: 10 } };
    expect(slaStatus(row({ severity: 'low' }), sla, T0 + 3 * MIN)?.overdue).toBe(true);
    expect(slaStatus(row({ severity: 'low' }), DEFAULT_SLA, T0 + 3 * MIN)?.overdue).toBe(false);
  });
});

describe('workload per operator', () => {
  it('counts open alerts by state, overdue ones and the oldest age; unassigned last; closed ones not at all', () => {
    const now = T0 + 20 * MIN;
    const rows = [
      row({ id: '1', assignee: 'li', state: 'acknowledged', createdAt: T0 }),
      row({ id: '2', assignee: 'li', state: 'investigating', createdAt: T0 + 10 * MIN }),
      row({ id: '3', assignee: 'li', state: 'closed', createdAt: T0 - 100 * MIN }),
      row({ id: '4', assignee: null, state: 'new', createdAt: T0 }), // high, 20 min new: overdue
      row({ id: '5', assignee: 'wang', state: 'new', severity: 'low', createdAt: T0 + 19 * MIN }),
    ];
    expect(workload(rows, DEFAULT_SLA, now)).toEqual([
      { operator: 'li', open: 2, byState: { acknowledged: 1, investigating: 1 }, overdue: 0, oldestAgeMs: 20 * MIN },
      { operator: 'wang', open: 1, byState: { new: 1 }, overdue: 0, oldestAgeMs: 1 * MIN },
      { operator: null, open: 1, byState: { new: 1 }, overdue: 1, oldestAgeMs: 20 * MIN },
    ]);
  });
});

describe('queue views', () => {
  it('mine, unassigned and team', () => {
    expect(inQueueView('mine', { assignee: 'li' }, 'li')).toBe(true);
    expect(inQueueView('mine', { assignee: 'wang' }, 'li')).toBe(false);
    expect(inQueueView('unassigned', { assignee: null }, 'li')).toBe(true);
    expect(inQueueView('unassigned', { assignee: 'li' }, 'li')).toBe(false);
    expect(inQueueView('team', { assignee: 'wang' }, 'li')).toBe(true);
  });
});

describe('account scope', () => {
  const settings: TeamSettings = {
    ...DEFAULT_TEAM_SETTINGS,
    accountGroups: [
      { name: 'north', accounts: ['A00*', 'B777'] },
      { name: 'south', accounts: ['A02*'] },
    ],
  };

  it('an operator without groups sees every account; with groups only theirs (ids and prefixes)', () => {
    expect(scopeOf(undefined, settings)).toBeNull();
    expect(scopeOf([], settings)).toBeNull();
    const north = scopeOf(['north'], settings);
    expect(north).toEqual({ groups: ['north'], patterns: ['A00*', 'B777'] });
    expect(accountInScope(north, 'A007')).toBe(true);
    expect(accountInScope(north, 'B777')).toBe(true);
    expect(accountInScope(north, 'B7770')).toBe(false);
    expect(accountInScope(north, 'A020')).toBe(false);
    expect(accountInScope(north, null)).toBe(false);
    // A group that was deleted leaves the operator with nothing rather than everything.
    expect(scopeOf(['gone'], settings)).toEqual({ groups: ['gone'], patterns: [] });
    expect(accountInScope(scopeOf(['gone'], settings), 'A001')).toBe(false);
  });

  it('an alert is visible when it names an account of the scope; view rows by their account', () => {
    const north = scopeOf(['north'], settings);
    expect(alertInScope(north, { accountIds: ['A001'] })).toBe(true);
    expect(alertInScope(north, { accountIds: ['A020', 'A001'] })).toBe(true);
    expect(alertInScope(north, { accountIds: ['A020'] })).toBe(false);
    expect(alertInScope(north, { accountIds: [] })).toBe(false);
    expect(scopeFilter('market', north)).toBeUndefined();
    expect(scopeFilter('accounts', null)).toBeUndefined();
    expect(scopeFilter('positions', north)!({ accountId: 'A020' })).toBe(false);
    expect(scopeFilter('alerts', north)!({ accountIds: ['A003'] })).toBe(true);
  });
});

describe('settings checks', () => {
  it('accepts the defaults and names what is wrong in one line', () => {
    expect(teamSettingsProblem(DEFAULT_TEAM_SETTINGS)).toBeNull();
    const slow = structuredClone(DEFAULT_TEAM_SETTINGS) as TeamSettings;
    slow.sla.high = { acknowledgeMinutes: 30, resolveMinutes: 10 };
    expect(teamSettingsProblem(slow)).toMatch(/high alerts: the resolve time/);
    const zero = structuredClone(DEFAULT_TEAM_SETTINGS) as TeamSettings;
    zero.sla.low.acknowledgeMinutes = 0;
    expect(teamSettingsProblem(zero)).toMatch(/acknowledge time of low alerts must be 1 to/);
    const twice = {
      ...DEFAULT_TEAM_SETTINGS,
      accountGroups: [
        { name: 'x', accounts: [] },
        { name: 'x', accounts: [] },
      ],
    };
    expect(teamSettingsProblem(twice)).toMatch(/named twice/);
    const bad = { ...DEFAULT_TEAM_SETTINGS, accountGroups: [{ name: 'x', accounts: ['A*1'] }] };
    expect(teamSettingsProblem(bad)).toMatch(/"A\*1" is no account id/);
    expect(parseAccountPatterns('A001, A002\nA00*  A001，B1')).toEqual(['A001', 'A002', 'A00*', 'B1']);
  });
});
