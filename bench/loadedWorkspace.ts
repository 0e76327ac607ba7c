// The screen benchmarks' load for the dev aids (profileScreen.ts, cpuScreen.ts): a LoadCore (10k positions at 50k
// row updates/s, 5,000 live alerts) behind a headless host with a signed-in admin, and Chromium to open windows on
// it. FLOORWATCH_BENCH_RENDERER picks the renderer build, as for the benchmarks.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { openAuthServices } from '../main/auth/authServices';
import { startHost } from '../main/host/server';
import { benchRendererDir, launchBrowser, FRAME_PROBE } from './browser';
import { LoadCore } from './loadCore';

export interface LoadedWorkspace {
  browser: Browser;
  /** Opens a window of `kind` (with the frame probe) and waits for its first grid row. */
  open(kind: string): Promise<Page>;
  stop(): Promise<void>;
}

export async function startLoadedWorkspace(): Promise<LoadedWorkspace> {
  const staticDir = await benchRendererDir();
  const core = new LoadCore({ rowUpdatesPerSecond: 50_000, alerts: 5000 }).start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-bench-load-'));
  const access = await openAuthServices({ dataDir, app: 'host', version: 'bench', idleLockMs: 0 });
  const host = await startHost({ port: 0, core, access, staticDir, version: 'bench' });
  const browser = await launchBrowser();
  const login = await access.auth.setupAdmin(
    { connectionId: 'bench' },
    { username: 'bench.admin', displayName: 'Bench Admin', password: 'bench-password-1' },
  );
  return {
    browser,
    async open(kind) {
      const url = new URL(host.url);
      url.searchParams.set('window', kind);
      url.hash = `session=${encodeURIComponent(login.token)}`;
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.addInitScript(FRAME_PROBE);
      await page.goto(url.toString());
      await page.waitForSelector('.ag-row', { timeout: 60_000 });
      return page;
    },
    async stop() {
      await browser.close();
      await host.stop();
      await access.close();
      core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
