// Review beside live in real Chromium against the host: the Sessions window opens a recorded session as a review
// workspace in a tab of its own, marked "REVIEW · <session>", while the live Market Watch in another tab keeps
// ticking. Played to the end at max speed, the counter never passes the end; Market Watch's last prices follow two
// seeks (computed here with the same replay code); the Alerts window of the review shows the day's first alert as the
// audit log had it at the replay clock (closed at the end, acknowledged between the two changes). Back to live turns
// the tab into the live window. Screenshot: tests/e2e/artifacts/review-workspace.png.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { artifactsDir, repoRoot } from './support/paths';
import { startHostProcess, stopHostProcess } from './support/hostFixture';
import { setUpAdmin } from './support/setUpAdmin';

mkdirSync(artifactsDir, { recursive: true });

const OPERATOR = { username: 'e2e.review', displayName: 'E2E Review', password: 'e2e-review-pass-1' };

let dir: string;
let host: ChildProcess | null = null;
let origin = '';
let token = '';
let made: {
  file: string;
  lastSeq: number;
  seqA: number;
  seqB: number;
  prices: Record<string, Record<string, number | null>>;
  alertId: string;
};

function pageUrl(kind: string): string {
  const url = new URL('/', origin);
  url.searchParams.set('window', kind);
  url.searchParams.set('token', token);
  return url.toString();
}

async function signIn(page: Page): Promise<void> {
  await page.getByTestId('login-username').fill(OPERATOR.username);
  await page.getByTestId('login-password').fill(OPERATOR.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('operator-name').waitFor({ timeout: 30_000 });
}

/** instrumentId → last price shown in Market Watch (rows on screen). */
function shownLastPrices(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const row of document.querySelectorAll('[data-testid="market-grid"] .ag-row[row-id]')) {
      const id = row.getAttribute('row-id');
      const text = (row.querySelector('[col-id="last"]')?.textContent ?? '').replace(/[^0-9.-]/g, '');
      if (id && text) out[id] = Number(text);
    }
    return out;
  });
}

/** The review counter as numbers: [position, end]. */
async function counter(page: Page): Promise<[number, number]> {
  const text = (await page.getByTestId('review-seq').textContent()) ?? '';
  const [position, end] = text.split('/').map((part) => Number(part.replace(/\D/g, '')));
  return [position ?? NaN, end ?? NaN];
}

async function seek(page: Page, seq: number): Promise<void> {
  await page.getByTestId('review-timeline').fill(String(seq)); // input + change, as a release does
  await expect(page.getByTestId('review-seq')).toContainText(seq.toLocaleString('en-US'));
}

async function expectPricesAt(page: Page, seq: number): Promise<void> {
  const want = new Map(Object.entries(made.prices[seq] ?? {}).map(([id, last]) => [id, last ?? NaN]));
  await expect
    .poll(async () => {
      const shown = await shownLastPrices(page);
      const ids = Object.keys(shown);
      return ids.length >= 3 && ids.every((id) => Math.abs(shown[id]! - (want.get(id) ?? NaN)) < 1e-6);
    })
    .toBe(true);
}

