// `floorwatch host` as a process: prints exactly one URL line with the token on stdout, serves the page and the API
// bridge with it, and stops cleanly on SIGTERM. The feed points at a closed loopback port, so no simulator is needed:
// the host must come up anyway and report the feed as not live.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { BridgeReply } from '../../shared/api/wire';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const dataDirs: string[] = [];

/** Runs `floorwatch host` on a fresh data folder (operators, audit log, sessions), never the user's own. */
function runHost(args: string[]) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-host-cli-'));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'host', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLOORWATCH_DATA_DIR: dataDir, FLOORWATCH_POLICY_FILE: path.join(dataDir, 'no-policy.json') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('floorwatch host (CLI)', () => {
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('prints its URL, serves the page and the API with the token, and stops on SIGTERM', async () => {
    const feedPort = await closedPort();
    const host = runHost(['--port', '0', '--feed', `ws://127.0.0.1:${feedPort}`]);
    started.push(host.child);
    // Generous: tsx compiles the CLI and the core worker from source, and may build the renderer first.
    const url = await waitFor(
      () =>
        host
          .stdout()
          .split('\n')
          .find((line) => line.includes('?token=')),
      90_000,
      `the URL on stdout (stderr so far: ${host.stderr()})`,
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const parsed = new URL(url);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(parsed.origin)).status).toBe(401);

    const ws = new WebSocket(`ws://${parsed.host}/api?token=${parsed.searchParams.get('token')}`, {
      headers: { Origin: parsed.origin },
    });
    const replies: BridgeReply[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(data.toString()) as BridgeReply));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ kind: 'call', id: 1, method: 'app.info', args: {} }));
    // Data flows only to a signed-in operator: first start, so create the admin as the first window would.
    const admin = { username: 'cli.admin', displayName: 'CLI Admin', password: 'cli-password-1' };
    ws.send(JSON.stringify({ kind: 'call', id: 2, method: 'auth.setupAdmin', args: admin }));
    expect(
      await waitFor(() => replies.find((r) => r.kind === 'result' && r.id === 2), 30_000, 'setupAdmin'),
    ).toMatchObject({
      ok: true,
    });
    ws.send(JSON.stringify({ kind: 'subscribe', topic: 'health' }));
    const info = await waitFor(
      () => replies.find((r) => r.kind === 'result' && r.id === 1),
      10_000,
      'the app.info result',
    );
    expect(info).toMatchObject({ ok: true, value: { transport: 'host', feedUrl: `ws://127.0.0.1:${feedPort}` } });
    // The feed cannot connect: health says so, never 'live'.
    const health = await waitFor(
      () => replies.find((r) => r.kind === 'topic' && r.update.topic === 'health' && r.update.rows.length > 0),
      15_000,
      'a health row',
    );
    const feedState = (health as { update: { rows: Array<{ feedState: string }> } }).update.rows[0]?.feedState;
    expect(['connecting', 'reconnecting', 'down']).toContain(feedState);

    const closed = new Promise((resolve) => ws.once('close', resolve));
    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
    await closed;
    expect(host.stdout().trim().split('\n')).toHaveLength(1);
    expect(host.stderr()).toContain('SIGTERM, stopping');
  }, 150_000);

  it('refuses a port that is taken with one clear line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const host = runHost(['--port', String(port), '--feed', `ws://127.0.0.1:${await closedPort()}`]);
      started.push(host.child);
      expect(await host.exited).toBe(2);
      expect(host.stdout()).toBe('');
      expect(host.stderr()).toContain(`floorwatch: port ${port} on 127.0.0.1 is in use`);
      expect(host.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 120_000);
});
