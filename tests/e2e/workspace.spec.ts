// The operator workspace in real Chromium against the headless host (built-in simulator, live surveillance): the
// alert pane (live alerts, keyboard navigation, acknowledge), account tools, case review, system health, the language
// switch, a channel link, and a named layout saved and restored after a reload. Screenshots of every window in both
// themes go to tests/e2e/artifacts/workspace-<kind>-<theme>.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { WindowKind } from '../../shared/api/contract';
import { windowButton } from './support/header';
import { pickGridRow } from './support/gridRows';
import { artifactsDir } from './support/paths';
import { scenarioHostTest, type ScenarioHost as RunningHost } from './support/scenarioHost';

mkdirSync(artifactsDir, { recursive: true });

const OPERATOR = { username: 'e2e.desk', displayName: 'E2E Desk', password: 'e2e-desk-password-1' };
const test = scenarioHostTest(OPERATOR, 'fw-e2e-desk-');

test.describe.configure({ mode: 'serial' });

/** Opens a window page, signing in through the login screen when the host asks for it. */
async function openPage(page: Page, host: RunningHost, kind: WindowKind, extra = ''): Promise<void> {
  await page.goto(host.pageUrl(kind) + extra);
  await waitReady(page, host);
}

async function waitReady(page: Page, host: RunningHost): Promise<void> {
  const login = page.getByTestId('login-username');
  const title = page.getByTestId('window-title');
  await expect(login.or(title).first()).toBeVisible({ timeout: 45_000 });
  if (await login.isVisible()) {
    await login.fill(host.operator.username);
    await page.getByTestId('login-password').fill(host.operator.password);
    await page.getByTestId('login-submit').click();
  }
  await expect(title).toBeVisible();
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    const toggle = page.getByTestId('theme-toggle');
    if ((await toggle.getAttribute('data-theme')) !== theme) await toggle.click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifactsDir, `workspace-${name}-${theme}.png`) });
  }
  await page.getByTestId('theme-toggle').click(); // back to dark
}

function watchErrors(page: Page, problems: string[], name: string): void {
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
}

async function firstAccountId(context: BrowserContext, host: RunningHost): Promise<string> {
  const page = await context.newPage();
  await openPage(page, host, 'accounts');
  const row = page.locator('[data-testid="accounts-grid"] .ag-row[row-id]:has([col-id="accountId"])').first();
  await expect(row).toBeVisible({ timeout: 45_000 });
  const id = (await row.getAttribute('row-id')) ?? '';
  await page.close();
  return id;
}

