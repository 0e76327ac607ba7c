// `floorwatch team import` on a real PostgreSQL: a workstation's data folder made by the product's own code (operators,
// alerts acknowledged and noted, a four-eyes request approved) moves into a team database that already has history
// of its own. The team chain then verifies, records the local head, and a server opened on it shows the same floor.
// A second import of the same folder is a no-op; a tampered local chain is refused, naming its first broken row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createAlertServices } from '../../main/alerts';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { createAuthServices, openAuthServices } from '../../main/auth/authServices';
import { TEST_SCRYPT } from '../../main/auth/passwords';
import { teamCommand } from '../../main/cli/commands/team';
import { CliError } from '../../main/cli/support';
import { auditLogPath } from '../../main/store/auditPaths';
import { openTeamStores } from '../../main/team/teamStores';
import { usePostgres } from '../support/postgres';
import { caller, selfTradeAlert as alert } from '../support/teamFixtures';

const postgres = usePostgres();
const PASSWORD = 'correct horse 1';
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** A single-seat workstation's data folder, written by its own services, as a desk leaves it. */
async function workstationFolder(): Promise<{ dataDir: string; requestId: number; pendingId: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-import-'));
  folders.push(dataDir);
  const access = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 });
  const alerts = await createAlertServices({ audit: access.audit, dataDir, auth: access.auth });
  try {
    const { auth } = access;
    await auth.setupAdmin(caller('admin'), { username: 'admin', displayName: 'Desk admin', password: PASSWORD });
    const admin = auth.requireActor(caller('admin'));
    await auth.createOperator(admin, { username: 'li.op', displayName: 'Li', role: 'operator', password: PASSWORD });
    await auth.login(caller('li'), { username: 'li.op', password: PASSWORD });
    const li = auth.requireActor(caller('li'));
    await alerts.workflow.ingest([alert('20261207:self_trade:A001'), alert('20261207:self_trade:A002')]);
    await alerts.workflow.setState(li, { id: '20261207:self_trade:A001', state: 'acknowledged' });
    await alerts.workflow.addNote(li, { id: '20261207:self_trade:A001', text: 'client called back' });
    const request = await access.services['actions.request']!(
      { action: { kind: 'freeze_opening', accountId: 'A001', params: {} }, reason: 'margin call unanswered' },
      caller('li'),
    );
    await access.services['actions.approve']!({ requestId: request.id, reason: 'agreed' }, caller('admin'));
    const pending = await access.services['actions.request']!(
      { action: { kind: 'freeze_opening', accountId: 'A002', params: {} }, reason: 'same pattern on A002' },
      caller('li'),
    );
    return { dataDir, requestId: request.id, pendingId: pending.id };
  } finally {
    await alerts.stop();
    await access.close();
  }
}

async function runTeam(args: string[]): Promise<{ code: number; out: string }> {
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    printed.push(String(text));
    return true;
  });
  try {
    return { code: await teamCommand.run(args), out: printed.join('') };
  } finally {
    write.mockRestore();
  }
}

