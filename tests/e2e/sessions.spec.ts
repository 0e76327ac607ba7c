// The Sessions window in real Chromium against the host: the data folder's recorded session is listed (newest
// first, with its size), the unreadable file with its error and not openable, the live recording marked; Enter on the
// recorded session opens a review workspace in a tab of its own (this window stays LIVE), whose Back to live returns
// it to the live floor. Screenshot:
// tests/e2e/artifacts/sessions-window.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startDataHost, type DataHost } from './support/dataHost';
import { artifactsDir } from './support/paths';

mkdirSync(artifactsDir, { recursive: true });

const OPERATOR = { username: 'e2e.sessions', displayName: 'E2E Sessions', password: 'e2e-sessions-pass-1' };
let host: DataHost;

test.beforeAll(async () => {
  host = await startDataHost(OPERATOR);
});
test.afterAll(async () => {
  await host?.stop();
});

const rowOf = (file: string) => `[data-testid="sessions-grid"] .ag-row[row-id="${file}"]`;

test('lists recorded sessions, opens one for review with the keyboard, and goes back to live', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 640 });
  await page.goto(host.pageUrl('sessions'));
  await host.signIn(page);
  const grid = page.getByTestId('sessions-grid');
  const recorded = page.locator(rowOf(host.recorded.file));
  await expect(grid.locator('.ag-row')).not.toHaveCount(0);
  await expect(recorded).toBeVisible();
  await expect(recorded.locator('[col-id="tradingDay"]')).toHaveText('2026-11-24');
  await expect(recorded.locator('[col-id="messages"]')).toHaveText(host.recorded.messages.toLocaleString('en-US'));
  await expect(recorded.locator('[col-id="bytes"]')).toContainText(/[KM]B/);
  await expect(page.getByTestId('sessions-mode')).toHaveText('LIVE');

  // The unreadable file is listed with its error and cannot be opened.
  const broken = page.locator(rowOf(host.recorded.broken));
  await expect(broken.locator('[col-id="status"]')).toHaveText('Unreadable');
  await broken.locator('[col-id="file"]').click();
  await expect(page.getByTestId('sessions-open')).toBeDisabled();

  // The live recording appears after a refresh (the core opens its file on the feed's hello).
  await expect
    .poll(async () => {
      await page.getByTestId('sessions-refresh').click();
      return grid.locator('.fw-session-live').count();
    })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('sessions-count')).toContainText('3');

  // Keyboard: newest first, so the live session is on top and the recorded one below it; ↓ picks it, Enter opens.
  const live = grid.locator('.ag-row', { has: page.locator('.fw-session-live') });
  await expect(live).toHaveAttribute('row-index', '0');
  await expect(recorded).toHaveAttribute('row-index', '1');
  await live.locator('[col-id="tradingDay"]').click();
  await page.keyboard.press('ArrowDown');
  await expect(recorded).toHaveClass(/ag-row-selected/);
  await expect(page.getByTestId('sessions-open')).toBeEnabled();
  await page.screenshot({ path: path.join(artifactsDir, 'sessions-window.png') });

  // Enter opens a review workspace in a tab of its own; this window stays live.
  const opened = page.context().waitForEvent('page');
  await page.keyboard.press('Enter');
  const review = await opened;
  await expect(review.getByTestId('review-badge')).toHaveText(
    `REVIEW · ${path.basename(host.recorded.file, '.fwsession')}`,
  );
  await expect(review.getByTestId('review-seq')).toContainText(host.recorded.messages.toLocaleString('en-US'));
  await expect(page.getByTestId('sessions-mode')).toHaveText('LIVE');
  await expect(page.getByTestId('review-bar')).toHaveCount(0);
  await expect(recorded.locator('[col-id="status"]')).toHaveText('IN REVIEW');
  await page.screenshot({ path: path.join(artifactsDir, 'sessions-window-review.png') });

  await review.getByTestId('review-live').click();
  await expect(review.getByTestId('review-bar')).toHaveCount(0);
  await review.close();

  // In Chinese: headers, counts and sizes in the zh-CN locale.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByTestId('sessions-mode')).toHaveText('实时');
  await expect(grid.locator('.ag-header-cell[col-id="tradingDay"]')).toContainText('交易日');
  await expect(page.getByTestId('sessions-count')).toHaveText('会话：3 个');
  await page.screenshot({ path: path.join(artifactsDir, 'sessions-window-zh.png') });
});
