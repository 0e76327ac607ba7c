// The attack of a deleted audit tail (triggers dropped, newest rows deleted, audit_head moved back) on real files,
// caught by each kind of anchor on its own through the real CLI: the anchor file, a session file, a report and an
// evidence-pack manifest, --anchor. Also: an intact log verifies OK against its anchors, a missing or damaged anchor
// file is a warning, a session from another workstation's log is not mistaken for a truncation, and the start-up
// check of the host and the app sees the same findings.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuthServices } from '../../main/auth/authServices';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { runReportJob } from '../../main/reports/job';
import { writeManifest } from '../../main/reports/manifest';
import { anchorJson, readAnchorFile, type AuditHeadAnchor } from '../../main/store/auditAnchors';
import { findAuditAnchors, readSessionAuditAnchors } from '../../main/store/auditAnchorSources';
import { AuditLog, type AuditRow } from '../../main/store/auditLog';
import { SessionJournal } from '../../main/store/journal';
import { JournalWorker } from '../../main/store/journalWorker';
import { syntheticMessages } from '../fixtures/syntheticSession';

const repo = path.resolve(import.meta.dirname, '../..');
const SESSION = { sessionId: 'S1', tradingDay: '20261207', source: 'test' };
let dataDir: string;
let auditFile: string;
let anchorFile: string;
let rows: AuditRow[];

