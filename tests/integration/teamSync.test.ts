// Two servers' state on one PostgreSQL database (a real server for this file), wired as `floorwatch server` wires
// it: each follows the shared audit chain by LISTEN/NOTIFY. A change made through one reaches the other's topics,
// an alert raised by both cores is created once, two moves on one alert at once let one win and tell the other who,
// a four-eyes decision is made once, and a lost LISTEN connection is caught up after it comes back.
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { createAuthServices, type AuthServices } from '../../main/auth/authServices';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { AuditFollower } from '../../main/team/auditFollower';
import { openTeamStores, type TeamStores } from '../../main/team/teamStores';
import type { TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { usePostgres, type TestTeamDatabase } from '../support/postgres';
import { waitUntil } from './support/waitUntil';
import { caller, selfTradeAlert as alert } from '../support/teamFixtures';

const postgres = usePostgres();
const PASSWORD = 'correct horse 1';

interface ServerState {
  stores: TeamStores;
  access: AuthServices;
  workflow: AlertWorkflow;
  follower: AuditFollower;
  /** What the `alerts` topic published (a workstation's view of the queue). */
  alerts: Map<string, AlertRow>;
  actions: TopicUpdate[];
  lines: string[];
  stop(): Promise<void>;
}

const running: ServerState[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

/** One server's stores, services and follower, in the order `floorwatch server` opens them. */
async function openServer(appUrl: string): Promise<ServerState> {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const stores = await openTeamStores(appUrl);
  const follower = new AuditFollower({ audit: stores.audit, url: appUrl, after: (await stores.audit.head()).id, log });
  const access = await createAuthServices(
    { app: 'server', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0, log },
    { audit: stores.audit, operators: stores.operators, shared: follower },
  );
  const workflow = await AlertWorkflow.open({ audit: stores.audit, shared: follower, log });
  follower.follow((rows) => access.applyAuditRows(rows));
  follower.follow((rows) => workflow.applyRows(rows));
  await follower.start();
  const alerts = new Map<string, AlertRow>();
  workflow.subscribe('alerts', (update) => {
    for (const row of update.rows) alerts.set(row.id, row);
  });
  const actions: TopicUpdate[] = [];
  access.topics.actions!.subscribe('actions', (update) => actions.push(update));
  let stopped = false;
  const server: ServerState = {
    stores,
    access,
    workflow,
    follower,
    alerts,
    actions,
    lines,
    async stop() {
      if (stopped) return;
      stopped = true;
      await workflow.stop();
      await access.close();
      await follower.stop();
      await stores.close();
    },
  };
  running.push(server);
  return server;
}

/** Two servers on a fresh database, with an admin, an operator and a supervisor logged in on each. */
async function twoServers(database: TestTeamDatabase) {
  const a = await openServer(database.appUrl);
  const b = await openServer(database.appUrl);
  await a.access.auth.setupAdmin(caller('admin'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
  const admin = a.access.auth.requireActor(caller('admin'));
  for (const [username, role] of [
    ['alice', 'operator'],
    ['bob', 'operator'],
    ['zhao', 'supervisor'],
    ['qian', 'supervisor'],
  ] as const) {
    await a.access.auth.createOperator(admin, { username, displayName: username, role, password: PASSWORD });
  }
  const login = async (server: ServerState, username: string) => {
    await server.access.auth.login(caller(username), { username, password: PASSWORD });
    return server.access.auth.requireActor(caller(username));
  };
  return { a, b, login };
}

describe('several servers on one team database', () => {
  it('share one queue: creation once, changes reach the other server, one of two moves wins', async () => {
    const database = await postgres.createDatabase();
    const { a, b, login } = await twoServers(database);
    const alice = await login(a, 'alice');
    const bob = await login(b, 'bob');

    // Both cores raise the same alert at once: one creation row, both servers show it.
    await Promise.all([a.workflow.ingest([alert('a1'), alert('a2')]), b.workflow.ingest([alert('a1')])]);
    await b.workflow.ingest([alert('a2')]);
    const created = await a.stores.audit.readRows({ actions: ['alert_created'] });
    expect(created.map((row) => row.target).sort()).toEqual(['alert:a1', 'alert:a2']);

    // A move on one server reaches the other's topic within a second.
    const started = performance.now();
    await a.workflow.setState(alice, { id: 'a1', state: 'acknowledged' });
    await waitUntil('a1 acknowledged on b', () => b.alerts.get('a1')?.state === 'acknowledged', 1000, 5);
    const propagationMs = performance.now() - started;
    expect(propagationMs).toBeLessThan(1000);
    expect(b.workflow.get('a1').alert).toMatchObject({ state: 'acknowledged', assignee: 'alice' });
    await b.workflow.addNote(bob, { id: 'a1', text: 'seen from desk 2' });
    await waitUntil('the note on a', () => a.alerts.get('a1')?.notes === 1, 1000, 5);

    // Two operators move a2 at once through two servers: one wins, the other is told who did what.
    const both = await Promise.allSettled([
      a.workflow.setState(alice, { id: 'a2', state: 'acknowledged' }),
      b.workflow.setState(bob, { id: 'a2', state: 'acknowledged' }),
    ]);
    const won = both.filter((result) => result.status === 'fulfilled');
    const lost = both.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<AlertRow>).value.assignee;
    expect(String(lost[0]!.reason.message)).toMatch(
      new RegExp(`alert a2 was acknowledged by ${winner} at \\d\\d:\\d\\d:\\d\\d`),
    );
    const moves = (await a.stores.audit.readRows({ actions: ['alert_state_changed'] })).filter(
      (row) => row.target === 'alert:a2' && !row.details.includes('"assign"'),
    );
    expect(moves).toHaveLength(1);
    await waitUntil('both servers agree on a2', () => a.alerts.get('a2')?.assignee === winner, 1000, 5);
    expect(b.workflow.get('a2').alert).toMatchObject({ state: 'acknowledged', assignee: winner });
    // A move on a state that is stale in one server's memory is refused by the log as well.
    const loserServer = winner === 'alice' ? b : a;
    const loser = winner === 'alice' ? bob : alice;
    await loserServer.workflow.setState(loser, { id: 'a2', state: 'closed', reason: 'false positive' });
    expect(a.workflow.replayProblems).toEqual([]);
    expect(b.workflow.replayProblems).toEqual([]);
    expect((await a.stores.audit.verify()).ok).toBe(true);
  }, 60_000);

  it('decides a four-eyes request once across servers and ends sessions of an account changed elsewhere', async () => {
    const database = await postgres.createDatabase();
    const { a, b, login } = await twoServers(database);
    await login(a, 'alice');
    await login(a, 'zhao');
    await login(b, 'qian');
    await login(b, 'bob');
    const request = await a.access.services['actions.request']!(
      { action: { kind: 'freeze_opening', accountId: 'A001', params: {} }, reason: 'margin call unanswered' },
      caller('alice'),
    );
    await waitUntil('the request on b', () => b.access.accountActions.get(request.id)?.status === 'pending', 1000, 5);
    expect(b.actions.some((u) => u.rows.some((r) => (r as { id: number }).id === request.id))).toBe(true);
    const decisions = await Promise.allSettled([
      a.access.services['actions.approve']!({ requestId: request.id, reason: 'ok' }, caller('zhao')),
      b.access.services['actions.reject']!({ requestId: request.id, reason: 'client paid' }, caller('qian')),
    ]);
    const refused = decisions.filter((d): d is PromiseRejectedResult => d.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.reason.message)).toMatch(
      new RegExp(`request #${request.id} was already (approved by zhao|rejected by qian) at `),
    );
    const decided = (await a.stores.audit.readRows({ actions: ['account_action_approved', 'account_action_rejected'] }))
      .length;
    expect(decided).toBe(1);
    await waitUntil(
      'both books agree',
      () =>
        a.access.accountActions.get(request.id)?.status !== 'pending' &&
        a.access.accountActions.get(request.id)?.status === b.access.accountActions.get(request.id)?.status,
      1000,
      5,
    );

    // An admin on a disables bob: bob's session on b ends as it would on a.
    await login(a, 'admin');
    await a.access.auth.updateOperator(a.access.auth.requireActor(caller('admin')), {
      username: 'bob',
      disabled: true,
    });
    await waitUntil('bob logged out on b', () => b.access.auth.sessions.ofOperator('bob').length === 0, 1000, 5);
  }, 60_000);

  it('catches up after its LISTEN connection is lost', async () => {
    const database = await postgres.createDatabase();
    const { a, b, login } = await twoServers(database);
    const alice = await login(a, 'alice');
    await a.workflow.ingest([alert('a1')]);
    await waitUntil('a1 on b', () => b.alerts.has('a1'), 1000, 5);
    // The database drops every LISTEN connection (a restart, a network cut): b's follower reconnects and reads on.
    const superuser = new pg.Client({ connectionString: database.superuserUrl });
    await superuser.connect();
    try {
      await superuser.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'floorwatch listen' AND datname = $1",
        [database.name],
      );
    } finally {
      await superuser.end();
    }
    await waitUntil('b notices', () => !b.follower.listening, 2000, 5);
    await a.workflow.setState(alice, { id: 'a1', state: 'acknowledged' });
    await waitUntil(
      'a1 acknowledged on b after the reconnect',
      () => b.alerts.get('a1')?.state === 'acknowledged',
      5000,
    );
    expect(b.follower.listening).toBe(true);
    expect(b.lines.join('\n')).toMatch(/LISTEN connection lost .*reconnecting/);
  }, 60_000);
});
