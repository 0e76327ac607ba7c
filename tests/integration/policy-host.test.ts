// `floorwatch host` under a machine policy (FLOORWATCH_POLICY_FILE): refuses to start when host mode or the
// simulator is disallowed or the policy is invalid (one line naming the field, exit 2), refuses a --feed that
// contradicts the policy, and otherwise connects to the policy's feed and keeps its files in the policy's folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'fw-policy-host-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let policyCount = 0;
function writePolicy(policy: unknown): string {
  const file = path.join(work, `policy-${++policyCount}.json`);
  writeFileSync(file, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return file;
}

function runHost(policyFile: string, args: string[] = []) {
  const home = path.join(work, 'home');
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'host', '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A private HOME: nothing may land in the real user-data folder; no inherited FLOORWATCH_* settings.
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      FLOORWATCH_POLICY_FILE: policyFile,
    },
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function refusal(policy: unknown, args: string[] = []): Promise<string> {
  const host = runHost(writePolicy(policy), args);
  expect(await host.exited).toBe(2);
  expect(host.stdout()).toBe('');
  const lines = host.stderr().trim().split('\n');
  expect(lines).toHaveLength(1); // one clear line, no stack trace
  return lines[0] as string;
}

describe('floorwatch host under a machine policy', () => {
  it('refuses to start when the policy disallows host mode', async () => {
    const line = await refusal({ hostModeAllowed: false });
    expect(line).toMatch(/^floorwatch: host mode is disabled by your organisation's policy \(.*policy-\d+\.json\)/);
  }, 60_000);

  it('refuses the simulator when the policy disallows it and no feed is set', async () => {
    expect(await refusal({ simulatorAllowed: false })).toMatch(/simulator is disabled by your organisation's policy/);
  }, 60_000);

  it('refuses an invalid policy, naming the field', async () => {
    expect(await refusal({ retentionDays: 'forever' })).toMatch(
      /policy .*policy-\d+\.json: "retentionDays" is invalid/,
    );
    expect(await refusal('{"hostMode": false}')).toMatch(/"hostMode" is not a known setting/);
  }, 60_000);

  it('refuses a --feed that contradicts the policy feed', async () => {
    expect(await refusal({ feedUrls: ['ws://127.0.0.1:1'] }, ['--feed', 'ws://127.0.0.1:2'])).toMatch(
      /"feedUrls" is set by your organisation's policy/,
    );
  }, 60_000);

  it("uses the policy's feed and data folder (sessions folder created, audit log there)", async () => {
    const dataDir = path.join(work, 'org-data');
    const feedUrl = `ws://127.0.0.1:${await closedPort()}/`;
    const host = runHost(writePolicy({ feedUrls: [feedUrl], dataDir, simulatorAllowed: false, retentionDays: 30 }));
    const deadline = Date.now() + 90_000;
    // The URL (stdout) and the serving line (stderr) come through two pipes: wait for both.
    const started = () => host.stderr().includes('serving on') && host.stdout().includes('?token=');
    while (!started() && host.child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(host.stdout(), host.stderr()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(host.stderr()).toContain(`feed ${feedUrl}`);
    expect(host.stderr()).toMatch(/machine policy in force/);
    expect(existsSync(path.join(dataDir, 'sessions'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'audit.sqlite'))).toBe(true);
    expect(existsSync(path.join(work, 'home', '.config', 'Floorwatch', 'audit.sqlite'))).toBe(false);
    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
  }, 120_000);
});
