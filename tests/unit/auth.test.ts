import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../main/api/dispatcher';
import { authApiMethods } from '../../shared/api/methods/auth';
import { AuthService } from '../../main/auth/authService';
import { OperatorStore } from '../../main/auth/operatorStore';
import {
  hashPassword,
  needsRehash,
  parsePasswordHash,
  passwordProblem,
  TEST_SCRYPT,
  verifyPassword,
} from '../../main/auth/passwords';
import {
  authorize,
  LOCKED_SESSION_METHODS,
  methodsFor,
  PERMISSIONS,
  PUBLIC_METHODS,
  ROLES,
  type Role,
} from '../../main/auth/permissions';
import { AuditLog, auditDetails, type AuditRow } from '../../main/store/auditLog';
import { apiMethods } from '../../shared/api/contract';

const PASSWORD = 'correct horse 1';

let dir: string;
let audit: AuditLog;
let operators: OperatorStore;
let now: number;
const services: AuthService[] = [];

function makeAuth(options: { idleLockMs?: number } = {}): AuthService {
  const service = new AuthService({ audit, operators, clock: () => now, scrypt: TEST_SCRYPT, ...options });
  services.push(service);
  return service;
}

const caller = (connectionId: string) => ({ connectionId, transport: 'test' as const });

function rows(action?: string): AuditRow[] {
  return audit.readRows(action ? { actions: [action] } : {});
}

async function refusal(promise: Promise<unknown> | (() => unknown)): Promise<ApiFailure> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFailure);
    return error as ApiFailure;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-auth-'));
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'), { clock: () => now });
  operators = OperatorStore.open(path.join(dir, 'operators.sqlite'));
  now = 1_795_000_000_000;
});

