import { statSync } from 'node:fs';
import { DEFAULT_REORDER_WINDOW, NdjsonImportError, importNdjson } from '../../store/ndjson';
import { CliError, intOption, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage: floorwatch import IN.ndjson --out FILE [--strict | --lenient] [--reorder-window N] [--session-id ID]
                         [--trading-day YYYYMMDD] [--source TEXT]

Reads NDJSON (one fw-feed/1 server message per line; "-" reads stdin) into a new session file. Every line is
validated against the protocol. Lines out of seq order (swapped or shuffled neighbours) are put back in order when
they are at most --reorder-window lines from their place. A line that cannot be placed is reported on stderr with
its line number and reason, and left out: malformed JSON, an invalid message, a duplicate seq, or a seq that comes
too far out of order (its place was already written and stays a gap). A jump in seq is recorded in the file as a
gap. A hello line names the session; otherwise the options below do (default id: the input's name).

Options:
  --out FILE            session file to create (e.g. day.fwsession); must not exist
  --reorder-window N    lines held back to put out-of-order lines in place (default 10000; 0: none)
  --strict              a line that cannot be placed is fatal (exit 2) and no file is left behind
  --lenient             lines that cannot be placed are reported, and the import still exits 0
  --session-id ID       session id when the input has no hello line
  --trading-day DAY     trading day (YYYYMMDD) when the input has no hello line
  --source TEXT         source description when the input has no hello line
  --quiet               no summary line on stderr

Exit status: 0 imported, every line placed (or --lenient); 1 input or output problem; 2 bad usage or, with
--strict, a line that cannot be placed; 3 imported, but some lines could not be placed (listed on stderr; the file
holds every other message, the missing seqs recorded as gaps).
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
        lenient: { type: 'boolean' },
        'reorder-window': { type: 'string' },
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
    if (values.strict && values.lenient) throw new CliError('--strict and --lenient exclude each other; see --help');
    const reorderWindow = intOption(values['reorder-window'], 'reorder-window', DEFAULT_REORDER_WINDOW, 0, 10_000_000);
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
        reorderWindow,
        session: {
          ...(values['session-id'] ? { sessionId: values['session-id'] } : {}),
          ...(tradingDay ? { tradingDay } : {}),
          ...(values.source ? { source: values.source } : {}),
        },
        onReject: (rejection) => {
          if (++reported <= MAX_REPORTED_LINES) {
            process.stderr.write(`import: line ${rejection.line} skipped: ${rejection.reason}: ${rejection.detail}\n`);
          } else if (reported === MAX_REPORTED_LINES + 1) {
            process.stderr.write('import: more lines skipped; only the count is reported from here\n');
          }
        },
      });
      if (!values.quiet) {
        const seqs = summary.imported > 0 ? ` (seq ${summary.firstSeq}..${summary.lastSeq})` : '';
        const malformed = summary.rejected - summary.duplicates - summary.tooFarOutOfOrder;
        process.stderr.write(
          `import: ${summary.imported} messages${seqs} written to ${summary.file}; ${malformed} malformed ` +
            `line(s) skipped, ${summary.duplicates} duplicate(s), ${summary.tooFarOutOfOrder} too far out of ` +
            `order, ${summary.reordered} put back in order, ${summary.unsequenced} unsequenced, ` +
            `${summary.journal.gapsRecorded} gap(s) recorded\n`,
        );
      }
      if (summary.rejected > 0 && values.lenient !== true) {
        process.stderr.write(
          `import: ${summary.rejected} line(s) could not be placed (listed above); exit 3 (--lenient accepts them)\n`,
        );
        return 3;
      }
      return 0;
    } catch (error) {
      if (error instanceof NdjsonImportError) throw new CliError(error.message, error.line !== undefined ? 2 : 1);
      throw error;
    }
  },
};
