// A workstation of a team server: `floorwatch host --server URL` runs no core; a window's client connects to the host
// (its token and origin, as a page) and works against the real `floorwatch server` on a real PostgreSQL: the first
// start offers the admin set-up, the alerts topic arrives, a transition is answered and audited in PostgreSQL. The
// server is then stopped: the window is told the link is down, and an action sent meanwhile is not confirmed. The
// server comes back on the same port: the host reconnects, the window (asked to log in again: server sessions do not
// survive a restart) gets its topics again. The feed is a gateway playing a generated session with misconduct.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { generateSessionArray } from '../../main/simulator';
import { usePostgres } from '../support/postgres';
import { ApiSocket } from '../../main/api/apiSocket';
import { TestFeedServer } from './support/testFeedServer';
import { waitUntil } from './support/waitUntil';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const postgres = usePostgres();
const PASSWORD = 'correct horse 1';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-team-workstation-'));
const env = {
  ...process.env,
  FLOORWATCH_DATA_DIR: dataDir,
  FLOORWATCH_POLICY_FILE: path.join(dataDir, 'no-policy.json'),
};
const children: ChildProcess[] = [];
let feed: TestFeedServer | null = null;

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await feed?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a CLI command and resolves with the first stdout line that matches, and its stderr so far. */
function startCommand(
  args: string[],
  firstLine: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', ...args], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args[0]}: no "${firstLine}" in 90 s; stderr: ${stderr}`)),
      90_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = firstLine.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}

const startServer = (args: string[]) =>
  startCommand(['server', ...args], /^floorwatch server: listening on http:\/\/127\.0\.0\.1:(\d+)\n/);

function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

/** The first update since `from` on `client` that carries an alert row matching `match`. */
async function alertAfter(client: ApiSocket, from: number, match: (row: AlertRow) => boolean, timeoutMs: number) {
  await waitUntil(
    'an alerts update',
    () => client.updates.slice(from).some((u) => u.topic === 'alerts' && (u.rows as AlertRow[]).some(match)),
    timeoutMs,
    50,
  );
  const update = client.updates.slice(from).find((u) => u.topic === 'alerts' && (u.rows as AlertRow[]).some(match))!;
  return (update.rows as AlertRow[]).find(match)!;
}

describe('floorwatch host --server', () => {
  it('works against the team server, says when it is gone, and comes back after its restart', async () => {
    const database = await postgres.createDatabase();
    const session = generateSessionArray({ seed: 5, messages: 50_000, scenarios: ['self_trade', 'frequent_cancel'] });
    feed = await TestFeedServer.start({ session: session.messages, batchSize: 500, intervalMs: 1 });
    const serverArgs = ['--db', database.appUrl, '--feed', feed.url];
    const server = await startServer([...serverArgs, '--port', '0']);
    const serverPort = Number(server.match[1]);

    const host = await startCommand(
      ['host', '--port', '0', '--server', `http://127.0.0.1:${serverPort}`],
      /^(http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)\n/,
    );
    const [, origin, , token] = host.match;
    const client = await ApiSocket.open(`ws://${new URL(origin!).host}/api?token=${token}`, origin);

    // First start: the fresh team server offers the admin set-up through the workstation.
    expect(await client.call('auth.status')).toMatchObject({ needsSetup: true, session: null });
    await client.call('auth.setupAdmin', { username: 'admin', displayName: 'Admin', password: PASSWORD });
    client.subscribe('alerts');
    client.subscribe('links');
    const raised = await alertAfter(client, 0, (row) => row.state === 'new', 30_000);
    const acknowledged = (await client.call('alerts.setState', { id: raised.id, state: 'acknowledged' })) as AlertRow;
    expect(acknowledged).toMatchObject({ id: raised.id, state: 'acknowledged', assignee: 'admin' });
    // Durable on the server: the transition is in the team's audit chain.
    const audit = new pg.Client({ connectionString: database.appUrl });
    await audit.connect();
    try {
      const rows = await audit.query<{ operator: string; details: unknown }>(
        "SELECT operator, details FROM audit_log WHERE action = 'alert_state_changed' AND target = $1 ORDER BY id",
        [`alert:${raised.id}`],
      );
      // Acknowledging an unassigned alert takes it: an assignment, then the state change.
      expect(rows.rows.map((row) => row.operator)).toEqual(['admin', 'admin']);
      expect(JSON.stringify(rows.rows.at(-1)!.details)).toMatch(/"to\\?":\\?"acknowledged/);
    } finally {
      await audit.end();
    }
    // Colour channels and new windows are this desk's: links stay on the workstation, a window opens on the host.
    await client.call('link.set', { channel: 'red', context: { type: 'fdc3.account', id: { accountId: 'A1' } } });
    await waitUntil(
      'the links topic',
      () => client.updates.some((u) => u.topic === 'links' && JSON.stringify(u.rows).includes('"A1"')),
      3000,
    );
    const opened = (await client.call('window.open', { kind: 'alerts' })) as { url: string };
    expect(opened.url.startsWith(`${origin}/?token=`)).toBe(true);
    expect(opened.url).toMatch(/#session=/);

    // The server goes away: the window hears it, and an action it sends now is not confirmed (nor shown done).
    expect(await stopped(server.child, 'SIGTERM')).toBe(0);
    await waitUntil(
      'the link reported down',
      () => client.links.some((link) => link.state === 'reconnecting' || link.state === 'down'),
      5000,
    );
    const refused = await client.call('alerts.setState', { id: raised.id, state: 'investigating' }).then(
      () => null,
      (error: { code: string; message: string }) => error,
    );
    expect(refused).toMatchObject({ code: 'unconfirmed', message: expect.stringMatching(/could not be confirmed/) });

    // Back on the same port: the host reconnects by itself and subscribes the window's topics again.
    const linkReports = client.links.length;
    const again = await startServer([...serverArgs, '--port', String(serverPort)]);
    await waitUntil(
      'the link back open',
      () => client.links.slice(linkReports).some((l) => l.state === 'open'),
      30_000,
    );
    // The server's sessions did not survive its restart: the window is asked to log in again.
    expect(await client.call('auth.status')).toMatchObject({ needsSetup: false, session: null });
    const resumed = await client.call('auth.resume', { token: 'stale' }).then(
      () => null,
      (error: { code: string; message: string }) => error,
    );
    expect(resumed).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/log in again/) });
    const afterRestart = client.updates.length;
    await client.call('auth.login', { username: 'admin', password: PASSWORD });
    const kept = await alertAfter(client, afterRestart, (row) => row.id === raised.id, 15_000);
    expect(kept).toMatchObject({ state: 'acknowledged', assignee: 'admin' });
    // Not repeated behind the operator's back: the unconfirmed move never reached the server.
    expect(kept.state).toBe('acknowledged');
    const investigating = (await client.call('alerts.setState', { id: raised.id, state: 'investigating' })) as AlertRow;
    expect(investigating.state).toBe('investigating');
    await client.close();

    expect(await stopped(host.child, 'SIGTERM')).toBe(0);
    expect(host.stderr()).not.toMatch(/internal error|Error:/);
    expect(await stopped(again.child, 'SIGTERM')).toBe(0);
  }, 180_000);
});
