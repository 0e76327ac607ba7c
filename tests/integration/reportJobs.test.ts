// Report jobs in their worker thread (startWorker('report')), as the host and the app run them: progress reaches the
// poller, PDFs are printed by the owner on request, the export is audited; a cancelled job stops, and leaves neither
// files nor its staging folder; the CLI refuses a kind the policy leaves out and audits into the data folder's log.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { loadRulesConfig } from '../../main/rules/loadRules';
import { surveilMessages } from '../../main/rules/surveillance';
import { ReportJobs } from '../../main/reports/jobs';
import type { OwnedPdfPrinter } from '../../main/reports/printer';
import { AuditLog } from '../../main/store/auditLog';
import { importNdjson } from '../../main/store/ndjson';

/** A long session (self-trades among many cancels) so a job is still reading when cancelled. */
function session(cancels: number): SequencedMessage[] {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE', maxOrderQty: 500, positionLimit: 100 });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1');
  for (let i = 0; i < 6; i++) {
    feed.advance(1000);
    feed.cross('rb2605', 'A1', 'A2', 2, 3500);
  }
  for (let i = 0; i < cancels; i++) {
    feed.advance(50);
    feed.cancel(feed.order('B1', 'rb2605', 'buy', 1 + (i % 5), 3400 - (i % 50)), 1 + (i % 5));
  }
  feed.end();
  return feed.messages as SequencedMessage[];
}

let dir: string;
let small: string;
let large: string;
let audit: AuditLog;
let printed = 0;
const printer = async (): Promise<OwnedPdfPrinter> => ({
  async render(html) {
    printed++;
    return Buffer.from(`%PDF-1.4 ${html.length}\n%%EOF\n`);
  },
  async close() {},
});

async function sessionFile(name: string, messages: SequencedMessage[]): Promise<string> {
  const ndjson = join(dir, `${name}.ndjson`);
  writeFileSync(ndjson, messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  const file = join(dir, `${name}.fwsession`);
  await importNdjson(ndjson, file);
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-report-worker-'));
  small = await sessionFile('small', session(50));
  large = await sessionFile('large', session(150_000));
  audit = AuditLog.open(join(dir, 'audit.sqlite'));
}, 120_000);

afterAll(() => {
  audit.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report jobs in a worker thread', () => {
  it('runs a daily report off the API thread: progress, PDFs printed by the owner, audited', async () => {
    const jobs = new ReportJobs({ audit, openPrinter: printer });
    const out = join(dir, 'daily');
    const job = jobs.start(
      { kind: 'daily', input: small, out, langs: ['en', 'zh-CN'], pdf: true, zip: false },
      { operator: 'li', role: 'supervisor' },
    );
    // The API thread stays free: a timer keeps firing while the worker works.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const done = await jobs.settled(job.id);
    clearInterval(ticker);
    expect(done).toMatchObject({ state: 'done', fraction: 1 });
    expect(ticks).toBeGreaterThan(0);
    expect(printed).toBe(2);
    const pdfs = done!.files.filter((f) => f.name.endsWith('.pdf'));
    expect(pdfs.map((f) => readFileSync(f.path, 'utf8').slice(0, 8))).toEqual(['%PDF-1.4', '%PDF-1.4']);
    const row = audit.readRows({ actions: ['export'], newestFirst: true, limit: 1 })[0]!;
    expect(JSON.parse(row.details)).toMatchObject({ jobId: job.id, kind: 'daily', tradingDay: done!.tradingDay });
    await jobs.stop();
  }, 120_000);

  it('cancel stops a long job while it reads: no files, no staging folder, no audit row', async () => {
    const jobs = new ReportJobs({ audit, openPrinter: printer });
    const out = join(dir, 'cancel');
    mkdirSync(out);
    const before = audit.head().id;
    const job = jobs.start(
      { kind: 'daily', input: large, out, langs: ['en'], pdf: false, zip: false },
      { operator: 'li', role: 'operator' },
    );
    // Wait until it has read some messages (progress seen by polling, as the window does).
    let seen = jobs.get(job.id)!;
    for (let i = 0; i < 600 && seen.state === 'running' && !/messages read/.test(seen.step); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = jobs.get(job.id)!;
    }
    expect(seen.step).toMatch(/messages read/);
    expect(seen.fraction).toBeGreaterThan(0);
    expect(seen.fraction).toBeLessThan(0.6);
    const cancelledAt = Date.now();
    expect(jobs.cancel(job.id)).toBe(true);
    const done = await jobs.settled(job.id);
    expect(done?.state).toBe('cancelled');
    // Stopped by its own check (well within the 5 s grace before terminate).
    expect(Date.now() - cancelledAt).toBeLessThan(4_000);
    expect(readdirSync(out)).toEqual([]);
    expect(audit.head().id).toBe(before);
    await jobs.stop();
  }, 120_000);
});

