// Chromium for the screen benchmarks: Debian's /usr/bin/chromium when present, else Playwright's own browser.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { ensureRendererBuilt } from '../main/cli/commands/host';

/**
 * The renderer the screen benchmarks serve: FLOORWATCH_BENCH_RENDERER (a build made elsewhere with
 * `npx vite build --outDir DIR`, to compare two builds A/B while dist/ belongs to whoever built last), else this
 * checkout's dist/renderer, built first when it is missing.
 */
export function benchRendererDir(): Promise<string> {
  const override = process.env.FLOORWATCH_BENCH_RENDERER;
  if (override) return Promise.resolve(path.resolve(override));
  return ensureRendererBuilt(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
}

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Installed before any page script: counts animation frames and long tasks (> 50 ms) from `start()` on. */
export const FRAME_PROBE = `
  window.__fwFrames = { frames: 0, longTasks: 0, worstTaskMs: 0, running: false, startedAt: 0 };
  new PerformanceObserver((list) => {
    const probe = window.__fwFrames;
    if (!probe.running) return;
    for (const entry of list.getEntries()) {
      probe.longTasks += 1;
      probe.worstTaskMs = Math.max(probe.worstTaskMs, entry.duration);
    }
  }).observe({ type: 'longtask', buffered: false });
  const tick = () => { if (window.__fwFrames.running) window.__fwFrames.frames += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

export interface FrameFigures {
  fps: number;
  longTasks: number;
  worstTaskMs: number;
}

/** Measures frames per second and long tasks on `pages` over the same `ms` window. */
export async function measureFrames(pages: Page[], ms: number): Promise<FrameFigures[]> {
  await Promise.all(
    pages.map((page) =>
      page.evaluate(() => {
        const probe = (window as unknown as { __fwFrames: Record<string, number | boolean> }).__fwFrames;
        Object.assign(probe, { frames: 0, longTasks: 0, worstTaskMs: 0, running: true, startedAt: performance.now() });
      }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Promise.all(
    pages.map((page) =>
      page.evaluate(() => {
        const probe = (window as unknown as { __fwFrames: Record<string, number | boolean> }).__fwFrames;
        probe.running = false;
        const elapsed = performance.now() - (probe.startedAt as number);
        return {
          fps: ((probe.frames as number) * 1000) / elapsed,
          longTasks: probe.longTasks as number,
          worstTaskMs: probe.worstTaskMs as number,
        };
      }),
    ),
  );
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
