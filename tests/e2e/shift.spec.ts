// A surveillance shift in real Chromium against the host on a market with misconduct (one host for the file): the
// alert workflow's verbs (close from New with a rationale, a refused submit keeps the typed text, acknowledge takes
// the alert, escalate names a role); an admin creates a supervisor in Settings and the two run a four-eyes request
// in two browser contexts; the daily report from the Reports window lists the operators' actions and downloads.
import { mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './support/scenarioHost';
import type { RunningHost } from './support/hostFixture';
import { artifactsDir } from './support/paths';

mkdirSync(artifactsDir, { recursive: true });
test.describe.configure({ mode: 'serial' });

const SUPERVISOR = { username: 'e2e.sup', displayName: 'E2E Supervisor', password: 'e2e-supervisor-1' };
const OPERATOR_GRID = '[data-testid="alerts-grid"]';

/** Calls the API as the page's operator (what a window does through window.floorwatch). */
function api<R>(page: Page, method: string, args: Record<string, unknown>): Promise<R> {
  return page.evaluate(
    ([m, a]) =>
      (window as unknown as { floorwatch: { call(m: string, a: unknown): Promise<unknown> } }).floorwatch.call(m, a),
    [method, args] as const,
  ) as Promise<R>;
}

async function openAlerts(page: Page, host: RunningHost): Promise<void> {
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto(host.pageUrl('alerts'));
  await host.signIn(page);
  await expect
    .poll(async () => Number(await page.getByTestId('alerts-count').getAttribute('data-total')), {
      timeout: 90_000,
      message: host.log(),
    })
    .toBeGreaterThan(3);
}

/** Selects the first row whose state is New and returns its alert id. */
async function selectNewAlert(page: Page): Promise<string> {
  await page.getByTestId('filter-state').selectOption('new');
  const row = page.locator(`${OPERATOR_GRID} .ag-row[row-id]`).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  const id = (await row.getAttribute('row-id')) ?? '';
  await row.locator('[col-id="rule"]').click();
  await expect(page.getByTestId('alert-actions')).toHaveAttribute('data-alert', id);
  return id;
}

interface Detail {
  alert: { state: string; assignee: string | null };
  history: { from: string; to: string; reason: string | null; operator: string; target?: unknown }[];
}

test('alert workflow: verbs by state, close from New with a rationale, typed text survives a refusal', async ({
  page,
  host,
}) => {
  test.setTimeout(180_000);
  await openAlerts(page, host);

  // From New: every verb but Reopen; Reopen says why not.
  const closeId = await selectNewAlert(page);
  for (const verb of ['acknowledge', 'investigate', 'escalate', 'dismiss', 'close'])
    await expect(page.getByTestId(`alert-${verb}`)).toBeEnabled();
  await expect(page.getByTestId('alert-reopen')).toBeDisabled();
  await expect(page.getByTestId('alert-reopen')).toHaveAttribute('title', /Cannot Reopen an alert that is New/);

  // Close straight from New, with a rationale ("closed – no action").
  await page.getByTestId('alert-close').click();
  await page.getByTestId('text-dialog-input').fill('Closed – no action: hedging desk, documented');
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog')).toHaveCount(0);
  let detail = await api<Detail>(page, 'alerts.get', { id: closeId });
  expect(detail.alert.state).toBe('closed');
  expect(detail.history.at(-1)).toMatchObject({
    from: 'new',
    to: 'closed',
    reason: 'Closed – no action: hedging desk, documented',
    operator: host.operator.username,
  });
  await expect(page.getByTestId('alert-reopen')).toBeEnabled();
  await expect(page.getByTestId('alert-close')).toBeDisabled();

  // A refused submit keeps the dialog and the text: someone else dismisses the alert meanwhile.
  const raceId = await selectNewAlert(page);
  await page.getByTestId('alert-dismiss').click();
  const typed = 'Market maker quoting both sides; exempt under the desk agreement';
  await page.getByTestId('text-dialog-input').fill(typed);
  await api(page, 'alerts.setState', { id: raceId, state: 'closed', reason: 'closed elsewhere' });
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog-error')).toContainText(/cannot go from closed to dismissed/);
  await expect(page.getByTestId('text-dialog-input')).toHaveValue(typed);
  // Cancelled, the draft stays with the alert until it is submitted.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('alert-reopen').click();
  await page.getByTestId('text-dialog-input').fill('second look');
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog')).toHaveCount(0);
  await page.getByTestId('alert-dismiss').click();
  await expect(page.getByTestId('text-dialog-input')).toHaveValue(typed);
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog')).toHaveCount(0);
  expect((await api<Detail>(page, 'alerts.get', { id: raceId })).alert.state).toBe('dismissed');

  // Acknowledge takes an unassigned alert; Escalate asks for a role and a reason, then confirmation.
  const ackId = await selectNewAlert(page);
  await page.getByTestId('alert-acknowledge').click();
  await expect
    .poll(async () => (await api<Detail>(page, 'alerts.get', { id: ackId })).alert)
    .toMatchObject({
      state: 'acknowledged',
      assignee: host.operator.username,
    });
  await page.getByTestId('alert-escalate').click();
  await page.getByTestId('escalate-target').selectOption('role:supervisor');
  await page.getByTestId('text-dialog-input').fill('Coordinated with a second account: needs a supervisor');
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog-confirmation')).toContainText(`Escalate alert ${ackId} to Supervisor?`);
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog')).toHaveCount(0);
  detail = await api<Detail>(page, 'alerts.get', { id: ackId });
  expect(detail.history.at(-1)).toMatchObject({ to: 'escalated', target: { kind: 'role', id: 'supervisor' } });
  await page.screenshot({ path: path.join(artifactsDir, 'shift-alert-actions.png') });
});