function floorwatch(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'audit', ...args], {
    cwd: repo,
    env: { ...process.env, FLOORWATCH_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** 61 audited actions, each anchored in the anchor file as it happened. */
function buildLog(): void {
  const log = AuditLog.open(auditFile);
  rows = [];
  for (let n = 1; n <= 61; n++) {
    rows.push(log.append({ operator: 'li.wei', role: 'operator', action: 'note_added', target: `alert:${n}` }));
  }
  log.close();
}

/** What the issue describes: drop the triggers, delete the newest rows, move audit_head back to the new last row. */
function cutTail(keep: number): void {
  const db = new Database(auditFile);
  db.exec('DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_head_forward_only');
  db.prepare('DELETE FROM audit_log WHERE id > ?').run(keep);
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as {
    id: number;
    hash: string;
  };
  db.prepare('UPDATE audit_head SET id = ?, hash = ? WHERE one = 1').run(last.id, last.hash);
  db.close();
}

/** What `audit verify` does, in this process (the CLI runs are kept to one per case: each costs seconds). */
function verifyHere(paths: string[] = []) {
  const log = AuditLog.open(auditFile, { readonly: true });
  try {
    const found = findAuditAnchors({ dataDir, expectAnchorFile: true, paths });
    return { ...log.verify({ anchors: found.anchors }), anchorWarnings: found.warnings };
  } finally {
    log.close();
  }
}

function headOf(id: number): AuditHeadAnchor {
  const row = rows[id - 1]!;
  return { id, hash: row.hash, time: row.time, log: rows[0]!.hash.slice(0, 16) };
}

function sessionWithAnchor(file: string, head: AuditHeadAnchor): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const journal = new SessionJournal(file, { session: SESSION });
  journal.append(syntheticMessages({ count: 20 }));
  journal.recordAuditAnchor(head);
  journal.close();
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-anchors-'));
  auditFile = path.join(dataDir, 'audit.sqlite');
  anchorFile = path.join(dataDir, 'audit.anchors');
  buildLog();
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('audit anchors', { timeout: 120_000 }, () => {
  it('the anchor file: written 0600 after every append, its newest line is the head; it alone catches the cut tail', () => {
    const contents = readAnchorFile(anchorFile);
    expect(contents.warnings).toEqual([]);
    expect(contents.anchors.at(-1)).toMatchObject({ id: 61, hash: rows[60]!.hash, log: rows[0]!.hash.slice(0, 16) });
    if (process.platform !== 'win32') expect(fs.statSync(anchorFile).mode & 0o777).toBe(0o600);

    const intact = floorwatch('verify');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/anchors: \d+ checked from 1 source\(s\)/);

    cutTail(57);
    const cut = floorwatch('verify');
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain('first broken row: 58 (truncated)');
    expect(cut.stdout).toContain(
      `rows 58.. are gone: anchored at row 61 (hash ${rows[60]!.hash.slice(0, 12)}…) in ${anchorFile} at `,
    );

    // Without any anchor the same attack passes, with a warning that there is nothing to compare with.
    fs.rmSync(anchorFile);
    const unanchored = verifyHere();
    expect(unanchored.ok).toBe(true);
    expect(unanchored.anchorWarnings).toEqual([
      `no anchor file at ${anchorFile}: the tail of the log is checked only against other anchors`,
    ]);
  });

  it('a session file alone catches it (the anchor file deleted too), through the journal thread', async () => {
    const file = path.join(dataDir, 'sessions', '20261207-S1.fwsession');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const journal = JournalWorker.start(file, { session: SESSION, mode: 'create' });
    journal.append(syntheticMessages({ count: 50 }));
    journal.recordAuditAnchor(headOf(60));
    journal.recordAuditAnchor(headOf(61));
    await journal.close();
    // Heads that arrive between two flushes are folded into one: the newest.
    expect(readSessionAuditAnchors(file).map((a) => a.id)).toEqual([61]);

    cutTail(57);
    fs.rmSync(anchorFile);
    const result = floorwatch('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `rows 58.. are gone: anchored at row 61 (hash ${rows[60]!.hash.slice(0, 12)}…) in ${file}`,
    );
    expect(result.stdout.trim().split('\n')).toHaveLength(4); // header, first broken row, one finding, rows intact
  });

  it('an evidence-pack manifest in the exports folder, or a report named with --anchors, alone catches it', async () => {
    const pack = path.join(dataDir, 'exports', 'floorwatch-evidence-20261207-X');
    fs.mkdirSync(pack, { recursive: true });
    fs.writeFileSync(path.join(pack, 'a.txt'), 'x');
    writeManifest(
      pack,
      {
        alertId: 'X',
        tradingDay: '20261207',
        createdAt: new Date().toISOString(),
        input: { file: 'f', sha256: '' },
        auditHead: anchorJson(headOf(61)),
      },
      [{ name: 'a.txt', description: 'x' }],
    );
    // A daily report made now prints the head (CSV summary, facts): the report is an anchor too.
    const feed = new FeedBuilder();
    feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE', maxOrderQty: 500 });
    feed.account('A1');
    feed.order('A1', 'rb2605', 'buy', 1, 3500);
    feed.end();
    const input = path.join(dataDir, 'day.ndjson');
    fs.writeFileSync(input, feed.messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    const out = path.join(os.tmpdir(), `fw-anchor-report-${process.pid}`);
    const report = await runReportJob({
      jobId: 't',
      kind: 'daily',
      input,
      out,
      langs: ['en'],
      auditFile,
      pdf: false,
      zip: false,
    });
    const csv = report.files.find((f) => f.name.endsWith('.summary.csv'))!.path;
    expect(fs.readFileSync(csv, 'utf8')).toContain(`row 61, hash ${rows[60]!.hash}, time `);

    cutTail(57);
    fs.rmSync(anchorFile);
    const result = floorwatch('verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `rows 58.. are gone: anchored at row 61 (hash ${rows[60]!.hash.slice(0, 12)}…) in ${path.join(pack, 'manifest.json')}`,
    );

    fs.rmSync(path.join(dataDir, 'exports'), { recursive: true });
    expect(verifyHere().ok).toBe(true);
    const named = floorwatch('verify', auditFile, '--anchors', csv);
    fs.rmSync(out, { recursive: true, force: true });
    expect(named.code).toBe(1);
    expect(named.stdout).toContain(
      `rows 58.. are gone: anchored at row 61 (hash ${rows[60]!.hash.slice(0, 12)}…) in ${csv}`,
    );
  });

  it('--anchor alone catches it; a rewritten row is named with the anchor that disagrees', () => {
    fs.rmSync(anchorFile);
    cutTail(57);
    const result = floorwatch('verify', '--anchor', `61:${rows[60]!.hash}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `rows 58.. are gone: anchored at row 61 (hash ${rows[60]!.hash.slice(0, 12)}…) in --anchor`,
    );

    const log = AuditLog.open(auditFile, { readonly: true });
    const rewritten = log.verify({ anchor: { id: 40, hash: 'ab'.repeat(32) } });
    log.close();
    if (rewritten.ok) throw new Error('the rewritten row was not caught');
    expect(rewritten).toMatchObject({ brokenRow: 40, problem: 'anchor_mismatch' });
    expect(rewritten.findings[0]).toContain(
      `row 40: hash ${rows[39]!.hash.slice(0, 12)}… differs from the anchor abababababab… in --anchor`,
    );
  });

  it('a damaged anchor file is a warning, not a crash; its readable lines still count', () => {
    fs.appendFileSync(anchorFile, 'garbage\n{"id":"x"}\n{"id":70,"hash":"ab');
    const result = floorwatch('verify');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /warning: anchor file .*audit\.anchors: 3 line\(s\) are not anchors \(first: line \d+\), ignored/,
    );
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    fs.writeFileSync(anchorFile, Buffer.from([0, 1, 2, 255, 254, 10]));
    expect(readAnchorFile(anchorFile).warnings).toEqual([
      `anchor file ${anchorFile}: 1 line(s) are not anchors (first: line 1), ignored: the file is damaged or was edited`,
      `anchor file ${anchorFile} holds no readable anchor (damaged?)`,
    ]);
  });

  it("another workstation's session is not a truncation of this log; the start-up check sees the cut tail", async () => {
    const foreign = { ...headOf(61), id: 500, log: 'f'.repeat(16) };
    sessionWithAnchor(path.join(dataDir, 'sessions', 'copied.fwsession'), foreign);
    const ok = floorwatch('verify');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('anchors of another audit log in 1 file(s), not checked');

    cutTail(57);
    const access = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: { ln: 4, r: 8, p: 1 } });
    try {
      expect(access.auditCheck.ok).toBe(false);
      expect(access.auditCheck.message).toMatch(/^rows 58\.\. are gone: anchored at row 61 .* in .*audit\.anchors at /);
    } finally {
      await access.close();
    }
    // The app_started row after the cut does not wash the evidence out: the old anchor at row 61 is still there.
    expect(verifyHere()).toMatchObject({ ok: false, problem: 'truncated' });
  });
});
