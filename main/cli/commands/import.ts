import { statSync } from 'node:fs';
import { NdjsonImportError, importNdjson } from '../../store/ndjson';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage: floorwatch import IN.ndjson --out FILE [--strict] [--session-id ID] [--trading-day YYYYMMDD] [--source TEXT]

Reads NDJSON (one fw-feed/1 server message per line, in seq order; "-" reads stdin) into a new session file.
Every line is validated against the protocol. A malformed line is reported on stderr with its line number and
skipped; with --strict it stops the import (exit 2) and no file is left behind. A jump in seq is recorded in the
file as a gap. A hello line names the session; otherwise the options below do (default id: the input's name).

Options:
  --out FILE            session file to create (e.g. day.fwsession); must not exist
  --strict              a malformed line is fatal
  --session-id ID       session id when the input has no hello line
  --trading-day DAY     trading day (YYYYMMDD) when the input has no hello line
  --source TEXT         source description when the input has no hello line
  --quiet               no summary line on stderr

Exit status: 0 imported (malformed lines skipped and reported); 1 input or output problem; 2 bad usage or, with
--strict, a malformed line.
`;

const MAX_REPORTED_LINES = 100;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'read NDJSON into a new session file',
  help: HELP,
  dataKey: 'create',
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      {
        out: { type: 'string' },
        strict: { type: 'boolean' },
        'session-id': { type: 'string' },
        'trading-day': { type: 'string' },
        source: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      true,
    );
    if (positionals.length !== 1)
      throw new CliError('import needs exactly one input file (or - for stdin); see --help');
    if (!values.out) throw new CliError('--out FILE is required; see --help');
    const tradingDay = values['trading-day'];
    if (tradingDay !== undefined && !/^\d{8}$/.test(tradingDay)) {
      throw new CliError(`--trading-day must be YYYYMMDD (got "${tradingDay}")`);
    }
    const input = positionals[0]!;
    if (input !== '-') {
      let isFile = false;
      try {
        isFile = statSync(input).isFile();
      } catch {
        throw new CliError(`${input}: no such file`, 1);
      }
      if (!isFile) throw new CliError(`${input}: not a file`, 1);
    }
    let reported = 0;
    try {
      const summary = await importNdjson(input === '-' ? process.stdin : input, values.out, {
        strict: values.strict === true,
        session: {
          ...(values['session-id'] ? { sessionId: values['session-id'] } : {}),
          ...(tradingDay ? { tradingDay } : {}),
          ...(values.source ? { source: values.source } : {}),
        },
        onReject: (rejection) => {
          if (++reported <= MAX_REPORTED_LINES) {
            process.stderr.write(`import: line ${rejection.line} skipped: ${rejection.reason}: ${rejection.detail}\n`);
          } else if (reported === MAX_REPORTED_LINES + 1) {
            process.stderr.write('import: more malformed lines skipped; only the count is reported from here\n');
          }
        },
      });
      if (!values.quiet) {
        const seqs = summary.imported > 0 ? ` (seq ${summary.firstSeq}..${summary.lastSeq})` : '';
        process.stderr.write(
          `import: ${summary.imported} messages${seqs} written to ${summary.file}; ${summary.rejected} malformed ` +
            `line(s) skipped, ${summary.unsequenced} unsequenced, ${summary.journal.gapsRecorded} gap(s) recorded\n`,
        );
      }
      return 0;
    } catch (error) {
      if (error instanceof NdjsonImportError) throw new CliError(error.message, error.line !== undefined ? 2 : 1);
      throw error;
    }
  },
};
