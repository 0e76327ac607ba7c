// The What-if window in real Chromium against the host, signed in as admin: raise the self-trade threshold, run on
// the recorded session (which holds injected self-trades), see the self_trade count fall side by side while the
// others stay and the alerts that disappear listed, then adopt with a reason — the live core takes it at once and the
// thresholds in force get the new version. Screenshot: tests/e2e/artifacts/whatif-window.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startDataHost, type DataHost } from './support/dataHost';
import { artifactsDir } from './support/paths';

mkdirSync(artifactsDir, { recursive: true });

const OPERATOR = { username: 'e2e.whatif', displayName: 'E2E What-if', password: 'e2e-whatif-pass-1' };
let host: DataHost;

test.beforeAll(async () => {
  host = await startDataHost(OPERATOR);
});
test.afterAll(async () => {
  await host?.stop();
});

test('edit a threshold, run, compare per rule, adopt as admin', async ({ page }) => {
  await page.setViewportSize({ width: 1500, height: 900 });
  await page.goto(host.pageUrl('whatIf'));
  await host.signIn(page);
  await expect(page.getByTestId('whatif-version')).toContainText(/In force: \S+/);
  const versionBefore = (await page.getByTestId('whatif-version').textContent()) ?? '';

  // Adopt needs an edit first.
  await expect(page.getByTestId('whatif-adopt')).toBeDisabled();
  const threshold = page.getByTestId('whatif-input-self_trade-default-threshold');
  await expect(threshold).toHaveValue('5');
  await threshold.fill('1000');
  await expect(page.getByTestId('whatif-changed')).toHaveText('1 changed');

  await page.getByTestId('whatif-session').selectOption(host.recorded.file);
  await page.getByTestId('whatif-run').click();
  const selfTrade = page.getByTestId('whatif-count-self_trade');
  await expect(selfTrade).toBeVisible({ timeout: 60_000 });
  const current = Number(await selfTrade.getAttribute('data-current'));
  expect(current).toBeGreaterThan(0);
  await expect(selfTrade).toHaveAttribute('data-proposed', '0');
  await expect(selfTrade.locator('td').nth(3)).toHaveText(`−${current}`);
  const cancels = page.getByTestId('whatif-count-frequent_cancel');
  await expect(cancels).toHaveAttribute('data-proposed', (await cancels.getAttribute('data-current')) ?? '');
  await expect(page.getByTestId('whatif-disappeared-row')).toHaveCount(current);
  await expect(page.getByTestId('whatif-result-meta')).toContainText(host.recorded.messages.toLocaleString('en-US'));
  await page.screenshot({ path: path.join(artifactsDir, 'whatif-window.png') });

  // A further edit marks the result stale until the next run.
  await threshold.fill('999');
  await expect(page.getByTestId('whatif-stale')).toBeVisible();
  await threshold.fill('1000');
  await expect(page.getByTestId('whatif-stale')).toHaveCount(0);

  await page.getByTestId('whatif-adopt-reason').fill('E2E: fewer self-trade alerts for the reviewers');
  await page.getByTestId('whatif-adopt').click();
  await expect(page.getByTestId('whatif-adopted')).toContainText('The live core counts with it now.', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('whatif-version')).not.toHaveText(versionBefore);
  await expect(page.getByTestId('whatif-version')).toContainText('+u1');
  await expect(threshold).toHaveValue('1000');
  await expect(page.getByTestId('whatif-changed')).toHaveText('No thresholds changed');

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByTestId('whatif-changed')).toHaveText('尚未修改阈值');
  await expect(page.getByTestId('whatif-adopted')).toContainText('实时核心已按新阈值计数。');
  await page.screenshot({ path: path.join(artifactsDir, 'whatif-window-zh.png') });
});
