// A host on a market WITH misconduct (the stock host fixture's clean market raises no alerts): `floorwatch sim
// --scenarios all` on a short trading day, and the host fixture's `floorwatch host --feed` on it. One per worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { repoRoot } from './paths';
import { E2E_OPERATOR, runningHost, startHostProcess, stopHostProcess, type RunningHost } from './hostFixture';
import { setUpAdmin, type E2eOperator } from './setUpAdmin';

const START_TIMEOUT_MS = 90_000;

/** Starts the scenario simulator; resolves with its feed URL once it serves. */
export function startScenarioSim(): Promise<{ child: ChildProcess; feedUrl: string; log: () => string }> {
  const args = ['sim', '--port', '0', '--seed', '7', '--rate', '3000', '--scenarios', 'all', '--day-seconds', '420'];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('main', 'cli', 'index.ts'), ...args, '--quiet'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
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
      reject(new Error(`the simulator printed no feed URL in ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const feedUrl = /serving fw-feed\/1 at (ws:\/\/\S+) /.exec(stdout)?.[1];
      if (feedUrl) {
        clearTimeout(timer);
        resolve({ child, feedUrl, log: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited (code ${code}); stderr:\n${stderr}`));
    });
  });
}

/** A Playwright test with a worker-scoped `host` on the scenario simulator, `operator` its first admin. */
export function scenarioHostTest(operator: E2eOperator = E2E_OPERATOR, dataPrefix = 'fw-e2e-scenario-') {
  return base.extend<object, { host: RunningHost }>({
    host: [
      // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture list from this destructuring
      async ({}, use) => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), dataPrefix));
        const sim = await startScenarioSim();
        let host: ChildProcess | null = null;
        try {
          const started = await startHostProcess(dataDir, { args: ['--feed', sim.feedUrl] });
          host = started.child;
          await setUpAdmin(started.url, operator);
          await use(runningHost(started.url, () => `${started.log()}\n${sim.log()}`, operator));
        } finally {
          if (host) await stopHostProcess(host);
          await stopHostProcess(sim.child);
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
      { scope: 'worker', timeout: 2 * START_TIMEOUT_MS + 20_000 },
    ],
  });
}

export type ScenarioHost = RunningHost;
export const test = scenarioHostTest();

export { expect } from '@playwright/test';
