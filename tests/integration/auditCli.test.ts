// `floorwatch audit verify|export` as an operator runs it: exit codes, the named broken row, one-line errors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/store/auditLog';

const repo = path.resolve(import.meta.dirname, '../..');
let dir: string;
let file: string;
let headHash: string;

function floorwatch(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'audit', ...args], {
    cwd: repo,
    env: { ...process.env, FLOORWATCH_DATA_DIR: dir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-audit-cli-'));
  file = path.join(dir, 'audit.sqlite'); // the default location for FLOORWATCH_DATA_DIR=dir
  const log = AuditLog.open(file);
  for (let n = 1; n <= 12; n++) {
    log.append({
      operator: 'li.wei',
      role: 'operator',
      action: 'note_added',
      target: `alert:${n}`,
      details: { n },
      reason: 'seen',
    });
  }
  headHash = log.head().hash;
  log.close();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('floorwatch audit', { timeout: 120_000 }, () => {
  it('verify prints the row count and head hash of the default log and exits 0', () => {
    const result = floorwatch('verify');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`rows: 12`);
    expect(result.stdout).toContain(`head: row 12 ${headHash}`);
    const anchored = floorwatch('verify', file, '--anchor', `12:${headHash}`);
    expect(anchored.code).toBe(0);
  });

  it('export writes CSV and NDJSON with hashes; the NDJSON export verifies; nothing is overwritten', () => {
    const csvOut = path.join(dir, 'out.csv');
    const csv = floorwatch('export', '--format', 'csv', '--out', csvOut);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toContain(`exported 12 rows (csv) to ${csvOut}; chain OK, head row 12 ${headHash}`);
    const lines = fs.readFileSync(csvOut, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[12]?.endsWith(headHash)).toBe(true);

    const ndjsonOut = path.join(dir, 'out.ndjson');
    expect(floorwatch('export', file, '--format', 'ndjson', '--out', ndjsonOut).code).toBe(0);
    const verified = floorwatch('verify', ndjsonOut);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`head: row 12 ${headHash}`);

    const again = floorwatch('export', '--format', 'csv', '--out', csvOut);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`floorwatch: ${csvOut} already exists: choose another --out`);

    const stdout = floorwatch('export', '--format', 'ndjson');
    expect(stdout.stdout.trimEnd().split('\n')).toHaveLength(12);
  });

  it('verify names the first broken row and exits 1 after a hand edit', () => {
    const copy = path.join(dir, 'edited.sqlite');
    fs.copyFileSync(file, copy);
    const db = new Database(copy);
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET operator = 'nobody' WHERE id = 7");
    db.close();
    const result = floorwatch('verify', copy);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('first broken row: 7 (edited)');
    expect(result.stderr).toContain('warning: append-only trigger(s) missing: audit_log_no_update');

    const ndjson = path.join(dir, 'edited.ndjson');
    const lines = fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8').split('\n');
    lines.splice(4, 1); // drop row 5 from an export
    fs.writeFileSync(ndjson, lines.join('\n'));
    const exportResult = floorwatch('verify', ndjson);
    expect(exportResult.code).toBe(1);
    expect(exportResult.stdout).toContain('first broken row: 5 (missing_row)');
  });

  it('says in one line what is wrong with a missing, foreign or corrupt file, or bad options', () => {
    const cases: [string[], RegExp][] = [
      [['verify', path.join(dir, 'nope.sqlite')], /^floorwatch: no audit log at .*nope\.sqlite$/],
      [
        ['verify', path.join(repo, 'package.json')],
        /neither a Floorwatch audit log \(SQLite\) nor an NDJSON audit export$/,
      ],
      [['export', '--format', 'xml'], /^floorwatch: --format must be csv or ndjson \(got "xml"\)$/],
      [['export'], /^floorwatch: --format must be csv or ndjson$/],
      [['verify', '--anchor', '3:zz'], /--anchor must be ID:HASH/],
      [['frobnicate'], /unknown audit subcommand "frobnicate"/],
    ];
    const corrupt = path.join(dir, 'corrupt.sqlite');
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 100, bytes.length); // keep the SQLite header, wreck every page
    fs.writeFileSync(corrupt, bytes, { mode: 0o600 }); // private, as a data folder's files are (no mode warning)
    cases.push([['verify', corrupt], /^floorwatch: cannot open audit log .*corrupt\.sqlite: /]);
    for (const [args, expected] of cases) {
      const result = floorwatch(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr.trim(), args.join(' ')).toMatch(expected);
    }
  });

  it('--help describes both subcommands', () => {
    const result = floorwatch('verify', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('floorwatch audit verify [FILE] [--anchor ID:HASH]');
    expect(result.stdout).toContain('floorwatch audit export [FILE] --format csv|ndjson [--out OUT]');
    expect(result.stdout).toContain('floorwatch audit verify --db URL [--anchor ID:HASH]');
  });
});
