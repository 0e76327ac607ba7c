// The real Electron app (Playwright `_electron`): Market Watch ticks on the embedded simulator, the window is
// isolated and sandboxed, pop-ups and navigation are refused, and a window opens another. Skipped where the
// Electron binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1, offline machines, this CI).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Same test as build/electronBinary.mjs: requiring `electron` would throw when its binary is missing. */
function electronBinaryInstalled(): boolean {
  const packageDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  return existsSync(path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

const hasElectronBinary = electronBinaryInstalled();

/** Runs in the page (self-contained, Playwright serialises it): window.floorwatch.call, failing clearly. */
function callApi({ method, args }: { method: string; args: unknown }): Promise<unknown> {
  const api = window.floorwatch as { call(method: string, args: unknown): Promise<unknown> } | undefined;
  if (!api) throw new Error('window.floorwatch is missing: the preload did not run');
  return api.call(method, args);
}

/** First start in the fresh data folder: the window asks for an admin, which also logs it in. */
async function setUpAdmin(page: Page): Promise<void> {
  await page.getByTestId('setup-username').fill('e2e.admin', { timeout: 30_000 });
  await page.getByTestId('setup-display-name').fill('E2E Admin');
  await page.getByTestId('setup-password').fill('e2e-password-1');
  await page.getByTestId('setup-submit').click();
  await page.getByTestId('operator-name').waitFor({ timeout: 20_000 });
}

test.describe('Electron app', () => {
  test.skip(
    !hasElectronBinary,
    'Electron binary not installed (its download host was unreachable at npm install); `node build/fetchElectron.mjs` fetches it where it can be reached',
  );

  let app: ElectronApplication | null = null;
  let dataDir: string | null = null;

  test.beforeEach(() => {
    const bundle = path.join(root, 'dist', 'main', 'electron-main.js');
    expect(existsSync(bundle), `${bundle} is missing: run "npm run build" before the Electron tests`).toBe(true);
  });

  test.afterEach(async () => {
    await app?.close();
    app = null;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  });

  async function launch(): Promise<ElectronApplication> {
    const env = { ...process.env } as Record<string, string>;
    delete env.FLOORWATCH_FEED_URL; // the embedded simulator, whatever the developer's shell says
    // A fresh data folder: its own operators and audit log, never the developer's.
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-electron-'));
    env.FLOORWATCH_DATA_DIR = dataDir;
    // Chromium refuses to start as root with its OS sandbox (containers, CI). The renderer sandbox flag we check
    // below is still the app's own setting.
    const args = process.getuid?.() === 0 ? ['.', '--no-sandbox'] : ['.'];
    app = await electron.launch({ args, cwd: root, env, timeout: 30_000 });
    return app;
  }

  test('opens Market Watch on the simulator, ticking', async () => {
    const electronApp = await launch();
    const page = await electronApp.firstWindow();
    await setUpAdmin(page);
    await expect(page.getByTestId('window-title')).toContainText('Market Watch', { timeout: 20_000 });
    await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
    const grid = page.getByTestId('market-grid');
    await expect(grid).toContainText(/\d/, { timeout: 20_000 });
    const before = await grid.innerText();
    await expect
      .poll(() => grid.innerText(), { timeout: 10_000, message: 'Market Watch prices never changed' })
      .not.toBe(before);

    const info = await page.evaluate(callApi, { method: 'app.info', args: {} });
    expect(info).toMatchObject({ product: 'Floorwatch', transport: 'electron', simulator: true });
  });

  test('the page has no Node, only window.floorwatch, and runs isolated and sandboxed', async () => {
    const electronApp = await launch();
    const page = await electronApp.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      api: Object.keys(window.floorwatch ?? {}).sort(),
      // contextBridge hands the page a frozen copy; without context isolation exposeInMainWorld would have thrown.
      apiFrozen: Object.isFrozen(window.floorwatch),
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      api: ['call', 'onConnection', 'subscribe'],
      apiFrozen: true,
    });
  });

  test('refuses pop-ups and navigation away from the app', async () => {
    const electronApp = await launch();
    const page = await electronApp.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const startUrl = page.url();
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(startUrl);
    expect(electronApp.windows()).toHaveLength(1);
  });

  test('a window opens another through the API', async () => {
    const electronApp = await launch();
    const page = await electronApp.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    await setUpAdmin(page); // window.open needs a logged-in session; the new window resumes it
    const opened = electronApp.waitForEvent('window');
    await expect(page.evaluate(callApi, { method: 'window.open', args: { kind: 'positions' } })).resolves.toEqual({
      opened: true,
    });
    const positions = await opened;
    await expect(positions.getByTestId('window-title')).toContainText('Positions', { timeout: 20_000 });
    expect(new URL(positions.url()).searchParams.get('window')).toBe('positions');
  });
});
