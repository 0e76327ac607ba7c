// Account scoping over the real host: a real core (the embedded simulator, accounts A001–A050), the operators and
// audit log on SQLite, the alert services, and windows on the WebSocket bridge. An operator limited to the group
// "north" (A001–A009) calls every method of the API contract and subscribes to every topic; nothing of another
// account reaches them, while a supervisor on the same host sees the whole floor (so the checks can fail).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertServices, type AlertServices } from '../../main/alerts';
import { METHOD_SCOPING, TOPIC_SCOPING } from '../../main/api/accountScope';
import { openAuthServices, type WorkstationAuthServices } from '../../main/auth/authServices';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { CoreProcess } from '../../main/core/coreProcess';
import { startHost, type HostHandle } from '../../main/host/server';
import { apiMethods, TOPICS, type ApiMethod, type TopicName } from '../../shared/api/contract';
import type { ViewFrame } from '../../shared/views/spec';
import { DEFAULT_TEAM_SETTINGS } from '../../shared/domain/teamWorkflow';
import { ApiSocket } from '../../main/api/apiSocket';
import { waitUntil } from './support/waitUntil';
import { selfTradeAlert as alert } from '../support/teamFixtures';

const PASSWORD = 'correct horse 1';
/** Any account of the floor outside "north" (A001–A009). */
const FOREIGN = /\bA0[1-5]\d\b/;
const FOREIGN_ALERT = 'south-self-trade-A020';
const OWN_ALERT = 'north-self-trade-A001';

const VIEW = { spec: {}, range: { start: 0, end: 1000 } };
const freeze = (accountId: string) => ({
  action: { kind: 'freeze_opening', accountId, params: {} },
  reason: 'margin call unanswered',
});

/**
 * Each method's arguments aimed at another group's data (its alert, its account); null for a call that would end
 * or change the caller's own session (they carry only that session: METHOD_SCOPING says 'none', checked below).
 */
const AIMED_ELSEWHERE: Record<ApiMethod, unknown> = {
  'app.info': {},
  'window.open': { kind: 'alerts' },
  'link.set': { channel: 'blue', context: { type: 'fdc3.account', id: { accountId: 'A020' } } },
  'feed.reconnect': {},
  'auth.status': {},
  'auth.setupAdmin': { username: 'x', displayName: 'x', password: PASSWORD },
  'auth.login': null,
  'auth.resume': null,
  'auth.logout': null,
  'auth.lock': null,
  'auth.unlock': { password: 'wrong password 1' },
  'auth.touch': {},
  'auth.changePassword': { currentPassword: 'wrong password 1', newPassword: 'another horse 22' },
  'operators.list': {},
  'operators.directory': {},
  'operators.create': { username: 'y', displayName: 'y', role: 'operator', password: PASSWORD },
  'operators.update': { username: 'south.op', disabled: true },
  'operators.resetPassword': { username: 'south.op', password: PASSWORD },
  'alerts.get': { id: FOREIGN_ALERT },
  'alerts.setState': { id: FOREIGN_ALERT, state: 'acknowledged' },
  'alerts.assign': { id: FOREIGN_ALERT, assignee: 'north.op' },
  'alerts.addNote': { id: FOREIGN_ALERT, text: 'peek' },
  'alerts.claim': { id: FOREIGN_ALERT },
  'cases.window': { alertId: FOREIGN_ALERT },
  'accounts.detail': { accountId: 'A020' },
  'accounts.counters': { accountId: 'A020' },
  'actions.request': freeze('A020'),
  'actions.approve': { requestId: 1 },
  'actions.reject': { requestId: 1, reason: 'no' },
  'actions.pending': {},
  'actions.instructions': { accountId: 'A020' },
  'audit.verify': {},
  'audit.export': { format: 'csv' },
  'audit.recent': { limit: 500 },
  'reports.start': { kind: 'evidence', alertId: FOREIGN_ALERT },
  'reports.jobs': {},
  'reports.cancel': { jobId: 'j1' },
  'reports.exports': {},
  'reports.deliver': { name: 'x.pdf', how: 'download' },
  'rules.get': {},
  'rules.whatIf': { overrides: {} },
  'rules.adopt': { overrides: {}, reason: 'r' },
  'sessions.list': {},
  'sessions.open': { file: 'nowhere.fwsession' },
  'sessions.live': {},
  'replay.control': { action: 'pause' },
  'settings.policy': {},
  'settings.update': { changes: {}, reason: 'r' },
  'views.open': { source: 'accounts', ...VIEW },
  'views.update': { viewId: 'v1', range: { start: 0, end: 1000 } },
  'views.rows': { viewId: 'v1', range: { start: 0, end: 1000 } },
  'views.find': { viewId: 'v1', key: 'A020' },
  'views.close': { viewId: 'nope' },
  'team.settings': {},
  'team.updateSettings': { settings: DEFAULT_TEAM_SETTINGS },
  'team.scopes': {},
  'team.setScope': { username: 'north.op', groups: [] },
  'team.workload': {},
};