describe('floorwatch team import', () => {
  it('moves a workstation in: operators, workflow, four eyes, a provable history; again: a no-op; same alert: refused', async () => {
    const { dataDir, requestId, pendingId } = await workstationFolder();
    const database = await postgres.createDatabase();
    // The team database has history of its own already (a server started, its admin set up).
    const before = await openTeamStores(database.appUrl);
    const team = await createAuthServices(
      { app: 'server', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 },
      { audit: before.audit, operators: before.operators },
    );
    await team.auth.setupAdmin(caller('t'), { username: 'admin', displayName: 'Team admin', password: 'team pass 12' });
    await team.close();
    await before.close();

    const first = await runTeam(['import', '--db', database.appUrl, '--from', dataDir]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^imported .* into postgres:\/\/fw_test_app:\*\*\*@/);
    expect(first.out).toMatch(/operators added: li\.op\n/);
    expect(first.out).toMatch(/operators kept \(already in the team\): admin\n/);

    const stores = await openTeamStores(database.appUrl);
    try {
      const verified = await stores.audit.verify();
      expect(verified.ok).toBe(true);
      const [mark] = await stores.audit.readRows({ actions: ['audit_imported'] });
      const local = new Database(auditLogPath(dataDir), { readonly: true });
      const localHead = local.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as {
        id: number;
        hash: string;
      };
      local.close();
      expect(JSON.parse(mark!.details)).toMatchObject({
        rows: localHead.id,
        headId: localHead.id,
        headHash: localHead.hash,
        operatorsAdded: ['li.op'],
        operatorsKept: ['admin'],
      });
      expect(first.out).toContain(`audit rows: ${localHead.id} (`);

      // A server opened on the team database shows the workstation's floor.
      const access = await createAuthServices(
        { app: 'server', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 },
        { audit: stores.audit, operators: stores.operators },
      );
      const workflow = await AlertWorkflow.open({ audit: stores.audit });
      expect(workflow.replayProblems).toEqual([]);
      const acknowledged = workflow.get('20261207:self_trade:A001');
      expect(acknowledged.alert).toMatchObject({ state: 'acknowledged', assignee: 'li.op', notes: 1 });
      expect(acknowledged.history[0]).toMatchObject({ operator: 'li.op', from: 'new', to: 'acknowledged' });
      expect(workflow.get('20261207:self_trade:A002').alert.state).toBe('new');
      const teamRequest = access.accountActions.instructions('A001');
      expect(teamRequest).toHaveLength(1);
      expect(teamRequest[0]).toMatchObject({ status: 'approved', requestedBy: 'li.op', decidedBy: 'admin' });
      expect(teamRequest[0]!.id).not.toBe(requestId); // renumbered to its team row
      expect(access.accountActions.replayProblems).toEqual([]);
      // The imported operator logs in with the password they had on the desk; the team's admin kept theirs.
      await access.auth.login(caller('li2'), { username: 'li.op', password: PASSWORD });
      await access.auth.login(caller('t2'), { username: 'admin', password: 'team pass 12' });
      await workflow.stop();
      await access.close();
    } finally {
      await stores.close();
    }

    const second = await runTeam(['import', '--db', database.appUrl, '--from', dataDir]);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/^already imported: .* since team row \d+; nothing to do\n$/);

    // The desk worked on before it moved: a third import brings only what it did since, its decision on a request
    // imported the first time pointing at that request's team row.
    const desk = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 });
    const deskAlerts = await createAlertServices({ audit: desk.audit, dataDir, auth: desk.auth });
    try {
      await desk.auth.login(caller('admin'), { username: 'admin', password: PASSWORD });
      await desk.auth.login(caller('li'), { username: 'li.op', password: PASSWORD });
      await deskAlerts.workflow.setState(desk.auth.requireActor(caller('li')), {
        id: '20261207:self_trade:A002',
        state: 'acknowledged',
      });
      await desk.services['actions.reject']!({ requestId: pendingId, reason: 'client paid' }, caller('admin'));
    } finally {
      await deskAlerts.stop();
      await desk.close();
    }
    const third = await runTeam(['import', '--db', database.appUrl, '--from', dataDir]);
    expect(third.out).toMatch(/audit rows: \d+ \(/);
    const grown = await openTeamStores(database.appUrl);
    try {
      expect((await grown.audit.verify()).ok).toBe(true);
      const marks = await grown.audit.readRows({ actions: ['audit_imported'] });
      expect(marks).toHaveLength(2);
      const [firstMark, secondMark] = marks.map(
        (row) => JSON.parse(row.details) as { headId: number; fromRow: number },
      );
      expect(secondMark?.fromRow).toBe((firstMark?.headId ?? NaN) + 1);
      const access = await createAuthServices(
        { app: 'server', version: 'test', scrypt: TEST_SCRYPT, idleLockMs: 0 },
        { audit: grown.audit, operators: grown.operators },
      );
      const workflow = await AlertWorkflow.open({ audit: grown.audit });
      expect(workflow.get('20261207:self_trade:A002').alert.state).toBe('acknowledged');
      expect(access.accountActions.replayProblems).toEqual([]);
      // The decision found its request (imported the first time): nothing is left pending.
      expect(access.accountActions.pending()).toEqual([]);
      await workflow.stop();
      await access.close();
    } finally {
      await grown.close();
    }

    // Another desk that worked the same alert: two histories of one alert are refused, and nothing is imported.
    const other = await workstationFolder();
    await expect(runTeam(['import', '--db', database.appUrl, '--from', other.dataDir])).rejects.toThrow(
      /alert 20261207:self_trade:A001 is already in the team database \(team row \d+\)/,
    );
    const after = await openTeamStores(database.appUrl);
    try {
      expect(await after.audit.readRows({ actions: ['audit_imported'] })).toHaveLength(2);
    } finally {
      await after.close();
    }
  }, 60_000);

  it('refuses a broken local chain, naming its first broken row, and imports nothing', async () => {
    const { dataDir } = await workstationFolder();
    const database = await postgres.createDatabase();
    const db = new Database(auditLogPath(dataDir));
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET operator = 'nobody' WHERE id = 5");
    db.close();
    await expect(runTeam(['import', '--db', database.appUrl, '--from', dataDir])).rejects.toThrow(
      /refusing to import .*audit\.sqlite: its audit chain is broken at row 5 /,
    );
    const stores = await openTeamStores(database.appUrl);
    try {
      expect(await stores.audit.readRows()).toEqual([]);
    } finally {
      await stores.close();
    }
    await expect(runTeam(['import', '--db', database.appUrl])).rejects.toThrow(CliError);
  }, 60_000);
});
