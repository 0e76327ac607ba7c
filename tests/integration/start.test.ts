// `npm start` on a machine where the Electron binary is missing and cannot be fetched: build/start.mjs says so in one
// line, falls back to the headless host on the embedded simulator, prints the page URL with its token (which serves
// the app), and stops everything it started on Ctrl+C (SIGINT).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const temp = mkdtempSync(path.join(os.tmpdir(), 'fw-start-'));

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pids of every live descendant of `pid` (from ps's parent links). */
function descendantsOf(pid: number): Promise<number[]> {
  return new Promise((resolve) => {
    const ps = spawn('ps', ['-eo', 'pid=,ppid='], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    ps.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    ps.on('close', () => {
      const children = new Map<number, number[]>();
      for (const line of out.trim().split('\n')) {
        const [child, parent] = line.trim().split(/\s+/).map(Number) as [number, number];
        children.set(parent, [...(children.get(parent) ?? []), child]);
      }
      const found: number[] = [];
      const queue = [pid];
      while (queue.length > 0) {
        for (const child of children.get(queue.shift() as number) ?? []) {
          found.push(child);
          queue.push(child);
        }
      }
      resolve(found);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start without an Electron binary', () => {
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('falls back to the headless host, serves the app at the printed URL and stops on SIGINT', async () => {
    const dataDir = path.join(temp, 'data');
    const child = spawn(process.execPath, ['build/start.mjs', '--port', '0', '--rate', '500'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        FLOORWATCH_DATA_DIR: dataDir,
        FLOORWATCH_POLICY_FILE: path.join(temp, 'no-policy.json'),
        // No Electron here, whatever this machine has: an empty dist folder, and no download from the suite.
        ELECTRON_OVERRIDE_DIST_PATH: path.join(temp, 'no-electron'),
        ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
        FLOORWATCH_START_SKIP_BUILD: '1',
        BROWSER: 'none',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started: number[] = [];
    try {
      const url = await waitFor(
        () => stdout.split('\n').find((line) => line.includes('?token=')),
        90_000,
        () => `the URL on stdout (stderr so far: ${stderr})`,
      );
      expect(stdout.trim()).toBe(url); // stdout carries the URL and nothing else
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      expect(stderr).toMatch(/floorwatch: Electron binary not downloaded \(ELECTRON_SKIP_BINARY_DOWNLOAD is set\)/);
      expect(stderr).toMatch(/floorwatch: running in your browser through the headless host: /);

      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');

      // The page's API answers with the token: the same product as the desktop app, on the embedded simulator.
      const parsed = new URL(url);
      const socket = new WebSocket(`ws://${parsed.host}/api?token=${parsed.searchParams.get('token')}`, {
        headers: { Origin: parsed.origin },
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ kind: 'call', id: 1, method: 'app.info', args: {} }));
      const reply = await new Promise<{ ok: boolean; value?: { simulator?: boolean } }>((resolve) =>
        socket.once('message', (data) => resolve(JSON.parse(String(data)))),
      );
      socket.close();
      expect(reply.ok).toBe(true);
      expect(reply.value?.simulator).toBe(true);
      started.push(...(await descendantsOf(child.pid as number)));
      expect(started.length).toBeGreaterThan(0); // the host runs as a child of start.mjs
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    // Nothing it started outlives it.
    expect(started.filter(alive)).toEqual([]);
  }, 120_000);
});
