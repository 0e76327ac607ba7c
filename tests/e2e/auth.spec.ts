// Login, lock and logout in real Chromium against the headless host (the fixture creates the admin through the
// API in a fresh data folder): wrong password, the operator on the header, lock screen, pending actions, logout.
import { expect, test } from './support/hostFixture';

test.describe('operator session in the windows', () => {
  test('login, name on the header, lock and unlock, pending actions panel, logout', async ({ page, host }) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(host.pageUrl('marketWatch'));
    await expect(page.getByTestId('login-form')).toBeVisible({ timeout: 30_000 });
    // Nothing of the window shows before login.
    await expect(page.getByTestId('window-title')).toHaveCount(0);

    await page.getByTestId('login-username').fill(host.operator.username);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('auth-error')).toContainText('wrong user name or password');

    await host.signIn(page);
    await expect(page.getByTestId('window-title')).toHaveText('Market Watch');
    await expect(page.getByTestId('operator-name')).toHaveText(host.operator.displayName);
    await expect(page.getByTestId('operator-role')).toHaveText('admin');
    await expect(page.getByTestId('audit-banner')).toHaveCount(0);

    // A reload keeps the session (token in sessionStorage, auth.resume).
    await page.reload();
    await expect(page.getByTestId('operator-name')).toHaveText(host.operator.displayName, { timeout: 30_000 });

    await page.getByTestId('pending-actions-button').click();
    await expect(page.getByTestId('pending-actions-panel')).toContainText('Pending account actions');

    await page.getByTestId('lock-button').click();
    await expect(page.getByTestId('lock-screen')).toBeVisible();
    await expect(page.getByTestId('window-title')).toHaveCount(0);
    await page.getByTestId('unlock-password').fill(host.operator.password);
    await page.getByTestId('unlock-submit').click();
    await expect(page.getByTestId('window-title')).toHaveText('Market Watch');

    await page.getByTestId('logout-button').click();
    await expect(page.getByTestId('login-form')).toBeVisible();
    expect(problems).toEqual([]);
  });

  test('the sign-in screen speaks the chosen language (zh-CN)', async ({ page, host }) => {
    await page.addInitScript(() => window.localStorage.setItem('floorwatch.language', 'zh-CN'));
    await page.goto(host.pageUrl('alerts'));
    await expect(page.getByRole('heading', { name: 'Floorwatch — 登录' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel('用户名')).toBeVisible();
    await expect(page.getByTestId('login-submit')).toHaveText('登录');
  });
});
