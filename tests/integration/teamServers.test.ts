// Two `floorwatch server` processes on one PostgreSQL database, each with a workstation connected, both cores on one
// gateway (so both raise the same alerts): one queue. An alert is created once, a transition made through one server
// reaches the other's workstation within a second, two operators acknowledging one alert through two servers at once
// get one winner and one refusal naming who, and a server SIGKILLed in the middle of its operators' transitions loses
// none that it acknowledged; the chain then verifies with `audit verify --db`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../main/cli/commands/audit';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { generateSessionArray } from '../../main/simulator';
import { usePostgres } from '../support/postgres';
import { ApiSocket } from '../../main/api/apiSocket';
import { exited, killTeamServers, startTeamServer, waitForAlert } from './support/teamServerProcess';
import { TestFeedServer } from './support/testFeedServer';
import { waitUntil } from './support/waitUntil';

const postgres = usePostgres();
const PASSWORD = 'correct horse 1';
const folders: string[] = [];
let feed: TestFeedServer | null = null;

afterAll(async () => {
  killTeamServers();
  await feed?.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Each server has its own data folder (its recorded sessions), as on its own machine. */
function serverEnv(): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-team-servers-'));
  folders.push(dataDir);
  return { ...process.env, FLOORWATCH_DATA_DIR: dataDir, FLOORWATCH_POLICY_FILE: path.join(dataDir, 'no-policy.json') };
}

const openWorkstation = (port: number) => ApiSocket.open(`ws://127.0.0.1:${port}/api`);

/** The newest state of each alert a workstation was shown. */
function shown(client: ApiSocket): Map<string, AlertRow> {
  const rows = new Map<string, AlertRow>();
  for (const update of client.updates) {
    if (update.topic === 'alerts') for (const row of update.rows as AlertRow[]) rows.set(row.id, row);
  }
  return rows;
}

describe('two team servers on one database', () => {
  it('share one queue: propagation, one winner of two, nothing acknowledged lost to a SIGKILL', async () => {
    const database = await postgres.createDatabase();
    const session = generateSessionArray({ seed: 3, messages: 50_000, scenarios: ['self_trade', 'frequent_cancel'] });
    feed = await TestFeedServer.start({ session: session.messages, batchSize: 500, intervalMs: 1 });
    const args = ['--db', database.appUrl, '--port', '0', '--feed', feed.url];
    const [a, b] = await Promise.all([startTeamServer(args, serverEnv()), startTeamServer(args, serverEnv())]);
    const desk1 = await openWorkstation(a.port);
    const desk2 = await openWorkstation(b.port);
    await desk1.call('auth.setupAdmin', { username: 'admin', displayName: 'Admin', password: PASSWORD });
    // The operator created through server a logs in through server b.
    await desk1.call('operators.create', { username: 'bob', displayName: 'Bob', role: 'operator', password: PASSWORD });
    await desk2.call('auth.login', { username: 'bob', password: PASSWORD });
    desk1.subscribe('alerts');
    desk2.subscribe('alerts');

    // Both cores raise the same alerts; each is shown on both desks and created once.
    const first = await waitForAlert(desk1, (row) => row.state === 'new', 30_000);
    await waitForAlert(desk2, (row) => row.id === first.id, 10_000);
    const started = performance.now();
    await desk1.call('alerts.setState', { id: first.id, state: 'acknowledged' });
    await waitForAlert(desk2, (row) => row.id === first.id && row.state === 'acknowledged', 1000);
    const propagationMs = performance.now() - started;
    expect(propagationMs).toBeLessThan(1000);

    // Two operators acknowledge one alert at once through the two servers: one wins, the other is told who.
    const contested = await waitForAlert(desk2, (row) => row.state === 'new' && row.id !== first.id, 30_000);
    await waitForAlert(desk1, (row) => row.id === contested.id, 10_000);
    const both = await Promise.allSettled([
      desk1.call('alerts.setState', { id: contested.id, state: 'acknowledged' }),
      desk2.call('alerts.setState', { id: contested.id, state: 'acknowledged' }),
    ]);
    expect(both.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = (both.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<AlertRow>).value.assignee;
    const refusal = (both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { message: string };
    expect(refusal.message).toMatch(
      new RegExp(
        `alert ${contested.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[: ].*was acknowledged by ${winner} at \\d\\d:\\d\\d:\\d\\d`,
      ),
    );

    // Server b is SIGKILLed while its operator's transitions are in flight: every one it acknowledged is kept.
    const open = [...shown(desk2).values()].filter((row) => row.state === 'new').map((row) => row.id);
    expect(open.length).toBeGreaterThan(0);
    const acknowledged: string[] = [];
    const calls = open.map((id) =>
      desk2.call('alerts.setState', { id, state: 'acknowledged' }).then(
        () => acknowledged.push(id),
        () => undefined,
      ),
    );
    const notes = Array.from({ length: 20 }, (_, i) =>
      desk2.call('alerts.addNote', { id: first.id, text: `note ${i}` }).then(
        () => acknowledged.push(`note ${i}`),
        () => undefined,
      ),
    );
    await waitUntil('the first acknowledged transition', () => acknowledged.length > 0, 10_000, 1);
    b.child.kill('SIGKILL');
    await exited(b.child);
    await Promise.race([Promise.all([...calls, ...notes]), new Promise((resolve) => setTimeout(resolve, 2000))]);
    expect(acknowledged.length).toBeGreaterThan(0);

    const client = new pg.Client({ connectionString: database.appUrl });
    await client.connect();
    try {
      const duplicates = await client.query(
        "SELECT target FROM audit_log WHERE action = 'alert_created' GROUP BY target HAVING count(*) > 1",
      );
      expect(duplicates.rows).toEqual([]);
      const moves = await client.query<{ target: string }>(
        "SELECT target FROM audit_log WHERE action = 'alert_state_changed' AND operator = 'bob' AND details LIKE '%\"to\":\"acknowledged\"%'",
      );
      const noteRows = await client.query<{ details: string }>(
        "SELECT details FROM audit_log WHERE action = 'note_added' AND operator = 'bob'",
      );
      const recorded = new Set([
        ...moves.rows.map((row) => row.target.slice('alert:'.length)),
        ...noteRows.rows.map((row) => (JSON.parse(row.details) as { text: string }).text),
      ]);
      for (const done of acknowledged) expect(recorded, `${done} was acknowledged to the workstation`).toContain(done);
    } finally {
      await client.end();
    }
    // Server a's workstation shows what b acknowledged before it died.
    for (const id of acknowledged.filter((done) => !done.startsWith('note '))) {
      await waitForAlert(desk1, (row) => row.id === id && row.state === 'acknowledged', 1000);
    }

    // `floorwatch audit verify --db` (in this process: the command's own code, without a second tsx start).
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    try {
      expect(await auditCommand.run(['verify', '--db', database.appUrl])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(printed.join('')).toMatch(/^audit log OK: /);
    await desk1.close();
    await desk2.close().catch(() => undefined);
    a.child.kill('SIGTERM');
    expect(await exited(a.child)).toBe(0);
    expect(a.stderr()).not.toMatch(/did not stop cleanly|internal error/);
  }, 150_000);
});
