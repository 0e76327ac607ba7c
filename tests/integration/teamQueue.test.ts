// The team workflow (claim, SLA escalation, team settings and account scopes) on both stores a floor runs on: the
// single seat's SQLite log and the team's PostgreSQL (a real server for this file), through the same services a
// host or a team server builds (createAlertServices on createAuthServices). The SLA clock is injected.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertServices, type AlertServices } from '../../main/alerts';
import { createAuthServices, openAuthServices, type AuthServices } from '../../main/auth/authServices';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { openTeamStores } from '../../main/team/teamStores';
import { auditDetails } from '../../main/store/auditLog';
import { DEFAULT_TEAM_SETTINGS, type TeamSettings } from '../../shared/domain/teamWorkflow';
import { usePostgres } from '../support/postgres';
import { caller, selfTradeAlert as alert } from '../support/teamFixtures';

const postgres = usePostgres();
const PASSWORD = 'correct horse 1';
const MIN = 60_000;
const T0 = 1_795_482_000_000;

interface Floor {
  access: AuthServices;
  alerts: AlertServices;
  stop(): Promise<void>;
}

/** Opens the floor's stores (again, for a restart) with the services on them. */
type OpenStores = () => Promise<{ access: AuthServices; close(): Promise<void> }>;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteStores(): Promise<OpenStores> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fw-team-queue-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  return async () => {
    const access = await openAuthServices({
      dataDir,
      app: 'host',
      version: 'test',
      scrypt: TEST_SCRYPT,
      idleLockMs: 0,
    });
    return { access, close: () => access.close() };
  };
}

async function postgresStores(): Promise<OpenStores> {
  const database = await postgres.createDatabase();
  return async () => {
    const stores = await openTeamStores(database.appUrl);
    const access = await createAuthServices(
      { app: 'server', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 },
      { audit: stores.audit, operators: stores.operators },
    );
    return {
      access,
      close: async () => {
        await access.close();
        await stores.close();
      },
    };
  };
}

