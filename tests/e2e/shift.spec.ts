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

/**
 * Selects a row whose state is New. The pointer leaves the grid first: rows under a resting pointer keep their place
 * (an alert just worked on stays listed for a moment), and the row picked is checked against the server.
 */
async function selectNewAlert(page: Page): Promise<string> {
  await page.getByTestId('filter-state').selectOption('new');
  const bar = page.getByTestId('alert-actions');
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.mouse.move(0, 0);
    const row = page.locator(`${OPERATOR_GRID} .ag-row[row-id]`).first();
    await expect(row).toBeVisible({ timeout: 30_000 });
    const listedId = (await row.getAttribute('row-id')) ?? '';
    if (!listedId || (await api<Detail>(page, 'alerts.get', { id: listedId })).alert.state !== 'new') {
      await page.waitForTimeout(500);
      continue;
    }
    await row.locator('[col-id="rule"]').click();
    await expect(bar).toHaveAttribute('data-alert', /.+/);
    const id = (await bar.getAttribute('data-alert')) ?? '';
    if (id && (await api<Detail>(page, 'alerts.get', { id })).alert.state === 'new') return id;
  }
  throw new Error('no alert stayed New long enough to be picked');
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

test('operators in Settings and a four-eyes round trip by two operators in two browser contexts', async ({
  page,
  host,
  browser,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  // The admin creates a supervisor in Settings.
  await page.goto(host.pageUrl('settings'));
  await host.signIn(page);
  const create = page.getByTestId('operator-create');
  await create.getByLabel('User name').fill(SUPERVISOR.username);
  await create.getByLabel('Display name').fill(SUPERVISOR.displayName);
  await create.getByLabel('Role').selectOption('supervisor');
  await create.getByLabel('Initial password').fill(`${SUPERVISOR.password}-initial`);
  await create.getByRole('button', { name: 'Create operator' }).click();
  const row = page.locator(`[data-testid="operators-table"] tr[data-operator="${SUPERVISOR.username}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByRole('combobox')).toHaveValue('supervisor');
  // Disable and re-enable are audited updates the table follows.
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toHaveAttribute('data-disabled', 'true');
  await row.getByRole('button', { name: 'Re-enable' }).click();
  await expect(row).toHaveAttribute('data-disabled', 'false');
  // A reset password is typed masked; it is the one the supervisor logs in with below.
  await row.getByRole('button', { name: 'Reset password' }).click();
  const secret = page.getByTestId('text-dialog-input');
  await expect(secret).toHaveAttribute('type', 'password');
  await secret.fill(SUPERVISOR.password);
  await page.getByTestId('text-dialog-submit').click();
  await expect(page.getByTestId('text-dialog')).toBeHidden();

  // The admin asks to freeze opening on an account (account tools).
  const accountId = await page.evaluate(async () => {
    const api = (
      window as unknown as {
        floorwatch: { subscribe(t: string, l: (u: { rows: { accountId: string }[] }) => void): () => void };
      }
    ).floorwatch;
    return new Promise<string>((resolve) => {
      const stop = api.subscribe('accounts', (update) => {
        const first = update.rows[0];
        if (first) {
          stop();
          resolve(first.accountId);
        }
      });
    });
  });
  await page.goto(`${host.pageUrl('account')}&account=${encodeURIComponent(accountId)}`);
  await page.getByTestId('operator-name').waitFor({ timeout: 30_000 });
  await page.getByTestId('request-kind').selectOption('freeze_opening');
  await page.getByTestId('request-reason').fill('Layering pattern on two contracts: stop new positions');
  await page.getByTestId('request-submit').click();
  const status = page.locator('[data-testid="request-action-form"] [data-testid^="request-status-"]');
  await expect(status).toHaveAttribute('data-status', 'pending');
  const requestId = ((await status.getAttribute('data-testid')) ?? '').replace('request-status-', '');
  // No approving one's own request: the button is disabled and says why.
  const ownApprove = page.locator(`[data-request="${requestId}"] [data-testid="approve-${requestId}"]`);
  await expect(ownApprove).toBeDisabled();
  await expect(ownApprove).toHaveAttribute('title', /Your own request/);

  // The supervisor, in a browser context of their own, approves with a comment after confirming.
  const supervisorContext = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  try {
    const sup = await supervisorContext.newPage();
    await sup.goto(host.pageUrl('accounts'));
    await sup.getByTestId('login-username').fill(SUPERVISOR.username);
    await sup.getByTestId('login-password').fill(SUPERVISOR.password);
    await sup.getByTestId('login-submit').click();
    await sup.getByTestId('operator-name').waitFor({ timeout: 30_000 });
    await sup.getByTestId('pending-actions-button').click();
    // The panel re-renders with every actions update; a dispatched click does not wait for it to hold still.
    await expect(sup.getByTestId(`approve-${requestId}`)).toBeEnabled();
    await sup.getByTestId(`approve-${requestId}`).dispatchEvent('click');
    await sup.getByTestId('text-dialog-input').fill('Agreed: freeze until the client calls back');
    await sup.getByTestId('text-dialog-submit').click();
    await expect(sup.getByTestId('text-dialog-confirmation')).toContainText(`Approve #${requestId}`);
    await sup.getByTestId('text-dialog-submit').click();
    await expect(sup.getByTestId('text-dialog')).toHaveCount(0);
    await expect(sup.getByTestId(`decided-action-${requestId}`)).toContainText(`approved by ${SUPERVISOR.username}`);
    // The supervisor's Accounts grid shows the restriction.
    await expect(sup.getByTestId(`restrictions-${accountId}`).first()).toContainText('Opening frozen');
  } finally {
    await supervisorContext.close();
  }

  // The requester sees who decided and when, live; the restriction shows in Account tools and Accounts.
  await expect(status).toHaveAttribute('data-status', 'approved');
  await expect(status).toContainText(new RegExp(`Request #${requestId} approved by ${SUPERVISOR.username} at \\S+`));
  await expect(status).toContainText('Agreed: freeze until the client calls back');
  await expect(page.getByTestId(`restrictions-${accountId}`)).toContainText('Opening frozen');
  await page.goto(host.pageUrl('accounts'));
  await page.getByTestId('operator-name').waitFor({ timeout: 30_000 });
  await expect(page.getByTestId(`restrictions-${accountId}`).first()).toContainText('Opening frozen');
  await page.screenshot({ path: path.join(artifactsDir, 'shift-accounts-restriction.png') });
});

test('the daily report from the Reports window lists the operators’ actions and downloads', async ({ page, host }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto(host.pageUrl('reports'));
  await host.signIn(page);
  await page.getByRole('radio', { name: /Daily surveillance report/ }).check();
  await page.getByRole('button', { name: 'Start export' }).click();
  const job = page.getByTestId('report-job').first();
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 180_000 });

  const download = async (pattern: RegExp) => {
    const row = page.locator('.fw-reports-table tbody tr', { hasText: pattern }).first();
    await expect(row).toBeVisible({ timeout: 15_000 });
    const [file] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-download').click()]);
    const target = path.join(test.info().outputDir, file.suggestedFilename());
    await file.saveAs(target);
    expect(file.suggestedFilename()).toMatch(pattern);
    return target;
  };
  const dispositions = readFileSync(await download(/floorwatch-daily-\d{8}-[0-9a-f]+\.dispositions\.csv/), 'utf8');
  expect(dispositions).toContain('Closed – no action: hedging desk, documented');
  expect(dispositions).toContain('role:supervisor');
  expect(dispositions).toContain(host.operator.username);
  const activity = readFileSync(await download(/floorwatch-daily-\d{8}-[0-9a-f]+\.operators\.csv/), 'utf8');
  expect(activity).toMatch(/Acknowledge/);
  expect(activity).toMatch(/Escalate/);
  expect(activity).toMatch(/Close/);
  expect(activity).toContain(SUPERVISOR.username);
  expect(activity).toMatch(/Approve/);
  const pdf = await download(/floorwatch-daily-\d{8}-[0-9a-f]+\.pdf/);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  expect(text).toContain('Dispositions');
  expect(text).toContain('Operator activity');
  expect(text).not.toContain('No operator actions');
  expect(text).toContain(SUPERVISOR.username);
});
