// The alerts services behind the API as the apps wire them: arguments checked against the contract, the caller's
// role checked by the auth service (the permissions table), the operator taken from the caller's session. Raw
// alerts arrive from a core topic; the workflow, the what-if/adopt thresholds and case review answer; a restart
// rebuilds the workflow from the audit log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertServices, inlineWhatIfRunner, type AlertServices } from '../../main/alerts';
import { ApiFailure, type CallerContext } from '../../main/api/dispatcher';
import { TopicHub } from '../../main/api/topicHub';
import { AuthService } from '../../main/auth/authService';
import { OperatorStore } from '../../main/auth/operatorStore';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { SqliteOperatorRepository } from '../../main/auth/operatorRepository';
import { apiMethods, type ApiArgs, type ApiMethod, type ApiResult, type TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { caller } from '../support/teamFixtures';

const PASSWORD = 'correct horse 1';
let dir: string;
let audit: AuditLog;
let operators: OperatorStore;
let auth: AuthService;
let core: TopicHub;
let alerts: AlertServices;
const checkers = new Map(Object.entries(apiMethods).map(([name, spec]) => [name, TypeCompiler.Compile(spec.args)]));
async function start(): Promise<void> {
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'));
  operators = OperatorStore.open(path.join(dir, 'operators.sqlite'));
  const store = new SqliteAuditStore(audit);
  auth = new AuthService({ audit: store, operators: new SqliteOperatorRepository(operators), scrypt: TEST_SCRYPT });
  core = new TopicHub();
  alerts = await createAlertServices({
    audit: store,
    dataDir: dir,
    core,
    auth,
    currentSessionFile: () => null,
    whatIfRunner: inlineWhatIfRunner,
  });
}

async function stop(): Promise<void> {
  await alerts.stop();
  await auth.stop();
  audit.close();
  operators.close();
}

/** The dispatcher's path: schema check, the auth guard, the handler. */
async function call<M extends ApiMethod>(method: M, args: ApiArgs<M>, connectionId: string): Promise<ApiResult<M>> {
  if (!checkers.get(method)!.Check(args)) throw new ApiFailure('bad_arguments', `${method}: bad arguments`);
  auth.guard(method, caller(connectionId));
  const handler = alerts.services[method] as unknown as (a: unknown, c: CallerContext) => unknown;
  return (await handler(args, caller(connectionId))) as ApiResult<M>;
}

function rawAlert(id: string): AlertRow {
  return {
    id,
    rule: 'frequent_cancel',
    subjectType: 'account',
    subjectId: 'A7',
    accountIds: ['A7'],
    instrumentId: 'IF2612',
    exchange: 'CFFEX',
    severity: 'medium',
    score: 55,
    firstSeq: 3,
    lastSeq: 900,
    count: 400,
    threshold: 400,
    tradingDay: '20261124',
    message: '400 cancels on IF2612 today (threshold 400)',
    messageZh: 'IF2612 今日撤单 400 次（阈值 400）',
    evidence: [3, 4, 5],
    metrics: {},
    state: 'new',
    assignee: null,
    notes: 0,
    createdAt: 0,
    updatedAt: 0,
    firstTs: 1_795_482_000_000,
  };
}

/** The core raises alerts; resolves once the workflow has audited and published them. */
async function publishRaw(rows: AlertRow[]): Promise<void> {
  const now = Date.now();
  core.publish({ topic: 'alerts', snapshot: false, rows, removed: [], at: now, sourceTs: now });
  await alerts.workflow.settled();
}

async function logIn(): Promise<void> {
  await auth.setupAdmin(caller('c-admin'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
  const admin = auth.requireActor(caller('c-admin'));
  await auth.createOperator(admin, { username: 'li.wei', displayName: 'Li Wei', role: 'operator', password: PASSWORD });
  await auth.createOperator(admin, {
    username: 'zhao.min',
    displayName: 'Zhao Min',
    role: 'supervisor',
    password: PASSWORD,
  });
  await auth.login(caller('c-op'), { username: 'li.wei', password: PASSWORD });
  await auth.login(caller('c-sup'), { username: 'zhao.min', password: PASSWORD });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-alerts-int-'));
  await start();
});
afterEach(async () => {
  await stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('alerts services behind the API', () => {
  it('serve the merged alerts topic and record each action under the caller’s operator', async () => {
    await logIn();
    const seen: TopicUpdate<'alerts'>[] = [];
    alerts.topics.alerts!.subscribe('alerts', (u) => seen.push(u));
    await publishRaw([rawAlert('x1')]);
    expect(seen.at(-1)!.rows[0]).toMatchObject({ id: 'x1', state: 'new', count: 400 });

    await call('alerts.setState', { id: 'x1', state: 'acknowledged' }, 'c-op');
    await call('alerts.setState', { id: 'x1', state: 'investigating' }, 'c-op');
    await call('alerts.addNote', { id: 'x1', text: 'client says algo misfire' }, 'c-op');
    await call('alerts.assign', { id: 'x1', assignee: 'zhao.min' }, 'c-op');
    await expect(call('alerts.setState', { id: 'x1', state: 'closed' }, 'c-op')).rejects.toThrow(/rationale/);
    const closed = await call('alerts.setState', { id: 'x1', state: 'closed', reason: 'algo fixed, warned' }, 'c-op');
    expect(closed).toMatchObject({ state: 'closed', assignee: 'zhao.min', notes: 1 });
    expect(seen.at(-1)!.rows[0]).toMatchObject({ id: 'x1', state: 'closed' });

    const rows = audit.readRows({ actions: ['alert_created', 'alert_state_changed', 'note_added'] });
    expect(rows.map((r) => `${r.operator}:${r.action}`)).toEqual([
      'system:alert_created',
      'li.wei:alert_state_changed',
      'li.wei:alert_state_changed', // acknowledging the unassigned alert assigned it to li.wei
      'li.wei:alert_state_changed',
      'li.wei:note_added',
      'li.wei:alert_state_changed',
      'li.wei:alert_state_changed',
    ]);
    expect(rows.at(-1)!.reason).toBe('algo fixed, warned');
    expect(JSON.parse(String(rows[2]!.details))).toMatchObject({
      change: 'assign',
      assignee: 'li.wei',
      previous: null,
    });

    // a connection nobody logged in on may not act; an unknown id is a clear error
    await expect(
      call('alerts.setState', { id: 'x1', state: 'investigating', reason: 'r' }, 'c-nobody'),
    ).rejects.toThrow(/not logged in/);
    await expect(call('alerts.get', { id: 'nope' }, 'c-op')).rejects.toThrow(/no alert "nope"/);

    // after a restart the workflow comes back from the audit log
    await stop();
    await start();
    await auth.login(caller('c-sup'), { username: 'zhao.min', password: PASSWORD });
    const again = await call('alerts.get', { id: 'x1' }, 'c-sup');
    expect(again.alert).toMatchObject({ state: 'closed', assignee: 'zhao.min', notes: 1, rule: 'frequent_cancel' });
    expect(again.history.map((h) => h.to)).toEqual(['acknowledged', 'investigating', 'closed']);
    const reopened = await call(
      'alerts.setState',
      { id: 'x1', state: 'investigating', reason: 'repeat today' },
      'c-sup',
    );
    expect(reopened.state).toBe('investigating');
    await publishRaw([rawAlert('x1')]);
    expect(audit.readRows({ actions: ['alert_created'] })).toHaveLength(1);
  });

  it('let a supervisor adopt thresholds and refuse an operator', async () => {
    await logIn();
    const overrides = { exchanges: { CFFEX: { rules: { frequent_cancel: { threshold: 350 } } } } };
    await expect(call('rules.adopt', { overrides, reason: 'capacity' }, 'c-op')).rejects.toMatchObject({
      code: 'forbidden',
    });
    const adopted = await call('rules.adopt', { overrides, reason: 'CCO memo 2026-11' }, 'c-sup');
    expect(adopted.config.exchanges?.CFFEX?.rules?.frequent_cancel?.threshold).toBe(350);
    const info = await call('rules.get', {}, 'c-op');
    expect(info.version).toBe(adopted.version);
    expect(info.userFile).toBe(path.join(dir, 'rules.json'));
    const [row] = audit.readRows({ actions: ['thresholds_changed'] });
    expect(row).toMatchObject({ operator: 'zhao.min', role: 'supervisor', reason: 'CCO memo 2026-11' });
    // refusals of the operator are in the log too (by the guard)
    expect(audit.readRows({ actions: ['api_rejected'] }).some((r) => r.operator === 'li.wei')).toBe(true);
  });
});
