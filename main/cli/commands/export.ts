import { resolveSettings } from '../../policy/settings';
import { exportKindsOf } from '../../reports/exportPolicy';
import { parseRangeBound, exportNdjson, resolveRange, type RangeBound } from '../../store/ndjson';
import { SessionFileError } from '../../store/sessionFormat';
import { SessionReader } from '../../store/sessionReader';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage: floorwatch export FILE [--from SEQ|TIME] [--to SEQ|TIME] [--quiet] > out.ndjson

Writes a recorded session (or a range of it) to stdout as NDJSON: one fw-feed/1 server message per line, in seq
order (PROTOCOL.md "Files"). The lines are the messages exactly as recorded.

Options:
  --from SEQ|TIME  first message: a seq (e.g. 1500), epoch milliseconds (e.g. 1795482000000) or an ISO time
                   (e.g. 2026-01-05T09:30:00+08:00; UTC when no zone is given); a time means the first message at
                   or after it
  --to SEQ|TIME    last message (inclusive): a seq, or the last message at or before a time
  --quiet          no summary line on stderr

Policy: the machine policy's (or FLOORWATCH_EXPORT_KINDS') "exportKinds" must allow "session".

Exit status: 0 exported; 1 the session file is missing or damaged; 2 bad usage or an export the policy forbids.
`;

function boundOption(value: string | undefined, flag: string): RangeBound | undefined {
  if (value === undefined) return undefined;
  const bound = parseRangeBound(value);
  if (!bound || ('seq' in bound && bound.seq < 1)) {
    throw new CliError(`--${flag} "${value}" is not a seq, epoch milliseconds or an ISO time; see --help`);
  }
  return bound;
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write a session (or a seq/time range) as NDJSON to stdout',
  help: HELP,
  dataKey: 'read',
  async run(argv) {
    const { values, positionals } = parseOptions(
      argv,
      { from: { type: 'string' }, to: { type: 'string' }, quiet: { type: 'boolean' } },
      true,
    );
    if (positionals.length !== 1) throw new CliError('export needs exactly one session FILE; see --help');
    // The policy's exportKinds must allow "session" (an invalid policy is one line, exit 2: SettingsError is a CliError).
    const refusal = exportKindsOf(resolveSettings()).refusal('session');
    if (refusal) throw new CliError(refusal);
    const file = positionals[0]!;
    const from = boundOption(values.from, 'from');
    const to = boundOption(values.to, 'to');
    let reader: SessionReader;
    try {
      reader = SessionReader.open(file);
    } catch (error) {
      if (error instanceof SessionFileError) throw new CliError(error.message, 1);
      throw error;
    }
    try {
      const range = resolveRange(reader, from, to);
      const summary = await exportNdjson(reader, process.stdout, range);
      if (!values.quiet) {
        const seqs = summary.messages > 0 ? ` (seq ${summary.fromSeq}..${summary.toSeq})` : '';
        const tail = summary.truncated ? ' (output closed early: not all written)' : '';
        process.stderr.write(
          `export: ${summary.messages} messages${seqs} of session ${reader.meta.sessionId}${tail}\n`,
        );
      }
      return 0;
    } catch (error) {
      if (error instanceof SessionFileError) throw new CliError(error.message, 1);
      throw error;
    } finally {
      reader.close();
    }
  },
};