afterEach(() => {
  for (const service of services.splice(0)) service.stop();
  audit.close();
  operators.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('passwords', () => {
  it('hashes with scrypt, a random salt and the parameters stored alongside', async () => {
    const one = await hashPassword(PASSWORD, TEST_SCRYPT);
    const two = await hashPassword(PASSWORD, TEST_SCRYPT);
    expect(one).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(one).not.toBe(two);
    expect(await verifyPassword(PASSWORD, one)).toBe(true);
    expect(await verifyPassword(PASSWORD, two)).toBe(true);
    expect(await verifyPassword('correct horse 2', one)).toBe(false);
    expect(await verifyPassword('', one)).toBe(false);
  });

  it('normalises to NFKC, so full-width input matches', async () => {
    const stored = await hashPassword('Password12', TEST_SCRYPT);
    expect(await verifyPassword('Ｐａｓｓｗｏｒｄ１２', stored)).toBe(true);
  });

  it('never matches a malformed or out-of-bounds hash', async () => {
    const stored = await hashPassword(PASSWORD, TEST_SCRYPT);
    expect(await verifyPassword(PASSWORD, 'plaintext')).toBe(false);
    expect(await verifyPassword(PASSWORD, stored.replace('ln=10', 'ln=30'))).toBe(false);
    expect(parsePasswordHash(stored.replace('ln=10', 'ln=30'))).toBeNull();
    expect(await verifyPassword(PASSWORD, stored.slice(0, -4))).toBe(false);
  });

  it('knows when a hash is weaker than the current parameters, and enforces a length', async () => {
    const weak = await hashPassword(PASSWORD, TEST_SCRYPT);
    expect(needsRehash(weak, { ln: 17, r: 8, p: 1 })).toBe(true);
    expect(needsRehash(weak, TEST_SCRYPT)).toBe(false);
    expect(passwordProblem('short')).toMatch(/at least 8/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most 256/);
    expect(passwordProblem('long enough')).toBeNull();
  });
});

describe('first start', () => {
  it('requires an admin, allows setup exactly once, and logs the admin in', async () => {
    const auth = makeAuth();
    expect(auth.status(caller('w1'))).toEqual({ needsSetup: true, session: null });
    const admin = await auth.setupAdmin(caller('w1'), {
      username: 'Zhang.Min',
      displayName: '张敏',
      password: PASSWORD,
    });
    expect(admin).toMatchObject({ operator: 'zhang.min', displayName: '张敏', role: 'admin', locked: false });
    expect(admin.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.status(caller('w1'))).toMatchObject({ needsSetup: false, session: { operator: 'zhang.min' } });
    expect(
      (await refusal(auth.setupAdmin(caller('w2'), { username: 'x.y', displayName: 'X', password: PASSWORD }))).message,
    ).toMatch(/setup is done/);
    expect(rows().map((r) => r.action)).toEqual(['admin_created', 'login']);
    expect(operators.get('zhang.min')?.passwordHash).toMatch(/^\$scrypt\$/);
  });

  it('lets only one of two racing setups through', async () => {
    const auth = makeAuth();
    const results = await Promise.allSettled([
      auth.setupAdmin(caller('w1'), { username: 'first', displayName: 'First', password: PASSWORD }),
      auth.setupAdmin(caller('w2'), { username: 'second', displayName: 'Second', password: PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(operators.count()).toBe(1);
  });

  it('refuses bad user names and weak passwords', async () => {
    const auth = makeAuth();
    expect(
      (await refusal(auth.setupAdmin(caller('w'), { username: 'a b', displayName: 'A', password: PASSWORD }))).code,
    ).toBe('bad_arguments');
    expect(
      (await refusal(auth.setupAdmin(caller('w'), { username: 'ab', displayName: 'A', password: 'short' }))).message,
    ).toMatch(/at least 8/);
    expect(operators.count()).toBe(0);
  });
});

describe('login', () => {
  let auth: AuthService;
  beforeEach(async () => {
    auth = makeAuth();
    await auth.setupAdmin(caller('setup'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
    auth.logout(caller('setup'));
    const adminActor = {
      operator: 'admin',
      displayName: 'Admin',
      role: 'admin' as const,
      sessionId: 's',
      connectionId: 'setup',
    };
    await auth.createOperator(adminActor, {
      username: 'li.wei',
      displayName: '李伟',
      role: 'operator',
      password: PASSWORD,
    });
  });

  it('refuses a wrong password and an unknown user with the same message, and audits both', async () => {
    const wrong = await refusal(auth.login(caller('w1'), { username: 'li.wei', password: 'wrong password' }));
    const unknown = await refusal(auth.login(caller('w1'), { username: 'nobody', password: PASSWORD }));
    expect(wrong.message).toBe('wrong user name or password');
    expect(unknown.message).toBe(wrong.message);
    expect(auth.status(caller('w1')).session).toBeNull();
    const failed = rows('login_failed');
    expect(failed.map((r) => [r.operator, auditDetails(r).reason])).toEqual([
      ['li.wei', 'wrong_password'],
      ['nobody', 'unknown_operator'],
    ]);
    await refusal(auth.login(caller('w1'), { username: '=HYPERLINK("x")', password: PASSWORD }));
    const odd = rows('login_failed').at(-1) as AuditRow;
    expect(odd.operator).toBe('?');
    expect(auditDetails(odd).attempted).toBe('=hyperlink("x")');
    const ok = await auth.login(caller('w1'), { username: 'LI.WEI ', password: PASSWORD });
    expect(ok).toMatchObject({ operator: 'li.wei', displayName: '李伟', role: 'operator' });
    expect(rows('login').at(-1)).toMatchObject({ operator: 'li.wei', role: 'operator' });
  });

  it('locks the account for 5 minutes after 5 failed logins (audited), then lets the right password in', async () => {
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(
        (await refusal(auth.login(caller('w'), { username: 'li.wei', password: `bad ${attempt}xxxx` }))).message,
      ).toBe('wrong user name or password');
      now += 1_000;
    }
    const fifth = await refusal(auth.login(caller('w'), { username: 'li.wei', password: 'bad 5xxxx' }));
    expect(fifth.message).toMatch(/locked for 5 min/);
    const lockout = rows('lockout');
    expect(lockout).toHaveLength(1);
    expect(auditDetails(lockout[0] as AuditRow)).toMatchObject({ failedLogins: 5, lockedUntil: now + 300_000 });

    // the right password is refused while locked, and a restart does not lift the lock
    now += 60_000;
    const restarted = makeAuth();
    expect((await refusal(restarted.login(caller('w'), { username: 'li.wei', password: PASSWORD }))).message).toMatch(
      /account locked after 5 failed logins: try again in 4 min/,
    );
    expect(auditDetails(rows('login_failed').at(-1) as AuditRow).reason).toBe('locked_out');

    now += 240_000; // 5 minutes after the lock
    expect(await restarted.login(caller('w'), { username: 'li.wei', password: PASSWORD })).toMatchObject({
      operator: 'li.wei',
    });
    expect(operators.get('li.wei')).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('counts failures in a row only: a success resets the count', async () => {
    for (let i = 0; i < 4; i++) await refusal(auth.login(caller('w'), { username: 'li.wei', password: 'nope nope' }));
    await auth.login(caller('w'), { username: 'li.wei', password: PASSWORD });
    for (let i = 0; i < 4; i++) await refusal(auth.login(caller('w'), { username: 'li.wei', password: 'nope nope' }));
    expect(rows('lockout')).toHaveLength(0);
  });

  it('refuses a disabled account and ends its sessions', async () => {
    await auth.login(caller('w'), { username: 'li.wei', password: PASSWORD });
    const admin = await auth.login(caller('a'), { username: 'admin', password: PASSWORD });
    auth.updateOperator(auth.requireActor(caller('a')), { username: 'li.wei', disabled: true });
    expect(admin.role).toBe('admin');
    expect(auth.status(caller('w')).session).toBeNull();
    expect(auditDetails(rows('logout').at(-1) as AuditRow).reason).toBe('account_changed');
    expect((await refusal(auth.login(caller('w'), { username: 'li.wei', password: PASSWORD }))).message).toMatch(
      /disabled/,
    );
  });

  it('keeps at least one active admin', async () => {
    await auth.login(caller('a'), { username: 'admin', password: PASSWORD });
    const actor = auth.requireActor(caller('a'));
    expect(
      (await refusal(() => auth.updateOperator(actor, { username: 'admin', role: 'supervisor' }))).message,
    ).toMatch(/at least one active admin/);
  });

  it('lets another connection join a session with its token, and refuses an unknown token', async () => {
    const session = await auth.login(caller('w1'), { username: 'li.wei', password: PASSWORD });
    expect(auth.resume(caller('w2'), { token: session.token })).toMatchObject({ operator: 'li.wei' });
    expect(auth.guard('window.open', caller('w2'))).toMatchObject({ operator: 'li.wei', connectionId: 'w2' });
    expect((await refusal(() => auth.resume(caller('w3'), { token: 'forged' }))).message).toMatch(/log in again/);
    expect(rows('session_resumed')).toHaveLength(1);
    auth.logout(caller('w2'));
    expect(auth.status(caller('w1')).session).toBeNull(); // one session, both windows
  });

  it('drops a session whose windows closed once the grace period is over', async () => {
    const session = await auth.login(caller('w1'), { username: 'li.wei', password: PASSWORD });
    auth.disconnect('w1');
    now += 30_000;
    auth.sweep();
    expect(auth.resume(caller('w2'), { token: session.token }).operator).toBe('li.wei');
    auth.disconnect('w2');
    now += 61_000;
    auth.sweep();
    expect(auditDetails(rows('logout').at(-1) as AuditRow).reason).toBe('disconnected');
    expect((await refusal(() => auth.resume(caller('w3'), { token: session.token }))).code).toBe('forbidden');
  });
});

describe('idle lock and manual lock', () => {
  let auth: AuthService;
  beforeEach(async () => {
    auth = makeAuth({ idleLockMs: 60_000 });
    await auth.setupAdmin(caller('w'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
  });

  it('locks after the idle time, audits it, and unlocks with the password only', async () => {
    now += 59_000;
    expect(auth.guard('window.open', caller('w'))).not.toBeNull(); // activity: the idle clock restarts
    now += 59_000;
    expect(auth.guard('window.open', caller('w'))).not.toBeNull();
    now += 60_000;
    expect((await refusal(() => auth.guard('window.open', caller('w')))).message).toMatch(/locked/);
    const lock = rows('lock');
    expect(lock).toHaveLength(1);
    expect(auditDetails(lock[0] as AuditRow)).toMatchObject({ reason: 'idle', idleLockMs: 60_000 });
    expect(auth.status(caller('w')).session).toMatchObject({ operator: 'admin', locked: true });
    expect(auth.canSubscribe(caller('w'))).toBe(false);

    expect(auth.guard('auth.unlock', caller('w'))).not.toBeNull(); // allowed while locked
    expect((await refusal(auth.unlock(caller('w'), { password: 'not it at all' }))).message).toBe('wrong password');
    expect(auth.status(caller('w')).session?.locked).toBe(true);
    expect(await auth.unlock(caller('w'), { password: PASSWORD })).toMatchObject({ locked: false });
    expect(auth.guard('window.open', caller('w'))).not.toBeNull();
    expect(rows('unlock')).toHaveLength(1);
    expect(rows('api_rejected').map((r) => auditDetails(r).method)).toEqual(['window.open']);
  });

  it('records a due idle lock from the sweep, without waiting for a call', () => {
    now += 61_000;
    auth.sweep();
    expect(rows('lock')).toHaveLength(1);
    auth.sweep();
    expect(rows('lock')).toHaveLength(1);
  });

  it('locks on request; a locked session may only unlock, log out or ask its status', async () => {
    auth.lock(caller('w'));
    for (const method of Object.keys(PERMISSIONS)) {
      if (LOCKED_SESSION_METHODS.has(method)) expect(auth.guard(method, caller('w'))).not.toBeNull();
      else expect((await refusal(() => auth.guard(method, caller('w')))).code).toBe('forbidden');
    }
    expect(auditDetails(rows('lock')[0] as AuditRow).reason).toBe('manual');
  });

  it('unlock failures count toward the lockout', async () => {
    auth.lock(caller('w'));
    for (let i = 0; i < 5; i++) await refusal(auth.unlock(caller('w'), { password: `wrong ${i} pass` }));
    expect(rows('lockout')).toHaveLength(1);
    expect((await refusal(auth.unlock(caller('w'), { password: PASSWORD }))).message).toMatch(/account locked/);
  });
});

describe('permissions', () => {
  it('cover every method of the contract and of the auth additions (deny by default)', () => {
    const methods = [...Object.keys(apiMethods), ...Object.keys(authApiMethods)];
    const uncovered = methods.filter((m) => !PUBLIC_METHODS.has(m) && !Object.hasOwn(PERMISSIONS, m));
    expect(uncovered).toEqual([]);
    expect(authorize('admin', 'no.such.method')).toBe(false);
    expect(authorize('admin', 'constructor')).toBe(false);
    expect(authorize(null, 'window.open')).toBe(false);
    expect(authorize(null, 'auth.login')).toBe(true);
  });

  it('keep the rules of the floor', () => {
    expect(authorize('operator', 'actions.request')).toBe(true);
    expect(authorize('operator', 'actions.approve')).toBe(false);
    expect(authorize('operator', 'actions.reject')).toBe(false);
    expect(authorize('supervisor', 'actions.approve')).toBe(true);
    expect(authorize('operator', 'thresholds.set')).toBe(false);
    expect(authorize('operator', 'audit.export')).toBe(false);
    for (const act of [
      'actions.request',
      'actions.approve',
      'alerts.acknowledge',
      'alerts.addNote',
      'thresholds.set',
      'feed.reconnect',
      'operators.create',
    ]) {
      expect(authorize('auditor', act)).toBe(false);
    }
    for (const read of ['audit.export', 'audit.verify', 'data.export', 'actions.pending']) {
      expect(authorize('auditor', read)).toBe(true);
    }
    expect(ROLES.filter((role) => authorize(role, 'operators.create'))).toEqual(['admin']);
    expect(methodsFor('auditor')).toContain('audit.export');
  });

  it('are enforced by guard() for every method and role, refusals audited', async () => {
    const auth = makeAuth();
    await auth.setupAdmin(caller('admin'), { username: 'admin', displayName: 'Admin', password: PASSWORD });
    const admin = auth.requireActor(caller('admin'));
    for (const role of ROLES) {
      await auth.createOperator(admin, { username: `${role}.one`, displayName: role, role, password: PASSWORD });
    }
    for (const role of ROLES) {
      const who = caller(`window-${role}`);
      await auth.login(who, { username: `${role}.one`, password: PASSWORD });
      for (const [method, allowed] of Object.entries(PERMISSIONS)) {
        const rejectedBefore = rows('api_rejected').length;
        if (allowed.includes(role as Role)) {
          expect(auth.guard(method, who), `${role} → ${method}`).toMatchObject({ operator: `${role}.one`, role });
        } else {
          const failure = await refusal(() => auth.guard(method, who));
          expect(failure.code, `${role} → ${method}`).toBe('forbidden');
          const rejected = rows('api_rejected');
          expect(rejected).toHaveLength(rejectedBefore + 1);
          expect(rejected.at(-1)).toMatchObject({ operator: `${role}.one`, role });
          expect(auditDetails(rejected.at(-1) as AuditRow)).toMatchObject({ method, code: 'forbidden' });
        }
        now += 5_000; // keeps the api_rejected budget topped up
      }
    }
  });

  it('refuses everything but the public methods when nobody is logged in', async () => {
    const auth = makeAuth();
    for (const method of Object.keys(PERMISSIONS)) {
      expect((await refusal(() => auth.guard(method, caller('anon')))).message).toMatch(/log in first/);
    }
    for (const method of PUBLIC_METHODS) expect(auth.guard(method, caller('anon'))).toBeNull();
  });

  it('rate-limits api_rejected rows per connection but counts every refusal', () => {
    const auth = makeAuth();
    for (let i = 0; i < 50; i++) {
      auth.recordRejection({ method: 'bogus', code: 'unknown_method', message: 'unknown', caller: caller('fuzzer') });
    }
    expect(rows('api_rejected')).toHaveLength(20);
    now += 1_000;
    auth.recordRejection({ method: 'bogus', code: 'unknown_method', message: 'unknown', caller: caller('fuzzer') });
    expect(auditDetails(rows('api_rejected').at(-1) as AuditRow).suppressedBefore).toBe(30);
    for (let i = 0; i < 7; i++) {
      auth.recordRejection({ method: 'bogus', code: 'unknown_method', message: 'unknown', caller: caller('fuzzer') });
    }
    auth.disconnect('fuzzer');
    expect(auditDetails(rows('api_rejected').at(-1) as AuditRow)).toEqual({ summary: true, suppressed: 7 });
    expect(audit.verify().ok).toBe(true);
  });
});
