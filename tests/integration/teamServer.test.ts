// `floorwatch server` as a process on a real PostgreSQL: it prints its listening line, refuses a network address
// without TLS, serves the API to a WebSocket client that sets up the admin and logs in (no host token), shows the
// live alerts, and keeps an acknowledgement across a SIGKILL and a restart; the audit chain then verifies. The feed
// is a gateway playing a generated session with injected misconduct, so alerts come within seconds.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { generateSessionArray } from '../../main/simulator';
import { usePostgres } from '../support/postgres';
import { ApiSocket } from '../../main/api/apiSocket';
import { exited, killTeamServers, repo, startTeamServer, waitForAlert } from './support/teamServerProcess';
import { TestFeedServer } from './support/testFeedServer';

const postgres = usePostgres();
const PASSWORD = 'correct horse 1';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-team-server-'));
const env = {
  ...process.env,
  FLOORWATCH_DATA_DIR: dataDir,
  FLOORWATCH_POLICY_FILE: path.join(dataDir, 'no-policy.json'),
};
let feed: TestFeedServer | null = null;

afterAll(async () => {
  killTeamServers();
  await feed?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

const startServer = (args: string[], environment = env) => startTeamServer(args, environment);

/** A workstation's connection: no token, no Origin (a program, not a page); operators log in. */
const openWorkstation = (port: number) => ApiSocket.open(`ws://127.0.0.1:${port}/api`);

describe('floorwatch server', () => {
  it('refuses a network address without TLS, in one line, exit 2', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'main/cli/index.ts', 'server', '--listen', '0.0.0.0', '--port', '0'],
      { cwd: repo, env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/refusing to listen on 0\.0\.0\.0 without TLS/),
    ]);
  }, 60_000);

  it('serves the API with operator login, and keeps an acknowledgement across SIGKILL and restart', async () => {
    const database = await postgres.createDatabase();
    const session = generateSessionArray({ seed: 3, messages: 50_000, scenarios: ['self_trade', 'frequent_cancel'] });
    feed = await TestFeedServer.start({ session: session.messages, batchSize: 500, intervalMs: 1 });
    const args = ['--db', database.appUrl, '--port', '0', '--feed', feed.url];
    const first = await startServer(args);
    const client = await openWorkstation(first.port);
    expect(await client.call('auth.status')).toMatchObject({ needsSetup: true, session: null });
    await client.call('auth.setupAdmin', { username: 'admin', displayName: 'Admin', password: PASSWORD });
    client.subscribe('alerts');
    // The first alert shown is acknowledged.
    const raised = await waitForAlert(client, (row) => row.state === 'new', 30_000);
    const acknowledged = (await client.call('alerts.setState', { id: raised.id, state: 'acknowledged' })) as AlertRow;
    expect(acknowledged).toMatchObject({ id: raised.id, state: 'acknowledged', assignee: 'admin' });
    await client.close();

    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await startServer(args);
    const again = await openWorkstation(second.port);
    expect(await again.call('auth.status')).toMatchObject({ needsSetup: false });
    await again.call('auth.login', { username: 'admin', password: PASSWORD });
    const kept = (await again.call('alerts.get', { id: raised.id })) as { alert: AlertRow };
    expect(kept.alert).toMatchObject({ state: 'acknowledged', assignee: 'admin' });
    again.subscribe('alerts');
    await waitForAlert(again, (row) => row.id === raised.id && row.state === 'acknowledged', 10_000);
    await again.close();

    const verify = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'main/cli/index.ts', 'audit', 'verify', '--db', database.appUrl],
      { cwd: repo, env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(verify.status, verify.stderr).toBe(0);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(second.stderr()).toMatch(/SIGTERM, stopping/);
    expect(second.stderr()).not.toMatch(/did not stop cleanly|internal error/);
  }, 150_000);

  it('without --db runs an embedded PostgreSQL in its data folder (and the simulator as told); stops on SIGTERM', async () => {
    const ownDataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-team-embedded-'));
    // Run as root, the cluster runs as the user postgres, which must reach its folder (as usePostgres() does).
    chmodSync(ownDataDir, 0o755);
    try {
      const simulator = ['--seed', '3', '--rate', '500'];
      const server = await startServer(['--port', '0', ...simulator], { ...env, FLOORWATCH_DATA_DIR: ownDataDir });
      const pidFile = path.join(ownDataDir, 'team-postgres', 'postmaster.pid');
      const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n', 1)[0]);
      const client = await openWorkstation(server.port);
      expect(await client.call('auth.status')).toMatchObject({ needsSetup: true });
      await client.close();
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
      expect(server.stderr()).toMatch(/feed built-in simulator \(seed 3, 500 msg\/s\)/);
      // No orphan: the cluster shut down with the server.
      expect(existsSync(pidFile)).toBe(false);
      expect(() => process.kill(postmaster, 0)).toThrow();
    } finally {
      rmSync(ownDataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
