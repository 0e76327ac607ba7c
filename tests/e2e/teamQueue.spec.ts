// The team queue in real Chromium against the host on a market with misconduct: an operator picks an unassigned
// alert, claims it, and finds it under "mine" (listed by the server-side view), with its SLA shown.
import type { Page } from '@playwright/test';
import { expect, test } from './support/scenarioHost';

const GRID = '[data-testid="alerts-grid"]';

function api<R>(page: Page, method: string, args: Record<string, unknown>): Promise<R> {
  return page.evaluate(
    ([m, a]) =>
      (window as unknown as { floorwatch: { call(m: string, a: unknown): Promise<unknown> } }).floorwatch.call(m, a),
    [method, args] as const,
  ) as Promise<R>;
}

test('claim an unassigned alert and see it under "mine"', async ({ page, host }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto(host.pageUrl('alerts'));
  await host.signIn(page);
  await page.getByTestId('filter-queue').selectOption('unassigned');
  const bar = page.getByTestId('alert-actions');
  let claimed = '';
  for (let attempt = 0; attempt < 20 && !claimed; attempt++) {
    await page.mouse.move(0, 0);
    const row = page.locator(`${GRID} .ag-row[row-id]`).first();
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row.getByTestId('alert-sla')).toHaveText(/left|overdue/);
    await row.locator('[col-id="rule"]').click();
    const id = (await bar.getAttribute('data-alert')) ?? '';
    const { alert } = await api<{ alert: { assignee: string | null } }>(page, 'alerts.get', { id });
    if (!id || alert.assignee !== null) continue;
    await expect(page.getByTestId('alert-claim')).toBeEnabled();
    await page.getByTestId('alert-claim').click();
    await expect(bar).toContainText(host.operator.username);
    claimed = id;
  }
  expect(claimed).not.toBe('');
  await expect(page.getByTestId('alert-claim')).toBeDisabled();

  await page.getByTestId('filter-queue').selectOption('mine');
  await expect(page.locator(`${GRID} .ag-row[row-id="${claimed}"]`)).toBeVisible();
  const listed = await page
    .locator(`${GRID} .ag-row[row-id]`)
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('row-id')));
  for (const id of listed) {
    const { alert } = await api<{ alert: { assignee: string | null } }>(page, 'alerts.get', { id });
    expect(alert.assignee).toBe(host.operator.username);
  }

  await page.getByTestId('workload-toggle').click();
  await expect(page.locator(`[data-testid="workload"] tr[data-operator="${host.operator.username}"]`)).toBeVisible();
});