test.describe('operator workspace', () => {
  test('alert pane: live alerts, j/k navigation, acknowledge, language switch, case opens on Enter', async ({
    page,
    context,
    host,
  }) => {
    const problems: string[] = [];
    watchErrors(page, problems, 'alerts');
    await openPage(page, host, 'alerts');
    await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', /live|ended/, { timeout: 45_000 });
    const count = page.getByTestId('alerts-count');
    await expect
      .poll(async () => Number(await count.getAttribute('data-total')), { timeout: 90_000, message: host.log() })
      .toBeGreaterThan(2);
    await page.getByTestId('filter-state').selectOption('all');
    // Every alert shows once the main side applied the filter (the rows do not reload under the keys below).
    await expect
      .poll(async () => (await count.getAttribute('data-shown')) === (await count.getAttribute('data-total')))
      .toBe(true);
    const rows = page.locator('[data-testid="alerts-grid"] .ag-row[row-id] [col-id="rule"]');
    await expect.poll(() => rows.count()).toBeGreaterThan(2);

    // Header badge: unacknowledged alerts.
    await expect
      .poll(async () => Number(await page.getByTestId('alert-badge').getAttribute('data-count')))
      .toBeGreaterThan(0);

    // Keyboard: j selects the first displayed row, j the second, k back to the first.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    const selected = page.locator('[data-testid="alerts-grid"] .ag-row.ag-row-selected[row-id]').first();
    await page.keyboard.press('j');
    await expect(selected).toHaveAttribute('row-index', '0');
    await page.keyboard.press('j');
    await expect(selected).toHaveAttribute('row-index', '1');
    await page.keyboard.press('k');
    await expect(selected).toHaveAttribute('row-index', '0');
    const alertId = (await selected.getAttribute('row-id')) ?? '';
    expect(alertId).not.toBe('');

    // a = acknowledge (audited on the main side); the row's state follows through the alerts topic.
    const stateOf = () => page.locator(`[data-testid="alerts-grid"] .ag-row[row-id="${alertId}"] [col-id="state"]`);
    const before = (await stateOf().textContent()) ?? '';
    if (before.includes('New')) {
      await page.keyboard.press('a');
      await expect(stateOf()).toContainText('Acknowledged', { timeout: 15_000 });
    }

    // Language switch without a reload: title, headers and the rule names change.
    await page.getByTestId('language-select').selectOption('zh-CN');
    await expect(page.getByTestId('window-title')).toHaveText('预警');
    await expect(page.locator('[data-testid="alerts-grid"] .ag-header-cell[col-id="rule"]')).toContainText('规则');
    await expect(page.getByTestId('feed-state')).toHaveText(/实时|交易结束/);
    await page.screenshot({ path: path.join(artifactsDir, 'workspace-alerts-zh.png') });
    await page.getByTestId('language-select').selectOption('en');
    await expect(page.getByTestId('window-title')).toHaveText('Alerts');

    await shoot(page, 'alerts');

    // Enter opens the case review of the selected alert in a new window.
    const [casePage] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
    watchErrors(casePage, problems, 'case');
    await waitReady(casePage, host);
    await expect(casePage.getByTestId('window-title')).toHaveText('Case review');
    const view = casePage.getByTestId('case-view');
    await expect(view).toHaveAttribute('data-alert', alertId);
    await expect(view).not.toHaveAttribute('data-loaded', 'loading', { timeout: 30_000 });
    await expect(casePage.getByTestId('case-explanation')).not.toHaveText('—');
    if ((await view.getAttribute('data-loaded')) === 'ok') {
      await expect(casePage.locator('[data-testid="case-chart"] canvas').first()).toBeVisible();
      await expect(view).toHaveAttribute('data-open-ms', /\d+/);
      const openMs = Number(await view.getAttribute('data-open-ms'));
      console.log(
        `case open: cases.window asked → chart drawn ${openMs} ms (server ${await view.getAttribute('data-server-ms')} ms); ` +
          `window start → chart drawn ${await view.getAttribute('data-window-ms')} ms`,
      );
      // The window's own share (transfer, parse, chart, ladder) within the 500 ms case-open budget; the journal read
      // on the main side is reported above and belongs to cases.window.
      expect(openMs - Number(await view.getAttribute('data-server-ms'))).toBeLessThan(500);
    }
    await shoot(casePage, 'case');
    await casePage.close();
    expect(problems).toEqual([]);
  });

  test('account tools follow the account picked on a channel; system health is live', async ({
    page,
    context,
    host,
  }) => {
    const problems: string[] = [];
    watchErrors(page, problems, 'accounts');
    // Topics the windows subscribe over the host's WebSocket bridge: accounts and positions only through views.
    const subscribed = new Set<string>();
    const recordSubscriptions = (p: Page) =>
      p.on('websocket', (socket) =>
        socket.on('framesent', ({ payload }) => {
          const topic = /^\{"kind":"subscribe","topic":"(\w+)"/.exec(String(payload))?.[1];
          if (topic) subscribed.add(topic);
        }),
      );
    recordSubscriptions(page);
    context.on('page', recordSubscriptions);
    await openPage(page, host, 'accounts');
    await page.getByTestId('channel-blue').click();
    const [tools] = await Promise.all([context.waitForEvent('page'), (await windowButton(page, 'account')).click()]);
    watchErrors(tools, problems, 'account');
    await waitReady(tools, host);
    await expect(tools.getByTestId('channel-blue')).toHaveAttribute('aria-checked', 'true');

    // Pick an account in Accounts: the account tools window on the same channel shows it.
    const row = page.locator('[data-testid="accounts-grid"] .ag-row[row-id]:has([col-id="accountId"])').nth(1);
    await expect(row).toBeVisible({ timeout: 45_000 });
    const accountId = await pickGridRow(row);
    await expect(tools.getByTestId('account-view')).toHaveAttribute('data-account', accountId, { timeout: 15_000 });
    await expect(tools.getByTestId('account-id')).toHaveText(accountId);
    await expect(tools.getByTestId('account-equity')).not.toContainText('—');
    await expect(tools.getByTestId('account-risk')).toContainText('%');
    // Its positions, largest margin first, from a view scoped to the account: the count heads the list.
    const positionsPanel = tools.getByTestId('account-positions');
    // The heading reads (0) until the view answers: wait for a count and a list that agree (an account picked near
    // the top of a risk-sorted floor holds positions).
    await expect
      .poll(async () => {
        const count = Number(/\((\d+)\)$/.exec((await positionsPanel.locator('h2').textContent()) ?? '')?.[1]);
        const rows = await positionsPanel.locator('tbody tr').count();
        return count > 0 && rows === Math.min(count, 50);
      })
      .toBe(true);
    await expect(tools.getByTestId('account-counters-panel')).not.toContainText('Loading', { timeout: 15_000 });
    await tools.waitForTimeout(2500); // a few risk samples for the sparkline
    await shoot(tools, 'account');

    const health = await context.newPage();
    watchErrors(health, problems, 'health');
    await openPage(health, host, 'health');
    await expect(health.getByTestId('health-feed-state')).toContainText(/Live|Session ended/, { timeout: 45_000 });
    await expect(health.getByTestId('health-banner')).toHaveAttribute('data-state', /ok|bad/);
    await expect
      .poll(async () =>
        Number(
          ((await health.getByTestId('health-rate').locator('.fw-tile-value').textContent()) ?? '0').replace(/,/g, ''),
        ),
      )
      .toBeGreaterThan(0);
    // The recorder as the core reports it, and the data folder's files and disk as the main side adds them.
    await expect(health.getByTestId('health-recorder-state')).toContainText('Recording');
    await expect(health.getByTestId('health-disk')).toContainText('Data folder disk:');
    const databases = health.locator('.fw-table', { hasText: 'Audit log' });
    await expect(databases).toContainText('Session being recorded');
    await expect(databases).toContainText(/Audit log\s*[\d.]+\s*(KB|MB)/);
    await health.waitForTimeout(3000);
    await shoot(health, 'health');
    await health.close();
    await tools.close();

    // A control group's id: its members' rows summed, from a view of the accounts of that group.
    const members = await page.evaluate(async () => {
      const api = window.floorwatch!;
      const grouped = (await api.call('views.open', {
        source: 'accounts',
        spec: { filter: { controlGroup: { filterType: 'text', type: 'notBlank' } } },
        range: { start: 0, end: 1 },
      })) as { viewId: string; rows: { controlGroup: string }[] };
      await api.call('views.close', { viewId: grouped.viewId });
      const group = grouped.rows[0]?.controlGroup ?? '';
      const inGroup = (await api.call('views.open', {
        source: 'accounts',
        spec: { filter: { controlGroup: { filterType: 'text', type: 'equals', filter: group } } },
        range: { start: 0, end: 50 },
      })) as { viewId: string; rows: { accountId: string }[] };
      await api.call('views.close', { viewId: inGroup.viewId });
      return { group, accountIds: inGroup.rows.map((row) => row.accountId) };
    });
    expect(members.accountIds.length, `members of ${members.group}`).toBeGreaterThan(1);
    const groupTools = await context.newPage();
    watchErrors(groupTools, problems, 'group');
    await openPage(groupTools, host, 'account', `&account=${members.group}`);
    await expect(groupTools.getByTestId('account-id')).toHaveText(members.group);
    await expect(groupTools.getByTestId('account-equity')).not.toContainText('—', { timeout: 15_000 });
    for (const accountId of members.accountIds)
      await expect(groupTools.getByTestId('account-view')).toContainText(accountId);
    await groupTools.close();

    // The palette finds the account through the core's quick search and opens its tools.
    await page.getByTestId('palette-button').click();
    await page.getByTestId('palette-input').fill(accountId);
    const found = page.locator(`[data-command="account:${accountId}"]`);
    await expect(found).toBeVisible();
    const [again] = await Promise.all([context.waitForEvent('page'), found.click()]);
    await expect(again.getByTestId('account-view')).toHaveAttribute('data-account', accountId, { timeout: 30_000 });
    await again.close();

    expect(subscribed.has('views'), [...subscribed].join(', ')).toBe(true);
    expect([...subscribed].filter((topic) => topic === 'accounts' || topic === 'positions')).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('alert workflow: acknowledge → investigate → close with a mandatory rationale, every step in the audit log', async ({
    page,
    context,
    host,
  }) => {
    const problems: string[] = [];
    watchErrors(page, problems, 'alerts');
    await openPage(page, host, 'alerts');
    // An alert still new (the first test may have acknowledged one).
    await page.getByTestId('filter-state').selectOption('new');
    const newRow = page.locator('[data-testid="alerts-grid"] .ag-row[row-id]:has([col-id="rule"])').first();
    await expect(newRow).toBeVisible({ timeout: 90_000 });
    const alertId = (await newRow.getAttribute('row-id')) ?? '';
    await page.getByTestId('filter-state').selectOption('all');
    // The view shows every alert once the main side applied the filter; then the row is picked as an operator does.
    const count = page.getByTestId('alerts-count');
    await expect
      .poll(async () => (await count.getAttribute('data-shown')) === (await count.getAttribute('data-total')))
      .toBe(true);
    const row = page.locator(`[data-testid="alerts-grid"] .ag-row[row-id="${alertId}"]`).first();
    await pickGridRow(row, 'rule');
    await expect(row).toHaveClass(/ag-row-selected/);

    // a = acknowledge, from the keyboard.
    await page.keyboard.press('a');
    await expect(row.locator('[col-id="state"]')).toContainText('Acknowledged', { timeout: 15_000 });

    // Enter opens the case; investigate, then close — closing asks for a rationale and refuses an empty one.
    const [casePage] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
    watchErrors(casePage, problems, 'case');
    await waitReady(casePage, host);
    await expect(casePage.getByTestId('case-view')).toHaveAttribute('data-alert', alertId);
    await casePage.getByTestId('case-investigate').click();
    await expect(casePage.getByTestId('case-state')).toHaveAttribute('data-state', 'investigating', {
      timeout: 15_000,
    });
    await casePage.getByTestId('case-close').click();
    await expect(casePage.getByTestId('text-dialog')).toBeVisible();
    await expect(casePage.getByTestId('text-dialog-submit')).toBeDisabled();
    const rationale = 'E2E: hedging of a known client position, confirmed by phone';
    await casePage.getByTestId('text-dialog-input').fill(rationale);
    await casePage.getByTestId('text-dialog-submit').click();
    await expect(casePage.getByTestId('case-state')).toHaveAttribute('data-state', 'closed', { timeout: 15_000 });
    await expect(row.locator('[col-id="state"]')).toContainText('Closed', { timeout: 15_000 });

    // The audit log (audit.recent) holds the three transitions, by this operator, the close with its rationale.
    const audit = await casePage.evaluate(
      async () =>
        (await window.floorwatch!.call('audit.recent', { limit: 200 })) as {
          operator: string;
          action: string;
          target: string;
          details: string;
          reason: string;
        }[],
    );
    const changes = audit
      .filter((r) => r.action === 'alert_state_changed' && r.target === `alert:${alertId}`)
      .map((r) => ({
        ...(JSON.parse(r.details) as { from: string; to: string; change?: string; assignee?: string }),
        by: r.operator,
        reason: r.reason,
      }))
      .reverse();
    // Acknowledging the unassigned alert assigned it to the operator, in the same audited write.
    expect(changes.filter((c) => c.change === 'assign').map((c) => c.assignee)).toEqual([host.operator.username]);
    const steps = changes
      .filter((c) => c.change !== 'assign')
      .map(({ from, to, by, reason }) => ({ from, to, by, reason }));
    expect(steps.map((s) => `${s.from}→${s.to}`)).toEqual([
      'new→acknowledged',
      'acknowledged→investigating',
      'investigating→closed',
    ]);
    expect(steps.every((s) => s.by === host.operator.username)).toBe(true);
    expect(steps.at(-1)?.reason).toBe(rationale);
    await casePage.close();
    expect(problems).toEqual([]);
  });

  test('four eyes: A requests an account action, A cannot approve it, supervisor B approves in another browser', async ({
    page,
    context,
    browser,
    host,
  }) => {
    const accountId = await firstAccountId(context, host);
    await openPage(page, host, 'account', `&account=${encodeURIComponent(accountId)}`);
    await expect(page.getByTestId('account-view')).toHaveAttribute('data-account', accountId);

    // The admin creates supervisor B through the admin API.
    const supervisor = { username: 'e2e.super', displayName: 'E2E Supervisor', password: 'e2e-super-password-1' };
    await page.evaluate((b) => window.floorwatch!.call('operators.create', { ...b, role: 'supervisor' }), supervisor);

    // A asks for an action with a reason.
    const form = page.getByTestId('request-action-form');
    await form.getByTestId('request-reason').fill('E2E: margin call unanswered');
    await form.getByTestId('request-submit').click();
    await expect(form).toContainText(/Request #\d+ is waiting/, { timeout: 15_000 });
    const requestId = Number(/#(\d+)/.exec((await form.textContent()) ?? '')?.[1]);
    const requestRow = (p: Page) => p.locator(`[data-testid="account-requests"] tr[data-request="${requestId}"]`);
    await expect(requestRow(page)).toHaveAttribute('data-status', 'pending', { timeout: 15_000 });

    // A may not approve their own request: the button is disabled and says why; the request stays pending.
    const ownApprove = page.getByTestId(`approve-${requestId}`).first();
    await expect(ownApprove).toBeDisabled();
    await expect(ownApprove).toHaveAttribute('title', /own request/i);
    await expect(requestRow(page)).toHaveAttribute('data-status', 'pending');

    // B, in another browser context (own storage, own login), approves it with a comment and a confirmation.
    const other = await browser.newContext();
    const b = await other.newPage();
    await b.goto(host.pageUrl('account') + `&account=${encodeURIComponent(accountId)}`);
    await b.getByTestId('login-username').fill(supervisor.username);
    await b.getByTestId('login-password').fill(supervisor.password);
    await b.getByTestId('login-submit').click();
    await expect(b.getByTestId('operator-name')).toBeVisible({ timeout: 30_000 });
    await expect(requestRow(b)).toHaveAttribute('data-status', 'pending', { timeout: 15_000 });
    const approve = b.getByTestId(`approve-${requestId}`).first();
    await expect(approve).toBeEnabled();
    // The row re-renders with every actions update; a dispatched click does not wait for it to hold still.
    await approve.dispatchEvent('click');
    await b.getByTestId('text-dialog-input').fill('E2E: agreed, margin call unanswered');
    await b.getByTestId('text-dialog-submit').click();
    await b.getByTestId('text-dialog-submit').click();
    await expect(requestRow(b)).toHaveAttribute('data-status', 'approved', { timeout: 15_000 });
    // A's window follows through the actions topic; the row names A as the requester.
    await expect(requestRow(page)).toHaveAttribute('data-status', 'approved', { timeout: 15_000 });
    await expect(requestRow(page)).toContainText(host.operator.username);
    await other.close();
  });

  test('a named layout is saved and restored after a reload', async ({ page, context, host }) => {
    const accountId = await firstAccountId(context, host);
    await openPage(page, host, 'alerts', '&channel=green');
    const account = await context.newPage();
    await openPage(account, host, 'account', `&channel=green&account=${encodeURIComponent(accountId)}`);
    const health = await context.newPage();
    await openPage(health, host, 'health');
    await page.bringToFront();
    await page.waitForTimeout(2500); // every window has announced itself

    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').fill('desk-e2e');
    await page.locator('[data-command="layout:save"]').click();
    await expect(page.getByTestId('toasts')).toContainText('desk-e2e');
    const saved = await page.evaluate(() => window.localStorage.getItem('floorwatch.layouts.v1'));
    const layout = (JSON.parse(saved ?? '[]') as { name: string; windows: { kind: string }[] }[]).find(
      (l) => l.name === 'desk-e2e',
    );
    expect(layout?.windows.map((w) => w.kind).sort()).toEqual(['account', 'alerts', 'health']);

    // Close the other windows, reload, restore: they come back with their channel and account.
    await account.close();
    await health.close();
    await page.reload();
    await waitReady(page, host);
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').fill('restore desk-e2e');
    const restored: Page[] = [];
    context.on('page', (p) => restored.push(p));
    // The restore command is the first match for its name: Enter runs it.
    await expect(page.locator('[data-command="layout:restore:desk-e2e"]')).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('Enter');
    await expect.poll(() => restored.length, { timeout: 15_000 }).toBe(2);
    for (const p of restored) await p.waitForLoadState();
    const urls = restored.map((p) => new URL(p.url()).searchParams);
    const accountWindow = urls.find((q) => q.get('window') === 'account');
    expect(accountWindow?.get('account')).toBe(accountId);
    expect(accountWindow?.get('channel')).toBe('green');
    expect(urls.some((q) => q.get('window') === 'health')).toBe(true);
    for (const p of restored) await p.close();
  });
});
