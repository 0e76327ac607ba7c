// `floorwatch surveil`: replays a recorded session (NDJSON, or a session file) through the engine state and the
// surveillance rules, and prints every alert once, in its final state, as one JSON object per line.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { isRejection, isSequenced, validateMessage, type ServerMessage } from '../../../shared/protocol';
import { RULE_IDS, type Alert } from '../../../shared/rules/types';
import { RulesConfigError, type RulesConfig } from '../../../shared/rules/config';
import { loadRulesConfig, type LoadedRules } from '../../rules/loadRules';
import { Surveillance } from '../../rules/surveillance';
import { SessionFileError, type SessionGap } from '../../store/sessionFormat';
import { SessionDamageError, SessionReader } from '../../store/sessionReader';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
floorwatch surveil --input FILE [--rules RULES.json] [--strict] [--trading-day YYYYMMDD]

Replays a recorded session through the engine and the surveillance rules and prints each alert once, in its
final state, as one JSON object per line on stdout (ordered by firstSeq, then id). A summary goes to stderr.

  --input FILE        NDJSON (one fw-feed/1 message per line, "-" for stdin) or a session file (SQLite,
                      recognised by its content, not its name)
  --rules FILE        a rules file merged over the shipped build/rules/default.json (any subset of its shape)
  --strict            a malformed or invalid input line is fatal (exit 2); by default it is reported on stderr
                      with its line number and skipped
  --trading-day DAY   trading day for alerts when the input has no hello line (default: from the first message)

Alert fields: id, rule, subjectType (account|group), subjectId, accountIds, instrumentId, exchange, severity
(low|medium|high|critical), score (0-100), firstSeq, lastSeq, count, threshold, tradingDay, message, messageZh,
evidence (seq numbers, the first 200), metrics.
A damaged session file is refused before any alert is printed, with one line naming the damaged seqs and what
can still be read ("floorwatch export --salvage" gets those out as NDJSON, which surveil reads).
Exit status: 0 done; 2 bad usage, unreadable or damaged input or rules file, or a bad line with --strict.
`;

/** Lines reported one by one before the rest are only counted. */
const MAX_REPORTED_LINES = 50;
const SQLITE_HEADER = 'SQLite format 3\0';
const NDJSON_CHUNK_BYTES = 1 << 16;

export interface RunCounters {
  lines: number;
  messages: number;
  rejected: number;
  duplicates: number;
  gaps: number;
  reported: number;
}

export const surveilCommand: CliCommand = {
  name: 'surveil',
  summary: 'replay a session (NDJSON or session file) through the surveillance rules; alerts as JSON lines',
  help: HELP,
  dataKey: 'read',
  async run(argv) {
    const { values } = parseOptions(argv, {
      input: { type: 'string' },
      rules: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'trading-day': { type: 'string' },
    });
    const input = values.input;
    if (!input) throw new CliError('surveil needs --input FILE (NDJSON or a session file); see --help');
    const tradingDay = values['trading-day'];
    if (tradingDay !== undefined && !/^[0-9]{8}$/.test(tradingDay)) {
      throw new CliError(`--trading-day must be YYYYMMDD (got "${tradingDay}")`);
    }
    let rules: LoadedRules;
    try {
      rules = loadRulesConfig(values.rules);
    } catch (error) {
      if (error instanceof RulesConfigError) throw new CliError(error.message);
      throw error;
    }

    const started = performance.now();
    const { run, counters } = await replayInput({
      input,
      config: rules.config,
      strict: values.strict === true,
      tradingDay,
    });
    const alerts = run.alerts();
    await writeAlerts(alerts);
    writeSummary(input, counters, alerts, run, rules, performance.now() - started);
    return 0;
  },
};

export interface ReplayInputOptions {
  /** NDJSON file ("-" for stdin) or a session file, recognised by its content. */
  input: string;
  config: RulesConfig;
  /** A bad line is a CliError instead of a reported skip. */
  strict?: boolean;
  tradingDay?: string;
  /** Prefix of the lines reported on stderr. */
  label?: string;
  /** Called with every applied message (after the rules saw it) and its input line. */
  onMessage?: (message: ServerMessage, line: string) => void;
}

export interface ReplayInputResult {
  run: Surveillance;
  counters: RunCounters;
  /** Gaps recorded in a session file; null for NDJSON input. */
  sessionGaps: SessionGap[] | null;
  /** The session file's trading day (from its hello), when the input is a session file. */
  sessionDay: string | undefined;
}

/** Reads the input (either kind), validates and de-duplicates each line and runs it through the rules. */
export async function replayInput(options: ReplayInputOptions): Promise<ReplayInputResult> {
  const { input, tradingDay, onMessage } = options;
  const label = options.label ?? 'surveil';
  const counters: RunCounters = { lines: 0, messages: 0, rejected: 0, duplicates: 0, gaps: 0, reported: 0 };
  const strict = options.strict === true;
  let sessionDay: string | undefined;
  let sessionGaps: SessionGap[] | null = null;
  let source: AsyncIterable<string[]> | Iterable<string[]>;
  let unit = 'line';
  if (input !== '-' && isSqliteFile(input)) {
    const reader = openSession(input);
    sessionDay = reader.meta.tradingDay || undefined;
    sessionGaps = reader.gaps();
    source = sessionChunks(reader);
    unit = 'message';
  } else {
    source = ndjsonChunks(input);
  }
  const run = new Surveillance({ config: options.config, tradingDay: tradingDay ?? sessionDay });
  let lastSeq = 0;
  const problem = (what: string) => {
    counters.rejected++;
    const text = `${unit} ${counters.lines}: ${what}`;
    if (strict) throw new CliError(`${input}: ${text} (--strict)`);
    if (counters.reported++ < MAX_REPORTED_LINES) process.stderr.write(`${label}: ${input}: ${text}; skipped\n`);
  };

  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i++) {
      counters.lines++;
      const line = chunk[i] as string;
      if (line.length === 0 || (line.length < 4 && line.trim() === '')) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        problem(`malformed JSON: ${(error as Error).message}`);
        continue;
      }
      const result = validateMessage(parsed);
      if (isRejection(result)) {
        problem(`${result.reason}: ${result.detail}`);
        continue;
      }
      const message: ServerMessage = result;
      if (isSequenced(message)) {
        if (message.seq <= lastSeq) {
          // Never apply a message twice (docs/protocol.md): a repeated or backward seq is dropped.
          counters.duplicates++;
          if (counters.reported++ < MAX_REPORTED_LINES) {
            process.stderr.write(
              `${label}: ${input}: ${unit} ${counters.lines}: seq ${message.seq} is not after ${lastSeq}; skipped\n`,
            );
          }
          continue;
        }
        if (lastSeq > 0 && message.seq > lastSeq + 1) counters.gaps++;
        lastSeq = message.seq;
      }
      counters.messages++;
      run.apply(message);
      onMessage?.(message, line);
    }
  }
  return { run, counters, sessionGaps, sessionDay };
}

/** True when `file` starts with the SQLite header (a session file); a CliError when it cannot be read. */
export function isSqliteFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read --input ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, head, 0, head.length, 0);
    return read === head.length && head.toString('latin1') === SQLITE_HEADER;
  } catch (error) {
    throw new CliError(`cannot read --input ${file}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Opens a session file given as --input; a bad or damaged one is a CliError (exit 2) whose one line names it. */
