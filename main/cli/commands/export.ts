import { resolveSettings } from '../../policy/settings';
import { exportKindsOf } from '../../reports/exportPolicy';
import { parseRangeBound, exportNdjson, resolveRange, type RangeBound } from '../../store/ndjson';
import { SessionDamageError, SessionReader, type SessionDamage } from '../../store/sessionReader';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage: floorwatch export FILE [--from SEQ|TIME] [--to SEQ|TIME] [--salvage] [--quiet] > out.ndjson

Writes a recorded session (or a range of it) to stdout as NDJSON: one fw-feed/1 server message per line, in seq
order (docs/protocol.md "Files"). The lines are the messages exactly as recorded.

Options:
  --from SEQ|TIME  first message: a seq (e.g. 1500), epoch milliseconds (e.g. 1795482000000) or an ISO time
                   (e.g. 2026-01-05T09:30:00+08:00; UTC when no zone is given); a time means the first message at
                   or after it
  --to SEQ|TIME    last message (inclusive): a seq, or the last message at or before a time
  --salvage        a damaged file: export every block that can still be read and list the missing seq ranges on
                   stderr (exit 3) instead of refusing (exit 1)
  --quiet          no summary line on stderr

Every block of the range is read and checked (checksum) before the first line is written, so a damaged file
gives one line on stderr naming the damaged seqs and nothing on stdout. The summary names the session's gaps
(seqs the recording never had: feed losses, messages not recorded, e.g. on a full disk), which show in the
NDJSON only as jumps in seq.

Policy: the machine policy's (or FLOORWATCH_EXPORT_KINDS') "exportKinds" must allow "session".

Exit status: 0 exported; 1 the session file is missing or damaged; 2 bad usage or an export the policy forbids;
3 (--salvage) exported what could be read, some seqs are missing.
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
      { from: { type: 'string' }, to: { type: 'string' }, salvage: { type: 'boolean' }, quiet: { type: 'boolean' } },
      true,
    );
    if (positionals.length !== 1) throw new CliError('export needs exactly one session FILE; see --help');
    // The policy's exportKinds must allow "session" (an invalid policy is one line, exit 2: SettingsError is a CliError).
    const refusal = exportKindsOf(resolveSettings()).refusal('session');
    if (refusal) throw new CliError(refusal);
    const file = positionals[0]!;
    const from = boundOption(values.from, 'from');
    const to = boundOption(values.to, 'to');
    const salvage = values.salvage === true;
    // A damaged or unreadable file is a SessionFileError: the command line prints its one line, exit 1.
    const reader = SessionReader.open(file);
    try {
      const range = resolveRange(reader, from, to);
      // Checked before the first line goes out: stdout cannot be taken back once written.
      // Without --to the scan runs past the last readable block: a damaged index may hide the session's end.
      const damage = reader.scan(to === undefined ? { fromSeq: range.fromSeq } : range);
      const damaged = damage.damaged.length > 0;
      if (damaged && !salvage) throw new SessionDamageError(damage, damage.damaged[0] ?? null);
      const summary = await exportNdjson(reader, process.stdout, range, { skipDamaged: salvage });
      if (!values.quiet) {
        const seqs = summary.messages > 0 ? ` (seq ${summary.fromSeq}..${summary.toSeq})` : '';
        const tail = summary.truncated ? ' (output closed early: not all written)' : '';
        const gaps = gapsText(reader, range.fromSeq, to === undefined ? null : range.toSeq, damage);
        process.stderr.write(
          `export: ${summary.messages} messages${seqs} of session ${reader.meta.sessionId}${tail}${gaps}\n`,
        );
      }
      if (damaged) {
        const missing = damage.damaged.map((d) => `${d.fromSeq}..${d.toSeq ?? '(end)'}`).join(', ');
        process.stderr.write(`export: ${file}: salvaged; damaged seq ranges not exported: ${missing}\n`);
        return 3;
      }
      return 0;
    } finally {
      reader.close();
    }
  },
};

/**
 * The session's gaps inside the exported range, for the summary: recorded gap rows (feed losses, seqs not recorded)
 * and holes between blocks that no gap row explains. `toSeq` null: to the end (a loss after the last block counts).
 */
function gapsText(reader: SessionReader, fromSeq: number, toSeq: number | null, damage: SessionDamage): string {
  const end = toSeq ?? Number.MAX_SAFE_INTEGER;
  const recorded = reader
    .gaps()
    .filter((gap) => gap.toSeq >= fromSeq && gap.fromSeq <= end)
    .map((gap) => `${gap.fromSeq}..${gap.toSeq} (${gap.reason})`);
  const holes = damage.unexplainedHoles.map((hole) => `${hole.fromSeq}..${hole.toSeq} (missing, no gap record)`);
  const all = [...recorded, ...holes];
  if (all.length === 0) return '';
  const shown = all.slice(0, 20).join(', ');
  return `; ${all.length} gap${all.length === 1 ? '' : 's'}: seq ${shown}${all.length > 20 ? ', …' : ''}`;
}
