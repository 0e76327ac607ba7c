// `floorwatch report daily|abnormal|evidence|verify`: compliance documents from a session (session file or NDJSON)
// for scheduled jobs. See main/reports for the documents; this file only parses options and prints results.
import { RulesConfigError } from '../../../shared/rules/config';
import { loadRulesConfig, type LoadedRules } from '../../engine/rules/loadRules';
import { verifyEvidencePack } from '../../reports/manifest';
import { REPORT_LANGS, type ReportLang } from '../../reports/model';
import {
  ReportError,
  writeAbnormalReport,
  writeDailyReport,
  writeEvidencePack,
  type ReportRunOptions,
} from '../../reports/output';
import { PdfRenderError } from '../../reports/pdf';
import { CliError, intOption, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage:
  floorwatch report daily    --input FILE --out DIR [--lang en|zh-CN|all] [--audit FILE] [--rules FILE] [--no-pdf]
  floorwatch report abnormal --input FILE --out DIR [--lang en|zh-CN|all] [--rules FILE] [--no-pdf]
  floorwatch report evidence --input FILE --alert ID --out DIR [--lang ...] [--audit FILE] [--context N] [--no-pdf]
  floorwatch report verify   DIR

daily     Daily surveillance report: alerts by rule, exchange, severity and disposition (the workflow state from
          --audit, else "new"), the alert list, the clients closest to each exchange threshold, operator activity
          (from --audit), feed quality (seq gaps). PDF + HTML print view, XLSX (one sheet per table), one CSV per
          table.
abnormal  Abnormal-trading report per exchange: clients/contracts that reached an exchange standard (self_trade,
          frequent_cancel, large_cancel, position_limit, order_burst) with counts and thresholds; PDF/HTML/XLSX/CSV
          plus the machine form <base>.ndjson and <base>.csv (codes, one row per standard reached).
evidence  Evidence pack for one alert: a folder <base>/ with the case summary (PDF + HTML), the alert JSON, the
          NDJSON slice of the session (the alert's first..last seq ± --context messages, default 100), the audit rows
          about it (with --audit), manifest.json (SHA-256 and size of every file) and SHA256SUMS
          (check with: cd <base> && sha256sum -c SHA256SUMS).
verify    Checks an evidence pack folder against its manifest: exit 0 when every file matches, 1 otherwise.

  --input FILE   a session file (SQLite) or NDJSON, as for "floorwatch surveil" (same alerts, same numbers)
  --out DIR      output folder (created when missing; files of the same name are replaced)
  --lang L       en (default), zh-CN, or all (both)
  --audit FILE   an audit log (SQLite), opened read-only: dispositions, notes, operator activity
  --rules FILE   rules merged over build/rules/default.json, as for surveil
  --no-pdf       skip the PDF (no Chromium needed)

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
    });
    if (!values.input) throw new CliError(`report ${sub} needs --input FILE (a session file or NDJSON); see --help`);
    if (!values.out) throw new CliError(`report ${sub} needs --out DIR; see --help`);
    if (sub === 'abnormal' && values.audit) throw new CliError('report abnormal takes no --audit; see --help');
    if (sub !== 'evidence' && (values.alert || values.context)) {
      throw new CliError(`--alert and --context belong to "report evidence"; see --help`);
    }
    const langs = parseLangs(values.lang ?? 'en');
    let rules: LoadedRules;
    try {
      rules = loadRulesConfig(values.rules);
    } catch (error) {
      if (error instanceof RulesConfigError) throw new CliError(error.message);
      throw error;
    }
    const options: ReportRunOptions = {
      input: values.input,
      out: values.out,
      config: rules.config,
      langs,
      audit: values.audit,
      pdf: values['no-pdf'] !== true,
      log: (line) => process.stderr.write(`${line}\n`),
    };
    try {
      if (sub === 'daily') {
        const written = await writeDailyReport(options);
        for (const file of written.files) process.stdout.write(`${values.out}/${file}\n`);
      } else if (sub === 'abnormal') {
        const written = await writeAbnormalReport(options);
        for (const file of written.files) process.stdout.write(`${values.out}/${file}\n`);
      } else {
        if (!values.alert)
          throw new CliError('report evidence needs --alert ID (an id printed by surveil); see --help');
        const context = intOption(values.context, 'context', 100, 0, 1_000_000);
        const pack = await writeEvidencePack({ ...options, alertId: values.alert, context });
        for (const file of pack.manifest.files) process.stdout.write(`${pack.dir}/${file.name}\n`);
        process.stderr.write(
          `report: evidence pack ${pack.dir}: ${pack.manifest.files.length} files + manifest.json\n`,
        );
      }
    } catch (error) {
      if (error instanceof ReportError || error instanceof PdfRenderError) throw new CliError(error.message);
      throw error;
    }
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
  if (positionals.length !== 1) throw new CliError('report verify needs one evidence pack folder; see --help');
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
