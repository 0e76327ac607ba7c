import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import type { WindowKind } from '../../../shared/api/contract';
import { repoRoot } from './paths';
import { setUpAdmin, type E2eOperator } from './setUpAdmin';

// A host on a simulator WITH misconduct scenarios (the stock host fixture runs a clean market, which raises
// no alerts): `floorwatch sim --scenarios all` on a short trading day, and `floorwatch host --feed` on it.
export interface ScenarioHost {
  origin: string;
  pageUrl(kind: WindowKind): string;
  log(): string;
  operator: { username: string; password: string };
}

function startProcess(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('main', 'cli', 'index.ts'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  return new Promise<{ child: ChildProcess; match: RegExpMatchArray; log: () => string }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0]} printed nothing usable in 90 s; stderr:\n${stderr}`));
    }, 90_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const match = stdout.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, log: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (code ${code}); stderr:\n${stderr}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
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

/** A Playwright test with a worker-scoped `host`: the simulator with every misconduct scenario, and a host on it. */
export function scenarioHostTest(operator: E2eOperator, dataPrefix: string) {
  return base.extend<object, { host: ScenarioHost }>({
    host: [
      // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture list from this destructuring
      async ({}, use) => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), dataPrefix));
        const sim = await startProcess(
          [
            'sim',
            '--port',
            '0',
            '--seed',
            '7',
            '--rate',
            '3000',
            '--scenarios',
            'all',
            '--day-seconds',
            '420',
            '--quiet',
          ],
          /serving fw-feed\/1 at (ws:\/\/\S+) /,
        );
        const feedUrl = sim.match[1] ?? '';
        let hostProcess: Awaited<ReturnType<typeof startProcess>> | null = null;
        try {
          hostProcess = await startProcess(
            ['host', '--port', '0', '--feed', feedUrl],
            /^(https?:\/\/\S+\?token=\S+)$/m,
            {
              FLOORWATCH_DATA_DIR: dataDir,
            },
          );
          const url = new URL(hostProcess.match[1] ?? '');
          await setUpAdmin(url, operator);
          const token = url.searchParams.get('token') ?? '';
          const hostLog = hostProcess.log;
          await use({
            origin: url.origin,
            pageUrl(kind) {
              return `${url.origin}/?window=${kind}&token=${encodeURIComponent(token)}`;
            },
            log: () => `${hostLog()}\n${sim.log()}`,
            operator,
          });
        } finally {
          if (hostProcess) await stopProcess(hostProcess.child);
          await stopProcess(sim.child);
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
      { scope: 'worker', timeout: 200_000 },
    ],
  });
}
