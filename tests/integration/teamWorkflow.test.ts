// The alert workflow, four eyes and operators on the team's PostgreSQL (a real server for this file): the same
// services a workstation runs on SQLite, behind the same asynchronous interfaces. Every action is durable when it
// resolves, concurrent moves on one alert let one win, and the objects rebuilt after a restart show the same floor.
import { afterEach, describe, expect, it } from 'vitest';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { createAuthServices, type AuthServices } from '../../main/auth/authServices';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { openTeamStores, type TeamStores } from '../../main/team/teamStores';
import { usePostgres } from '../support/postgres';
import { caller, selfTradeAlert as alert } from '../support/teamFixtures';

const postgres = usePostgres();
const PASSWORD = 'correct horse 1';

interface TeamFloor {
  stores: TeamStores;
  access: AuthServices;
  workflow: AlertWorkflow;
  stop(): Promise<void>;
}

const running: TeamFloor[] = [];
afterEach(async () => {
  for (const floor of running.splice(0)) await floor.stop();
});

/** What a team server opens at start: the stores on the app's role, the auth services, the workflow. */
async function openFloor(appUrl: string): Promise<TeamFloor> {
  const stores = await openTeamStores(appUrl);
  const access = await createAuthServices(
    { app: 'server', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 },
    { audit: stores.audit, operators: stores.operators },
  );
  const workflow = await AlertWorkflow.open({
    audit: stores.audit,
    isOperator: async (name) => (await access.auth.listOperators()).some((o) => o.username === name && !o.disabled),
  });
  let stopped = false;
  const floor: TeamFloor = {
    stores,
    access,
    workflow,
    async stop() {
      if (stopped) return;
      stopped = true;
      await workflow.stop();
      await access.close();
      await stores.close();
    },
  };
  running.push(floor);
  return floor;
}

describe('alert workflow and four eyes on PostgreSQL', () => {
  it('creates, acknowledges, assigns, notes and approves durably, and rebuilds the same after a restart', async () => {
    const database = await postgres.createDatabase();
    const first = await openFloor(database.appUrl);
    const { auth } = first.access;
    await auth.setupAdmin(caller('c-admin'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
    const admin = auth.requireActor(caller('c-admin'));
    await auth.createOperator(admin, { username: 'li.op', displayName: 'Li', role: 'operator', password: PASSWORD });
    await auth.createOperator(admin, {
      username: 'zhao.sup',
      displayName: 'Zhao',
      role: 'supervisor',
      password: PASSWORD,
    });
    await auth.login(caller('c-li'), { username: 'li.op', password: PASSWORD });
    await auth.login(caller('c-zhao'), { username: 'zhao.sup', password: PASSWORD });
    const li = auth.requireActor(caller('c-li'));
    const zhao = auth.requireActor(caller('c-zhao'));

    await first.workflow.ingest([alert('a1'), alert('a2')]);
    await first.workflow.ingest([alert('a1')]); // the core sends it again: not created twice
    // Two operators acknowledge at once: one wins, the other is told the alert is acknowledged already.
    const both = await Promise.allSettled([
      first.workflow.setState(li, { id: 'a1', state: 'acknowledged' }),
      first.workflow.setState(zhao, { id: 'a1', state: 'acknowledged' }),
    ]);
    expect(both.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(String((both[1] as PromiseRejectedResult).reason)).toMatch(/already acknowledged/);
    expect(await first.workflow.assign(li, { id: 'a1', assignee: 'zhao.sup' })).toMatchObject({
      assignee: 'zhao.sup',
    });
    expect(await first.workflow.addNote(zhao, { id: 'a1', text: 'called the client' })).toMatchObject({ notes: 1 });
    await expect(
      first.workflow.setState(li, { id: 'a2', state: 'escalated', reason: 'r', target: { kind: 'operator', id: 'x' } }),
    ).rejects.toThrow(/no enabled operator "x"/);
    await first.workflow.setState(li, {
      id: 'a2',
      state: 'escalated',
      reason: 'looks coordinated',
      target: { kind: 'operator', id: 'zhao.sup' },
    });

    const services = first.access.services;
    const freeze = { action: { kind: 'freeze_opening' as const, accountId: 'A001', params: {} }, reason: 'margin' };
    const request = await services['actions.request']!(freeze, caller('c-li'));
    await expect(
      Promise.resolve(services['actions.approve']!({ requestId: request.id }, caller('c-li'))),
    ).rejects.toThrow(/may not decide/);
    const approved = await services['actions.approve']!({ requestId: request.id, reason: 'ok' }, caller('c-zhao'));
    expect(approved.request).toMatchObject({ status: 'approved', decidedBy: 'zhao.sup', requestedBy: 'li.op' });

    // Durable: a second server on the same database sees every row already.
    const other = await openTeamStores(database.appUrl);
    try {
      const actions = (await other.audit.readRows()).map((row) => row.action);
      expect(actions.filter((action) => action === 'alert_created')).toHaveLength(2);
      expect(actions).toEqual(
        expect.arrayContaining(['note_added', 'account_action_requested', 'account_action_approved']),
      );
    } finally {
      await other.close();
    }

    // A restart of the objects (a server killed and started again): the same floor, rebuilt from the database.
    await first.stop();
    const second = await openFloor(database.appUrl);
    expect(second.workflow.replayProblems).toEqual([]);
    const a1 = second.workflow.get('a1');
    expect(a1.alert).toMatchObject({ id: 'a1', state: 'acknowledged', assignee: 'zhao.sup', notes: 1 });
    expect(a1.history).toEqual([expect.objectContaining({ operator: 'li.op', from: 'new', to: 'acknowledged' })]);
    expect(a1.notes[0]).toMatchObject({ operator: 'zhao.sup', text: 'called the client' });
    expect(second.workflow.get('a2').alert).toMatchObject({
      state: 'escalated',
      escalatedTo: { kind: 'operator', id: 'zhao.sup' },
    });
    expect(second.access.accountActions.get(request.id)).toMatchObject({ status: 'approved', decidedBy: 'zhao.sup' });
    expect(second.access.accountActions.controls('A001').openingFrozen).toBe(true);
    expect(second.access.auditCheck.ok).toBe(true);
    // The operators came back too: the same password logs in; the first start is over.
    expect((await second.access.auth.status(caller('c-new'))).needsSetup).toBe(false);
    await second.access.auth.login(caller('c-new'), { username: 'li.op', password: PASSWORD });
    expect((await second.access.audit.verify()).ok).toBe(true);
  }, 60_000);
});
