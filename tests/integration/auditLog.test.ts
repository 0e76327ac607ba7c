// The audit log on real SQLite files: durability settings, the chain after 100k rows, and hand edits made with raw
// SQL after dropping the append-only triggers, each reported at the right row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditChainChecker } from '../../main/store/auditChain';
import { auditRowHash, GENESIS_HASH } from '../../main/store/auditCanonical';
import { AUDIT_MIGRATIONS, AuditLog, AuditLogError, CSV_COLUMNS, type AuditEntry } from '../../main/store/auditLog';
import { schemaVersion } from '../../main/store/auditMigrate';

/** A row as SQLite returns it. */
interface RawRow {
  id: number;
  time: number;
  operator: string;
  role: string;
  action: string;
  target: string;
  details: string;
  reason: string;
  prev_hash: string;
  hash: string;
}

let dir: string;
let file: string;
const open: AuditLog[] = [];

function openLog(options: Parameters<typeof AuditLog.open>[1] = {}): AuditLog {
  const log = AuditLog.open(file, options);
  open.push(log);
  return log;
}

function entry(n: number): AuditEntry {
  return {
    operator: n % 2 ? 'wang.fang' : 'li.wei',
    role: n % 2 ? 'operator' : 'supervisor',
    action: 'note_added',
    target: `alert:${n}`,
    details: { n, note: `note ${n}` },
    reason: n % 3 ? '' : 'checked',
  };
}

/** Builds a log of `rows` rows and closes it. */
function buildLog(rows: number): void {
  const log = AuditLog.open(file);
  for (let start = 0; start < rows; start += 10_000) {
    log.appendBatch(Array.from({ length: Math.min(10_000, rows - start) }, (_, i) => entry(start + i + 1)));
  }
  log.close();
}

/** Raw SQL on the file, as someone with a SQLite shell would do it, triggers dropped first. */
function tamper(sql: string): void {
  const db = new Database(file);
  db.exec(`DROP TRIGGER IF EXISTS audit_log_no_update;
           DROP TRIGGER IF EXISTS audit_log_no_delete;
           DROP TRIGGER IF EXISTS audit_log_extend_only;`);
  db.exec(sql);
  db.close();
}

function verifyFile(): ReturnType<AuditLog['verify']> {
  const log = AuditLog.open(file, { readonly: true });
  try {
    return log.verify();
  } finally {
    log.close();
  }
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-audit-'));
  file = path.join(dir, 'audit.sqlite');
});

