// Screen benchmarks in Chromium against the headless host: tick-to-screen latency on the real core + simulator,
// the Positions grid under load, and three workspace windows under load.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { CoreHandle } from '../main/api/backend';
import { openAuthServices } from '../main/auth/authServices';
import { CoreProcess } from '../main/core/coreProcess';
import { startHost } from '../main/host/server';
import { benchRendererDir, launchBrowser, FRAME_PROBE, measureFrames, percentile } from './browser';
import { LoadCore } from './loadCore';
import type { BenchFigure } from './sections';

/**
 * Runs `run` against a host on `core` with the same login as the app: an admin is set up in a temporary data folder
 * and every page resumes that operator's session from the URL fragment, as a window opened by another would.
 */
export async function withHost<T>(
  core: CoreHandle,
  run: (pageUrl: (kind: string) => string) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-bench-screen-'));
  const access = await openAuthServices({ dataDir, app: 'host', version: 'bench', idleLockMs: 0 });
  const host = await startHost({ port: 0, core, access, staticDir: await benchRendererDir(), version: 'bench' });
  try {
    const login = await access.auth.setupAdmin(
      { connectionId: 'bench' },
      { username: 'bench.admin', displayName: 'Bench Admin', password: 'bench-password-1' },
    );
    return await run((kind) => {
      const url = new URL(host.url);
      url.searchParams.set('window', kind);
      url.hash = `session=${encodeURIComponent(login.token)}`;
      return url.toString();
    });
  } finally {
    await host.stop();
    await access.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function openWindow(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(FRAME_PROBE);
  await page.goto(url);
  await page.waitForSelector('.ag-row', { timeout: 60_000 });
  return page;
}

/** Tick-to-screen at 20k msg/s: simulator ts → the frame that paints the update (the renderer's perf probe). */
export async function benchTickToScreen(): Promise<BenchFigure[]> {
  const core = await CoreProcess.start({ simulator: { rate: 20_000, seed: 1 }, recording: false });
  const browser = await launchBrowser();
  try {
    return await withHost(core, async (pageUrl) => {
      const page = await openWindow(browser, pageUrl('marketWatch'));
      await page.waitForTimeout(3000); // warm-up
      await page.evaluate(() => window.__floorwatchPerf?.clear());
      await page.waitForTimeout(10_000);
      const samples = await page.evaluate(() => window.__floorwatchPerf?.values() ?? []);
      return [
        {
          key: 'tick_to_screen_p50_ms',
          value: percentile(samples, 50),
          target: '≤ 50',
          note: `${samples.length} samples, 20k msg/s`,
        },
        { key: 'tick_to_screen_p99_ms', value: percentile(samples, 99), target: '≤ 100' },
      ];
    });
  } finally {
    await browser.close();
    await core.stop();
  }
}

/** Positions grid with 10k rows under 50k row updates/s. */
export async function benchGrid(): Promise<BenchFigure[]> {
  const core = new LoadCore({ rowUpdatesPerSecond: 50_000 }).start();
  const browser = await launchBrowser();
  try {
    return await withHost(core, async (pageUrl) => {
      const page = await openWindow(browser, pageUrl('positions'));
      await page.waitForTimeout(2000);
      const [figures] = await measureFrames([page], 8000);
      return [
        { key: 'grid_fps', value: figures!.fps, target: '≥ 55', note: '10k rows, 50k row updates/s' },
        {
          key: 'grid_long_tasks',
          value: figures!.longTasks,
          target: '0 > 50 ms',
          note: `worst ${figures!.worstTaskMs.toFixed(0)} ms`,
        },
      ];
    });
  } finally {
    await browser.close();
    core.stop();
  }
}

/** 5,000 live alerts and 10k positions at 50k rows/s across three windows. */
export async function benchWorkspace(): Promise<BenchFigure[]> {
  const core = new LoadCore({ rowUpdatesPerSecond: 50_000, alerts: 5000 }).start();
  const browser = await launchBrowser();
  try {
    return await withHost(core, async (pageUrl) => {
      const pages = [];
      for (const kind of ['alerts', 'positions', 'marketWatch']) pages.push(await openWindow(browser, pageUrl(kind)));
      await pages[0]!.waitForTimeout(2000);
      const figures = await measureFrames(pages, 8000);
      // Per window (alerts / positions / market watch), so a miss says which window it is.
      const each = (pick: (f: (typeof figures)[number]) => string) => figures.map(pick).join(' / ');
      return [
        {
          key: 'workspace_fps_min',
          value: Math.min(...figures.map((f) => f.fps)),
          target: '≥ 50',
          note: `alerts / positions / market watch: ${each((f) => f.fps.toFixed(1))} fps`,
        },
        {
          key: 'workspace_long_tasks',
          value: figures.reduce((sum, f) => sum + f.longTasks, 0),
          target: '0 > 50 ms',
          note: `per window ${each((f) => String(f.longTasks))}; worst ${each((f) => `${Math.round(f.worstTaskMs)} ms`)}`,
        },
      ];
    });
  } finally {
    await browser.close();
    core.stop();
  }
}
