// A headless host (`floorwatch host --port 0`, built-in simulator, recording on) over a data folder the spec
// prepared first — with sessions recorded by support/recordSessions.ts — and its admin set up through the API.
// Used by the sessions and what-if specs, which need files in the sessions folder before the host lists them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { WindowKind } from '../../../shared/api/contract';
import { startHostProcess, stopHostProcess } from './hostFixture';
import { repoRoot } from './paths';
import { setUpAdmin, type E2eOperator } from './setUpAdmin';

export interface DataHost {
  dataDir: string;
  /** The recorded session and the unreadable file in `<dataDir>/sessions`. */
  recorded: { file: string; messages: number; broken: string };
  pageUrl(kind: WindowKind): string;
  signIn(page: Page): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export async function startDataHost(operator: E2eOperator): Promise<DataHost> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-e2e-sessions-'));
  const recorded = JSON.parse(
    execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join('tests', 'e2e', 'support', 'recordSessions.ts'), dataDir],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    ),
  ) as DataHost['recorded'];
  let host: Awaited<ReturnType<typeof startHostProcess>>;
  try {
    host = await startHostProcess(dataDir);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    await stopHostProcess(host.child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = host.url;
  try {
    await setUpAdmin(url, operator);
  } catch (error) {
    await stop();
    throw error;
  }
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    dataDir,
    recorded,
    pageUrl(kind) {
      const page = new URL('/', parsed.origin);
      page.searchParams.set('window', kind);
      page.searchParams.set('token', token);
      return page.toString();
    },
    async signIn(page) {
      await page.getByTestId('login-username').fill(operator.username);
      await page.getByTestId('login-password').fill(operator.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('operator-name').waitFor({ timeout: 30_000 });
    },
    log: host.log,
    stop,
  };
}
