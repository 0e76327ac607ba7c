// Offline review in real Chromium: `floorwatch host --session FILE` on a session recorded in this test's setup.
// The window shows REVIEW and the session's time; play at 100×, pause, then two seeks: Market Watch's last prices
// follow each seek and match the session's state at that seq (computed here with the same replay code).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { repoRoot } from './support/paths';
import { startHostProcess, stopHostProcess } from './support/hostFixture';
import { setUpAdmin } from './support/setUpAdmin';

const OPERATOR = { username: 'e2e.review', displayName: 'E2E Review', password: 'e2e-review-pass-1' };

let dir: string;
let file: string;
let host: ChildProcess | null = null;
let url = '';
/** Expected last price per instrument at two seek targets. */
const expected = new Map<number, Map<string, number>>();
let seqA = 0;
let seqB = 0;

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

async function seek(page: Page, seq: number): Promise<void> {
  await page.getByTestId('review-timeline').fill(String(seq)); // input + change, as a release does
  await expect(page.getByTestId('review-seq')).toContainText(seq.toLocaleString('en-US'));
}

async function expectPricesAt(page: Page, seq: number): Promise<Record<string, number>> {
  const want = expected.get(seq)!;
  let shown: Record<string, number> = {};
  await expect
    .poll(async () => {
      shown = await shownLastPrices(page);
      const ids = Object.keys(shown);
      return ids.length >= 3 && ids.every((id) => Math.abs(shown[id]! - (want.get(id) ?? NaN)) < 1e-6);
    })
    .toBe(true);
  return shown;
}

test.describe('offline review', () => {
  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fw-e2e-review-'));
    file = path.join(dir, 'recorded.fwsession');
    const made = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', path.join('tests', 'e2e', 'support', 'reviewSession.ts'), file],
        {
          cwd: repoRoot,
          encoding: 'utf8',
        },
      ),
    ) as { seqA: number; seqB: number; prices: Record<string, Record<string, number | null>> };
    seqA = made.seqA;
    seqB = made.seqB;
    for (const seq of [seqA, seqB]) {
      expected.set(seq, new Map(Object.entries(made.prices[seq] ?? {}).map(([id, last]) => [id, last ?? NaN])));
    }
    const started = await startHostProcess(dir, { args: ['--session', file] });
    host = started.child;
    url = started.url;
    await setUpAdmin(url, OPERATOR);
  });

  test.afterAll(async () => {
    if (host) await stopHostProcess(host);
    rmSync(dir, { recursive: true, force: true });
  });

  test('open, play at 100×, pause, seek: the grids follow the session', async ({ page }) => {
    await page.goto(url);
    await page.getByTestId('login-username').fill(OPERATOR.username);
    await page.getByTestId('login-password').fill(OPERATOR.password);
    await page.getByTestId('login-submit').click();

    await expect(page.getByTestId('review-badge')).toHaveText('REVIEW');
    await expect(page.getByTestId('review-seq')).toContainText(/^0 \//);

    await page.getByTestId('review-speed').selectOption('100');
    await page.getByTestId('review-play').click();
    await expect(page.getByTestId('review-pause')).toBeVisible();
    await expect
      .poll(async () => Number((await page.getByTestId('review-seq').textContent())?.split('/')[0]?.replace(/\D/g, '')))
      .toBeGreaterThan(100);
    await page.getByTestId('review-pause').click();
    await expect(page.getByTestId('review-play')).toBeVisible();
    const timeAfterPlay = await page.getByTestId('review-time').textContent();
    expect(timeAfterPlay).not.toBe('—');

    await seek(page, seqB);
    const atB = await expectPricesAt(page, seqB);
    await expect(page.getByTestId('review-time')).not.toHaveText(timeAfterPlay ?? '');
    await seek(page, seqA); // backward
    const atA = await expectPricesAt(page, seqA);
    expect(Object.keys(atA).some((id) => atA[id] !== atB[id])).toBe(true);
  });
});
