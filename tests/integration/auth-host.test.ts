// Operators, permissions, four eyes and the audit log over the real headless host: every call goes through the
// WebSocket bridge, the dispatcher and the AuthService opened from a temporary data folder (openAuthServices).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreHandle } from '../../main/api/backend';
import { TopicHub } from '../../main/api/topicHub';
import { openAuthServices, type WorkstationAuthServices } from '../../main/auth/authServices';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { startHost, type HostHandle } from '../../main/host/server';
import { auditLogPath } from '../../main/store/auditPaths';
import { ApiSocket } from '../../main/api/apiSocket';

const repo = path.resolve(import.meta.dirname, '../..');

/** The real `floorwatch` command on a data folder. */
function floorwatchCli(dataDir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', ...args], {
    cwd: repo,
    env: { ...process.env, FLOORWATCH_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

class FakeCore extends TopicHub implements CoreHandle {
  readonly feedUrl = 'ws://127.0.0.1:9/fake';
  readonly simulatorRunning = false;
  readonly mode = 'live' as const;
  async reconnect(): Promise<void> {}
}

/** One window's connection to the host, with the host's token and the page's origin. */
const openWindow = (host: HostHandle) =>
  ApiSocket.open(`ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(host.token)}`, host.origin);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** As the login screen does: a refusal with retryAfterMs is sent again once the wait is over (at most 3 times). */
async function callAsSoonAsAllowed(window: ApiSocket, method: string, args: unknown): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await window.call(method, args);
    } catch (error) {
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      if (retryAfterMs === undefined || attempt >= 3) throw error;
      await sleep(retryAfterMs);
    }
  }
}

const forbidden = (message?: RegExp) => ({
  code: 'forbidden',
  ...(message ? { message: expect.stringMatching(message) } : {}),
});
const PASSWORD = 'correct horse 1';