describe('floorwatch report (CLI): policy and audit', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv) => floorwatch(['report', ...args], env);
  const floorwatch = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'main/cli/index.ts', ...args],
        { cwd: process.cwd(), env: { ...process.env, ...env }, timeout: 120_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  it('refuses a kind exportKinds leaves out, naming the setting; audits into the data folder log', async () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { mode: 0o700 }); // private, as Floorwatch makes it (a looser one gets a warning line first)
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ exportKinds: ['daily', 'evidence'] }));
    const env = { FLOORWATCH_DATA_DIR: dataDir, FLOORWATCH_POLICY_FILE: policy };
    const refused = await run(['abnormal', '--input', small, '--out', join(dir, 'cli'), '--no-pdf'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `floorwatch: "abnormal" exports are not allowed: "exportKinds" is set by your organisation's policy (${policy}) to daily, evidence`,
    );

    const auditExport = await floorwatch(['audit', 'export', '--format', 'csv'], env);
    expect(auditExport.code).toBe(2);
    expect(auditExport.stderr).toContain('"audit" exports are not allowed: "exportKinds" is set by your organisation');
    const sessionExport = await floorwatch(['export', small], env);
    expect(sessionExport.code).toBe(2);
    expect(sessionExport.stdout).toBe('');
    expect(sessionExport.stderr).toContain(
      '"session" exports are not allowed: "exportKinds" is set by your organisation',
    );

    const unaudited = await run(['daily', '--input', small, '--out', join(dir, 'cli'), '--no-pdf'], env);
    expect(unaudited.code, unaudited.stderr).toBe(0);
    expect(unaudited.stderr).toMatch(/not audited: no audit log at/);

    const log = AuditLog.open(join(dataDir, 'audit.sqlite'));
    log.close();
    const alert = surveilMessages(session(50), { config: loadRulesConfig().config })[0]!;
    const out = join(dir, 'cli-evidence');
    const evidence = await run(
      ['evidence', '--input', small, '--alert', alert.id, '--out', out, '--no-pdf', '--zip'],
      env,
    );
    expect(evidence.code, evidence.stderr).toBe(0);
    const zip = evidence.stdout.split('\n').find((line) => line.endsWith('.zip'))!;
    expect(zip).toMatch(/floorwatch-evidence-\d{8}-.*\.zip$/);
    const verified = await run(['verify', zip], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/OK, \d+ files match the manifest/);
    const reopened = AuditLog.open(join(dataDir, 'audit.sqlite'), { readonly: true });
    const row = reopened.readRows({ actions: ['export'] })[0]!;
    reopened.close();
    expect(row).toMatchObject({ role: 'cli', target: `alert:${alert.id}` });
    expect(row.operator).toMatch(/^os:/);
    const details = JSON.parse(row.details) as { via: string; files: Array<{ name: string }> };
    expect(details.via).toBe('cli');
    expect(details.files.map((f) => f.name)).toContain(zip.split('/').pop());
  }, 180_000);
});
