// Report jobs (issue 8 + the exportKinds policy of issue 9): progress, cancellation that leaves no partial file,
// an audit row per export with each file's SHA-256, refusal of kinds the policy leaves out, the audit export, and the
// evidence pack as a zip whose manifest verifies and catches a changed byte. In this thread (run: 'inline'); the
// worker thread path is tests/integration/reportJobs.test.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import type { CallerContext } from '../../main/api/dispatcher';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { loadRulesConfig } from '../../main/rules/loadRules';
import { surveilMessages } from '../../main/rules/surveillance';
import { resolveSettings } from '../../main/policy/settings';
import { exportKindsOf } from '../../main/reports/exportPolicy';
import { runReportJob, STAGING_PREFIX, type ReportJobSpec } from '../../main/reports/job';
import { ReportJobs } from '../../main/reports/jobs';
import { verifyEvidencePack } from '../../main/reports/manifest';
import { ReportCancelled, type ReportStep } from '../../main/reports/output';
import type { OwnedPdfPrinter } from '../../main/reports/printer';
import { createReportServices } from '../../main/reports/service';
import { AuditLog } from '../../main/store/auditLog';
import { importNdjson } from '../../main/store/ndjson';

function session(): SequencedMessage[] {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE', maxOrderQty: 500, positionLimit: 100 });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1');
  for (let i = 0; i < 6; i++) {
    feed.advance(1000);
    feed.cross('rb2605', 'A1', 'A2', 2, 3500);
  }
  for (let i = 0; i < 50; i++) {
    feed.advance(2000);
    feed.orderAndCancel('B1', 'rb2605', 'buy', 300, 3400);
  }
  feed.end();
  return feed.messages as SequencedMessage[];
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const caller: CallerContext = { transport: 'test', connectionId: 'w1' };

let dir: string;
let ndjson: string;
let sessionFile: string;
let alertId: string;
let auditFile: string;
let audit: AuditLog;

const spec = (over: Partial<ReportJobSpec>): ReportJobSpec => ({
  jobId: 'j1',
  kind: 'daily',
  input: sessionFile,
  out: join(dir, 'out'),
  langs: ['en'],
  pdf: false,
  zip: false,
  ...over,
});

/** A printer that prints a fixed fake PDF, or waits for `gate` first (to cancel while a page prints). */
function fakePrinter(gate?: Promise<void>, opened?: { count: number }): () => Promise<OwnedPdfPrinter> {
  return async () => {
    if (opened) opened.count++;
    return {
      async render(html) {
        await gate;
        return Buffer.from(`%PDF-1.4 fake ${html.length}\n%%EOF\n`);
      },
      async close() {},
    };
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-report-jobs-'));
  const messages = session();
  ndjson = join(dir, 'day.ndjson');
  writeFileSync(ndjson, messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  mkdirSync(join(dir, 'sessions'));
  sessionFile = join(dir, 'sessions', 'day.fwsession');
  await importNdjson(ndjson, sessionFile);
  const alerts = surveilMessages(messages, { config: loadRulesConfig().config });
  alertId = alerts[0]!.id;
  auditFile = join(dir, 'audit.sqlite');
  audit = AuditLog.open(auditFile);
  audit.append({ operator: 'li', role: 'operator', action: 'login' });
});

afterAll(() => {
  audit.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runReportJob', () => {
  it('reports progress as a fraction of a session file and names files floorwatch-<kind>-<day>-<id>', async () => {
    const steps: ReportStep[] = [];
    const out = join(dir, 'progress');
    const result = await runReportJob(spec({ out }), { onStep: (step) => steps.push(step) });
    expect(result.tradingDay).toMatch(/^\d{8}$/);
    const id = result.inputSha256!.slice(0, 10);
    for (const file of result.files) {
      expect(file.name.startsWith(`floorwatch-daily-${result.tradingDay}-${id}.`)).toBe(true);
      expect(file.sha256).toBe(sha(file.path));
    }
    expect(result.files.map((f) => f.name)).toContain(`floorwatch-daily-${result.tradingDay}-${id}.xlsx`);
    const fractions = steps.map((s) => s.fraction).filter((f): f is number => f !== null);
    expect(fractions.length).toBeGreaterThan(5);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);
    expect(steps.some((s) => s.phase === 'writing')).toBe(true);
    expect(readdirSync(out).some((name) => name.startsWith(STAGING_PREFIX))).toBe(false);
  });

  it('cancelled between files: throws ReportCancelled and leaves no file at all', async () => {
    const out = join(dir, 'cancelled');
    let written = 0;
    const job = runReportJob(spec({ out, langs: ['en', 'zh-CN'] }), {
      onStep: (step) => {
        if (step.phase === 'writing') written++;
      },
      cancelled: () => written >= 4,
    });
    await expect(job).rejects.toBeInstanceOf(ReportCancelled);
    expect(written).toBe(4);
    expect(readdirSync(out)).toEqual([]);
  });

  it('exports the audit log as CSV named after the day and the chain head', async () => {
    const out = join(dir, 'audit-export');
    const result = await runReportJob(
      spec({ kind: 'audit', input: null, out, auditFile, now: Date.UTC(2026, 10, 25, 20) }),
      {},
    );
    expect(result.auditHead?.id).toBe(audit.head().id);
    expect(result.files.map((f) => f.name)).toEqual([`floorwatch-audit-20261126-${audit.head().id}.csv`]);
    expect(readFileSync(result.files[0]!.path, 'utf8')).toBe(audit.exportText('csv'));
  });

  it('evidence pack as folder and zip: the zip verifies, a changed byte in it is caught', async () => {
    const out = join(dir, 'evidence');
    const result = await runReportJob(spec({ kind: 'evidence', alertId, out, zip: true, context: 3 }), {});
    const zip = result.files.find((f) => f.name.endsWith('.zip'))!;
    const folder = zip.path.slice(0, -'.zip'.length);
    expect(existsSync(join(folder, 'manifest.json'))).toBe(true);
    expect(verifyEvidencePack(folder)).toMatchObject({ ok: true });
    const good = verifyEvidencePack(zip.path);
    expect(good).toMatchObject({ ok: true, problems: [] });
    expect(good.checked).toBeGreaterThanOrEqual(3);

    const entries = unzipSync(readFileSync(zip.path));
    const sliceName = Object.keys(entries).find((name) => name.endsWith('.slice.ndjson'))!;
    const changed = Uint8Array.from(entries[sliceName]!);
    changed[10] = changed[10]! ^ 1;
    const tampered = join(dir, 'tampered.zip');
    writeFileSync(tampered, zipSync({ ...entries, [sliceName]: changed }));
    const bad = verifyEvidencePack(tampered);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toContain(`${sliceName.split('/')[1]}: SHA-256 differs from the manifest`);

    const extra = join(dir, 'extra.zip');
    const prefix = sliceName.split('/')[0];
    writeFileSync(extra, zipSync({ ...entries, [`${prefix}/added.txt`]: new Uint8Array([1]) }));
    expect(verifyEvidencePack(extra).problems).toContain('added.txt: not in the manifest');
  });
});