afterEach(() => {
  for (const log of open.splice(0)) log.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog', () => {
  it('opens in WAL mode with synchronous=FULL and records rows in a chain', () => {
    let now = 1_795_000_000_000;
    const log = openLog({ clock: () => now++ });
    expect(log.durability()).toEqual({ journalMode: 'wal', synchronous: 2 });
    const first = log.append({ operator: 'li.wei', role: 'operator', action: 'login', details: { b: 2, a: 1 } });
    const second = log.append({ operator: 'li.wei', role: 'operator', action: 'logout', reason: 'end of shift' });
    expect(first).toMatchObject({ id: 1, time: 1_795_000_000_000, target: '', details: '{"a":1,"b":2}', reason: '' });
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(auditRowHash(first.hash, second));
    expect(log.head()).toEqual({ id: 2, hash: second.hash });
    expect(log.verify()).toEqual({
      ok: true,
      rows: 2,
      headId: 2,
      headHash: second.hash,
      warnings: [],
      anchors: { checked: 0, sources: 0 },
    });
  });

  it('refuses unknown actions, non-object details and oversized fields without writing', () => {
    const log = openLog();
    expect(() => log.append({ operator: 'x', role: 'operator', action: 'hacked' as never })).toThrow(
      /unknown audit action/,
    );
    expect(() =>
      log.append({
        operator: 'x',
        role: 'operator',
        action: 'login',
        details: [1] as unknown as Record<string, unknown>,
      }),
    ).toThrow(/plain object/);
    expect(() => log.append({ operator: '', role: 'operator', action: 'login' })).toThrow(/operator must be 1\.\.128/);
    expect(() => log.append({ operator: 'x', role: 'operator', action: 'login', reason: 'r'.repeat(5000) })).toThrow(
      /reason/,
    );
    expect(() => log.append({ operator: 'x', role: 'operator', action: 'login', details: { v: NaN } })).toThrow(/NaN/);
    expect(log.head().id).toBe(0);
  });

  it('refuses UPDATE and DELETE, and inserts that do not extend the chain, through its triggers', () => {
    const log = openLog();
    log.append(entry(1));
    log.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE audit_log SET reason = 'x' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(`INSERT INTO audit_log VALUES (5, 0, 'x', 'operator', 'login', '', '{}', '', '${GENESIS_HASH}', 'h')`)
        .run(),
    ).toThrow(/extend the chain/);
    db.close();
    expect(verifyFile().ok).toBe(true);
  });

  it('verifies a chain of 100k rows and names its head', { timeout: 120_000 }, () => {
    buildLog(100_000);
    const result = verifyFile();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toBe(100_000);
    expect(result.headId).toBe(100_000);
    const db = new Database(file, { readonly: true });
    const last = db.prepare('SELECT hash FROM audit_log WHERE id = 100000').get() as { hash: string };
    db.close();
    expect(result.headHash).toBe(last.hash);
  });

  describe('detects hand edits made with raw SQL after dropping the triggers', () => {
    beforeEach(() => buildLog(50));

    it('an edited column, at that row', () => {
      tamper("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 17");
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 17, problem: 'edited', rows: 16 });
    });

    it('an edited row whose own hash was recomputed, at the next row', () => {
      const db = new Database(file, { readonly: true });
      const row = db.prepare('SELECT * FROM audit_log WHERE id = 17').get() as RawRow;
      db.close();
      const forged = auditRowHash(row.prev_hash, { ...row, operator: 'someone.else' });
      tamper(`UPDATE audit_log SET operator = 'someone.else', hash = '${forged}' WHERE id = 17`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 18, problem: 'chain_broken' });
    });

    it('a changed type (time written as text) in a rebuilt, non-strict table', () => {
      tamper(`CREATE TABLE copy (id INTEGER PRIMARY KEY, time, operator, role, action, target, details, reason,
                                 prev_hash, hash);
              INSERT INTO copy SELECT * FROM audit_log; DROP TABLE audit_log;
              ALTER TABLE copy RENAME TO audit_log;
              UPDATE audit_log SET time = CAST(time AS TEXT) WHERE id = 9`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 9, problem: 'bad_row' });
    });

    it('a deleted row, at the missing id', () => {
      tamper('DELETE FROM audit_log WHERE id = 23');
      const result = verifyFile();
      expect(result).toMatchObject({ ok: false, brokenRow: 23, problem: 'missing_row' });
      if (!result.ok) expect(result.message).toMatch(/row 23 is missing/);
    });

    it('a deleted row with the later ids shifted down to close the gap, at that row', () => {
      tamper('DELETE FROM audit_log WHERE id = 23; UPDATE audit_log SET id = id - 1 WHERE id > 23');
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 23, problem: 'chain_broken' });
    });

    it('deleted last rows (a truncated tail), at the first missing row', () => {
      tamper('DELETE FROM audit_log WHERE id > 47');
      const result = verifyFile();
      expect(result).toMatchObject({ ok: false, brokenRow: 48, problem: 'truncated', rows: 47 });
    });

    it('two rows swapped, at the first of them', () => {
      tamper(`UPDATE audit_log SET id = -1 WHERE id = 30;
              UPDATE audit_log SET id = 30 WHERE id = 31;
              UPDATE audit_log SET id = 31 WHERE id = -1;`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 30, problem: 'chain_broken' });
    });

    it('two rows whose contents were swapped under their ids, at the first of them', () => {
      tamper(`CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE id IN (30, 31);
              UPDATE audit_log SET reason = (SELECT reason FROM a WHERE id = 31),
                                   target = (SELECT target FROM a WHERE id = 31) WHERE id = 30;
              UPDATE audit_log SET reason = (SELECT reason FROM a WHERE id = 30),
                                   target = (SELECT target FROM a WHERE id = 30) WHERE id = 31;`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 30, problem: 'edited' });
    });

    it('a row inserted in the middle (later ids shifted up), at the inserted row', () => {
      tamper(`UPDATE audit_log SET id = -id WHERE id >= 12;
              UPDATE audit_log SET id = -id + 1 WHERE id < 0;
              INSERT INTO audit_log SELECT 12, time, 'intruder', role, action, target, details, reason, hash, hash
                FROM audit_log WHERE id = 11;`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 12, problem: 'edited' });
    });

    it('a row appended at the end by hand, at that row', () => {
      tamper(`INSERT INTO audit_log SELECT 51, time, operator, role, 'login', target, details, reason, hash, 'f00d'
                FROM audit_log WHERE id = 50`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 51, problem: 'edited' });
    });

    it('a well-forged appended row is still caught by the recorded head', () => {
      const db = new Database(file, { readonly: true });
      const last = db.prepare('SELECT * FROM audit_log WHERE id = 50').get() as RawRow;
      db.close();
      const forged = { ...last, id: 51, operator: 'intruder', prev_hash: last.hash };
      const hash = auditRowHash(last.hash, forged);
      tamper(`INSERT INTO audit_log VALUES (51, ${last.time}, 'intruder', '${last.role}', '${last.action}',
              '${last.target}', '${last.details}', '${last.reason}', '${last.hash}', '${hash}')`);
      expect(verifyFile()).toMatchObject({ ok: false, brokenRow: 51, problem: 'unrecorded_rows' });
    });

    it('a fully rehashed chain only with an anchor from an earlier verify', () => {
      const before = verifyFile();
      if (!before.ok) throw new Error('fixture broken');
      const db = new Database(file);
      db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_head_forward_only');
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as RawRow[];
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const operator = row.id === 5 ? 'rewritten' : row.operator;
        const hash = auditRowHash(prev, { ...row, operator });
        db.prepare('UPDATE audit_log SET operator = ?, prev_hash = ?, hash = ? WHERE id = ?').run(
          operator,
          prev,
          hash,
          row.id,
        );
        prev = hash;
      }
      db.prepare('UPDATE audit_head SET hash = ? WHERE one = 1').run(prev);
      db.close();
      expect(verifyFile().ok).toBe(true); // the limit of a keyless chain …
      const log = openLog({ readonly: true });
      // … which an anchor taken earlier closes
      expect(log.verify({ anchor: { id: before.headId, hash: before.headHash } })).toMatchObject({
        ok: false,
        brokenRow: 50,
        problem: 'anchor_mismatch',
      });
      const verified = log.verify();
      expect(verified.warnings).toEqual(['append-only trigger(s) missing: audit_log_no_update']);
    });
  });

  it('warns when the triggers are gone even if the chain is intact', () => {
    buildLog(3);
    tamper('SELECT 1');
    const result = verifyFile();
    expect(result.ok).toBe(true);
    expect(result.warnings[0]).toMatch(/audit_log_no_update, audit_log_no_delete, audit_log_extend_only/);
  });

  it('migrates a version-1 file (no recorded head) and keeps its chain', () => {
    // a file as version 1 left it, with rows written by the version-1 code path
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    (AUDIT_MIGRATIONS[0] as (typeof AUDIT_MIGRATIONS)[number]).up(db);
    db.pragma('user_version = 1');
    let prev = GENESIS_HASH;
    for (let id = 1; id <= 5; id++) {
      const row = {
        id,
        time: 1_000 + id,
        operator: 'old',
        role: 'operator',
        action: 'login',
        target: '',
        details: '{}',
        reason: '',
      };
      const hash = auditRowHash(prev, row);
      db.prepare('INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...Object.values(row), prev, hash);
      prev = hash;
    }
    db.close();

    const readOnly = openLog({ readonly: true });
    expect(readOnly.verify()).toMatchObject({ ok: true, rows: 5 });
    readOnly.close();
    const check = new Database(file, { readonly: true });
    expect(schemaVersion(check)).toBe(1); // read-only open changed nothing
    check.close();

    const log = openLog();
    const sixth = log.append(entry(6));
    expect(sixth).toMatchObject({ id: 6, prevHash: prev });
    expect(log.verify()).toMatchObject({ ok: true, rows: 6, headHash: sixth.hash });
    log.close();
    const after = new Database(file, { readonly: true });
    expect(schemaVersion(after)).toBe(AUDIT_MIGRATIONS.length);
    expect(after.prepare('SELECT id, hash FROM audit_head').get()).toEqual({ id: 6, hash: sixth.hash });
    after.close();
  });

  it('refuses a file from a newer version, a foreign SQLite file, a non-SQLite file and a missing one', () => {
    const newer = new Database(file);
    newer.pragma(`user_version = ${AUDIT_MIGRATIONS.length + 1}`);
    newer.close();
    expect(() => AuditLog.open(file)).toThrow(/newer than this Floorwatch/);

    const foreign = path.join(dir, 'foreign.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE recipes (name TEXT)');
    db.close();
    expect(() => AuditLog.open(foreign)).toThrow(/not a Floorwatch audit log/);
    expect(() => AuditLog.open(foreign, { readonly: true })).toThrow(/not a Floorwatch audit log/);

    const junk = path.join(dir, 'junk.sqlite');
    fs.writeFileSync(junk, 'x'.repeat(4096));
    expect(() => AuditLog.open(junk)).toThrow(AuditLogError);
    expect(() => AuditLog.open(path.join(dir, 'none.sqlite'), { readonly: true })).toThrow(/no audit log at/);
  });

  it('exports CSV and NDJSON with hashes; the NDJSON export verifies on its own and shows edits', () => {
    const log = openLog();
    log.append({
      operator: 'li.wei',
      role: 'operator',
      action: 'note_added',
      target: 'alert:1',
      reason: 'a, "quoted"\nline',
    });
    log.append({
      operator: 'li.wei',
      role: 'operator',
      action: 'export',
      details: { format: 'csv', nested: { z: 1, a: [1.5] } },
    });
    const rows = log.readRows();

    const csv = log.exportText('csv').trimEnd().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv[1]).toContain('"a, ""quoted""');
    expect(csv.at(-1)).toBe(
      [
        2,
        rows[1]?.time,
        new Date(rows[1]?.time ?? 0).toISOString(),
        'li.wei',
        'operator',
        'export',
        '',
        '"{""format"":""csv"",""nested"":{""a"":[1.5],""z"":1}}"',
        '',
        rows[1]?.prevHash,
        rows[1]?.hash,
      ].join(','),
    );

    const lines = log.exportText('ndjson').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[1]).toMatchObject({
      id: 2,
      details: { format: 'csv', nested: { z: 1, a: [1.5] } },
      hash: rows[1]?.hash,
    });
    const checker = new AuditChainChecker();
    for (const row of parsed) checker.push(row);
    expect(checker.finish()).toMatchObject({ ok: true, rows: 2, headHash: rows[1]?.hash });

    const edited = new AuditChainChecker();
    edited.push(parsed[0]);
    edited.push({ ...parsed[1], details: { format: 'ndjson', nested: { z: 1, a: [1.5] } } });
    expect(edited.finish()).toMatchObject({ ok: false, brokenRow: 2, problem: 'edited' });
  });

  it('a read-only log cannot append', () => {
    openLog().append(entry(1));
    const readOnly = openLog({ readonly: true });
    expect(() => readOnly.append(entry(2))).toThrow(/read-only/);
  });
});
