// `floorwatch report daily|abnormal|evidence|verify`: compliance documents from a session (session file or NDJSON)
// for scheduled jobs. See main/reports for the documents; this file only parses options and prints results.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { RulesConfigError } from '../../../shared/rules/config';
import { loadRulesConfig } from '../../rules/loadRules';
import { resolveSettings } from '../../policy/settings';
import { recordExport, type ExportActor } from '../../reports/auditRecord';
import { exportKindsOf } from '../../reports/exportPolicy';
import { runReportJob, type ReportJobResult } from '../../reports/job';
import { verifyEvidencePack } from '../../reports/manifest';
import { REPORT_LANGS, type ReportLang } from '../../reports/model';
import { ReportCancelled, ReportError } from '../../reports/output';
import { PdfRenderer, PdfRenderError } from '../../reports/pdf';
import { COUNT_RULES } from '../../reports/collect';
import { AuditLog } from '../../store/auditLog';
import { auditLogPath } from '../../store/auditPaths';
import { cliActor, CliError, intOption, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage:
  floorwatch report daily    --input FILE --out DIR [--lang en|zh-CN|all] [--audit FILE] [--rules FILE] [--no-pdf]
  floorwatch report abnormal --input FILE --out DIR [--lang en|zh-CN|all] [--rules FILE] [--no-pdf]
  floorwatch report evidence --input FILE --alert ID --out DIR [--lang ...] [--audit FILE] [--context N] [--no-pdf]
                             [--zip]
  floorwatch report verify   DIR|ZIP

daily     Daily surveillance report: alerts by rule, exchange, severity and disposition (the workflow state from
          --audit, else "new"), the alert list, the clients closest to each exchange threshold, operator activity
          (from --audit), feed quality (seq gaps). PDF + HTML print view, XLSX (one sheet per table), one CSV per
          table.
abnormal  Abnormal-trading report per exchange: clients/contracts that reached an exchange standard
          (${COUNT_RULES.join(', ')}) with counts and thresholds; PDF/HTML/XLSX/CSV
          plus the machine form <base>.ndjson and <base>.csv (codes, one row per standard reached).
evidence  Evidence pack for one alert: a folder <base>/ with the case summary (PDF + HTML), the alert JSON, the
          NDJSON slice of the session (the alert's first..last seq ± --context messages, default 100), the audit rows
          about it (with --audit), manifest.json (SHA-256 and size of every file) and SHA256SUMS
          (check with: cd <base> && sha256sum -c SHA256SUMS); with --zip also <base>.zip holding that folder.
verify    Checks an evidence pack (folder or zip) against its manifest: exit 0 when every file matches, 1 otherwise.

  --input FILE   a session file (SQLite) or NDJSON, as for "floorwatch surveil" (same alerts, same numbers)
  --out DIR      output folder (created when missing; files of the same name are replaced)
  --lang L       en (default), zh-CN, or all (both)
  --audit FILE   an audit log (SQLite), opened read-only: dispositions, notes, operator activity
  --rules FILE   rules merged over build/rules/default.json, as for surveil
  --no-pdf       skip the PDF (no Chromium needed)
  --zip          (evidence) also write the pack as <base>.zip

Policy: the machine policy's (or FLOORWATCH_EXPORT_KINDS') "exportKinds" must allow the kind (daily, abnormal,
evidence); a refused kind exits 2 with a message naming the policy. Audit: when the data folder has an audit log
(FLOORWATCH_DATA_DIR, the policy's dataDir, else the OS user-data folder), every export is appended to it (action
"export", operator os:<user>, role cli, each file with its SHA-256); without one the export is made and stderr says
it was not audited. Files are written to a hidden staging folder in --out first and moved in when all are written:
an interrupted run (Ctrl+C) or a failure leaves no partial files.

File names: floorwatch-<kind>-<tradingDay>-<id>.<ext>; <id> is the first 10 hex digits of the input file's SHA-256
(daily, abnormal) or the alert id with characters outside [A-Za-z0-9_.-] replaced by "_" (evidence). A language
other than en adds its tag before the extension (….zh-CN.pdf); a table's CSV is <base>[.<lang>].<table>.csv.
Progress goes to stderr, the written files to stdout. Exit status: 0 done; 1 verify found a problem; 2 bad usage
or unreadable input.
`;

const SUBCOMMANDS = ['daily', 'abnormal', 'evidence', 'verify'] as const;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'compliance reports from a session: daily, abnormal (per exchange), evidence pack, verify a pack',
  help: HELP,
  dataKey: 'read',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
      throw new CliError(`report needs one of ${SUBCOMMANDS.join(', ')}${sub ? ` (got "${sub}")` : ''}; see --help`);
    }
    if (sub === 'verify') return verify(rest);
    const { values } = parseOptions(rest, {
      input: { type: 'string' },
      out: { type: 'string' },
      lang: { type: 'string', default: 'en' },
      audit: { type: 'string' },
      rules: { type: 'string' },
      alert: { type: 'string' },
      context: { type: 'string' },
      'no-pdf': { type: 'boolean', default: false },
      zip: { type: 'boolean', default: false },
    });
    if (!values.input) throw new CliError(`report ${sub} needs --input FILE (a session file or NDJSON); see --help`);
    if (!values.out) throw new CliError(`report ${sub} needs --out DIR; see --help`);
    if (sub === 'abnormal' && values.audit) throw new CliError('report abnormal takes no --audit; see --help');
    if (sub !== 'evidence' && (values.alert || values.context)) {
      throw new CliError(`--alert and --context belong to "report evidence"; see --help`);
    }
    const langs = parseLangs(values.lang ?? 'en');
    if (sub !== 'evidence' && values.zip) throw new CliError('--zip belongs to "report evidence"; see --help');
    if (sub === 'evidence' && !values.alert) {
      throw new CliError('report evidence needs --alert ID (an id printed by surveil); see --help');
    }
    const context = sub === 'evidence' ? intOption(values.context, 'context', 100, 0, 1_000_000) : undefined;
    // The policy's exportKinds (SettingsError is a CliError: an invalid policy is one line, exit 2).
    const settings = resolveSettings();
    const refusal = exportKindsOf(settings).refusal(sub as 'daily' | 'abnormal' | 'evidence');
    if (refusal) throw new CliError(refusal);
    try {
      loadRulesConfig(values.rules);
    } catch (error) {
      if (error instanceof RulesConfigError) throw new CliError(error.message);
      throw error;
    }
    const jobId = `cli-${process.pid}`;
    let cancelled = false;
    const onSignal = () => {
      cancelled = true;
      process.stderr.write('report: interrupted; stopping and removing partial files…\n');
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result: ReportJobResult;
    try {
      result = await runReportJob(
        {
          jobId,
          kind: sub as 'daily' | 'abnormal' | 'evidence',
          input: values.input,
          out: values.out,
          langs,
          alertId: values.alert,
          context,
          auditFile: values.audit ?? null,
          // The report prints the head of the log it is audited in (an anchor of that log).
          anchorAuditFile: auditLogPath(settings.values.dataDir),
          rulesFile: values.rules ?? null,
          pdf: values['no-pdf'] !== true,
          zip: values.zip === true,
        },
        {
          cancelled: () => cancelled,
          openPrinter: () => PdfRenderer.launch(),
          log: (line) => process.stderr.write(`${line}\n`),
        },
      );
    } catch (error) {
      if (error instanceof ReportCancelled) throw new CliError('report: interrupted; no files were kept', 130);
      if (error instanceof ReportError || error instanceof PdfRenderError) throw new CliError(error.message);
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    for (const file of result.files) process.stdout.write(`${path.join(values.out, file.name)}\n`);
    if (sub === 'evidence') {
      process.stderr.write(`report: evidence pack ${result.files.length} files in ${values.out}\n`);
    }
    auditCliExport(settings.values.dataDir, { jobId, via: 'cli', input: values.input, out: values.out, result });
    return 0;
  },
};

function parseLangs(value: string): ReportLang[] {
  if (value === 'all') return [...REPORT_LANGS];
  if ((REPORT_LANGS as readonly string[]).includes(value)) return [value as ReportLang];
  throw new CliError(`--lang must be en, zh-CN or all (got "${value}")`);
}

function verify(argv: string[]): number {
  const { positionals } = parseOptions(argv, {}, true);
  if (positionals.length !== 1)
    throw new CliError('report verify needs one evidence pack (folder or .zip); see --help');
  const dir = positionals[0] as string;
  const result = verifyEvidencePack(dir);
  if (result.ok) {
    process.stdout.write(`report verify: ${dir}: OK, ${result.checked} files match the manifest\n`);
    return 0;
  }
  for (const problem of result.problems) process.stdout.write(`report verify: ${dir}: ${problem}\n`);
  process.stderr.write(`report verify: ${dir}: FAILED (${result.problems.length} problems)\n`);
  return 1;
}

/**
 * Appends the export to the data folder's audit log when there is one (the CLI then counts as operator os:<user>).
 * An audit log that exists but refuses the row: the files are removed and the run fails, as in the app.
 */
function auditCliExport(dataDir: string, record: Parameters<typeof recordExport>[2]): void {
  const file = auditLogPath(dataDir);
  if (!existsSync(file)) {
    process.stderr.write(`report: not audited: no audit log at ${file} (the app creates it at first start)\n`);
    return;
  }
  const who: ExportActor = cliActor();
  let audit: AuditLog | null = null;
  try {
    audit = AuditLog.open(file);
    const row = recordExport(audit, who, record);
    process.stderr.write(`report: audited as row ${row.id} of ${file}\n`);
  } catch (error) {
    for (const written of record.result.files) rmSync(written.path, { force: true });
    throw new CliError(
      `the export could not be written to the audit log ${file}, so its files were removed: ${(error as Error).message}`,
      1,
    );
  } finally {
    audit?.close();
  }
}