test.describe('review beside live', () => {
  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fw-e2e-review-'));
    made = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', path.join('tests', 'e2e', 'support', 'reviewSession.ts'), dir],
        {
          cwd: repoRoot,
          encoding: 'utf8',
        },
      ),
    ) as typeof made;
    const started = await startHostProcess(dir);
    host = started.child;
    const url = new URL(started.url);
    origin = url.origin;
    token = url.searchParams.get('token') ?? '';
    await setUpAdmin(started.url, OPERATOR);
  });

  test.afterAll(async () => {
    if (host) await stopHostProcess(host);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a review plays in its own marked window while the live floor keeps ticking', async ({ context, page }) => {
    // Two logins, a review core start and a host simulator on a shared 2-core machine: ~50 s alone, more when busy.
    test.setTimeout(240_000);
    // The live floor.
    const live = page;
    await live.goto(pageUrl('marketWatch'));
    await signIn(live);
    await expect.poll(async () => Object.keys(await shownLastPrices(live)).length).toBeGreaterThan(3);

    // Sessions ▸ Open: a new tab, the review's own window.
    const sessions = await context.newPage();
    await sessions.goto(pageUrl('sessions'));
    await signIn(sessions);
    const recorded = sessions.locator(`[data-testid="sessions-grid"] .ag-row[row-id="${made.file}"]`);
    await recorded.locator('[col-id="tradingDay"]').click();
    const opened = context.waitForEvent('page');
    await sessions.getByTestId('sessions-open').click();
    const review = await opened;
    await expect(review.getByTestId('review-badge')).toHaveText('REVIEW · 20261124-SIM-5');
    await expect(review.locator('.fw-window[data-review]')).toHaveCount(1);
    await expect(review).toHaveTitle(/^REVIEW · 20261124-SIM-5/);
    expect(new URL(review.url()).searchParams.get('review')).toMatch(/^[A-Za-z0-9_-]+$/);
    await expect(review.getByTestId('review-seq')).toContainText(`0 / ${made.lastSeq.toLocaleString('en-US')}`);
    await expect(recorded.locator('[col-id="status"]')).toHaveText('IN REVIEW');
    // The live windows are not marked and stay live.
    await expect(live.getByTestId('review-bar')).toHaveCount(0);
    await expect(sessions.getByTestId('sessions-mode')).toHaveText('LIVE');

    // Play to the end as fast as possible: the counter never passes the end; live ticks meanwhile.
    const liveBefore = await shownLastPrices(live);
    await review.getByTestId('review-speed').selectOption('0');
    await review.getByTestId('review-play').click();
    let samples = 0;
    for (let i = 0; i < 600; i++) {
      const [position, end] = await counter(review);
      expect(position).toBeLessThanOrEqual(end);
      samples++;
      if (position === end && (await review.getByTestId('review-play').isVisible())) break;
      await review.waitForTimeout(50);
    }
    expect(samples).toBeGreaterThan(1);
    expect(await counter(review)).toEqual([made.lastSeq, made.lastSeq]);
    await expect
      .poll(async () => {
        const now = await shownLastPrices(live);
        return Object.keys(now).some((id) => now[id] !== liveBefore[id]);
      })
      .toBe(true);
    await expect(live.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
    await review.screenshot({ path: path.join(artifactsDir, 'review-workspace.png') });

    // Seeks: the review's grids follow the session, forward and backward.
    await seek(review, made.seqB);
    await expectPricesAt(review, made.seqB);
    await seek(review, made.seqA);
    await expectPricesAt(review, made.seqA);

    // The review's Alerts window (opened from the review window, so of the same review).
    const alertsUrl = await review.evaluate(async () => {
      const api = (window as unknown as { floorwatch: { call(m: string, a: object): Promise<{ url?: string }> } })
        .floorwatch;
      return (await api.call('window.open', { kind: 'alerts' })).url ?? '';
    });
    const alerts = await context.newPage();
    await alerts.goto(new URL(alertsUrl, origin).toString());
    await expect(alerts.getByTestId('review-badge')).toHaveText('REVIEW · 20261124-SIM-5');
    await alerts.getByTestId('filter-state').selectOption('all');
    const row = alerts.locator(`[data-testid="alerts-grid"] .ag-row[row-id="${made.alertId}"]`);
    // Between the acknowledgement and the close (seqA): acknowledged, as the audit log had it then.
    await expect(row.locator('[col-id="state"]')).toHaveText('Acknowledged');
    await seek(review, made.lastSeq);
    await expect(row.locator('[col-id="state"]')).toHaveText('Closed');
    // Its age is session time (the replay clock minus when it was raised), not seconds of wall time.
    await expect(row.locator('[col-id="age"]')).not.toHaveText(/^\d+\s*s$/);

    // In Chinese the band reads 回放 · <session>.
    await alerts.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await expect(alerts.getByTestId('review-badge')).toHaveText('回放 · 20261124-SIM-5');
    await expect(alerts).toHaveTitle(/^回放 · 20261124-SIM-5/);
    await alerts.getByRole('combobox', { name: '语言' }).selectOption('en');

    // Back to live: the tab becomes the live window of its kind.
    await review.getByTestId('review-live').click();
    await expect.poll(() => new URL(review.url()).searchParams.has('review')).toBe(false);
    await expect(review.getByTestId('review-bar')).toHaveCount(0);
    await expect.poll(async () => Object.keys(await shownLastPrices(review)).length).toBeGreaterThan(3);
  });
});
