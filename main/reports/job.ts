// One export job, start to finish, in whatever thread runs it (the report worker, the CLI, tests): writes into a
// hidden staging folder `<out>/.floorwatch-partial-<jobId>/`, moves the finished files into `<out>` only when every
// one is written, and removes the staging folder on failure or cancellation, so a cancelled or failed job leaves
// nothing behind. Returns every file with its size and SHA-256 (what the audit row records).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportKind } from '../../shared/api/methods/reports';
import { loadRulesConfig } from '../rules/loadRules';
import { isSqliteFile, openSession } from '../cli/commands/surveil';
import type { AuditHeadAnchor } from '../store/auditAnchors';
import { AuditLog } from '../store/auditLog';
import type { ReportLang } from './model';
import {
  reportBase,
  ReportCancelled,
  ReportError,
  writeAbnormalReport,
  writeDailyReport,
  writeEvidencePack,
  type ReportRunOptions,
  type ReportStep,
} from './output';
import type { PdfPrinter, PdfPrinterFactory } from './printer';

export interface ReportJobSpec {
  jobId: string;
  kind: ReportKind;
  /** Session file or NDJSON (not for the audit export). */
  input: string | null;
  /** Output folder (created when missing). */
  out: string;
  langs: ReportLang[];
  /** Evidence pack: the alert and the messages kept on each side of it. */
  alertId?: string;
  context?: number;
  /**
   * An audit log, opened read-only: dispositions, notes and operator activity for the reports; the rows exported
   * by the audit export.
   */
  auditFile?: string | null;
  /**
   * The audit log whose head the report prints when `auditFile` is not given (the CLI: the data folder's log, which
   * it appends the export to). Absent or missing: no audit head in the report.
   */
  anchorAuditFile?: string | null;
  /** Rules merged over the shipped rules (as the live core uses). */
  rulesFile?: string | null;
  pdf: boolean;
  /** Evidence pack: also as a zip beside the folder. */
  zip: boolean;
  /** Audit export format. */
  auditFormat?: 'csv' | 'ndjson';
  /** Fixed clock (tests), epoch ms. */
  now?: number;
}

export interface ExportedFile {
  /** Relative to `out` (`<pack>/<file>` inside an evidence pack folder). */
  name: string;
  path: string;
  bytes: number;
  sha256: string;
}

export interface ReportJobResult {
  kind: ReportKind;
  tradingDay: string;
  files: ExportedFile[];
  alertId: string | null;
  /** SHA-256 of the input session (null for the audit export). */
  inputSha256: string | null;
  /** Audit export: the last row exported (the chain head at the time). */
  auditHead: { id: number; hash: string } | null;
}

export interface ReportJobHooks {
  cancelled?: () => boolean;
  onStep?: (step: ReportStep) => void;
  printer?: PdfPrinter;
  openPrinter?: PdfPrinterFactory;
  log?: (line: string) => void;
}

export const STAGING_PREFIX = '.floorwatch-partial-';