describe('ReportJobs', () => {
  it('a finished job is audited: who, kind, trading day, each file and its SHA-256', async () => {
    const jobs = new ReportJobs({ audit, openPrinter: fakePrinter(), run: 'inline' });
    const out = join(dir, 'audited');
    const started = jobs.start({ ...spec({ out, pdf: true }) }, { operator: 'li', role: 'operator' });
    const done = await jobs.settled(started.id);
    expect(done).toMatchObject({ state: 'done', fraction: 1, error: null });
    expect(done!.files.some((f) => f.name.endsWith('.pdf'))).toBe(true);
    const row = audit.readRows({ actions: ['export'], newestFirst: true, limit: 1 })[0]!;
    expect(row).toMatchObject({ operator: 'li', role: 'operator', target: `report:daily:${done!.tradingDay}` });
    const details = JSON.parse(row.details) as {
      jobId: string;
      kind: string;
      tradingDay: string;
      files: Array<{ name: string; sha256: string }>;
    };
    expect(details).toMatchObject({ jobId: started.id, kind: 'daily', tradingDay: done!.tradingDay });
    expect(details.files.length).toBe(done!.files.length);
    for (const file of details.files) expect(file.sha256).toBe(sha(join(out, file.name)));
  });

  it('cancel while a PDF page prints: the job ends cancelled, nothing is written or audited', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const opened = { count: 0 };
    const jobs = new ReportJobs({ audit, openPrinter: fakePrinter(gate, opened), run: 'inline' });
    const out = join(dir, 'cancel-print');
    const rowsBefore = audit.head().id;
    const started = jobs.start(spec({ out, pdf: true }), { operator: 'li', role: 'operator' });
    for (let i = 0; i < 200 && opened.count === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(opened.count).toBe(1);
    expect(jobs.cancel(started.id)).toBe(true);
    release();
    const done = await jobs.settled(started.id);
    expect(done?.state).toBe('cancelled');
    expect(readdirSync(out)).toEqual([]);
    expect(audit.head().id).toBe(rowsBefore);
    expect(jobs.cancel(started.id)).toBe(false);
  });

  it('a job that fails says why and leaves nothing', async () => {
    const jobs = new ReportJobs({ audit: null, openPrinter: null, run: 'inline' });
    const out = join(dir, 'failing');
    const started = jobs.start(spec({ out, kind: 'evidence', alertId: 'no-such-alert' }), {
      operator: 'li',
      role: 'operator',
    });
    const done = await jobs.settled(started.id);
    expect(done?.state).toBe('failed');
    expect(done?.error).toMatch(/no alert "no-such-alert"/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('reports API and the exportKinds policy', () => {
  const workstation = { mode: 'live' as const, feedUrl: '', subscribe: () => () => {} };

  it('refuses a kind the policy leaves out, naming the policy; lists allowed kinds as locked', async () => {
    const resolved = resolveSettings({ env: {}, policy: { exportKinds: ['audit'] }, user: {} });
    const reports = createReportServices({
      audit,
      auditFile,
      actor: () => ({ operator: 'li', role: 'operator' }),
      workstation,
      sessionsDir: join(dir, 'sessions'),
      exportsDir: join(dir, 'exports'),
      exportKinds: exportKindsOf(resolved),
      openPrinter: null,
      run: 'inline',
    });
    await expect(async () => reports.services['reports.start']({ kind: 'daily' }, caller)).rejects.toThrow(
      /"daily" exports are not allowed: "exportKinds" is set by your organisation's policy to audit/,
    );
    const view = await reports.services['reports.jobs']({}, caller);
    expect(view).toMatchObject({ allowedKinds: ['audit'], kindsLocked: true, jobs: [] });
    // The audit kind is allowed by the policy, but not for an operator.
    await expect(async () => reports.services['reports.start']({ kind: 'audit' }, caller)).rejects.toThrow(
      /supervisors, admins and auditors/,
    );
    await reports.stop();
  });

  it('guards the audit.export API with the same policy', async () => {
    const calls: unknown[] = [];
    const make = (exportKinds: string[]) =>
      createReportServices({
        audit,
        auditFile,
        actor: () => ({ operator: 'wang', role: 'auditor' }),
        workstation,
        sessionsDir: join(dir, 'sessions'),
        exportsDir: join(dir, 'exports'),
        exportKinds: exportKindsOf(
          resolveSettings({ env: {}, policy: { exportKinds: exportKinds as never }, user: {} }),
        ),
        openPrinter: null,
        auditExport: (args) => {
          calls.push(args);
          return { format: args.format, rows: 0, headId: 0, headHash: '', content: '' };
        },
        run: 'inline',
      });
    const refusing = make(['daily']);
    await expect(async () => refusing.services['audit.export']!({ format: 'csv' }, caller)).rejects.toThrow(
      /"audit" exports are not allowed: "exportKinds" is set by your organisation's policy to daily/,
    );
    expect(calls).toEqual([]);
    const allowing = make(['audit']);
    await allowing.services['audit.export']!({ format: 'ndjson' }, caller);
    expect(calls).toEqual([{ format: 'ndjson' }]);
    await refusing.stop();
    await allowing.stop();
  });

  it('env FLOORWATCH_EXPORT_KINDS=none refuses everything, naming the variable', () => {
    const view = exportKindsOf(resolveSettings({ env: { FLOORWATCH_EXPORT_KINDS: 'none' }, policy: null, user: {} }));
    expect(view.allowed).toEqual([]);
    expect(view.locked).toBe(false);
    expect(view.refusal('evidence')).toMatch(/set by the environment variable FLOORWATCH_EXPORT_KINDS to none/);
  });

  it('starts a job on the current session (newest in the folder), lists it and the export with its SHA-256', async () => {
    const exportsDir = join(dir, 'exports-api');
    const reports = createReportServices({
      audit,
      auditFile,
      actor: () => ({ operator: 'wang', role: 'auditor' }),
      workstation,
      sessionsDir: join(dir, 'sessions'),
      exportsDir,
      openPrinter: null,
      run: 'inline',
    });
    await expect(async () =>
      reports.services['reports.start']({ kind: 'daily', session: '../day.ndjson' }, caller),
    ).rejects.toThrow(/only sessions in/);
    const { jobId } = await reports.services['reports.start']({ kind: 'abnormal', pdf: false }, caller);
    const done = await reports.jobs.settled(jobId);
    expect(done).toMatchObject({ state: 'done', session: sessionFile, operator: 'wang' });
    const exports = await reports.services['reports.exports']({}, caller);
    const csv = done!.files.find((f) => f.name.endsWith('.ndjson'))!;
    expect(exports.find((e) => e.path === csv.path)?.sha256).toBe(csv.sha256);
    const { jobId: auditJob } = await reports.services['reports.start']({ kind: 'audit', format: 'ndjson' }, caller);
    expect((await reports.jobs.settled(auditJob))?.files[0]?.name).toMatch(/^floorwatch-audit-\d{8}-\d+\.ndjson$/);
    await reports.stop();
  });
});
