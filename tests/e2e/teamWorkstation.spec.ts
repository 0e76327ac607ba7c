// A browser window of a workstation on a team server: `floorwatch server` (its embedded PostgreSQL, the built-in
// simulator) and `floorwatch host --server URL` in front of it. The fresh server's admin is set up from the window,
// Market Watch shows the server's floor; the server stops and the header says the link is down. (The server's
// restart and the workstation's reconnect are in tests/integration/teamWorkstation.test.ts: a second server start
// would double this spec's time.)
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { E2E_OPERATOR, startHostProcess, stopHostProcess } from './support/hostFixture';
import { repoRoot } from './support/paths';

/** A loopback port nothing listens on now (the server and the host start side by side, so the host needs it first). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Starts `floorwatch server` on `dataDir` and resolves with its port once it printed its listening line. */
function startServer(dataDir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('main', 'cli', 'index.ts'), 'server', '--port', String(port)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FLOORWATCH_DATA_DIR: dataDir } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no listening line in 90 s; stderr:\n${stderr}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening; stderr:\n${stderr}`));
    });
  });
}

test('a window through host --server: first start sets up the admin, the floor shows, a lost server is shown', async ({
  page,
}) => {
  const serverDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-team-server-'));
  // As root the embedded cluster runs as the user postgres, which must reach its folder.
  chmodSync(serverDir, 0o755);
  const hostDir = mkdtempSync(path.join(os.tmpdir(), 'fw-e2e-team-host-'));
  const started: ChildProcess[] = [];
  try {
    const port = await freePort();
    const serving = startServer(serverDir, port);
    const hosting = startHostProcess(hostDir, { args: ['--server', `http://127.0.0.1:${port}`] });
    void serving.then(
      (server) => started.push(server.child),
      () => {},
    );
    void hosting.then(
      (host) => started.push(host.child),
      () => {},
    );
    const [server, host] = await Promise.all([serving, hosting]);

    const url = new URL(host.url);
    url.searchParams.set('window', 'marketWatch');
    await page.goto(url.toString());
    // The fresh team server offers the first-start set-up, as a fresh workstation does.
    await page.getByTestId('setup-username').fill(E2E_OPERATOR.username);
    await page.getByTestId('setup-display-name').fill(E2E_OPERATOR.displayName);
    await page.getByTestId('setup-password').fill(E2E_OPERATOR.password);
    await page.getByTestId('setup-submit').click();
    await expect(page.getByTestId('operator-name')).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('[data-testid="market-grid"] .ag-row[row-id]').first()).toBeVisible({ timeout: 30_000 });
    const feedState = page.getByTestId('feed-state');
    await expect(feedState).not.toHaveAttribute('data-state', /reconnecting|down/);

    // The server goes away: the header says so, naming the team server.
    await stopHostProcess(server.child);
    await expect(feedState).toHaveAttribute('data-state', /reconnecting|down/, { timeout: 10_000 });
    await expect(page.locator('.fw-feed')).toHaveAttribute('title', /team server .* unreachable/);
  } finally {
    for (const child of started.reverse()) await stopHostProcess(child);
    rmSync(serverDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  }
});