async function openFloor(open: OpenStores, clock: () => number): Promise<Floor> {
  const { access, close } = await open();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fw-team-queue-rules-'));
  const alerts = await createAlertServices({
    audit: access.audit,
    dataDir,
    auth: access.auth,
    clock,
    slaSweepMs: 0,
  });
  let stopped = false;
  const floor: Floor = {
    access,
    alerts,
    async stop() {
      if (stopped) return;
      stopped = true;
      await alerts.stop();
      await close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  cleanups.push(() => floor.stop());
  return floor;
}

async function staff(floor: Floor) {
  const { auth } = floor.access;
  await auth.setupAdmin(caller('c-admin'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
  const admin = auth.requireActor(caller('c-admin'));
  for (const [username, role] of [
    ['li.op', 'operator'],
    ['wang.op', 'operator'],
    ['zhao.sup', 'supervisor'],
  ] as const) {
    await auth.createOperator(admin, { username, displayName: username, role, password: PASSWORD });
    await auth.login(caller(`c-${username}`), { username, password: PASSWORD });
  }
}

describe.each([
  ['SQLite', sqliteStores],
  ['PostgreSQL', postgresStores],
])('team queue on %s', (_name, stores) => {
  it('two operators claim at once: one wins, the other is told who holds the alert', async () => {
    let now = T0;
    const floor = await openFloor(await stores(), () => now);
    await staff(floor);
    await floor.alerts.workflow.ingest([alert('a1', 'A001')]);
    const claim = floor.alerts.services['alerts.claim']!;
    const both = await Promise.allSettled([
      Promise.resolve(claim({ id: 'a1' }, caller('c-li.op'))),
      Promise.resolve(claim({ id: 'a1' }, caller('c-wang.op'))),
    ]);
    const won = both.filter((r) => r.status === 'fulfilled');
    const lost = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ assignee: string }>).value.assignee;
    expect(lost[0]!.reason).toMatchObject({ code: 'conflict', message: `alert a1 is already claimed by ${winner}` });
    // Claiming one's own alert again changes nothing; the row says who holds it.
    expect(await claim({ id: 'a1' }, caller(`c-${winner}`))).toMatchObject({ assignee: winner });
    const rows = await floor.access.audit.readRows({ actions: ['alert_state_changed'] });
    expect(rows.filter((row) => auditDetails(row).change === 'assign')).toHaveLength(1);
    now += 1;
  });

  it('an overdue alert is escalated to the supervisor role once, as the system, and the audit says why', async () => {
    let now = T0;
    const open = await stores();
    const floor = await openFloor(open, () => now);
    await staff(floor);
    await floor.alerts.workflow.ingest([alert('hi', 'A001', 'high'), alert('lo', 'A002', 'low')]);
    const createdAt = floor.alerts.workflow.row('hi')!.createdAt;
    now = createdAt + 15 * MIN; // due now, not overdue
    expect(await floor.alerts.team.sweepSla()).toBe(0);
    now = createdAt + 15 * MIN + 1;
    expect(await floor.alerts.team.sweepSla()).toBe(1);
    expect(floor.alerts.workflow.row('hi')).toMatchObject({
      state: 'escalated',
      escalatedTo: { kind: 'role', id: 'supervisor' },
    });
    expect(floor.alerts.workflow.row('lo')).toMatchObject({ state: 'new' });
    const [escalation] = (await floor.access.audit.readRows({ actions: ['alert_state_changed'] })).filter(
      (row) => row.target === 'alert:hi',
    );
    expect(escalation).toMatchObject({ operator: 'system', role: 'system' });
    expect(escalation!.reason).toBe('SLA: a high alert not acknowledged within 15 min');
    expect(auditDetails(escalation!)).toMatchObject({ from: 'new', to: 'escalated' });

    // The supervisor hands it back; it stays overdue (shown so) but the sweep does not escalate it a second time,
    // not even after a restart.
    await floor.alerts.workflow.setState(floor.access.auth.requireActor(caller('c-zhao.sup')), {
      id: 'hi',
      state: 'investigating',
    });
    // 300 min on, both are overdue (the high one to be resolved within 240 min, the low one to be acknowledged
    // within 240): only the low one is escalated now.
    now = createdAt + 300 * MIN;
    expect(await floor.alerts.team.sweepSla()).toBe(1);
    expect(floor.alerts.workflow.row('lo')).toMatchObject({ state: 'escalated' });
    expect(floor.alerts.workflow.row('hi')).toMatchObject({ state: 'investigating' });
    await floor.stop();
    const again = await openFloor(open, () => now);
    expect(await again.alerts.team.sweepSla()).toBe(0);
    expect(again.alerts.workflow.row('hi')).toMatchObject({ state: 'investigating' });
  });

  it('settings, groups and scopes are audited and rebuilt after a restart; a scoped operator sees their accounts', async () => {
    let now = T0;
    const open = await stores();
    const floor = await openFloor(open, () => now);
    await staff(floor);
    const services = floor.alerts.services;
    const settings: TeamSettings = {
      sla: { ...DEFAULT_TEAM_SETTINGS.sla, high: { acknowledgeMinutes: 5, resolveMinutes: 60 } },
      accountGroups: [
        { name: 'north', accounts: ['A00*'] },
        { name: 'south', accounts: ['A02*'] },
      ],
    };
    await services['team.updateSettings']!({ settings, reason: 'desk split' }, caller('c-admin'));
    await expect(
      Promise.resolve(services['team.setScope']!({ username: 'li.op', groups: ['west'] }, caller('c-admin'))),
    ).rejects.toMatchObject({ message: 'no account group "west"' });
    await services['team.setScope']!({ username: 'li.op', groups: ['north'] }, caller('c-admin'));
    // What li.op may see changed: their session ended (audited), the next login has the new scope.
    expect(() => floor.access.auth.requireActor(caller('c-li.op'))).toThrow(/not logged in/);
    await floor.access.auth.login(caller('c-li.op'), { username: 'li.op', password: PASSWORD });
    const rows = await floor.access.audit.readRows({ actions: ['team_settings_changed', 'operator_scope_changed'] });
    expect(rows.map((row) => [row.action, row.operator, row.target])).toEqual([
      ['team_settings_changed', 'admin', 'team:settings'],
      ['operator_scope_changed', 'admin', 'operator:li.op'],
    ]);

    await floor.alerts.workflow.ingest([alert('n1', 'A001'), alert('s1', 'A020')]);
    // A supervisor assigning a south alert to a north operator is refused: they could not see it.
    await expect(
      Promise.resolve(services['alerts.assign']!({ id: 's1', assignee: 'li.op' }, caller('c-zhao.sup'))),
    ).rejects.toMatchObject({ message: 'li.op may not see the accounts of alert s1' });
    await expect(
      Promise.resolve(
        services['alerts.setState']!(
          { id: 's1', state: 'escalated', reason: 'r', target: { kind: 'operator', id: 'li.op' } },
          caller('c-zhao.sup'),
        ),
      ),
    ).rejects.toMatchObject({ message: 'li.op may not see the accounts of alert s1' });
    now = floor.alerts.workflow.row('n1')!.createdAt + 6 * MIN;
    expect(await services['team.workload']!({}, caller('c-li.op'))).toMatchObject({
      rows: [{ operator: null, open: 1, overdue: 1 }],
    });
    expect((await services['team.workload']!({}, caller('c-zhao.sup'))).rows[0]).toMatchObject({ open: 2 });

    await floor.stop();
    const again = await openFloor(open, () => now);
    expect(again.alerts.team.teamSettings()).toEqual(settings);
    expect(again.alerts.team.operatorScopes()).toEqual([{ username: 'li.op', groups: ['north'] }]);
    expect(again.alerts.team.scopeOfOperator('li.op', 'operator')).toEqual({ groups: ['north'], patterns: ['A00*'] });
    expect(again.alerts.team.scopeOfOperator('zhao.sup', 'supervisor')).toBeNull();
    // An empty list lifts the scope.
    await again.access.auth.login(caller('c2-admin'), { username: 'admin', password: PASSWORD });
    await again.alerts.services['team.setScope']!({ username: 'li.op', groups: [] }, caller('c2-admin'));
    expect(again.alerts.team.scopeOfOperator('li.op', 'operator')).toBeNull();
    // Changing the groups ends the sessions of the scoped operators (not the supervisor's): they log in again.
    await again.alerts.services['team.setScope']!({ username: 'li.op', groups: ['south'] }, caller('c2-admin'));
    await again.access.auth.login(caller('c2-li'), { username: 'li.op', password: PASSWORD });
    await again.access.auth.login(caller('c2-zhao'), { username: 'zhao.sup', password: PASSWORD });
    const wider = { ...settings, accountGroups: [...settings.accountGroups, { name: 'east', accounts: ['A03*'] }] };
    await again.alerts.services['team.updateSettings']!({ settings: wider }, caller('c2-admin'));
    expect(() => again.access.auth.requireActor(caller('c2-li'))).toThrow(/not logged in/);
    expect(again.access.auth.requireActor(caller('c2-zhao'))).toMatchObject({ operator: 'zhao.sup' });
  });
});
