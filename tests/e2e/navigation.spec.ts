// Getting around a shift without dead ends, in real Chromium against the host: every window button reachable at
// 1280 and 1600 px (in the header or behind "More ▾"), an unknown window kind answered with the list of windows,
// ?window=accountTools opening Account Tools, the related-windows menu and double-click on an account, messages as
// toasts with their full text and in the history, and the alert badge bringing the open Alerts page forward.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { WINDOW_KINDS, type WindowKind } from '../../shared/api/contract';
import { expect, test, type RunningHost } from './support/hostFixture';
import { windowButton } from './support/header';
import { artifactsDir } from './support/paths';

mkdirSync(artifactsDir, { recursive: true });

async function openPage(page: Page, host: RunningHost, kind: string, extra = ''): Promise<void> {
  await page.goto(host.pageUrl(kind as WindowKind) + extra);
  const login = page.getByTestId('login-username');
  const ready = page.getByTestId('window-title').or(page.getByTestId('unknown-window'));
  await expect(login.or(ready).first()).toBeVisible({ timeout: 45_000 });
  if (await login.isVisible()) await host.signIn(page).catch(() => undefined);
  await expect(ready.first()).toBeVisible({ timeout: 30_000 });
}

test.describe('navigation and messages', () => {
  test('every window button is reachable at 1280 and 1600 px', async ({ page, host }) => {
    await openPage(page, host, 'marketWatch');
    for (const width of [1280, 1600]) {
      await page.setViewportSize({ width, height: 800 });
      const header = page.locator('header.fw-header');
      await expect(header.locator('nav.fw-open')).toHaveAttribute('data-fit', /\d+/);
      const headerBox = await header.boundingBox();
      if (!headerBox) throw new Error('no header');
      // Nothing in the header is cut off: every control, the last ones included, lies inside it.
      for (const control of await header.locator('button, select').all()) {
        const box = await control.boundingBox();
        if (!box) continue;
        expect(box.x + box.width, `${width} px: ${await control.getAttribute('data-testid')}`).toBeLessThanOrEqual(
          headerBox.x + headerBox.width + 0.5,
        );
        expect(box.y + box.height).toBeLessThanOrEqual(headerBox.y + headerBox.height + 0.5);
      }
      await header.screenshot({ path: path.join(artifactsDir, `header-${width}.png`) });
      for (const kind of WINDOW_KINDS) {
        const button = await windowButton(page, kind);
        await expect(button, `${width} px: ${kind}`).toBeVisible();
        await expect(button).toHaveAttribute('title', /^Open an? [A-Z]/);
        if (kind === 'accounts') await expect(button).toHaveAttribute('title', 'Open an Accounts window');
        await page.keyboard.press('Escape');
      }
    }
  });

  test('an unknown window kind lists the windows; ?window=accountTools is Account Tools', async ({ page, host }) => {
    await openPage(page, host, 'marketWatchh');
    await expect(page.getByTestId('unknown-window')).toContainText('There is no “marketWatchh” window');
    await expect(page.getByTestId('valid-windows').getByRole('button')).toHaveCount(WINDOW_KINDS.length);
    await expect(page.getByTestId('window-title')).toHaveCount(0);
    await expect(page.locator('[data-testid="market-grid"]')).toHaveCount(0);
    await page.screenshot({ path: path.join(artifactsDir, 'unknown-window.png') });

    await openPage(page, host, 'accountTools');
    await expect(page.getByTestId('window-title')).toHaveText('Account tools');
    expect(new URL(page.url()).searchParams.get('window')).toBe('account');
  });

  test('right-click and double-click on an account open its related windows', async ({ page, context, host }) => {
    await openPage(page, host, 'accounts');
    const row = page.locator('[data-testid="accounts-grid"] .ag-row[row-id]:has([col-id="accountId"])').first();
    await expect(row).toBeVisible({ timeout: 45_000 });
    const accountId = (await row.getAttribute('row-id')) ?? '';
    // That account's row wherever the live risk sort has moved it since.
    const accountRow = page.locator(`[data-testid="accounts-grid"] .ag-row[row-id="${accountId}"]`);
    // Risk bars in their band's colour and the nearest-limit column, in both themes.
    await expect(page.locator('[data-testid="accounts-grid"] .ag-header-cell[col-id="limitShare"]')).toContainText(
      'Nearest limit',
    );
    await page.screenshot({ path: path.join(artifactsDir, 'accounts-limits-dark.png') });
    await page.getByTestId('theme-toggle').click();
    const track = await page
      .locator('.fw-risk-bar')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(track, 'the empty track is light in the light theme').not.toBe('rgb(28, 38, 49)');
    await page.screenshot({ path: path.join(artifactsDir, 'accounts-limits-light.png') });
    await page.getByTestId('theme-toggle').click();

    await accountRow.locator('[col-id="name"]').click({ button: 'right' });
    const menu = page.getByTestId('related-menu');
    await expect(menu).toBeVisible();
    await expect(menu.getByRole('menuitem')).toHaveText([
      `Account tools for ${accountId}`,
      `Positions of ${accountId}`,
      `Alerts of ${accountId}`,
    ]);
    const [positions] = await Promise.all([
      context.waitForEvent('page'),
      menu.locator('[data-related="positions"]').click(),
    ]);
    await expect(positions.getByTestId('link-chip-account')).toContainText(accountId, { timeout: 30_000 });
    await positions.close();

    const [tools] = await Promise.all([context.waitForEvent('page'), accountRow.locator('[col-id="name"]').dblclick()]);
    await expect(tools.getByTestId('account-view')).toHaveAttribute('data-account', accountId, { timeout: 30_000 });
    await tools.close();
  });

  test('a message is a toast with its full text and stays in the history', async ({ page, host }) => {
    await openPage(page, host, 'marketWatch');
    // A success with a long text (a layout saved under a long name): all of it on screen, green, fading later.
    const name = 'night shift desk with the spoofing watch and the margin-call accounts side by side';
    await page.getByTestId('palette-button').click();
    await page.getByTestId('palette-input').fill(name);
    await page.locator('[data-command="layout:save"]').click();
    const saved = page.getByTestId('toast').filter({ hasText: name });
    await expect(saved).toHaveAttribute('data-kind', 'success');
    const savedText = saved.getByTestId('toast-text');
    await expect(savedText).toContainText(`“${name}”`);
    const clipped = await savedText.evaluate(
      (el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight,
    );
    expect(clipped, 'the whole text is shown').toBe(false);

    // An instrument picked in the palette with no link channel: an info message.
    await page.getByTestId('palette-button').click();
    await page.getByTestId('palette-input').fill('IF');
    await page.locator('[data-command^="instrument:"]').first().click();
    const text = 'Link this window to a colour channel first';
    await expect(page.getByTestId('toast').filter({ hasText: text })).toHaveAttribute('data-kind', 'info');

    await page.getByTestId('notice-history-button').click();
    const history = page.getByTestId('notice-history');
    await expect(history).toContainText(text);
    await expect(history).toContainText(name);
    await expect(history.locator('time').first()).toHaveText(/^\d\d:\d\d:\d\d$/);
  });

  test('the alert badge brings the open Alerts page forward instead of opening another', async ({
    page,
    context,
    host,
  }) => {
    await openPage(page, host, 'marketWatch');
    const [alerts] = await Promise.all([context.waitForEvent('page'), (await windowButton(page, 'alerts')).click()]);
    await expect(alerts.getByTestId('window-title')).toHaveText('Alerts', { timeout: 30_000 });
    await page.bringToFront();

    const pagesBefore = context.pages().length;
    await page.getByTestId('alert-badge').click();
    await expect(alerts.locator('.fw-window')).toHaveClass(/fw-flash/);
    await expect.poll(() => alerts.title()).toMatch(/^● /);
    await expect(page.getByTestId('toast').last()).toContainText('An Alerts window is already open');
    await page.waitForTimeout(600);
    expect(context.pages().length).toBe(pagesBefore);

    // With no Alerts page open, the badge opens one.
    await alerts.close();
    const [opened] = await Promise.all([context.waitForEvent('page'), page.getByTestId('alert-badge').click()]);
    await expect(opened.getByTestId('window-title')).toHaveText('Alerts', { timeout: 30_000 });
    await opened.close();
  });
});
