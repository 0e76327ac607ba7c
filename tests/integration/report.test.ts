// `floorwatch report` as a scheduled job runs it: child processes on one NDJSON session with an audit log. The
// daily and abnormal figures must equal `floorwatch surveil` on the same input, the PDFs (pdftotext) must print
// them, the evidence pack must verify and catch a changed byte. Each PDF's pages are saved as PNGs under
// tests/e2e/artifacts/ for a human look.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/rules/types';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { loadRulesConfig } from '../../main/rules/loadRules';
import { surveilMessages } from '../../main/rules/surveillance';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { RULE_NAMES } from '../../shared/vocabulary';
import type { SequencedMessage } from '../../shared/protocol';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function floorwatch(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'main/cli/index.ts', ...args],
      { cwd: process.cwd(), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const COUNT_RULES = ['self_trade', 'frequent_cancel', 'large_cancel', 'position_limit', 'order_burst'];
const ARTIFACTS = join(process.cwd(), 'tests/e2e/artifacts');
const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pdftotext = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

/** Self-trades on SHFE and DCE, large cancels, a position over its limit, cancels below the standard. */
function session(): SequencedMessage[] {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE', maxOrderQty: 500, positionLimit: 100 });
  feed.instrument({ instrumentId: 'm2605', exchange: 'DCE', maxOrderQty: 1000 });
  feed.instrument({ instrumentId: 'SR605', exchange: 'CZCE', maxOrderQty: 1000 });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1').account('C1');
  feed.account('D1').account('E1').account('E2');
  for (let i = 0; i < 6; i++) {
    feed.advance(1000);
    feed.cross('rb2605', 'A1', 'A2', 2, 3500);
  }
  for (let i = 0; i < 50; i++) {
    feed.advance(2000);
    feed.orderAndCancel('B1', 'rb2605', 'buy', 300, 3400);
  }
  for (let i = 0; i < 40; i++) {
    feed.advance(3000);
    feed.orderAndCancel('C1', 'SR605', 'sell', 1, 6100);
  }
  for (let i = 0; i < 3; i++) {
    feed.advance(1000);
    const buy = feed.order('E1', 'm2605', 'buy', 1, 3000);
    const sell = feed.order('E1', 'm2605', 'sell', 1, 3000);
    feed.trade('m2605', 3000, 1, { accountId: 'E1', orderId: buy }, { accountId: 'E1', orderId: sell }, 'sell');
  }
  feed.position('D1', 'rb2605', 150, 0, 3500);
  feed.end();
  return feed.messages as SequencedMessage[];
}

let dir: string;
let input: string;
let auditFile: string;
let out: string;
let expected: Alert[];
/** The audit log's head when the reports were made: printed in them as an anchor. */
let auditHead: { id: number; hash: string };
const results: Record<string, Result> = {};
const SELF_TRADE_ID = '20261124:self_trade:G1:rb2605';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-report-int-'));
  out = join(dir, 'out');
  input = join(dir, 'day.ndjson');
  const messages = session();
  writeFileSync(input, messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  expected = surveilMessages(messages, { config: loadRulesConfig().config });
  // An operator worked the self-trade alert during the trading day (10:00 China time).
  auditFile = join(dir, 'audit.db');
  const clock = () => Date.UTC(2026, 10, 24, 2, 0, 0);
  const audit = AuditLog.open(auditFile, { clock });
  const workflow = await AlertWorkflow.open({ audit: new SqliteAuditStore(audit), clock });
  await workflow.ingest(expected);
  const actor = { operator: 'li.wei', role: 'surveillance' };
  await workflow.setState(actor, { id: SELF_TRADE_ID, state: 'acknowledged' });
  await workflow.addNote(actor, {
    id: SELF_TRADE_ID,
    text: 'Group G1 trades with itself; asked the client to explain.',
  });
  auditHead = audit.head();
  audit.close();
  const [surveil, daily, abnormal, evidence] = await Promise.all([
    floorwatch(['surveil', '--input', input]),
    floorwatch(['report', 'daily', '--input', input, '--out', out, '--lang', 'all', '--audit', auditFile]),
    floorwatch(['report', 'abnormal', '--input', input, '--out', out, '--lang', 'all']),
    floorwatch([
      'report',
      'evidence',
      '--input',
      input,
      '--alert',
      SELF_TRADE_ID,
      '--out',
      out,
      '--lang',
      'all',
      '--audit',
      auditFile,
      '--context',
      '10',
    ]),
  ]);
  await Object.assign(results, { surveil, daily, abnormal, evidence });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const outFile = (suffix: string) => {
  const name = readdirSync(out).find((n) => n.endsWith(suffix));
  if (!name) throw new Error(`no file ending in ${suffix} in ${readdirSync(out).join(', ')}`);
  return join(out, name);
};

function savePages(pdf: string, prefix: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync('pdftoppm', ['-r', '70', '-png', pdf, join(ARTIFACTS, prefix)]);
}

describe('floorwatch report', { timeout: 60_000 }, () => {
  it('every command succeeds; surveil sees the same alerts as the engine', () => {
    for (const [name, result] of Object.entries(results)) expect(result.code, `${name}: ${result.stderr}`).toBe(0);
    const surveilAlerts = results
      .surveil!.stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Alert);
    expect(surveilAlerts).toEqual(expected);
    expect(expected.map((a) => a.id)).toContain(SELF_TRADE_ID);
  });

  it('daily: alerts by rule equal the surveil output, in the CSV and in both PDFs; dispositions from the audit log', () => {
    const surveilAlerts = results
      .surveil!.stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Alert);
    const perRule = new Map<Alert['rule'], number>();
    for (const a of surveilAlerts) perRule.set(a.rule, (perRule.get(a.rule) ?? 0) + 1);
    const pattern = /^(floorwatch-daily-20261124-[0-9a-f]{10})\.pdf$/;
    const base = pattern.exec(readdirSync(out).find((n) => pattern.test(n)) ?? '');
    expect(base).not.toBeNull();
    const csv = readFileSync(join(out, `${base![1]}.by-rule.csv`), 'utf8');
    expect(perRule.size).toBeGreaterThanOrEqual(3);
    for (const [rule, n] of perRule) expect(csv).toContain(`${RULE_NAMES[rule].en},${n}\r\n`);
    expect(csv.trim().split('\r\n').length - 1).toBe(perRule.size);
    const summary = readFileSync(join(out, `${base![1]}.summary.csv`), 'utf8');
    expect(summary).toContain(`Audit head at generation,"row ${auditHead.id}, hash ${auditHead.hash}, time `);
    const en = pdftotext(join(out, `${base![1]}.pdf`));
    expect(en).toContain('Audit head at generation'); // the PDF wraps the long value around its label
    expect(en).toContain(`row ${auditHead.id}, hash ${auditHead.hash}`);
    expect(en).toContain('Daily Surveillance Report');
    expect(en).toMatch(new RegExp(`Alerts\\s+${surveilAlerts.length}\\n`));
    for (const [rule, n] of perRule) expect(en).toMatch(new RegExp(`${escapeRe(RULE_NAMES[rule].en)}\\s+${n}\\n`));
    expect(en).toMatch(/Acknowledged\s+1\n/);
    expect(en).toMatch(/New\s+\d+\n/);
    expect(en).toMatch(/li\.wei\s+surveillance\s+Acknowledge\s+alert_state_changed\s+1/);
    // Clients short of a standard: C1 cancelled 40 times of 500, E1 self-traded 3 times of 5.
    expect(en).toMatch(/CZCE\s+Frequent cancels\s+C1\s+SR605\s+40\s+500\s+8\s+no/);
    expect(en).toMatch(/DCE\s+Self-trade\s+E1\s+m2605\s+3\s+5\s+60\s+no/);
    const zh = pdftotext(join(out, `${base![1]}.zh-CN.pdf`));
    expect(zh).toContain('每日交易监控报告');
    for (const [rule, n] of perRule) expect(zh).toMatch(new RegExp(`${escapeRe(RULE_NAMES[rule].zh)}\\s+${n}\\n`));
    expect(zh).toMatch(/已确认\s+1\n/);
    savePages(join(out, `${base![1]}.pdf`), 'report-daily-en');
    savePages(join(out, `${base![1]}.zh-CN.pdf`), 'report-daily-zh');
    expect(existsSync(outFile('.zh-CN.xlsx'))).toBe(true);
  });

  it('abnormal: the machine form lists exactly the surveil alerts on the exchange standards; the PDF prints them', () => {
    const standards = expected.filter((a) => COUNT_RULES.includes(a.rule));
    const machine = readFileSync(outFile('.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(machine.map((r) => [r.alertId, r.count, r.threshold]).sort()).toEqual(
      standards.map((a) => [a.id, a.count, a.threshold]).sort(),
    );
    const pdf = outFile(`${/-([0-9a-f]{10})\.ndjson$/.exec(outFile('.ndjson'))![1]}.pdf`);
    const text = pdftotext(pdf);
    expect(text).toContain('Abnormal Trading Report');
    for (const a of standards) {
      expect(text).toMatch(new RegExp(`${a.subjectId}\\s+.*${a.instrumentId}\\s+${a.count}\\s+${a.threshold}\\s`));
    }
    const zhText = pdftotext(pdf.replace(/\.pdf$/, '.zh-CN.pdf'));
    expect(zhText).toContain('异常交易行为报告');
    savePages(pdf, 'report-abnormal-en');
    savePages(pdf.replace(/\.pdf$/, '.zh-CN.pdf'), 'report-abnormal-zh');
  });

  it('evidence: the pack verifies (CLI and sha256sum); a changed byte fails verify with exit 1', async () => {
    const pack = join(out, 'floorwatch-evidence-20261124-20261124_self_trade_G1_rb2605');
    const manifest = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as {
      files: { name: string }[];
      auditHead: unknown;
    };
    expect(manifest.auditHead).toMatchObject({ id: auditHead.id, hash: auditHead.hash });
    const names = manifest.files.map((f) => f.name);
    expect(names.some((n) => n.endsWith('.audit.ndjson'))).toBe(true);
    const auditRows = readFileSync(
      join(
        pack,
        names.find((n) => n.endsWith('.audit.ndjson'))!,
      ),
      'utf8',
    )
      .trim()
      .split('\n');
    expect(auditRows.map((l) => (JSON.parse(l) as { action: string }).action)).toEqual([
      'alert_created',
      'alert_state_changed',
      'alert_state_changed', // acknowledging the unassigned alert assigned it
      'note_added',
    ]);
    const pdf = join(
      pack,
      names.find((n) => /\d\.pdf$/.test(n))!,
    );
    const text = pdftotext(pdf);
    expect(text).toContain('asked the client to explain');
    expect(text).toMatch(/Disposition\s+Acknowledged/);
    savePages(pdf, 'report-evidence-en');
    savePages(
      join(
        pack,
        names.find((n) => n.endsWith('.zh-CN.pdf'))!,
      ),
      'report-evidence-zh',
    );
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: pack, encoding: 'utf8' })).toMatch(/: OK\n/);
    const ok = await floorwatch(['report', 'verify', pack]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`OK, ${names.length} files match`));
    const slice = join(
      pack,
      names.find((n) => n.endsWith('.slice.ndjson'))!,
    );
    const bytes = readFileSync(slice);
    bytes[5] = bytes[5]! ^ 0x20;
    writeFileSync(slice, bytes);
    const bad = await floorwatch(['report', 'verify', pack]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('.slice.ndjson: SHA-256 differs from the manifest');
  });

  it('user mistakes: one clear line, exit 2', async () => {
    const [noInput, badAlert] = await Promise.all([
      floorwatch(['report', 'daily', '--out', out]),
      floorwatch(['report', 'evidence', '--input', input, '--alert', 'nope', '--out', out, '--no-pdf']),
    ]);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr.trim()).toBe(
      'floorwatch: report daily needs --input FILE (a session file or NDJSON); see --help',
    );
    expect(badAlert.code).toBe(2);
    expect(badAlert.stderr).toMatch(/no alert "nope" in .*day\.ndjson/);
    expect(badAlert.stderr).not.toMatch(/\n\s+at /);
  });
});
