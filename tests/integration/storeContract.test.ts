// One contract for both storage implementations: the single seat's SQLite files and the team's PostgreSQL database
// (a real server started for this file). Every behaviour a caller relies on is asserted the same way against both;
// only the ways a person could tamper with the storage differ, and each is tried for real.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorStore, OperatorStoreError } from '../../main/auth/operatorStore';
import { SqliteOperatorRepository, type OperatorRepository } from '../../main/auth/operatorRepository';
import { AuditChainChecker } from '../../main/store/auditChain';
import { GENESIS_HASH } from '../../main/store/auditCanonical';
import { AuditLog, AuditLogError, SYSTEM_ACTOR, type AuditEntry } from '../../main/store/auditLog';
import { AuditConflictError, SqliteAuditStore, type AuditStore } from '../../main/store/auditStore';
import { PgAuditStore } from '../../main/team/pgAuditStore';
import { openTeamStores } from '../../main/team/teamStores';
import { usePostgres } from '../support/postgres';

const postgres = usePostgres();

/** Fresh storage of one kind, plus what only a person with direct access to it could do. */
interface Backend {
  audit: AuditStore;
  operators: OperatorRepository;
  /** A second, independent connection to the same storage (another server on the same database). */
  second(): Promise<AuditStore>;
  /** Rewrites one column of one audit row, past the append-only guards (as a superuser / file editor could). */
  tamper(id: number, column: 'details' | 'operator' | 'time', value: string | number): Promise<void>;
  /** Deletes one audit row past the guards. */
  deleteRow(id: number): Promise<void>;
  /** Raw SQL as the app's own database access; resolves with the error message, or null when it succeeded. */
  asApp(sql: string): Promise<string | null>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function makeClock(start = 1_760_000_000_000): () => number {
  let now = start;
  return () => (now += 1000);
}

async function sqliteBackend(clock = makeClock()): Promise<Backend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-contract-'));
  const file = path.join(dir, 'audit.sqlite');
  const options = { clock, dataKey: null, anchorFile: false } as const;
  const audit = new SqliteAuditStore(AuditLog.open(file, options));
  const operators = new SqliteOperatorRepository(
    OperatorStore.open(path.join(dir, 'operators.sqlite'), { dataKey: null }),
  );
  const raw = new Database(file);
  cleanups.push(async () => {
    raw.close();
    await audit.close();
    await operators.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const bypass = (sql: string) => {
    raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete');
    raw.prepare(sql).run();
  };
  return {
    audit,
    operators,
    async second() {
      const other = new SqliteAuditStore(AuditLog.open(file, options));
      cleanups.push(() => other.close());
      return other;
    },
    async tamper(id, column, value) {
      bypass(`UPDATE audit_log SET ${column} = ${typeof value === 'number' ? value : `'${value}'`} WHERE id = ${id}`);
    },
    async deleteRow(id) {
      bypass(`DELETE FROM audit_log WHERE id = ${id}`);
    },
    async asApp(sql) {
      try {
        raw.exec(sql);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
}

async function postgresBackend(clock = makeClock()): Promise<Backend> {
  const database = await postgres.createDatabase();
  const stores = await openTeamStores(database.appUrl, { clock });
  cleanups.push(() => stores.close());
  const appPool = new pg.Pool({ connectionString: database.appUrl, max: 1 });
  cleanups.push(() => appPool.end());
  return {
    audit: stores.audit,
    operators: stores.operators,
    async second() {
      const other = await PgAuditStore.open(database.appUrl, { clock });
      cleanups.push(() => other.close());
      return other;
    },
    async tamper(id, column, value) {
      await postgres.asSuperuser(
        database,
        `UPDATE audit_log SET ${column} = ${typeof value === 'number' ? value : pg.escapeLiteral(value)} WHERE id = ${id}`,
        { bypassTriggers: true },
      );
    },
    async deleteRow(id) {
      await postgres.asSuperuser(database, `DELETE FROM audit_log WHERE id = ${id}`, { bypassTriggers: true });
    },
    async asApp(sql) {
      try {
        await appPool.query(sql);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
}

const BACKENDS = [
  { kind: 'sqlite', open: sqliteBackend },
  { kind: 'postgresql', open: postgresBackend },
] as const;

function entry(n: number): AuditEntry {
  return {
    operator: n % 2 ? 'wang.fang' : 'li.wei',
    role: n % 2 ? 'operator' : 'supervisor',
    action: n % 3 === 0 ? 'alert_state_changed' : 'note_added',
    target: `alert:${n}`,
    details: { n, text: `第${n}条 "quoted", comma` },
    reason: n % 4 === 0 ? 'checked with the desk' : '',
  };
}

async function appendMany(store: AuditStore, count: number, from = 1): Promise<void> {
  for (let n = from; n < from + count; n++) await store.append(entry(n));
}

describe.each(BACKENDS)('audit store contract: $kind', ({ open }) => {
  it('appends one row at a time into one chain; head, readRows and its filters', async () => {
    const { audit } = await open();
    expect(await audit.head()).toEqual({ id: 0, hash: GENESIS_HASH });
    expect(await audit.headAnchor()).toMatchObject({ id: 0, hash: GENESIS_HASH, log: null });
    const first = await audit.append(entry(1));
    expect(first).toMatchObject({ id: 1, operator: 'wang.fang', target: 'alert:1', prevHash: GENESIS_HASH });
    expect(JSON.parse(first.details)).toEqual({ n: 1, text: '第1条 "quoted", comma' });
    await appendMany(audit, 9, 2);
    const rows = await audit.readRows();
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    rows.slice(1).forEach((row, index) => expect(row.prevHash).toBe(rows[index]?.hash));
    expect(await audit.head()).toEqual({ id: 10, hash: rows[9]?.hash });
    expect(await audit.headAnchor()).toEqual({
      id: 10,
      hash: rows[9]?.hash,
      time: expect.any(Number),
      log: rows[0]?.hash.slice(0, 16),
    });
    expect((await audit.readRows({ afterId: 7 })).map((row) => row.id)).toEqual([8, 9, 10]);
    expect((await audit.readRows({ beforeId: 3 })).map((row) => row.id)).toEqual([1, 2]);
    expect((await audit.readRows({ actions: ['alert_state_changed'] })).map((row) => row.id)).toEqual([3, 6, 9]);
    expect(await audit.readRows({ actions: [] })).toEqual([]);
    expect((await audit.readRows({ newestFirst: true, limit: 2 })).map((row) => row.id)).toEqual([10, 9]);
  });

  it('appends a batch in one transaction: consecutive ids, and nothing at all when one entry is bad', async () => {
    const { audit } = await open();
    const rows = await audit.appendBatch([entry(1), entry(2), entry(3)]);
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
    expect(await audit.appendBatch([])).toEqual([]);
    const bad = { ...entry(4), action: 'made_up' } as unknown as AuditEntry;
    await expect(audit.appendBatch([entry(4), bad])).rejects.toThrow(/unknown audit action/);
    expect((await audit.head()).id).toBe(3);
    expect((await audit.append(entry(5))).id).toBe(4);
  });

  it('verifies: row count, head hash, a given anchor; a wrong anchor is named', async () => {
    const { audit } = await open();
    await appendMany(audit, 6);
    const head = await audit.head();
    const result = await audit.verify({ anchor: { id: 6, hash: head.hash } });
    expect(result).toMatchObject({ ok: true, rows: 6, headId: 6, headHash: head.hash, warnings: [] });
    const wrong = await audit.verify({ anchor: { id: 4, hash: 'f'.repeat(64) } });
    expect(wrong).toMatchObject({ ok: false, brokenRow: 4, problem: 'anchor_mismatch' });
  });

  it('exports CSV with a header and NDJSON that verifies offline with the shared checker', async () => {
    const { audit } = await open();
    await appendMany(audit, 5);
    const csv = (await audit.exportText('csv')).trimEnd().split('\n');
    expect(csv[0]).toBe('id,time,time_iso,operator,role,action,target,details,reason,prev_hash,hash');
    expect(csv).toHaveLength(6);
    expect(csv[1]).toContain('"{""n"":1,""text"":""第1条 \\""quoted\\"", comma""}"');
    const lines: string[] = [];
    for await (const line of audit.exportLines('ndjson')) lines.push(line);
    const checker = new AuditChainChecker();
    for (const line of lines) expect(checker.push(JSON.parse(line))).toBe(true);
    expect(checker.finish()).toMatchObject({ ok: true, rows: 5, headHash: (await audit.head()).hash });
  });

  it('names an edited row, a row with a changed time, a deleted row and a deleted tail', async () => {
    const backend = await open();
    await appendMany(backend.audit, 8);
    await backend.tamper(5, 'details', '{"n":500}');
    expect(await backend.audit.verify()).toMatchObject({ ok: false, brokenRow: 5, problem: 'edited', rows: 4 });

    const other = await open();
    await appendMany(other.audit, 8);
    await other.tamper(2, 'time', 1);
    expect(await other.audit.verify()).toMatchObject({ ok: false, brokenRow: 2, problem: 'edited' });

    const third = await open();
    await appendMany(third.audit, 8);
    await third.deleteRow(6);
    expect(await third.audit.verify()).toMatchObject({ ok: false, brokenRow: 6, problem: 'missing_row' });

    // The newest row deleted: the recorded head still names it.
    const fourth = await open();
    await appendMany(fourth.audit, 8);
    await fourth.deleteRow(8);
    expect(await fourth.audit.verify()).toMatchObject({ ok: false, brokenRow: 8, problem: 'truncated', rows: 7 });
  });

  it("refuses UPDATE, DELETE and a row that does not extend the chain through the app's own access", async () => {
    const backend = await open();
    await appendMany(backend.audit, 3);
    expect(await backend.asApp("UPDATE audit_log SET reason = 'x' WHERE id = 2")).toMatch(
      /append-only|permission denied/,
    );
    expect(await backend.asApp('DELETE FROM audit_log WHERE id = 3')).toMatch(/append-only|permission denied/);
    expect(
      await backend.asApp(
        `INSERT INTO audit_log (id, time, operator, role, action, target, details, reason, prev_hash, hash)
         VALUES (9, 1, 'x', 'x', 'login', '', '{}', '', '${GENESIS_HASH}', '${'a'.repeat(64)}')`,
      ),
    ).toMatch(/must extend the chain/);
    expect(await backend.audit.verify()).toMatchObject({ ok: true, rows: 3 });
  });

  it('keeps one chain when two connections append at once', async () => {
    const backend = await open();
    const second = await backend.second();
    const appendFrom = (store: AuditStore, from: number) =>
      Promise.all(Array.from({ length: 20 }, (_, index) => store.append(entry(from + index))));
    const [a, b] = await Promise.all([appendFrom(backend.audit, 1), appendFrom(second, 101)]);
    const ids = [...a, ...b].map((row) => row.id).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(await backend.audit.verify()).toMatchObject({ ok: true, rows: 40 });
    expect(await second.head()).toEqual(await backend.audit.head());
  });
});

describe('the same hash chain in both stores', () => {
  it('the same entries at the same times give the same rows, hashes and exports', async () => {
    // A fixed clock: the SQLite log also reads the clock to time-stamp its anchors.
    const sqlite = await sqliteBackend(() => 1_700_000_000_000);
    const team = await postgresBackend(() => 1_700_000_000_000);
    for (const store of [sqlite.audit, team.audit]) {
      await store.appendBatch([entry(1), entry(2)]);
      await appendMany(store, 3, 3);
    }
    expect(await team.audit.head()).toEqual(await sqlite.audit.head());
    expect(await team.audit.exportText('ndjson')).toBe(await sqlite.audit.exportText('ndjson'));
    expect(await team.audit.exportText('csv')).toBe(await sqlite.audit.exportText('csv'));
  });
});

describe('postgresql guards beyond the contract', () => {
  it("the app's role is refused by grants; the owner is refused by the trigger; TRUNCATE too", async () => {
    const database = await postgres.createDatabase();
    const stores = await openTeamStores(database.appUrl);
    cleanups.push(() => stores.close());
    await appendMany(stores.audit, 2);
    const attempt = async (url: string, sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
        return 'succeeded';
      } catch (error) {
        return (error as Error).message;
      } finally {
        await client.end();
      }
    };
    expect(await attempt(database.appUrl, "UPDATE audit_log SET reason = 'x'")).toMatch(
      /permission denied for table audit_log/,
    );
    expect(await attempt(database.appUrl, 'DELETE FROM audit_log')).toMatch(/permission denied/);
    expect(await attempt(database.appUrl, 'TRUNCATE audit_log')).toMatch(/permission denied/);
    expect(await attempt(database.appUrl, 'ALTER TABLE audit_log DISABLE TRIGGER USER')).toMatch(/must be owner/);
    expect(await attempt(database.appUrl, 'UPDATE audit_head SET id = 1')).toMatch(/only moves forward/);
    expect(await attempt(database.ownerUrl, "UPDATE audit_log SET reason = 'x'")).toMatch(
      /audit_log is append-only \(UPDATE/,
    );
    expect(await attempt(database.ownerUrl, 'DELETE FROM audit_log')).toMatch(/append-only \(DELETE/);
    expect(await attempt(database.ownerUrl, 'TRUNCATE audit_log')).toMatch(/append-only \(TRUNCATE/);
    expect(await stores.audit.verify()).toMatchObject({ ok: true, rows: 2, warnings: [] });
    // A superuser can disable the triggers: verify says so even before any row is edited.
    await postgres.asSuperuser(database, 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
    const warned = await stores.audit.verify();
    expect(warned.warnings).toEqual(['append-only trigger(s) missing or disabled: audit_log_no_change']);
  });

  it('guarded appends: a creation recorded once, a change refused when the target moved on, a detail matched', async () => {
    const database = await postgres.createDatabase();
    const stores = await openTeamStores(database.appUrl);
    cleanups.push(() => stores.close());
    const created = (id: string): AuditEntry => ({ ...SYSTEM_ACTOR, action: 'alert_created', target: `alert:${id}` });
    expect((await stores.audit.appendBatch([created('x'), created('y'), created('x')], { once: true })).length).toBe(2);
    expect(await stores.audit.appendBatch([created('x')], { once: true })).toEqual([]);
    const [z] = await stores.audit.appendBatch([created('y'), created('z')], { once: true });
    expect(z).toMatchObject({ id: 3, target: 'alert:z' });
    // The database refuses a second creation row whoever writes it (the unique index behind the check).
    const owner = new pg.Client({ connectionString: database.ownerUrl });
    await owner.connect();
    try {
      const head = (await owner.query<{ hash: string }>('SELECT hash FROM audit_log WHERE id = 3')).rows[0]!;
      await expect(
        owner.query(
          `INSERT INTO audit_log VALUES (4, 0, 'system', 'system', 'alert_created', 'alert:x', '{}', '', $1, 'h')`,
          [head.hash],
        ),
      ).rejects.toThrow(/audit_log_alert_created_once/);
    } finally {
      await owner.end();
    }

    const move = (operator: string, to: string): AuditEntry => ({
      operator,
      role: 'operator',
      action: 'alert_state_changed',
      target: 'alert:x',
      details: { alertId: 'x', from: 'new', to },
    });
    const since = (afterId: number) => ({
      unchangedSince: { target: 'alert:x', actions: ['alert_state_changed'], afterId },
    });
    const [won] = await stores.audit.appendBatch([move('alice', 'acknowledged')], since(0));
    const refused = await stores.audit.appendBatch([move('bob', 'acknowledged')], since(0)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuditConflictError);
    expect((refused as AuditConflictError).row).toMatchObject({ id: won!.id, operator: 'alice' });
    await stores.audit.append({ operator: 'bob', role: 'operator', action: 'note_added', target: 'alert:x' });
    expect(await stores.audit.appendBatch([move('bob', 'closed')], since(won!.id))).toHaveLength(1);

    const decision = (requestId: number): AuditEntry => ({
      operator: 'zhao',
      role: 'supervisor',
      action: 'account_action_approved',
      target: 'account:A001',
      details: { requestId },
    });
    const once = (requestId: number) => ({
      unchangedSince: {
        target: 'account:A001',
        actions: ['account_action_approved', 'account_action_rejected'],
        afterId: 0,
        detail: { key: 'requestId', value: requestId },
      },
    });
    await stores.audit.appendBatch([decision(7)], once(7));
    await expect(stores.audit.appendBatch([decision(7)], once(7))).rejects.toBeInstanceOf(AuditConflictError);
    expect(await stores.audit.appendBatch([decision(8)], once(8))).toHaveLength(1);
    expect((await stores.audit.verify()).ok).toBe(true);
  });

  it('a database that was never migrated, or is newer than this code, is refused in one line', async () => {
    const database = await postgres.createDatabase();
    await expect(openTeamStores(postgres.server().url())).rejects.toThrow(
      /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres is not a Floorwatch team database$/,
    );
    await postgres.asSuperuser(database, "INSERT INTO floorwatch_migrations (version, name) VALUES (99, 'future')");
    await expect(openTeamStores(database.appUrl)).rejects.toThrow(/team schema 99, newer than this Floorwatch knows/);
    await expect(openTeamStores('postgres://nobody:pw@127.0.0.1:1/none')).rejects.toThrow(
      /^postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: .*ECONNREFUSED.* \(is PostgreSQL running there\?\)$/,
    );
    await expect(openTeamStores('postgres://nobody:pw@127.0.0.1:1/none')).rejects.toBeInstanceOf(AuditLogError);
  });
});

describe.each(BACKENDS)('operator repository contract: $kind', ({ open }) => {
  const admin = { username: 'Li.Wei', displayName: '李伟', role: 'admin', passwordHash: 'hash-1' } as const;

  it('adds, reads, lists and updates operators; rejects duplicates and unknown names', async () => {
    const { operators } = await open();
    expect(await operators.count()).toBe(0);
    const created = await operators.insert(admin, 1000);
    expect(created).toEqual({
      username: 'li.wei',
      displayName: '李伟',
      role: 'admin',
      disabled: false,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: 1000,
      updatedAt: 1000,
    });
    await operators.insert({ username: 'chen.jing', displayName: 'Chen', role: 'operator', passwordHash: 'h2' }, 2000);
    expect(await operators.count()).toBe(2);
    expect((await operators.get('LI.WEI'))?.passwordHash).toBe('hash-1');
    expect(await operators.get('nobody')).toBeNull();
    expect((await operators.list()).map((op) => op.username)).toEqual(['chen.jing', 'li.wei']);
    await expect(operators.insert({ ...admin, username: 'li.wei' }, 3000)).rejects.toThrow(
      new OperatorStoreError('operator "li.wei" already exists'),
    );
    const updated = await operators.update('chen.jing', { role: 'supervisor', disabled: true }, 4000);
    expect(updated).toMatchObject({ role: 'supervisor', disabled: true, displayName: 'Chen', updatedAt: 4000 });
    expect(await operators.update('chen.jing', { displayName: 'Chen Jing' }, 5000)).toMatchObject({
      role: 'supervisor',
      disabled: true,
      displayName: 'Chen Jing',
    });
    await expect(operators.update('nobody', { role: 'admin' }, 1)).rejects.toThrow(/no operator "nobody"/);
    await operators.setPasswordHash('li.wei', 'hash-2', 6000);
    expect(await operators.get('li.wei')).toMatchObject({ passwordHash: 'hash-2', updatedAt: 6000 });
    await expect(operators.setPasswordHash('nobody', 'x', 1)).rejects.toBeInstanceOf(OperatorStoreError);
  });

  it('first-start set-up: of several racing inserts with onlyIfEmpty, exactly one wins', async () => {
    const { operators } = await open();
    const attempts = await Promise.allSettled(
      ['a1', 'a2', 'a3'].map((name) =>
        operators.insert({ ...admin, username: `admin.${name}` }, 1, { onlyIfEmpty: true }),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts.filter((a) => a.status === 'rejected')) {
      expect((attempt as PromiseRejectedResult).reason).toEqual(new OperatorStoreError('an operator already exists'));
    }
    expect(await operators.count()).toBe(1);
  });

  it('counts failed logins, clears them, and unlocks (enabling on request)', async () => {
    const { operators } = await open();
    await operators.insert(admin, 1);
    expect(await operators.countFailure('li.wei', 2)).toBe(1);
    expect(await operators.countFailure('LI.WEI', 3)).toBe(2);
    expect(await operators.get('li.wei')).toMatchObject({ failedLogins: 2, updatedAt: 3 });
    await operators.clearFailures('li.wei', 4);
    expect(await operators.get('li.wei')).toMatchObject({ failedLogins: 0 });
    await operators.countFailure('li.wei', 5);
    await operators.update('li.wei', { disabled: true }, 6);
    const kept = await operators.unlock('li.wei', 7);
    expect(kept.before).toMatchObject({ failedLogins: 1, disabled: true });
    expect(kept.after).toMatchObject({ failedLogins: 0, disabled: true, updatedAt: 7 });
    const enabled = await operators.unlock('li.wei', 8, { enable: true });
    expect(enabled.after).toMatchObject({ disabled: false });
    await expect(operators.unlock('nobody', 9)).rejects.toThrow(/no operator "nobody"/);
    await expect(operators.countFailure('nobody', 9)).rejects.toThrow(/no operator "nobody"/);
  });
});
