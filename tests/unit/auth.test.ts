import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../main/api/dispatcher';
import { authApiMethods } from '../../shared/api/methods/auth';
import { AuthService } from '../../main/auth/authService';
import { OPERATOR_MIGRATIONS, OperatorStore } from '../../main/auth/operatorStore';
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
import { SqliteAuditStore } from '../../main/store/auditStore';
import { SqliteOperatorRepository } from '../../main/auth/operatorRepository';
import { AuditLog, auditDetails, type AuditRow } from '../../main/store/auditLog';
import { apiMethods } from '../../shared/api/contract';

const PASSWORD = 'correct horse 1';

let dir: string;
let audit: AuditLog;
let operators: OperatorStore;
let now: number;
const services: AuthService[] = [];

function makeAuth(options: { idleLockMs?: number } = {}): AuthService {
  const service = new AuthService({
    audit: new SqliteAuditStore(audit),
    operators: new SqliteOperatorRepository(operators),
    clock: () => now,
    scrypt: TEST_SCRYPT,
    ...options,
  });
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

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
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
    expect(await auth.status(caller('w1'))).toEqual({ needsSetup: true, session: null });
    const admin = await auth.setupAdmin(caller('w1'), {
      username: 'Zhang.Min',
      displayName: '张敏',
      password: PASSWORD,
    });
    expect(admin).toMatchObject({ operator: 'zhang.min', displayName: '张敏', role: 'admin', locked: false });
    expect(admin.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await auth.status(caller('w1'))).toMatchObject({ needsSetup: false, session: { operator: 'zhang.min' } });
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
    await auth.logout(caller('setup'));
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
    now += 1_000; // the window's wait after one failure
    const unknown = await refusal(auth.login(caller('w1'), { username: 'nobody', password: PASSWORD }));
    expect(wrong.message).toBe('wrong user name or password');
    expect(unknown.message).toBe(wrong.message);
    expect((await auth.status(caller('w1'))).session).toBeNull();
    const failed = rows('login_failed');
    expect(failed.map((r) => [r.operator, auditDetails(r).reason])).toEqual([
      ['li.wei', 'wrong_password'],
      ['nobody', 'unknown_operator'],
    ]);
    expect(auditDetails(failed[0] as AuditRow)).toMatchObject({ connectionId: 'w1', retryAfterMs: 1_000 });
    now += 2_000;
    await refusal(auth.login(caller('w1'), { username: '=HYPERLINK("x")', password: PASSWORD }));
    const odd = rows('login_failed').at(-1) as AuditRow;
    expect(odd.operator).toBe('?');
    expect(auditDetails(odd).attempted).toBe('=hyperlink("x")');
    now += 4_000;
    const ok = await auth.login(caller('w1'), { username: 'LI.WEI ', password: PASSWORD });
    expect(ok).toMatchObject({ operator: 'li.wei', displayName: '李伟', role: 'operator' });
    expect(rows('login').at(-1)).toMatchObject({ operator: 'li.wei', role: 'operator' });
    // No row holds the password tried.
    expect(JSON.stringify(rows())).not.toMatch(/wrong password|correct horse/);
  });

  it('slows the failing window down instead of locking the account; the password is not checked meanwhile', async () => {
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      const failure = await refusal(auth.login(caller('w'), { username: 'li.wei', password: `bad ${attempt}xxxx` }));
      expect(failure.message).toBe('wrong user name or password');
      expect(failure.retryAfterMs).toBeUndefined(); // it was checked: retrying the same call is pointless
      const wait = auditDetails(rows('login_failed').at(-1) as AuditRow).retryAfterMs as number;
      waits.push(wait);
      // Too early: refused without a check (the right password would not get in either), with the time left.
      now += 500;
      const early = await refusal(auth.login(caller('w'), { username: 'li.wei', password: PASSWORD }));
      expect(early.message).toMatch(/too many failed attempts in this window: try again in \d+ s/);
      expect(early.retryAfterMs).toBe(wait - 500);
      now += wait - 500;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(rows('lockout')).toHaveLength(0);
    expect(operators.get('li.wei')).toMatchObject({ failedLogins: 8, lockedUntil: null });
    const throttled = rows('login_failed').filter((r) => auditDetails(r).reason === 'throttled');
    expect(throttled).toHaveLength(8);
    expect(auditDetails(throttled[0] as AuditRow)).toMatchObject({ during: 'login', scope: 'connection' });

    // Another window logs in at once: the failures were the other window's.
    expect(await auth.login(caller('other'), { username: 'li.wei', password: PASSWORD })).toMatchObject({
      operator: 'li.wei',
    });
    expect(operators.get('li.wei')).toMatchObject({ failedLogins: 0 });
    // And so does the failing window, once its wait is over.
    expect(await auth.login(caller('w'), { username: 'li.wei', password: PASSWORD })).toMatchObject({
      operator: 'li.wei',
    });
  });

  it('checks one password per window at a time: guesses sent together are not all checked', async () => {
    const guesses = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => auth.login(caller('w'), { username: 'li.wei', password: `guess ${i}xxx` })),
    );
    const messages = guesses.map((g) => (g.status === 'rejected' ? (g.reason as ApiFailure).message : 'in'));
    expect(messages.filter((m) => m === 'wrong user name or password')).toHaveLength(1);
    expect(messages.filter((m) => /still being checked: try again in 1 s/.test(m))).toHaveLength(4);
    expect(operators.get('li.wei')?.failedLogins).toBe(1);
  });

  it('someone else at the same address delays a login by at most 4 s', async () => {
    // A fresh connection for every guess, each as soon as the address lets it.
    for (let i = 0; i < 20; i++) {
      const guess = await refusal(auth.login(caller(`attacker-${i}`), { username: 'admin', password: 'guess guess' }));
      expect(guess.message).toBe('wrong user name or password');
      if (i < 19) now += 4_000;
    }
    const first = await refusal(auth.login(caller('desk'), { username: 'admin', password: PASSWORD }));
    expect(first.retryAfterMs).toBe(4_000);
    expect(first.message).toMatch(/from this address: try again in 4 s/);
    now += 4_000;
    expect(await auth.login(caller('desk'), { username: 'admin', password: PASSWORD })).toMatchObject({
      operator: 'admin',
    });
  });

  it('rate-limits the audit rows of refused attempts, and counts the rest when the window closes', async () => {
    await refusal(auth.login(caller('w'), { username: 'li.wei', password: 'bad bad bad' }));
    for (let i = 0; i < 50; i++) await refusal(auth.login(caller('w'), { username: 'li.wei', password: PASSWORD }));
    const throttled = () => rows('login_failed').filter((r) => auditDetails(r).reason === 'throttled');
    expect(throttled()).toHaveLength(20);
    auth.disconnect('w');
    expect(auditDetails(throttled().at(-1) as AuditRow)).toMatchObject({ summary: true, suppressed: 30 });
  });

  it('honours an account lock left by the old scheme, except for an admin on this machine', async () => {
    operators.close();
    const db = new Database(path.join(dir, 'operators.sqlite'));
    db.prepare('UPDATE operators SET locked_until = ?, failed_logins = 5').run(now + 120_000);
    db.close();
    operators = OperatorStore.open(path.join(dir, 'operators.sqlite'));
    const restarted = makeAuth();
    const locked = await refusal(restarted.login(caller('w'), { username: 'li.wei', password: PASSWORD }));
    expect(locked.message).toMatch(/locked for 2 more min: .*floorwatch operators unlock li.wei/);
    expect(auditDetails(rows('login_failed').at(-1) as AuditRow).reason).toBe('account_locked');
    const remote = { connectionId: 'r', transport: 'host' as const, remoteAddress: '192.0.2.9' };
    expect((await refusal(restarted.login(remote, { username: 'admin', password: PASSWORD }))).message).toMatch(
      /locked/,
    );
    const local = { connectionId: 'l', transport: 'host' as const, remoteAddress: '127.0.0.1' };
    expect(await restarted.login(local, { username: 'admin', password: PASSWORD })).toMatchObject({ role: 'admin' });
    expect(auditDetails(rows('login').at(-1) as AuditRow)).toMatchObject({
      accountLockBypassed: true,
      remoteAddress: '127.0.0.1',
    });
    expect(
      await restarted.login({ connectionId: 'e', transport: 'electron' }, { username: 'admin', password: PASSWORD }),
    ).toMatchObject({ role: 'admin' });
  });

  it('refuses a disabled account and ends its sessions', async () => {
    await auth.login(caller('w'), { username: 'li.wei', password: PASSWORD });
    const admin = await auth.login(caller('a'), { username: 'admin', password: PASSWORD });
    await auth.updateOperator(auth.requireActor(caller('a')), { username: 'li.wei', disabled: true });
    expect(admin.role).toBe('admin');
    expect((await auth.status(caller('w'))).session).toBeNull();
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
    expect(await auth.resume(caller('w2'), { token: session.token })).toMatchObject({ operator: 'li.wei' });
    expect(auth.guard('window.open', caller('w2'))).toMatchObject({ operator: 'li.wei', connectionId: 'w2' });
    expect((await refusal(() => auth.resume(caller('w3'), { token: 'forged' }))).message).toMatch(/log in again/);
    expect(rows('session_resumed')).toHaveLength(1);
    await auth.logout(caller('w2'));
    expect((await auth.status(caller('w1'))).session).toBeNull(); // one session, both windows
  });

  it('drops a session whose windows closed once the grace period is over', async () => {
    const session = await auth.login(caller('w1'), { username: 'li.wei', password: PASSWORD });
    auth.disconnect('w1');
    now += 30_000;
    auth.sweep();
    expect((await auth.resume(caller('w2'), { token: session.token })).operator).toBe('li.wei');
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
    expect((await auth.status(caller('w'))).session).toMatchObject({ operator: 'admin', locked: true });
    expect(auth.canSubscribe(caller('w'))).toBe(false);

    expect(auth.guard('auth.unlock', caller('w'))).not.toBeNull(); // allowed while locked
    expect((await refusal(auth.unlock(caller('w'), { password: 'not it at all' }))).message).toBe('wrong password');
    expect((await auth.status(caller('w'))).session?.locked).toBe(true);
    now += 1_000;
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
    await auth.lock(caller('w'));
    for (const method of Object.keys(PERMISSIONS)) {
      if (LOCKED_SESSION_METHODS.has(method)) expect(auth.guard(method, caller('w'))).not.toBeNull();
      else expect((await refusal(() => auth.guard(method, caller('w')))).code).toBe('forbidden');
    }
    expect(auditDetails(rows('lock')[0] as AuditRow).reason).toBe('manual');
  });

  it('unlock failures slow the window down, never lock the account', async () => {
    await auth.lock(caller('w'));
    for (let i = 0; i < 5; i++) {
      expect((await refusal(auth.unlock(caller('w'), { password: `wrong ${i} pass` }))).message).toBe('wrong password');
      now += auditDetails(rows('login_failed').at(-1) as AuditRow).retryAfterMs as number;
    }
    expect(rows('lockout')).toHaveLength(0);
    expect(await auth.unlock(caller('w'), { password: PASSWORD })).toMatchObject({ locked: false });
  });
});

describe('operator store migration', () => {
  it('restarts the old failure counters, drops expired locks and keeps a lock still running', () => {
    const file = path.join(dir, 'old-operators.sqlite');
    const db = new Database(file);
    (OPERATOR_MIGRATIONS[0] as (typeof OPERATOR_MIGRATIONS)[number]).up(db);
    db.pragma('user_version = 1');
    const insert = db.prepare(
      `INSERT INTO operators (username, display_name, role, password_hash, failed_logins, locked_until, created_at,
       updated_at) VALUES (?, ?, ?, 'x', ?, ?, 1, 1)`,
    );
    const running = Date.now() + 180_000;
    insert.run('admin', 'Admin', 'admin', 0, running);
    insert.run('li.wei', 'Li', 'operator', 4, null);
    insert.run('old.lock', 'Old', 'operator', 0, Date.now() - 60_000);
    db.close();
    const store = OperatorStore.open(file);
    try {
      expect(store.list().map((o) => [o.username, o.failedLogins, o.lockedUntil])).toEqual([
        ['admin', 0, running],
        ['li.wei', 0, null],
        ['old.lock', 0, null],
      ]);
    } finally {
      store.close();
    }
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
