// A layout saved and restored after a restart: the host is stopped and started again on the same data folder (and
// port, so the browser storage of that origin carries over), the browser comes back with the same storage, and the
// first window reopens the layout in force — its windows, channels and parameters. Turned off in the palette, the
// next start opens just the window asked for.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { windowButton } from './support/header';
import { setUpAdmin } from './support/setUpAdmin';
import { startHostProcess, stopHostProcess } from './support/hostFixture';

const OPERATOR = { username: 'e2e.layout', displayName: 'E2E Layout', password: 'e2e-layout-password-1' };

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

async function signInIfAsked(page: Page): Promise<void> {
  const login = page.getByTestId('login-username');
  const title = page.getByTestId('window-title');
  await expect(login.or(title).first()).toBeVisible({ timeout: 45_000 });
  if (await login.isVisible()) {
    await login.fill(OPERATOR.username);
    await page.getByTestId('login-password').fill(OPERATOR.password);
    await page.getByTestId('login-submit').click();
  }
  await expect(title).toBeVisible({ timeout: 30_000 });
}

async function palette(page: Page, text: string, command: string): Promise<void> {
  await page.keyboard.press('Control+k');
  await page.getByTestId('palette-input').fill(text);
  await page.locator(`[data-command="${command}"]`).click();
}

/** The browser "restarts": a new context with the storage the old one left (pages closed first, as on quit). */
async function restartBrowser(browser: Browser, context: BrowserContext): Promise<BrowserContext> {
  const keep = await context.newPage();
  for (const page of context.pages()) if (page !== keep) await page.close({ runBeforeUnload: true });
  const state: StorageState = await context.storageState();
  await context.close();
  return browser.newContext({ storageState: state });
}

test('a layout saved and restored after a restart (host and browser), with an opt-out', async ({ browser }) => {
  test.setTimeout(300_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-layout-'));
  let host = await startHostProcess(dataDir);
  try {
    await setUpAdmin(host.url, OPERATOR);
    const port = new URL(host.url).port;
    const windowUrl = (url: string, query: string) => {
      const page = new URL(url);
      for (const [name, value] of new URLSearchParams(query)) page.searchParams.set(name, value);
      return page.toString();
    };

    // --- First run: alerts on green, and a health window opened from it; saved as "shift-e2e".
    let context = await browser.newContext();
    const alerts = await context.newPage();
    await alerts.goto(windowUrl(host.url, 'window=alerts&channel=green'));
    await signInIfAsked(alerts);
    const [health] = await Promise.all([context.waitForEvent('page'), (await windowButton(alerts, 'health')).click()]);
    await signInIfAsked(health);
    await alerts.bringToFront();
    await alerts.waitForTimeout(2500); // both windows have announced themselves
    await palette(alerts, 'shift-e2e', 'layout:save');
    await expect(alerts.getByTestId('toasts')).toContainText('shift-e2e');

    // --- Restart: host on the same data folder and port, browser with the same storage.
    context = await restartBrowser(browser, context);
    await stopHostProcess(host.child);
    host = await startHostProcess(dataDir, { port: Number(port) });
    const opened: Page[] = [];
    context.on('page', (page) => opened.push(page));
    const first = await context.newPage();
    await first.goto(host.url); // the plain start URL: Market Watch unless a layout is restored
    await signInIfAsked(first);
    // The first window becomes the layout's alerts window (green); the health window opens beside it.
    await expect(first.getByTestId('window-title')).toHaveText('Alerts', { timeout: 30_000 });
    expect(new URL(first.url()).searchParams.get('channel')).toBe('green');
    await expect(first.getByTestId('toasts')).toContainText('shift-e2e');
    await expect.poll(() => opened.filter((p) => p !== first).length, { timeout: 20_000 }).toBe(1);
    const restored = opened.find((p) => p !== first)!;
    await signInIfAsked(restored);
    await expect(restored.getByTestId('window-title')).toHaveText('System health');

    // --- Opt out in the palette: the next start opens only the window asked for.
    await palette(first, 'restore the last layout', 'layout:atStart:off');
    context = await restartBrowser(browser, context);
    const again = await context.newPage();
    let extra = 0;
    context.on('page', () => extra++);
    await again.goto(host.url);
    await signInIfAsked(again);
    await again.waitForTimeout(3000);
    await expect(again.getByTestId('window-title')).toHaveText('Market Watch');
    expect(extra).toBe(0);
    await context.close();
  } finally {
    await stopHostProcess(host.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
