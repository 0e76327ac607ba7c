// The Settings window on a host under a machine policy: the policy's keys read "set by your organisation" and cannot
// be edited; an admin changes a workstation setting with a reason, it is saved to settings.json, shown as applying
// at the next start, and audited.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { setUpAdmin } from './support/setUpAdmin';
import { startHostProcess, stopHostProcess } from './support/hostFixture';

const OPERATOR = { username: 'e2e.settings', displayName: 'E2E Settings', password: 'e2e-settings-password-1' };

test('Settings: policy keys locked, a workstation setting saved for the next start and audited', async ({ page }) => {
  test.setTimeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-settings-'));
  const policyFile = path.join(dataDir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ retentionDays: 30, exportKinds: ['daily', 'audit'] }));
  const host = await startHostProcess(dataDir, { env: { FLOORWATCH_POLICY_FILE: policyFile } });
  try {
    await setUpAdmin(host.url, OPERATOR);
    const url = new URL(host.url);
    url.searchParams.set('window', 'settings');
    await page.goto(url.toString());
    await page.getByTestId('login-username').fill(OPERATOR.username);
    await page.getByTestId('login-password').fill(OPERATOR.password);
    await page.getByTestId('login-submit').click();

    await expect(page.getByRole('heading', { name: 'Settings of this workstation' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(`Machine policy in force: ${policyFile}`)).toBeVisible();
    const retention = page.locator('tr[data-setting="retentionDays"]');
    await expect(retention).toHaveAttribute('data-source', 'policy');
    await expect(retention).toContainText('30');
    await expect(retention).toContainText('set by your organisation');
    await expect(page.locator('tr[data-setting="exportKinds"]')).toContainText('daily, audit');
    // Locked keys have no field; the workstation's own ones do.
    await expect(page.getByLabel('Keep recorded sessions (days)')).toHaveCount(0);
    const idleLock = page.getByLabel('Idle lock (minutes, 0 = never)');
    await expect(idleLock).toBeVisible();

    await idleLock.fill('3');
    await page.getByLabel('Reason (audited)').fill('night shift desks lock sooner');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved. The changes apply when Floorwatch starts next.');
    const row = page.locator('tr[data-setting="idleLockMinutes"]');
    await expect(row.locator('td').nth(0)).toHaveText('10'); // in force until the next start
    await expect(row.locator('td').nth(2)).toHaveText('3');
    expect(JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8'))).toEqual({ idleLockMinutes: 3 });

    const audit = await page.evaluate(() => window.floorwatch?.call('audit.recent', { limit: 20 }));
    expect(JSON.stringify(audit)).toContain('settings_changed');
    await page.screenshot({ path: path.join('tests', 'e2e', 'artifacts', 'settings-window.png'), fullPage: true });
  } finally {
    await stopHostProcess(host.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