describe('auth over the headless host', () => {
  let dataDir: string;
  let access: WorkstationAuthServices;
  let host: HostHandle;
  let core: FakeCore;
  const windows: ApiSocket[] = [];
  const open = async () => {
    const window = await openWindow(host);
    windows.push(window);
    return window;
  };
  const loggedIn = async (username: string, password = PASSWORD) => {
    const window = await open();
    await callAsSoonAsAllowed(window, 'auth.login', { username, password });
    return window;
  };
  const auditActions = () => access.auditLog.readRows().map((row) => row.action);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fw-auth-host-'));
    access = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 });
    core = new FakeCore();
    core.publish({ topic: 'market', snapshot: true, rows: [], removed: [], at: 1, sourceTs: 1 });
    host = await startHost({ port: 0, core, access, staticDir: dataDir, version: 'test', log: () => {} });
  });

  afterAll(async () => {
    for (const window of windows) await window.close();
    await host?.stop();
    await access?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('before login: only public methods, no topic data; first start creates the admin', async () => {
    const window = await open();
    window.subscribe('market');
    expect(await window.call('auth.status')).toMatchObject({
      needsSetup: true,
      session: null,
      auditCheck: { ok: true },
    });
    await expect(window.call('link.set', { channel: 'red', context: null })).rejects.toMatchObject(forbidden(/log in/));
    await expect(window.call('auth.login', { username: 'nobody', password: 'whatever1' })).rejects.toMatchObject(
      forbidden(/wrong user name or password/),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(window.updates).toEqual([]);

    await window.call('auth.setupAdmin', { username: 'admin', displayName: 'Ada Admin', password: PASSWORD });
    // The subscription asked for before login starts once the session exists.
    await window.waitFor((u) => u.topic === 'market' && u.snapshot);
    await expect(window.call('link.set', { channel: 'red', context: null })).resolves.toBeNull();
    await expect(
      window.call('auth.setupAdmin', { username: 'evil', displayName: 'Evil', password: PASSWORD }),
    ).rejects.toMatchObject(forbidden(/setup is done/));

    for (const [username, role] of [
      ['li.op', 'operator'],
      ['wang.sup', 'supervisor'],
      ['zhao.sup', 'supervisor'],
      ['chen.aud', 'auditor'],
      ['victim', 'operator'],
    ]) {
      await window.call('operators.create', { username, displayName: username, role, password: PASSWORD });
    }
    expect(auditActions()).toEqual(expect.arrayContaining(['admin_created', 'operator_created', 'api_rejected']));
  });

  it('roles: an operator cannot approve or administer; an auditor cannot act but may read the audit log', async () => {
    const operator = await loggedIn('li.op');
    const auditor = await loggedIn('chen.aud');
    const request = (await operator.call('actions.request', {
      action: { kind: 'freeze_opening', accountId: 'A001', params: {} },
      reason: 'margin call unanswered',
    })) as { id: number };
    await expect(operator.call('actions.approve', { requestId: request.id })).rejects.toMatchObject(
      forbidden(/operator role/),
    );
    await expect(operator.call('operators.list')).rejects.toMatchObject(forbidden());
    await expect(operator.call('audit.verify')).rejects.toMatchObject(forbidden());

    await expect(
      auditor.call('actions.request', {
        action: { kind: 'freeze_opening', accountId: 'A001', params: {} },
        reason: 'x',
      }),
    ).rejects.toMatchObject(forbidden(/auditor role/));
    await expect(auditor.call('actions.reject', { requestId: request.id, reason: 'no' })).rejects.toMatchObject(
      forbidden(),
    );
    await expect(auditor.call('feed.reconnect')).rejects.toMatchObject(forbidden());
    await expect(auditor.call('audit.verify')).resolves.toMatchObject({ ok: true });
    const exported = (await auditor.call('audit.export', { format: 'ndjson' })) as { rows: number; content: string };
    expect(exported.content.trim().split('\n')).toHaveLength(exported.rows);
    // Refusals are in the audit log under the refused operator.
    const refused = access.auditLog
      .readRows({ actions: ['api_rejected'] })
      .map((r) => `${r.operator}:${JSON.parse(r.details).method}`);
    expect(refused).toEqual(
      expect.arrayContaining(['li.op:actions.approve', 'chen.aud:actions.request', 'chen.aud:feed.reconnect']),
    );
  });

  it('four eyes: the requester cannot decide; a different supervisor approves; the actions topic follows', async () => {
    const requester = await loggedIn('wang.sup');
    const approver = await loggedIn('zhao.sup');
    approver.subscribe('actions');
    const request = (await requester.call('actions.request', {
      action: { kind: 'set_position_limit', accountId: 'A002', params: { maxLots: 50 } },
      reason: 'concentration in rb',
    })) as { id: number };
    await approver.waitFor((u) => u.topic === 'actions' && u.rows.some((r) => 'id' in r && r.id === request.id));
    await expect(requester.call('actions.approve', { requestId: request.id })).rejects.toMatchObject(
      forbidden(/four eyes/),
    );
    const approved = (await approver.call('actions.approve', { requestId: request.id, reason: 'agreed' })) as {
      request: { status: string; decidedBy: string };
      delivery: { status: string };
    };
    expect(approved.request).toMatchObject({ status: 'approved', decidedBy: 'zhao.sup' });
    expect(approved.delivery.status).toBe('not_sent');
    await approver.waitFor(
      (u) =>
        u.topic === 'actions' && u.rows.some((r) => 'status' in r && r.id === request.id && r.status === 'approved'),
    );
    expect(access.accountActions.controls('A002').positionLimits['*']).toBe(50);
  });

  it('bad arguments are refused with a clear message and audited as rejected', async () => {
    const window = await loggedIn('li.op');
    await expect(window.call('link.set', { channel: 'purple', context: null })).rejects.toMatchObject({
      code: 'bad_arguments',
      message: expect.stringContaining('channel'),
    });
    await expect(window.call('no.such.method')).rejects.toMatchObject({ code: 'unknown_method' });
    const last = access.auditLog.readRows({ actions: ['api_rejected'], newestFirst: true, limit: 2 });
    expect(last.map((r) => JSON.parse(r.details).code).sort()).toEqual(['bad_arguments', 'unknown_method']);
    expect(last.every((r) => r.operator === 'li.op')).toBe(true);
  });

  it('a locked session gets no data and no calls until unlocked; another window resumes with the token', async () => {
    const window = await open();
    const login = (await window.call('auth.login', { username: 'li.op', password: PASSWORD })) as { token: string };
    const second = await open();
    expect(await second.call('auth.resume', { token: login.token })).toMatchObject({ operator: 'li.op' });
    second.subscribe('market');
    await second.waitFor((u) => u.topic === 'market');

    await window.call('auth.lock');
    await expect(second.call('link.set', { channel: 'red', context: null })).rejects.toMatchObject(forbidden(/locked/));
    second.updates.length = 0;
    core.publish({ topic: 'market', snapshot: false, rows: [], removed: [], at: 2, sourceTs: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(second.updates).toEqual([]);
    await expect(second.call('auth.unlock', { password: 'wrong password' })).rejects.toMatchObject(forbidden());
    await callAsSoonAsAllowed(second, 'auth.unlock', { password: PASSWORD });
    await second.waitFor((u) => u.topic === 'market' && u.snapshot);

    await window.call('auth.logout');
    await expect(second.call('link.set', { channel: 'red', context: null })).rejects.toMatchObject(forbidden(/log in/));
    expect(auditActions()).toEqual(expect.arrayContaining(['session_resumed', 'lock', 'unlock', 'logout']));
  });

  it('a window opened by a logged-in window gets the session in the URL fragment', async () => {
    const window = await loggedIn('li.op');
    const opened = (await window.call('window.open', { kind: 'positions' })) as { url: string };
    const token = new URL(opened.url).hash.replace('#session=', '');
    const tab = await open();
    expect(await tab.call('auth.resume', { token: decodeURIComponent(token) })).toMatchObject({ operator: 'li.op' });
  });

  it('failed logins slow the failing connection down; the admin on another loopback connection still gets in', async () => {
    const attacker = await open();
    const wrong = { username: 'admin', password: 'not the password' };
    const waits: number[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      await expect(attacker.call('auth.login', wrong)).rejects.toMatchObject(forbidden(/wrong user name or password/));
      // Asking again at once is refused without a check, with the wait left (answered at once, not held).
      const started = Date.now();
      const early = (await attacker.call('auth.login', wrong).catch((error: unknown) => error)) as {
        message: string;
        retryAfterMs: number;
      };
      expect(Date.now() - started).toBeLessThan(500);
      expect(early.message).toMatch(/too many failed attempts in this window: try again in \d+ s/);
      waits.push(early.retryAfterMs);
      if (failure < 3) await sleep(early.retryAfterMs);
    }
    // 1 s, 2 s, 4 s (less the few ms the round trip took).
    expect(waits.map((ms) => Math.round(ms / 1000))).toEqual([1, 2, 4]);
    const desk = await open();
    const started = Date.now();
    const session = await callAsSoonAsAllowed(desk, 'auth.login', { username: 'admin', password: PASSWORD });
    expect(session).toMatchObject({ operator: 'admin', role: 'admin' });
    expect(Date.now() - started).toBeLessThan(5_000);
    // No account lock-out, whatever the count.
    expect(await access.operators.get('admin')).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    expect(access.auditLog.readRows({ actions: ['lockout'] })).toEqual([]);

    const failed = access.auditLog.readRows({ actions: ['login_failed'] }).filter((r) => r.operator === 'admin');
    const reasons = failed.map((r) => JSON.parse(r.details) as Record<string, unknown>);
    expect(reasons.filter((d) => d.reason === 'wrong_password')).toHaveLength(3);
    expect(reasons.filter((d) => d.reason === 'throttled').length).toBeGreaterThanOrEqual(3);
    for (const details of reasons) {
      expect(details).toMatchObject({ transport: 'host', remoteAddress: '127.0.0.1' });
      expect(details.connectionId).toMatch(/^host-\d+$/);
    }
    expect(failed.map((r) => r.details + r.reason).join('\n')).not.toContain('not the password');
  });

  it(
    'floorwatch operators unlock lifts an account lock while the host runs, and is audited',
    { timeout: 120_000 },
    async () => {
      // A lock as an older Floorwatch left it (five failures locked an account for 5 minutes).
      const db = new Database(path.join(dataDir, 'operators.sqlite'));
      db.prepare("UPDATE operators SET locked_until = ?, failed_logins = 5 WHERE username = 'victim'").run(
        Date.now() + 240_000,
      );
      db.close();
      const window = await open();
      await expect(window.call('auth.login', { username: 'victim', password: PASSWORD })).rejects.toMatchObject(
        forbidden(/locked for 4 more min.*floorwatch operators unlock victim/),
      );
      const unlocked = floorwatchCli(dataDir, 'operators', 'unlock', 'victim');
      expect(unlocked.stderr).toBe('');
      expect(unlocked.code).toBe(0);
      expect(unlocked.stdout).toMatch(
        /^unlocked victim \(was locked until .* UTC; 5 failed logins cleared\); audited as row \d+/,
      );
      const row = access.auditLog.readRows({ actions: ['operator_unlocked'] }).at(-1);
      expect(row).toMatchObject({ operator: `os:${os.userInfo().username}`, role: 'cli', target: 'operator:victim' });
      expect(JSON.parse(row?.details ?? '{}')).toMatchObject({ via: 'cli', wasLocked: true, failedLoginsCleared: 5 });
      expect(access.auditLog.verify()).toMatchObject({ ok: true }); // the CLI's row continues the host's chain
      await expect(
        callAsSoonAsAllowed(window, 'auth.login', { username: 'victim', password: PASSWORD }),
      ).resolves.toMatchObject({
        operator: 'victim',
      });
    },
  );

  it('the chain verifies; a row edited by hand makes the next start report it (red banner)', async () => {
    expect(access.auditLog.verify()).toMatchObject({ ok: true });
    const other = await mkdtemp(path.join(os.tmpdir(), 'fw-auth-tamper-'));
    try {
      const first = await openAuthServices({ dataDir: other, app: 'host', version: 'test', scrypt: TEST_SCRYPT });
      first.auditLog.append({ operator: 'system', role: 'system', action: 'export', target: 'x', details: { n: 1 } });
      await first.close();
      const db = new Database(auditLogPath(other));
      for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as {
        name: string;
      }[]) {
        db.exec(`DROP TRIGGER "${name}"`);
      }
      db.prepare("UPDATE audit_log SET operator = 'mallory' WHERE id = 2").run();
      db.close();
      const second = await openAuthServices({ dataDir: other, app: 'host', version: 'test', scrypt: TEST_SCRYPT });
      try {
        expect(second.auditCheck).toMatchObject({ ok: false });
        expect(second.startupVerify).toMatchObject({ ok: false, brokenRow: 2 });
        const status = (await second.services['auth.status']!({}, { transport: 'test', connectionId: 'c' })) as {
          auditCheck: { ok: boolean };
        };
        expect(status.auditCheck.ok).toBe(false);
      } finally {
        await second.close();
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
