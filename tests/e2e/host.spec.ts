// The windows in real Chromium against the headless host (built-in simulator): Market Watch ticks, Positions and
// Accounts open as their own pages, and picking an account in Accounts filters Positions on the same channel.
// Screenshots of each window go to tests/e2e/artifacts/ (git-ignored).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { windowButton } from './support/header';
import { pickGridRow } from './support/gridRows';
import { artifactsDir } from './support/paths';
import { expect, test } from './support/hostFixture';

mkdirSync(artifactsDir, { recursive: true });

/** instrumentId → text of its Last cell, for the rows on screen. */
function lastPrices(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const row of document.querySelectorAll('[data-testid="market-grid"] .ag-row[row-id]')) {
      const id = row.getAttribute('row-id');
      const last = row.querySelector('[col-id="last"]')?.textContent ?? '';
      if (id) out[id] = last.trim();
    }
    return out;
  });
}

/** The distinct account ids in the Positions grid's rendered rows. */
function shownAccounts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const ids = new Set<string>();
    for (const cell of document.querySelectorAll('[data-testid="positions-grid"] .ag-row [col-id="accountId"]')) {
      ids.add((cell.textContent ?? '').trim());
    }
    return [...ids].sort();
  });
}

test.describe('headless host windows', () => {
  test('pages without the token are refused', async ({ browser, host }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${host.origin}/?window=accounts`);
    expect(response?.status()).toBe(401);
    await context.close();
  });

  test('Market Watch ticks; Accounts picks filter Positions on the same channel', async ({ page, context, host }) => {
    const problems: string[] = [];
    const watch = (p: Page, name: string) => {
      p.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
      p.on('console', (message) => {
        if (message.type() === 'error') problems.push(`${name}: console error: ${message.text()}`);
      });
    };
    watch(page, 'market watch');

    // --- Market Watch: live and ticking.
    await page.goto(host.pageUrl('marketWatch'));
    await host.signIn(page); // windows opened from this one below resume its session
    await expect(page.getByTestId('window-title')).toHaveText('Market Watch');
    await expect(page.getByTestId('feed-state'), host.log()).toHaveAttribute('data-state', 'live', { timeout: 45_000 });
    expect(new URL(page.url()).searchParams.has('token'), 'the token is removed from the address bar').toBe(false);
    await expect.poll(async () => Object.keys(await lastPrices(page)).length).toBeGreaterThan(3);
    const first = await lastPrices(page);
    await expect
      .poll(
        async () => {
          const now = await lastPrices(page);
          return Object.keys(now).filter((id) => first[id] !== undefined && now[id] !== first[id]).length;
        },
        { timeout: 20_000, message: 'no last price changed in Market Watch' },
      )
      .toBeGreaterThan(0);
    for (const text of Object.values(await lastPrices(page))) expect(text).toMatch(/^(—|\d+(\.\d+)?)$/);
    // The tick-to-screen probe records samples as updates are painted.
    expect(await page.evaluate(() => window.__floorwatchPerf?.count ?? 0)).toBeGreaterThan(0);

    // --- The up/down colour convention defaults to the Chinese one (red up) and can be switched.
    const toggle = page.getByTestId('updown-toggle');
    await expect(toggle).toHaveAttribute('data-convention', 'redUp');
    const upColour = () =>
      page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--fw-up').trim());
    const redUp = await upColour();
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-convention', 'greenUp');
    expect(await upColour()).not.toBe(redUp);
    await toggle.click();
    await expect(toggle).toHaveAttribute('data-convention', 'redUp');

    // --- Link Market Watch to the red channel and open the other windows from its header.
    await page.getByTestId('channel-red').click();
    await expect(page.getByTestId('channel-red')).toHaveAttribute('aria-checked', 'true');

    const positionsOpened = context.waitForEvent('page');
    await (await windowButton(page, 'positions')).click();
    const positions = await positionsOpened;
    watch(positions, 'positions');
    await positions.waitForLoadState('domcontentloaded');
    await expect(positions.getByTestId('window-title')).toHaveText('Positions');
    await expect(positions.getByTestId('channel-red')).toHaveAttribute('aria-checked', 'true');

    const accountsOpened = context.waitForEvent('page');
    await (await windowButton(page, 'accounts')).click();
    const accounts = await accountsOpened;
    watch(accounts, 'accounts');
    await accounts.waitForLoadState('domcontentloaded');
    await expect(accounts.getByTestId('window-title')).toHaveText('Accounts');
    await expect(accounts.getByTestId('risk-note')).toContainText('margin ÷ equity');
    await expect(accounts.getByTestId('channel-red')).toHaveAttribute('aria-checked', 'true');

    // Positions starts unfiltered, with several accounts.
    await expect.poll(() => shownAccounts(positions).then((ids) => ids.length)).toBeGreaterThan(1);
    await expect(positions.getByTestId('link-chip-account')).toHaveCount(0);

    // --- Pick the riskiest account (sorted first: it holds margin, so it has positions).
    const accountRows = accounts.locator('[data-testid="accounts-grid"] .ag-row[row-id]');
    await expect(accountRows.first()).toBeVisible();
    const accountId = await pickGridRow(accountRows.first(), 'equity');
    expect(accountId).toBeTruthy();

    // --- Positions follows: chip shows the account, and only its rows remain.
    await expect(positions.getByTestId('link-chip-account')).toContainText(accountId!);
    await expect.poll(() => shownAccounts(positions)).toEqual([accountId]);
    await expect
      .poll(async () => Number(await positions.getByTestId('positions-count').getAttribute('data-count')))
      .toBeGreaterThan(0);

    // Screenshots once the windows have settled on live data.
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(artifactsDir, 'host-market-watch.png') });
    await positions.screenshot({ path: path.join(artifactsDir, 'host-positions.png') });
    await accounts.screenshot({ path: path.join(artifactsDir, 'host-accounts.png') });

    // --- Clearing the chip shows every account again in this window.
    await positions.getByTestId('link-chip-account-clear').click();
    await expect(positions.getByTestId('link-chip-account')).toHaveCount(0);
    await expect.poll(() => shownAccounts(positions).then((ids) => ids.length)).toBeGreaterThan(1);

    expect(problems, `${problems.join('\n')}\nhost log:\n${host.log()}`).toEqual([]);
  });
});
