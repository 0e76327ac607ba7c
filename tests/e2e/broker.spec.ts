// A broker-sized floor in Chromium through the headless host: 100,000 accounts on every listed contract of the six
// exchanges. Accounts, Positions and Alerts show rows quickly, scroll to the end, re-sort by risk degree, find an
// account by quick search, and follow a link pick, while the page stays connected.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import { E2E_OPERATOR, runningHost, startHostProcess, stopHostProcess, type RunningHost } from './support/hostFixture';
import { setUpAdmin } from './support/setUpAdmin';
import type { LinkChannel, WindowKind } from '../../shared/api/contract';

const ACCOUNTS = 100_000;

const test = base.extend<object, { host: RunningHost }>({
  host: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture list from this destructuring
    async ({}, use) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-broker-'));
      const { child, url, log } = await startHostProcess(dataDir, {
        // Misconduct injected over a short day, so the Alerts queue fills within the test.
        args: [
          ...['--sim-accounts', String(ACCOUNTS), '--sim-instruments', 'all', '--rate', '5000'],
          ...['--sim-scenarios', 'all', '--sim-day-seconds', '300'],
        ],
      });
      try {
        await setUpAdmin(url, E2E_OPERATOR);
        await use(runningHost(url, log));
      } finally {
        await stopHostProcess(child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

async function openWindow(page: Page, host: RunningHost, kind: WindowKind, channel?: LinkChannel): Promise<void> {
  await page.goto(host.pageUrl(kind, channel));
  await host.signIn(page);
}

const rows = (page: Page, grid: string) => page.locator(`[data-testid="${grid}"] .ag-row[row-id]`);

/** The row ids shown, top to bottom. */
async function shownIds(page: Page, grid: string): Promise<string[]> {
  return page.evaluate((testId) => {
    // A row is drawn once per pinned section: one id per row index.
    const byIndex = new Map<number, string>();
    for (const row of document.querySelectorAll(`[data-testid="${testId}"] .ag-row[row-id]`)) {
      byIndex.set(Number(row.getAttribute('row-index')), row.getAttribute('row-id') ?? '');
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  }, grid);
}

/** Risk degrees as shown (percent), top to bottom. */
async function shownDegrees(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const found = [...document.querySelectorAll('[data-testid="accounts-grid"] .ag-row')].filter((row) =>
      row.querySelector('.fw-risk-value'),
    );
    return found
      .map((row) => ({
        index: Number(row.getAttribute('row-index')),
        value: Number((row.querySelector('.fw-risk-value')?.textContent ?? 'NaN').replace('%', '')),
      }))
      .sort((a, b) => a.index - b.index)
      .map((row) => row.value);
  });
}

test.describe('a broker-sized floor (100k accounts, every listed contract)', () => {
  test.describe.configure({ timeout: 240_000 });

  test('Accounts, Positions and Alerts show rows, scroll, sort, search and follow picks', async ({ context, host }) => {
    const disconnected: string[] = [];
    const accounts = await context.newPage();
    accounts.on('console', (message) => {
      if (/connection (lost|closed)|disconnected/i.test(message.text())) disconnected.push(message.text());
    });
    const opened = Date.now();
    await openWindow(accounts, host, 'accounts', 'red');
    await expect(rows(accounts, 'accounts-grid').first()).toBeVisible({ timeout: 30_000 });
    const firstRowsMs = Date.now() - opened;
    await expect
      .poll(async () => Number((await accounts.getByTestId('accounts-count').textContent())?.replace(/\D/g, '')))
      .toBe(ACCOUNTS);

    // Sorted by risk degree, highest first, where the data is. (The pointer leaves the rows: resting on them holds
    // their places while the figures change; rows change places at most once a second.)
    await accounts.mouse.move(0, 0);
    await expect
      .poll(async () => {
        const degrees = await shownDegrees(accounts);
        return degrees.length > 5 && degrees.every((value, i) => i === 0 || value <= degrees[i - 1]!);
      })
      .toBe(true);

    // Re-sort ascending by a header click, then back: the first rows follow.
    const header = accounts.locator('[data-testid="accounts-grid"] .ag-header-cell[col-id="riskDegree"]');
    await header.click();
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await expect
      .poll(async () => {
        const ascending = await shownDegrees(accounts);
        return ascending.length > 5 && ascending.every((value, i) => i === 0 || value >= ascending[i - 1]!);
      })
      .toBe(true);
    await accounts.getByTestId('nearest-margin-call').click();
    await expect
      .poll(async () => {
        const descending = await shownDegrees(accounts);
        return descending.length > 5 && descending.every((value, i) => i === 0 || value <= descending[i - 1]!);
      })
      .toBe(true);

    // Scroll to the end: the last account rows load.
    // (the grid's vertical scroller: whichever of its viewports scrolls)
    await accounts.getByTestId('accounts-grid').evaluate((grid) => {
      for (const viewport of grid.querySelectorAll<HTMLElement>('[class*="viewport"]')) {
        if (viewport.scrollHeight > viewport.clientHeight + 10) viewport.scrollTop = viewport.scrollHeight;
      }
    });
    await expect
      .poll(async () =>
        Math.max(
          ...(await accounts
            .locator('[data-testid="accounts-grid"] .ag-row[row-index]')
            .evaluateAll((found) => found.map((row) => Number(row.getAttribute('row-index'))))),
        ),
      )
      .toBe(ACCOUNTS - 1);

    // Quick search finds one account by id among 100k.
    const wanted = 'A77777';
    await accounts.getByTestId('accounts-search').fill(wanted);
    await expect.poll(() => shownIds(accounts, 'accounts-grid')).toEqual([wanted]);
    await accounts.getByTestId('accounts-search').fill('');
    await expect.poll(async () => (await shownIds(accounts, 'accounts-grid')).length).toBeGreaterThan(5);

    // Positions on the same channel: rows at once, then following a pick made in Accounts.
    const positions = await context.newPage();
    await openWindow(positions, host, 'positions', 'red');
    await expect(rows(positions, 'positions-grid').first()).toBeVisible({ timeout: 30_000 });
    await expect
      .poll(async () => Number(await positions.getByTestId('positions-count').getAttribute('data-count')))
      .toBeGreaterThan(50_000);
    const picked = (await shownIds(accounts, 'accounts-grid'))[0]!;
    await accounts.locator(`[data-testid="accounts-grid"] .ag-row[row-id="${picked}"] [col-id="equity"]`).click();
    await expect(positions.getByTestId('link-chip-account')).toContainText(picked);
    await expect
      .poll(async () => [...new Set((await shownIds(positions, 'positions-grid')).map((key) => key.split('|')[0]))])
      .toEqual([picked]);

    // Grouped by exchange: one subtotal row per exchange.
    await positions.getByTestId('link-chip-account-clear').click();
    await positions.getByTestId('positions-group').selectOption('exchange');
    await expect.poll(async () => positions.getByTestId('group-row').count()).toBeGreaterThanOrEqual(5);

    // Alerts, a view of the alert queue (the simulator's floor raises margin and pattern alerts within its first
    // minutes): rows show, a header sorts them where they are, quick search finds one, the last rows load.
    const alerts = await context.newPage();
    await openWindow(alerts, host, 'alerts');
    await alerts.getByTestId('filter-state').selectOption('all');
    await expect(rows(alerts, 'alerts-grid').first(), host.log().slice(-4000)).toBeVisible({ timeout: 120_000 });
    const shownCount = async () => Number(await alerts.getByTestId('alerts-count').getAttribute('data-shown'));
    await expect.poll(shownCount).toBeGreaterThan(0);
    // The header badge counts unacknowledged alerts from the view's totals (no window holds the queue for it).
    await expect
      .poll(async () => Number(await accounts.getByTestId('alert-badge').getAttribute('data-count')))
      .toBeGreaterThan(0);

    const scores = () =>
      alerts.evaluate(() => {
        const byIndex = new Map<number, number>();
        for (const row of document.querySelectorAll('[data-testid="alerts-grid"] .ag-row[row-index]')) {
          const cell = row.querySelector('[col-id="score"]');
          if (cell) byIndex.set(Number(row.getAttribute('row-index')), Number(cell.textContent));
        }
        return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, score]) => score);
      });
    const scoreHeader = alerts.locator('[data-testid="alerts-grid"] .ag-header-cell[col-id="score"]');
    await scoreHeader.click();
    await expect(scoreHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect
      .poll(async () => {
        const ascending = await scores();
        return ascending.length > 0 && ascending.every((value, i) => i === 0 || value >= ascending[i - 1]!);
      })
      .toBe(true);
    await scoreHeader.click();
    await expect(scoreHeader).toHaveAttribute('aria-sort', 'descending');
    await expect
      .poll(async () => {
        const descending = await scores();
        return descending.length > 0 && descending.every((value, i) => i === 0 || value <= descending[i - 1]!);
      })
      .toBe(true);

    await alerts.getByTestId('alerts-grid').evaluate((grid) => {
      for (const viewport of grid.querySelectorAll<HTMLElement>('[class*="viewport"]')) {
        if (viewport.scrollHeight > viewport.clientHeight + 10) viewport.scrollTop = viewport.scrollHeight;
      }
    });
    await expect
      .poll(async () => {
        const indexes = await alerts
          .locator('[data-testid="alerts-grid"] .ag-row[row-index]')
          .evaluateAll((found) => found.map((row) => Number(row.getAttribute('row-index'))));
        return Math.max(...indexes) === (await shownCount()) - 1;
      })
      .toBe(true);

    const alertId = (await shownIds(alerts, 'alerts-grid'))[0]!;
    await alerts.getByTestId('alerts-search').fill(alertId);
    await expect
      .poll(async () => {
        const found = await shownIds(alerts, 'alerts-grid');
        return found.includes(alertId) && found.every((id) => id.toLowerCase().includes(alertId.toLowerCase()));
      })
      .toBe(true);

    // Still connected everywhere.
    for (const page of [accounts, positions, alerts]) {
      await expect(page.getByTestId('feed-state')).not.toHaveText(/down|disconnected/i);
    }
    expect(disconnected).toEqual([]);
    test.info().annotations.push({ type: 'accounts first rows ms', description: String(firstRowsMs) });
  });
});
