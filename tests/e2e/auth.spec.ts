// Login, lock and logout in real Chromium against the headless host (the fixture creates the admin through the
// API in a fresh data folder): wrong password, the operator on the header, lock screen, pending actions, logout.
import WebSocket from 'ws';
import { expect, test, type RunningHost } from './support/hostFixture';

/**
 * Someone else on this machine guessing the admin's password: wrong logins from fresh connections, each sent as
 * soon as the host allows, until the address makes others wait its longest (4 s after 6 failures).
 */
async function guessFromThisMachine(host: RunningHost, failures: number): Promise<void> {
  for (let done = 0; done < failures;) {
    const ws = new WebSocket(`ws://${new URL(host.origin).host}/api?token=${encodeURIComponent(host.token)}`, {
      origin: host.origin,
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    for (let id = 1; id <= 4; id++) {
      ws.send(
        JSON.stringify({
          kind: 'call',
          id,
          method: 'auth.login',
          args: { username: host.operator.username, password: 'a wrong guess' },
        }),
      );
      const reply = await new Promise<{ error?: { retryAfterMs?: number } }>((resolve) =>
        ws.once('message', (data) => resolve(JSON.parse(String(data)) as { error?: { retryAfterMs?: number } })),
      );
      const wait = reply.error?.retryAfterMs;
      if (wait === undefined) break; // checked and wrong: the next guess takes a fresh connection
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    ws.close();
    done += 1;
  }
}

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
    await expect(page.getByTestId('operator-role')).toHaveAttribute('data-role', 'admin');
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

  test('while someone else keeps failing, the login counts down in the chosen language and then goes through', async ({
    page,
    host,
  }) => {
    await page.addInitScript(() => window.localStorage.setItem('floorwatch.language', 'zh-CN'));
    await page.goto(host.pageUrl('alerts'));
    await expect(page.getByTestId('login-form')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('login-username').fill(host.operator.username);
    await page.getByTestId('login-password').fill(host.operator.password);
    await guessFromThisMachine(host, 6);
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('auth-retry')).toHaveText(/失败次数过多，\d 秒后自动重试…/);
    await expect(page.getByTestId('login-submit')).toBeDisabled();
    // Nobody clicks again: the window sends the same attempt when the wait is over.
    await expect(page.getByTestId('operator-name')).toHaveText(host.operator.displayName, { timeout: 15_000 });
  });

  test('the sign-in screen speaks the chosen language (zh-CN)', async ({ page, host }) => {
    await page.addInitScript(() => window.localStorage.setItem('floorwatch.language', 'zh-CN'));
    await page.goto(host.pageUrl('alerts'));
    await expect(page.getByRole('heading', { name: 'Floorwatch — 登录' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel('用户名')).toBeVisible();
    await expect(page.getByTestId('login-submit')).toHaveText('登录');
  });
});
