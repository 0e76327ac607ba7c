// `floorwatch operators` in process (the integration test runs the real command against a running host): the
// refusals, --enable, and the audit row of every unlock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAuthServices } from '../../main/auth/authServices';
import { OperatorStore } from '../../main/auth/operatorStore';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { operatorsCommand } from '../../main/cli/commands/operators';
import { CliError } from '../../main/cli/support';
import { AuditLog } from '../../main/store/auditLog';
import { auditLogPath, operatorsPath } from '../../main/store/auditPaths';

let dataDir: string;
let stdout: string[];
let stderr: string[];

async function run(...argv: string[]): Promise<number | CliError> {
  try {
    return await operatorsCommand.run(argv);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
}

function auditRows(action: string) {
  const audit = AuditLog.open(auditLogPath(dataDir), { readonly: true });
  try {
    return audit.readRows({ actions: [action] });
  } finally {
    audit.close();
  }
}

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-operators-cli-'));
  vi.stubEnv('FLOORWATCH_DATA_DIR', dataDir);
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const services = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: TEST_SCRYPT });
  try {
    await services.auth.setupAdmin(
      { connectionId: 'setup' },
      { username: 'admin', displayName: 'A', password: 'p4ssword!' },
    );
    await services.auth.createOperator(services.auth.requireActor({ connectionId: 'setup' }), {
      username: 'li.wei',
      displayName: 'Li',
      role: 'operator',
      password: 'p4ssword!',
    });
    await services.auth.updateOperator(services.auth.requireActor({ connectionId: 'setup' }), {
      username: 'li.wei',
      disabled: true,
    });
  } finally {
    await services.close();
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('floorwatch operators', () => {
  it('unlock of an account that is not locked still resets its counter and is audited', async () => {
    expect(await run('unlock', 'ADMIN')).toBe(0);
    expect(stdout.join('')).toMatch(/^unlocked admin \(was not locked; 0 failed logins cleared\); audited as row \d+/);
    const row = auditRows('operator_unlocked').at(-1);
    expect(row).toMatchObject({ role: 'cli', target: 'operator:admin' });
    expect(JSON.parse(row?.details ?? '{}')).toMatchObject({ via: 'cli', wasLocked: false, lockedUntil: null });
  });

  it('says a disabled account stays disabled, and enables it with --enable', async () => {
    expect(await run('unlock', 'li.wei')).toBe(0);
    expect(stderr.join('')).toMatch(/li\.wei is still disabled .* add --enable/);
    expect(await run('unlock', 'li.wei', '--enable')).toBe(0);
    expect(stdout.at(-1)).toMatch(/enabled again/);
    const store = OperatorStore.open(operatorsPath(dataDir));
    expect(store.get('li.wei')).toMatchObject({ disabled: false, lockedUntil: null });
    store.close();
    expect(JSON.parse(auditRows('operator_unlocked').at(-1)?.details ?? '{}')).toMatchObject({ enabled: true });
  });

  it('refuses an unknown user (exit 1), a missing audit log and bad usage (exit 2), changing nothing', async () => {
    const unknown = await run('unlock', 'nobody');
    expect(unknown).toBeInstanceOf(CliError);
    expect(unknown).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^no operator "nobody" in /) });
    expect(await run('unlock')).toMatchObject({ exitCode: 2 });
    expect(await run('frobnicate')).toMatchObject({ exitCode: 2 });
    fs.rmSync(auditLogPath(dataDir));
    const noAudit = await run('unlock', 'admin');
    expect(noAudit).toMatchObject({ exitCode: 2, message: expect.stringMatching(/no audit log .* must be recorded/) });
  });

  it('lists the accounts with role, failed logins and state', async () => {
    expect(await run('list')).toBe(0);
    const text = stdout.join('');
    expect(text).toMatch(/^USER\s+ROLE\s+FAILED\s+STATE\n/);
    expect(text).toMatch(/admin\s+admin\s+0\s+active\n/);
    expect(text).toMatch(/li\.wei\s+operator\s+0\s+DISABLED\n/);
  });
});