/** The staging folder of a job inside its output folder. */
export function stagingDir(out: string, jobId: string): string {
  return join(out, `${STAGING_PREFIX}${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

/** Trading day of a wall-clock time in China (UTC+8), YYYYMMDD: the audit export's "day". */
export function chinaDay(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

export async function runReportJob(spec: ReportJobSpec, hooks: ReportJobHooks = {}): Promise<ReportJobResult> {
  try {
    mkdirSync(spec.out, { recursive: true });
  } catch (error) {
    throw new ReportError(`cannot create the output folder ${spec.out}: ${(error as Error).message}`);
  }
  const stage = stagingDir(spec.out, spec.jobId);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  try {
    const written = await writeStaged(spec, stage, hooks);
    if (hooks.cancelled?.()) throw new ReportCancelled();
    const files = await publish(stage, spec.out, written.names);
    return { ...written.result, files };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

interface Staged {
  /** Top-level names in the staging folder to move into `out`. */
  names: string[];
  result: Omit<ReportJobResult, 'files'>;
}

async function writeStaged(spec: ReportJobSpec, stage: string, hooks: ReportJobHooks): Promise<Staged> {
  const now = new Date(spec.now ?? Date.now());
  if (spec.kind === 'audit') return writeAuditExport(spec, stage, now, hooks);
  if (!spec.input) throw new ReportError(`a ${spec.kind} report needs a session`);
  let config;
  try {
    config = loadRulesConfig(spec.rulesFile ?? undefined).config;
  } catch (error) {
    throw new ReportError(`the rules cannot be loaded: ${(error as Error).message}`);
  }
  const options: ReportRunOptions = {
    input: spec.input,
    out: stage,
    config,
    langs: spec.langs,
    audit: spec.auditFile ?? undefined,
    pdf: spec.pdf,
    now,
    printer: hooks.printer,
    openPrinter: hooks.openPrinter,
    cancelled: hooks.cancelled,
    onStep: hooks.onStep,
    log: hooks.log,
    totalMessages: sessionMessages(spec.input),
    auditHead: auditHeadOf(spec.auditFile ?? spec.anchorAuditFile ?? null, hooks.log),
  };
  if (spec.kind === 'evidence') {
    if (!spec.alertId) throw new ReportError('an evidence pack needs an alert id');
    const pack = await writeEvidencePack({ ...options, alertId: spec.alertId, context: spec.context, zip: spec.zip });
    return {
      names: readdirSync(stage),
      result: {
        kind: spec.kind,
        tradingDay: pack.alert.tradingDay,
        alertId: pack.alert.id,
        inputSha256: pack.manifest.input.sha256 || null,
        auditHead: null,
      },
    };
  }
  const written = spec.kind === 'daily' ? await writeDailyReport(options) : await writeAbnormalReport(options);
  return {
    names: written.files,
    result: {
      kind: spec.kind,
      tradingDay: written.facts.tradingDay,
      alertId: null,
      inputSha256: written.facts.inputSha256 || null,
      auditHead: null,
    },
  };
}

/** The head of the audit log `file` now, or null (no log, an empty one, or one that cannot be opened: said once). */
function auditHeadOf(file: string | null, log?: (line: string) => void): AuditHeadAnchor | null {
  if (!file || !existsSync(file)) return null;
  try {
    const audit = AuditLog.open(file, { readonly: true });
    try {
      const head = audit.headAnchor();
      return head.id > 0 ? head : null;
    } finally {
      audit.close();
    }
  } catch (error) {
    log?.(`report: no audit head in the report: ${(error as Error).message}`);
    return null;
  }
}

/** Messages in a session file (its recorded count), for a progress fraction; undefined for NDJSON. */
function sessionMessages(input: string): number | undefined {
  try {
    if (input === '-' || !isSqliteFile(input)) return undefined;
    const reader = openSession(input);
    try {
      return reader.meta.count || undefined;
    } finally {
      reader.close();
    }
  } catch {
    return undefined; // the report itself says why the input cannot be read
  }
}

/** The audit log as CSV or NDJSON (as `audit.export` gives it), named after the day and the chain head's row. */
async function writeAuditExport(spec: ReportJobSpec, stage: string, now: Date, hooks: ReportJobHooks): Promise<Staged> {
  if (!spec.auditFile) throw new ReportError('no audit log to export');
  let audit: AuditLog;
  try {
    audit = AuditLog.open(spec.auditFile, { readonly: true });
  } catch (error) {
    throw new ReportError(`cannot open the audit log: ${(error as Error).message}`);
  }
  try {
    const format = spec.auditFormat ?? 'csv';
    const head = audit.head();
    const tradingDay = chinaDay(now.getTime());
    const name = `${reportBase('audit', tradingDay, String(head.id))}.${format}`;
    const parts: string[] = [];
    let lines = 0;
    for (const line of audit.exportLines(format)) {
      parts.push(line);
      if (++lines % 5_000 === 0) {
        if (hooks.cancelled?.()) throw new ReportCancelled();
        hooks.onStep?.({
          phase: 'reading',
          fraction: head.id ? Math.min(1, lines / head.id) * 0.9 : null,
          detail: `${lines} rows`,
        });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    hooks.onStep?.({ phase: 'writing', fraction: 0.95, detail: name });
    await writeFile(join(stage, name), parts.join(''));
    return {
      names: [name],
      result: {
        kind: 'audit',
        tradingDay,
        alertId: null,
        inputSha256: null,
        auditHead: { id: head.id, hash: head.hash },
      },
    };
  } finally {
    audit.close();
  }
}

/** Moves the staged entries into `out` (replacing files of the same name) and lists every file with its hash. */
async function publish(stage: string, out: string, names: readonly string[]): Promise<ExportedFile[]> {
  const files: ExportedFile[] = [];
  for (const name of names) {
    const target = join(out, name);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(join(stage, name), target);
  }
  for (const name of names) {
    const target = join(out, name);
    if (statSync(target).isDirectory()) {
      for (const inner of readdirSync(target).sort()) {
        const path = join(target, inner);
        files.push({ name: `${name}/${inner}`, path, bytes: statSync(path).size, sha256: await sha256File(path) });
      }
    } else {
      files.push({ name, path: target, bytes: statSync(target).size, sha256: await sha256File(target) });
    }
  }
  return files;
}
