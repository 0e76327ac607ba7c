// The Reports window in real Chromium against the host (live simulator, recording its session): pick the daily
// report on the current session, start it, watch it run and finish with its files and their SHA-256, see it among
// the finished exports; the kinds are keyboard-reachable radio buttons with labels. Screenshot:
// tests/e2e/artifacts/reports-window.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './support/hostFixture';
import { artifactsDir } from './support/paths';

mkdirSync(artifactsDir, { recursive: true });

test('runs a daily report on the current session and lists the export with its SHA-256', async ({ page, host }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1300, height: 900 });
  await page.goto(host.pageUrl('reports'));
  await host.signIn(page);

  const daily = page.getByRole('radio', { name: /Daily surveillance report/ });
  await expect(daily).toBeEnabled();
  // An admin may export the audit log too.
  await expect(page.getByRole('radio', { name: /Audit log export/ })).toBeEnabled();
  await daily.focus();
  await page.keyboard.press('Space');
  await expect(daily).toBeChecked();
  await expect(page.getByLabel('Session', { exact: true })).toHaveValue('current');
  await expect(page.getByRole('checkbox', { name: 'English' })).toBeChecked();

  // Let the live session record a little before reporting on it.
  await page.waitForTimeout(3_000);
  await page.getByRole('button', { name: 'Start export' }).click();
  const job = page.getByTestId('report-job').first();
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(job).toContainText('Done');
  const files = job.locator('.fw-reports-files li');
  await expect(files.filter({ hasText: /floorwatch-daily-\d{8}-[0-9a-f]{10}\.pdf/ })).toHaveCount(1);
  await expect(files.first().locator('.fw-reports-hash')).toHaveText(/^[0-9a-f]{64}$/);

  const pdfRow = page.locator('.fw-reports-table tbody tr', { hasText: /floorwatch-daily-\d{8}-[0-9a-f]{10}\.pdf/ });
  await expect(pdfRow).toHaveCount(1, { timeout: 10_000 });
  await expect(pdfRow.locator('.fw-reports-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await page.screenshot({ path: path.join(artifactsDir, 'reports-window.png'), fullPage: true });
});