describe('account scoping across the whole API', () => {
  let dataDir: string;
  let access: WorkstationAuthServices;
  let alerts: AlertServices;
  let core: CoreProcess;
  let host: HostHandle;
  const sockets: ApiSocket[] = [];

  const loggedIn = async (username: string) => {
    const socket = await ApiSocket.open(
      `ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(host.token)}`,
      host.origin,
    );
    sockets.push(socket);
    await socket.call('auth.login', { username, password: PASSWORD });
    return socket;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fw-scope-'));
    access = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 });
    core = await CoreProcess.start({
      simulator: { seed: 7, rate: 2_000 },
      publishIntervalMs: 50,
      recording: false,
      log: () => {},
    });
    alerts = await createAlertServices({ audit: access.audit, dataDir, auth: access.auth, slaSweepMs: 0 });
    alerts.workflow.attach(core);
    alerts.follow(core);
    host = await startHost({
      port: 0,
      core,
      access: {
        gate: access.gate,
        services: { ...access.services, ...alerts.services },
        topics: { ...access.topics, ...alerts.topics },
        sessionToken: access.sessionToken,
        scoping: alerts.team,
      },
      staticDir: dataDir,
      version: 'test',
      log: () => {},
    });
    const setup = await ApiSocket.open(
      `ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(host.token)}`,
      host.origin,
    );
    sockets.push(setup);
    await setup.call('auth.setupAdmin', { username: 'admin', displayName: 'Admin', password: PASSWORD });
    for (const [username, role] of [
      ['north.op', 'operator'],
      ['north2.op', 'operator'],
      ['south.op', 'operator'],
      ['zhao.sup', 'supervisor'],
    ]) {
      await setup.call('operators.create', { username, displayName: username, role, password: PASSWORD });
    }
    await setup.call('team.updateSettings', {
      settings: {
        ...DEFAULT_TEAM_SETTINGS,
        accountGroups: [
          { name: 'north', accounts: ['A00*'] },
          { name: 'south', accounts: ['A02*'] },
        ],
      },
    });
    for (const username of ['north.op', 'north2.op']) {
      await setup.call('team.setScope', { username, groups: ['north'] });
    }
    await setup.call('team.setScope', { username: 'south.op', groups: ['south'] });
    await alerts.workflow.ingest([alert(OWN_ALERT, 'A001'), alert(FOREIGN_ALERT, 'A020')]);
    await waitUntil('accounts in the core', () => core.current('market').some((row) => row.last !== null), 10_000);
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) await socket.close();
    await host?.stop();
    await alerts?.stop();
    await core?.stop();
    await access?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('classifies every method and topic of the contract', () => {
    expect(Object.keys(METHOD_SCOPING).sort()).toEqual(Object.keys(apiMethods).sort());
    expect(Object.keys(TOPIC_SCOPING).sort()).toEqual([...TOPICS].sort());
    for (const [method, args] of Object.entries(AIMED_ELSEWHERE)) {
      if (args === null) expect(METHOD_SCOPING[method as ApiMethod].kind, method).toBe('none');
    }
  });

  it('no method answers a north operator with another group’s alert or account', async () => {
    const north = await loggedIn('north.op');
    const supervisor = await loggedIn('zhao.sup');
    // Another group's work exists: a four-eyes request on A020 (approved: a restriction), a pick of A020.
    const admin = await loggedIn('admin');
    const request = (await supervisor.call('actions.request', freeze('A020'))) as { id: number };
    await admin.call('actions.approve', { requestId: request.id, reason: 'ok' });
    await supervisor.call('actions.request', freeze('A021'));
    await supervisor.call('link.set', { channel: 'red', context: { type: 'fdc3.account', id: { accountId: 'A020' } } });
    // The supervisor sees it all (the same calls can show another group's data).
    expect(await supervisor.call('alerts.get', { id: FOREIGN_ALERT })).toMatchObject({ alert: { id: FOREIGN_ALERT } });
    expect(JSON.stringify(await supervisor.call('actions.pending'))).toMatch(FOREIGN);
    expect(await supervisor.call('accounts.detail', { accountId: 'A020' })).toMatchObject({
      account: { accountId: 'A020' },
    });

    const answered: string[] = [];
    for (const [method, args] of Object.entries(AIMED_ELSEWHERE) as [ApiMethod, unknown][]) {
      if (args === null) continue;
      let result: unknown;
      try {
        result = await north.call(method, args);
      } catch (error) {
        // Refused: the refusal must not carry the data either.
        expect(JSON.stringify(error), method).not.toMatch(/self-trades of A0[1-5]/);
        continue;
      }
      answered.push(method);
      expect(JSON.stringify(result) ?? '', method).not.toMatch(FOREIGN);
      expect(JSON.stringify(result) ?? '', method).not.toContain(FOREIGN_ALERT);
    }
    // Whatever carries accounts answered with the north's share, not with a refusal of everything.
    expect(answered).toEqual(
      expect.arrayContaining([
        'actions.pending',
        'team.settings',
        'team.workload',
        'views.open',
        'operators.directory',
      ]),
    );
    await expect(north.call('alerts.get', { id: FOREIGN_ALERT })).rejects.toMatchObject({
      message: `no alert "${FOREIGN_ALERT}" on this workstation`,
    });
    await expect(north.call('accounts.detail', { accountId: 'A020' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(north.call('reports.jobs')).rejects.toMatchObject({ code: 'forbidden' });
    // Their own alert and account work as before.
    expect(await north.call('alerts.get', { id: OWN_ALERT })).toMatchObject({ alert: { id: OWN_ALERT } });
    const detail = (await north.call('accounts.detail', { accountId: 'A001' })) as { groupAccountIds: string[] };
    expect(JSON.stringify(detail)).not.toMatch(FOREIGN);
    expect(detail.groupAccountIds).toContain('A001');
    expect(await north.call('team.settings')).toMatchObject({ accountGroups: [{ name: 'north' }] });
    const accounts = (await north.call('views.open', { source: 'accounts', ...VIEW })) as ViewFrame;
    expect(accounts.total).toBe(9);
    const everyone = (await supervisor.call('views.open', { source: 'accounts', ...VIEW })) as ViewFrame;
    expect(everyone.total).toBeGreaterThan(40);
    const queue = (await north.call('views.open', { source: 'alerts', ...VIEW })) as ViewFrame;
    expect(queue.keys).toContain(OWN_ALERT);
    expect(await north.call('views.find', { viewId: queue.viewId, key: FOREIGN_ALERT })).toEqual({ index: -1 });
  }, 60_000);

  it('no topic carries another group’s rows to a north operator', async () => {
    const north = await loggedIn('north.op');
    const supervisor = await loggedIn('zhao.sup');
    for (const topic of TOPICS) {
      north.subscribe(topic);
      supervisor.subscribe(topic);
    }
    await north.call('views.open', { source: 'positions', ...VIEW });
    await north.call('views.open', { source: 'alerts', ...VIEW });
    await supervisor.call('actions.request', freeze('A022'));
    // Wait until the supervisor received another group's rows on every topic that carries accounts.
    const carrying: TopicName[] = ['positions', 'accounts', 'alerts', 'actions', 'restrictions', 'links'];
    await waitUntil(
      'another group’s rows reach the supervisor on every account topic',
      () =>
        carrying.every((topic) =>
          supervisor.updates.some((u) => u.topic === topic && FOREIGN.test(JSON.stringify(u.rows))),
        ),
      15_000,
    );
    await waitUntil(
      'the north operator gets their own rows',
      () => ['positions', 'accounts', 'alerts', 'views'].every((t) => north.updates.some((u) => u.topic === t)),
      15_000,
    );
    for (const update of north.updates) {
      expect(JSON.stringify(update), update.topic).not.toMatch(FOREIGN);
    }
    const ownAccounts = north.updates.filter((u) => u.topic === 'accounts').flatMap((u) => u.rows);
    expect(ownAccounts.length).toBeGreaterThan(0);
  }, 60_000);

  it('two operators claim one alert at once over the bridge: one wins, the other is told who', async () => {
    const first = await loggedIn('north.op');
    const second = await loggedIn('north2.op');
    await alerts.workflow.ingest([alert('north-race-A002', 'A002')]);
    const results = await Promise.allSettled([
      first.call('alerts.claim', { id: 'north-race-A002' }),
      second.call('alerts.claim', { id: 'north-race-A002' }),
    ]);
    const won = results.filter((r): r is PromiseFulfilledResult<unknown> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    const winner = (won[0]!.value as { assignee: string }).assignee;
    expect(['north.op', 'north2.op']).toContain(winner);
    expect(lost[0]!.reason).toEqual({
      code: 'conflict',
      message: `alert north-race-A002 is already claimed by ${winner}`,
    });
  });
});
