// The auth / four-eyes / audit API methods end to end as the dispatcher will run them: arguments checked against
// the proposed contract schema, guard() for the caller's role, the handler, and the result checked against its
// schema. Every method in authApiMethods is called at least once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure, type CallerContext } from '../../main/api/dispatcher';
import { createAuthHandlers } from '../../main/auth/apiHandlers';
import { SqliteOperatorRepository } from '../../main/auth/operatorRepository';
import { SqliteAuditStore } from '../../main/store/auditStore';
import {
  authApiMethods,
  type AuthApiArgs,
  type AuthApiMethod,
  type AuthApiResult,
} from '../../shared/api/methods/auth';
import { AuthService } from '../../main/auth/authService';
import { AccountActionBook } from '../../main/auth/fourEyes';
import { OperatorStore } from '../../main/auth/operatorStore';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { AuditLog } from '../../main/store/auditLog';

const PASSWORD = 'correct horse 1';
let dir: string;
let audit: AuditLog;
let operators: OperatorStore;
let auth: AuthService;
let call: <M extends AuthApiMethod>(method: M, args: AuthApiArgs<M>, connectionId: string) => Promise<AuthApiResult<M>>;
const called = new Set<string>();

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-authapi-'));
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'));
  operators = OperatorStore.open(path.join(dir, 'operators.sqlite'));
  const store = new SqliteAuditStore(audit);
  auth = new AuthService({ audit: store, operators: new SqliteOperatorRepository(operators), scrypt: TEST_SCRYPT });
  const handlers = createAuthHandlers({ auth, audit: store, accountActions: await AccountActionBook.open(store) });
  const checkers = new Map(
    Object.entries(authApiMethods).map(([name, spec]) => [
      name,
      { args: TypeCompiler.Compile(spec.args), result: TypeCompiler.Compile(spec.result) },
    ]),
  );
  call = async (method, args, connectionId) => {
    const caller: CallerContext = { transport: 'test', connectionId };
    const checker = checkers.get(method);
    if (!checker?.args.Check(args)) throw new ApiFailure('bad_arguments', `${method}: bad arguments`);
    auth.guard(method, caller);
    const handler = handlers[method] as (a: unknown, c: CallerContext) => unknown;
    const result = await handler(args, caller);
    const first = checker.result.Errors(result).First();
    expect(first, `${method} result ${first?.path} ${first?.message}`).toBeUndefined();
    called.add(method);
    return result as AuthApiResult<typeof method>;
  };
});

afterEach(async () => {
  await auth.stop();
  audit.close();
  operators.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('auth API methods', () => {
  it('run through schema, guard and handler, and return what their schemas promise', async () => {
    expect(await call('auth.status', {}, 'admin')).toEqual({ needsSetup: true, session: null });
    const admin = await call(
      'auth.setupAdmin',
      { username: 'admin', displayName: 'Admin', password: PASSWORD },
      'admin',
    );
    await call(
      'operators.create',
      { username: 'op', displayName: 'Op', role: 'operator', password: PASSWORD },
      'admin',
    );
    await call(
      'operators.create',
      { username: 'sup', displayName: 'Sup', role: 'supervisor', password: PASSWORD },
      'admin',
    );
    await call(
      'operators.create',
      { username: 'aud', displayName: 'Aud', role: 'auditor', password: PASSWORD },
      'admin',
    );
    await call('operators.update', { username: 'aud', displayName: 'Auditor' }, 'admin');
    await call('operators.resetPassword', { username: 'sup', password: 'another pass 2' }, 'admin');
    expect((await call('operators.list', {}, 'admin')).map((o) => o.username)).toEqual(['admin', 'aud', 'op', 'sup']);
    await call('auth.resume', { token: admin.token }, 'admin-2');

    await call('auth.login', { username: 'op', password: PASSWORD }, 'op');
    // Every operator sees the enabled operators' names and roles (escalation targets), nothing more.
    expect(await call('operators.directory', {}, 'op')).toContainEqual({
      username: 'sup',
      displayName: expect.any(String),
      role: 'supervisor',
    });
    expect(Object.keys((await call('operators.directory', {}, 'op'))[0]!).sort()).toEqual([
      'displayName',
      'role',
      'username',
    ]);
    await call('auth.login', { username: 'sup', password: 'another pass 2' }, 'sup');
    await call('auth.login', { username: 'aud', password: PASSWORD }, 'aud');

    const request = await call(
      'actions.request',
      { action: { kind: 'freeze_opening', accountId: 'A001', params: {} }, reason: 'margin call' },
      'op',
    );
    const second = await call(
      'actions.request',
      { action: { kind: 'set_order_limit', accountId: 'A001', params: { maxOrderQty: 5 } }, reason: 'bursts' },
      'op',
    );
    expect((await call('actions.pending', {}, 'aud')).map((r) => r.id)).toEqual([request.id, second.id]);
    await expect(call('actions.approve', { requestId: request.id }, 'op')).rejects.toThrow(/operator role may not use/);
    await expect(call('actions.request', { action: request.action, reason: 'x' }, 'aud')).rejects.toThrow(/auditor/);
    const approved = await call('actions.approve', { requestId: request.id, reason: 'ok' }, 'sup');
    expect(approved.delivery.status).toBe('not_sent');
    await call('actions.reject', { requestId: second.id, reason: 'not needed' }, 'sup');
    expect((await call('actions.instructions', { accountId: 'A001' }, 'aud')).map((r) => r.id)).toEqual([request.id]);

    const verified = await call('audit.verify', {}, 'aud');
    expect(verified.ok).toBe(true);
    const exported = await call('audit.export', { format: 'ndjson' }, 'aud');
    expect(exported.content.trimEnd().split('\n')).toHaveLength(exported.rows);
    const recent = await call('audit.recent', { limit: 3 }, 'aud');
    expect(recent.map((r) => r.action)).toEqual(['export', 'audit_verified', 'account_action_rejected']);
    await expect(call('audit.export', { format: 'csv' }, 'op')).rejects.toThrow(
      /operator role may not use audit.export/,
    );

    await call('auth.touch', {}, 'op');
    await call('auth.changePassword', { currentPassword: PASSWORD, newPassword: 'new password 3' }, 'op');
    expect((await call('auth.lock', {}, 'op')).locked).toBe(true);
    expect((await call('auth.unlock', { password: 'new password 3' }, 'op')).locked).toBe(false);
    await call('auth.logout', {}, 'op');
    expect((await call('auth.status', {}, 'op')).session).toBeNull();

    expect([...called].sort()).toEqual(Object.keys(authApiMethods).sort());
    expect(audit.verify().ok).toBe(true);
  });
});
