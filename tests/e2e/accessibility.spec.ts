// Accessibility basics for every window kind (WINDOW_KINDS, the new ones included), in real Chromium against the
// host: Playwright's accessibility snapshot names every button, text box, select and checkbox; Tab reaches every
// control outside the grids (no keyboard trap, no control only a mouse can reach) and enters each grid. Screenshots
// in both themes of the windows the workspace spec does not shoot go to tests/e2e/artifacts/window-<kind>-<theme>.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { WINDOW_KINDS, type WindowKind } from '../../shared/api/contract';
import { artifactsDir } from './support/paths';
import { expect, test } from './support/hostFixture';

mkdirSync(artifactsDir, { recursive: true });

/** workspace.spec.ts shoots these in both themes (workspace-<kind>-<theme>.png). */
const SHOT_ELSEWHERE: readonly WindowKind[] = ['alerts', 'case', 'account', 'health'];

/** Roles that are controls: each needs an accessible name. */
const CONTROL_ROLES = ['button', 'textbox', 'searchbox', 'combobox', 'checkbox', 'spinbutton', 'radio', 'switch'];

/** Lines of an aria snapshot that are controls without a name (`- button` rather than `- button "Open"`). */
export function unnamedControls(snapshot: string): string[] {
  const unnamed: string[] = [];
  for (const line of snapshot.split('\n')) {
    const match = /^\s*- (\w+)(.*)$/.exec(line);
    if (!match || !CONTROL_ROLES.includes(match[1]!)) continue;
    const rest = match[2]!.trim();
    if (!rest.startsWith('"') && !rest.startsWith('/')) unnamed.push(line.trim());
  }
  return unnamed;
}

/** Marks every visible, enabled control outside the grids with data-a11y-id and returns how they are described. */
function markControls(page: Page): Promise<{ id: string; text: string; tabIndex: number }[]> {
  return page.evaluate(() => {
    const selector = 'button, input, select, textarea, a[href], [role="button"], [role="checkbox"], [role="radio"]';
    const out: { id: string; text: string; tabIndex: number }[] = [];
    let n = 0;
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      if (element.closest('.ag-root-wrapper')) continue; // the grid has its own keyboard model (checked apart)
      if ((element as HTMLButtonElement).disabled) continue;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
      // A radio group is one Tab stop (arrows move inside it): its members share one id.
      const radio = element instanceof HTMLInputElement && element.type === 'radio' && element.name;
      const id = radio ? `radio:${element.name}` : String(n++);
      if (radio && out.some((c) => c.id === id)) {
        element.dataset.a11yId = id;
        continue;
      }
      element.dataset.a11yId = id;
      const text = (
        element.getAttribute('aria-label') ??
        element.getAttribute('data-testid') ??
        element.textContent ??
        element.tagName
      ).trim();
      out.push({ id, text: `${element.tagName.toLowerCase()} ${text}`.slice(0, 80), tabIndex: element.tabIndex });
    }
    return out;
  });
}

async function openWindow(page: Page, url: string, signIn: (page: Page) => Promise<void>): Promise<void> {
  await page.goto(url);
  const login = page.getByTestId('login-username');
  const title = page.getByTestId('window-title');
  await expect(login.or(title).first()).toBeVisible({ timeout: 45_000 });
  if (await login.isVisible()) await signIn(page);
  await expect(title).toBeVisible();
  // Loaded: no "loading" overlay left on any grid, and the view had a moment to settle.
  await page.waitForTimeout(1500);
}

test.describe('accessibility basics', () => {
  for (const kind of WINDOW_KINDS) {
    test(`${kind}: named controls, every control reachable with Tab`, async ({ page, host }) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await openWindow(page, `${host.pageUrl(kind)}&layout=none`, (p) => host.signIn(p));

      // 1. Labels: every control in the accessibility tree has a name.
      const snapshot = await page.locator('body').ariaSnapshot();
      expect(unnamedControls(snapshot), `unnamed controls in ${kind}:\n${snapshot}`).toEqual([]);

      // 2. Keyboard: Tab from the top visits every control (none is tabindex -1), and does not stay stuck.
      const controls = await markControls(page);
      const unreachable = controls.filter((c) => c.tabIndex < 0);
      expect(
        unreachable.map((c) => c.text),
        `controls taken out of the Tab order in ${kind}`,
      ).toEqual([]);
      const reached = new Set<string>();
      let grids = 0;
      let previous = '';
      let stuck = 0;
      const hasGrid = (await page.locator('.ag-root-wrapper').count()) > 0;
      await page.locator('body').focus();
      for (let i = 0; i < controls.length + 25 && (reached.size < controls.length || (hasGrid && grids === 0)); i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const active = document.activeElement as HTMLElement | null;
          if (!active || active === document.body) return { id: 'body', grid: false };
          return {
            id: active.dataset.a11yId ?? active.outerHTML.slice(0, 60),
            grid: !!active.closest('.ag-root-wrapper'),
          };
        });
        if (focused.grid) grids++;
        else if (focused.id !== 'body') reached.add(focused.id);
        stuck = focused.id === previous ? stuck + 1 : 0;
        previous = focused.id;
        expect(stuck, `Tab stays on ${focused.id} in ${kind} (keyboard trap)`).toBeLessThan(3);
      }
      const missed = controls.filter((c) => !reached.has(c.id)).map((c) => c.text);
      expect(missed, `controls Tab never reached in ${kind}`).toEqual([]);
      if (hasGrid) {
        // The grid is one Tab stop: its header is reachable, rows then move with the keys the window documents.
        expect(grids, `Tab never entered the grid of ${kind}`).toBeGreaterThan(0);
      }

      // 3. Screenshots in both themes (the windows workspace.spec.ts does not already shoot).
      if (!SHOT_ELSEWHERE.includes(kind)) {
        for (const theme of ['dark', 'light'] as const) {
          const toggle = page.getByTestId('theme-toggle');
          if ((await toggle.getAttribute('data-theme')) !== theme) await toggle.click();
          await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
          await page.waitForTimeout(300);
          await page.screenshot({ path: path.join(artifactsDir, `window-${kind}-${theme}.png`) });
        }
        await page.getByTestId('theme-toggle').click();
      }
      expect(problems).toEqual([]);
    });
  }
});
