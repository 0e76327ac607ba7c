// A Playwright fixture that runs the real headless host (`floorwatch host --port 0`, built-in simulator) once per
// worker, reads its URL from stdout and stops it with SIGTERM afterwards. FW_E2E_SYNTHETIC=1 runs the host on the
// synthetic dev core instead (syntheticHost.ts), for working on the windows when the core is broken.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import type { LinkChannel, WindowKind } from '../../../shared/api/contract';
import { repoRoot } from './paths';
import { setUpAdmin } from './setUpAdmin';

export interface RunningHost {
  /** The URL printed by the host, with ?token=. */
  url: string;
  origin: string;
  token: string;
  /** The page URL of a window kind (token included), optionally on a link channel. */
  pageUrl(kind: WindowKind, channel?: LinkChannel): string;
  /** What the host wrote to stderr so far (for failure messages). */
  log(): string;
  /** The admin the fixture created through the API in the host's fresh data folder. */
  operator: { username: string; displayName: string; password: string };
  /** Logs `page` in through the login screen (a page opened from a logged-in page resumes by itself). */
  signIn(page: Page): Promise<void>;
}

/** The E2E operator: created by the fixture in a temporary data folder, never in a real one. */
export const E2E_OPERATOR = { username: 'e2e.admin', displayName: 'E2E Admin', password: 'e2e-password-1' };

const START_TIMEOUT_MS = 90_000;

export interface HostProcessOptions {
  /** 0 (default) = ephemeral; a restart test passes the first run's port. */
  port?: number;
  /** Added to the host's environment (a machine policy file, say). */
  env?: Record<string, string>;
  /** More `floorwatch host` options (`--session FILE`, `--rate N`); they come after the fixture's own. */
  args?: string[];
}

/** Starts `floorwatch host` on `dataDir` (built-in simulator, seed 7, 2,000 msg/s unless `args` say otherwise). */
export function startHostProcess(
  dataDir: string,
  options: HostProcessOptions = {},
): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const synthetic = process.env.FW_E2E_SYNTHETIC === '1';
  const args = synthetic
    ? ['--import', 'tsx', path.join('tests', 'e2e', 'support', 'syntheticHost.ts')]
    : [
        '--import',
        'tsx',
        path.join('main', 'cli', 'index.ts'),
        'host',
        '--port',
        String(options.port ?? 0),
        '--seed',
        '7',
        '--rate',
        '2000',
        ...(options.args ?? []),
      ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A fresh data folder per worker: its own operators and audit log, never the developer's.
    env: { ...process.env, FLOORWATCH_DATA_DIR: dataDir, ...options.env },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the host printed no URL within ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => /^https?:\/\/\S+\?token=\S+$/.test(l.trim()));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: line.trim(), log: () => stderr });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the host exited before printing its URL (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });
}

export function stopHostProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The fixture's view of a host that printed `url` (its admin already set up with setUpAdmin). */
export function runningHost(url: string, log: () => string, operator = E2E_OPERATOR): RunningHost {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    url,
    origin: parsed.origin,
    token,
    pageUrl(kind, channel) {
      const page = new URL('/', parsed.origin);
      page.searchParams.set('window', kind);
      if (channel) page.searchParams.set('channel', channel);
      page.searchParams.set('token', token);
      return page.toString();
    },
    log,
    operator,
    async signIn(page) {
      await page.getByTestId('login-username').fill(operator.username);
      await page.getByTestId('login-password').fill(operator.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('operator-name').waitFor({ timeout: 30_000 });
    },
  };
}

export const test = base.extend<object, { host: RunningHost }>({
  host: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture list from this destructuring
    async ({}, use) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-data-'));
      const { child, url, log } = await startHostProcess(dataDir);
      await setUpAdmin(url, E2E_OPERATOR);
      const running = runningHost(url, log);
      try {
        await use(running);
      } finally {
        await stopHostProcess(child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: START_TIMEOUT_MS + 20_000 },
  ],
});

export { expect } from '@playwright/test';