export function openSession(file: string): SessionReader {
  try {
    return SessionReader.open(file);
  } catch (error) {
    throw inputError(file, error);
  }
}

/** A session file's failure as --input: damage keeps the reader's line (file, damaged seqs, what is readable). */
export function inputError(file: string, error: unknown): unknown {
  if (error instanceof SessionDamageError) return new CliError(`--input ${error.message}`);
  if (error instanceof SessionFileError) {
    return new CliError(`--input ${file} is an SQLite file but not a readable session: ${error.message}`);
  }
  return error;
}

function* sessionChunks(reader: SessionReader): Generator<string[]> {
  try {
    yield* reader.lineChunks();
  } catch (error) {
    throw inputError(reader.file, error);
  } finally {
    reader.close();
  }
}

/**
 * NDJSON lines in chunks (fast on large files; a final line without a newline counts). A chunk is 64 KiB: its text
 * and lines die young while it is replayed (1 MiB chunks outlived the young generation on a broker's day, and the
 * old one filled with their garbage).
 */
export async function* ndjsonChunks(file: string): AsyncGenerator<string[]> {
  const stream = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: NDJSON_CHUNK_BYTES });
  stream.setEncoding('utf8');
  let rest = '';
  try {
    for await (const piece of stream as AsyncIterable<string>) {
      const text = rest + piece;
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
      }
      yield lines;
    }
  } catch (error) {
    throw new CliError(`cannot read --input ${file}: ${(error as Error).message}`);
  }
  if (rest.length > 0) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

async function writeAlerts(alerts: readonly Alert[]): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < alerts.length; i += BATCH) {
    const text = alerts
      .slice(i, i + BATCH)
      .map((alert) => `${JSON.stringify(alert)}\n`)
      .join('');
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
    }).catch((error: NodeJS.ErrnoException) => {
      // A closed pipe (`| head`) is the reader's choice, not our failure.
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

function writeSummary(
  input: string,
  counters: RunCounters,
  alerts: readonly Alert[],
  run: Surveillance,
  rules: LoadedRules,
  elapsedMs: number,
): void {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(counters.messages / seconds) : counters.messages;
  const perRule = new Map<string, number>();
  for (const alert of alerts) perRule.set(alert.rule, (perRule.get(alert.rule) ?? 0) + 1);
  const byRule = RULE_IDS.filter((id) => perRule.has(id))
    .map((id) => `${id} ${perRule.get(id)}`)
    .join(', ');
  const lines = [
    `surveil: ${input}: ${counters.messages} messages applied of ${counters.lines} lines in ${seconds.toFixed(2)} s (${rate} msg/s)`,
    `surveil: rejects ${counters.rejected}, duplicates ${counters.duplicates}, seq gaps ${counters.gaps}, unattributed cancels ${run.rules.stats.unknownOrders}`,
    `surveil: rules ${rules.config.version} from ${rules.sources.join(' + ')}; trading day ${run.rules.currentTradingDay ?? 'n/a'}`,
    `surveil: ${alerts.length} alerts${byRule ? ` — ${byRule}` : ''}`,
  ];
  if (counters.reported > MAX_REPORTED_LINES) {
    lines.splice(2, 0, `surveil: ${counters.reported - MAX_REPORTED_LINES} more bad lines not shown`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}
