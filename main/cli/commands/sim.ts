// `floorwatch sim`: serves the exchange simulator over WebSocket until SIGINT/SIGTERM, or (--write) writes one
// simulated day to an NDJSON file and exits.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { SequencedMessage } from '../../../shared/protocol';
import { CliError, intOption, parseOptions, untilSignal, type CliCommand } from '../support';
import {
  DEFAULT_DAY_SECONDS,
  DEFAULT_MESSAGES,
  DEFAULT_RATE,
  MIN_MESSAGES_WITH_SCENARIOS,
  RULE_IDS,
  generateSession,
  parseScenarios,
  startSimulatorServer,
  type GroundTruth,
  type ScenarioSelection,
} from '../../simulator';
import { INSTRUMENTS } from '../../simulator/catalogue';
import { DEFAULT_ACCOUNTS, MAX_ACCOUNTS, MIN_ACCOUNTS } from '../../simulator/floor';
import { futuresUniverse } from '../../simulator/universe';

const HELP = `
floorwatch sim [options]

Runs the exchange simulator: a fw-feed/1 WebSocket server streaming one seeded trading day (instruments from
SHFE, DCE, CZCE, CFFEX, INE and GFEX, client accounts, order books, phases from pre-open to close), or with
--write, writes such a day to an NDJSON file. The same seed (and floor size) gives the same session.

Options:
  --port N          port to listen on (default 9001; 0 picks a free port)
  --host ADDR       address to bind (default 127.0.0.1)
  --seed N          random seed (default 1)
  --rate N          messages per second (default ${DEFAULT_RATE}; up to 1000000)
  --day-seconds N   length of the trading day in seconds at --rate (default ${DEFAULT_DAY_SECONDS} = 4 h)
  --scenarios LIST  misconduct to inject: none (default), all, or rule ids separated by commas:
                    ${RULE_IDS.join(', ')}
  --truth FILE      write the injected cases' ground truth to FILE (NDJSON, one line per case; never in the feed)
  --accounts N      client accounts on the floor (default ${DEFAULT_ACCOUNTS}, ${MIN_ACCOUNTS} to ${MAX_ACCOUNTS}): the first 50 are the
                    market makers, control groups and scenario roles; the rest a broker's clients, most idle on
                    the day, a minority active, a few heavy, ~1.2 start-of-day positions each
  --instruments N   contracts on the floor: N ≤ 10 takes the default catalogue's first N (default 10), more takes
                    the first N of the full universe, most-traded first; "all" = --universe all
  --universe all    every listed futures contract of the six exchanges (${futuresUniverse().length} contracts: all products and
                    their listed delivery months, with their ticks, multipliers, margins and price limits)
  --write FILE      do not serve: write one day to FILE as NDJSON (simulated timestamps) and exit
  --messages N      with --write: the day's length in messages (default ${DEFAULT_MESSAGES})
  --quiet           no log lines on stderr

Examples:
  npm run sim -- --port 9001 --seed 1 --rate 20000
  floorwatch sim --scenarios all --truth truth.ndjson --day-seconds 600
  floorwatch sim --write day.ndjson --messages 200000 --scenarios all --truth truth.ndjson
  floorwatch sim --write day.ndjson --messages 1000000 --accounts 100000 --universe all
`;

/**
 * The floor size from the sim flags (--accounts, --instruments, --universe) or the host's (--sim-accounts,
 * --sim-instruments; prefix "sim-").
 */
export function floorOptions(
  values: { accounts?: string; instruments?: string; universe?: string },
  prefix = '',
): { accounts?: number; instruments?: number | 'all' } {
  const universeSize = futuresUniverse().length;
  let instruments: number | 'all' | undefined;
  if (values.universe !== undefined) {
    if (values.universe !== 'all' && values.universe !== 'catalogue')
      throw new CliError(`--universe must be all or catalogue (got "${values.universe}")`);
    if (values.instruments !== undefined)
      throw new CliError(`--universe and --${prefix}instruments both size the floor: give one of them`);
    instruments = values.universe === 'all' ? 'all' : INSTRUMENTS.length;
  } else if (values.instruments !== undefined) {
    instruments =
      values.instruments.trim() === 'all'
        ? 'all'
        : intOption(values.instruments, `${prefix}instruments`, INSTRUMENTS.length, 1, universeSize);
  }
  const accounts =
    values.accounts === undefined
      ? undefined
      : intOption(values.accounts, `${prefix}accounts`, DEFAULT_ACCOUNTS, MIN_ACCOUNTS, MAX_ACCOUNTS);
  return {
    ...(accounts !== undefined ? { accounts } : {}),
    ...(instruments !== undefined ? { instruments } : {}),
  };
}

function describeFloor(floor: { accounts?: number; instruments?: number | 'all' }): string {
  const instruments =
    floor.instruments === 'all' ? futuresUniverse().length : (floor.instruments ?? INSTRUMENTS.length);
  return `${floor.accounts ?? DEFAULT_ACCOUNTS} accounts, ${instruments} instruments`;
}

export function scenariosOption(value: string | undefined, flag = 'scenarios'): ScenarioSelection {
  if (value === undefined) return 'none';
  try {
    return parseScenarios(value);
  } catch (error) {
    throw new CliError(`--${flag}: ${(error as Error).message}`);
  }
}

async function openOutput(path: string, flag: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new CliError(
      `${flag} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return stream;
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

async function writeDay(
  file: string,
  seed: number,
  messages: number,
  scenarios: ScenarioSelection,
  floor: { accounts?: number; instruments?: number | 'all' },
  truthFile?: string,
): Promise<number> {
  if (scenarios !== 'none' && messages < MIN_MESSAGES_WITH_SCENARIOS) {
    throw new CliError(`--messages must be at least ${MIN_MESSAGES_WITH_SCENARIOS} with scenarios (got ${messages})`);
  }
  const truths: GroundTruth[] = [];
  let generator;
  try {
    generator = generateSession({
      seed,
      messages,
      scenarios,
      ...floor,
      onTruth: (truth) => truths.push(truth),
      onNote: (note) => process.stderr.write(`floorwatch sim: ${note}\n`),
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  // Opened once the options are known to be good, so a bad flag leaves no empty file behind.
  const out = await openOutput(file, '--write');
  const truthOut = truthFile ? await openOutput(truthFile, '--truth') : null;
  const batch: SequencedMessage[] = [];
  let written = 0;
  while (!generator.done) {
    batch.length = 0;
    generator.take(5000, batch);
    if (batch.length === 0) break;
    written += batch.length;
    await write(out, `${batch.map((m) => JSON.stringify(m)).join('\n')}\n`);
    if (truthOut && truths.length > 0) {
      await write(truthOut, truths.map((t) => `${JSON.stringify(t)}\n`).join(''));
      truths.length = 0;
    }
  }
  await close(out);
  if (truthOut) await close(truthOut);
  process.stdout.write(
    `floorwatch sim: wrote ${written} messages (trading day ${generator.tradingDay}, seed ${seed}, ${describeFloor(floor)}) to ${file}` +
      `${truthFile ? `; ${generator.truth.length} ground-truth records to ${truthFile}` : ''}\n`,
  );
  return 0;
}

export const simCommand: CliCommand = {
  name: 'sim',
  summary: 'run the exchange simulator (fw-feed/1 WebSocket server) or write a simulated day to NDJSON',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { values } = parseOptions(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'day-seconds': { type: 'string' },
      scenarios: { type: 'string' },
      truth: { type: 'string' },
      write: { type: 'string' },
      messages: { type: 'string' },
      accounts: { type: 'string' },
      instruments: { type: 'string' },
      universe: { type: 'string' },
      quiet: { type: 'boolean' },
    });
    const seed = intOption(values.seed, 'seed', 1, -2147483648, 4294967295);
    const scenarios = scenariosOption(values.scenarios);
    const floor = floorOptions(values);
    if (values.write !== undefined) {
      const messages = intOption(values.messages, 'messages', DEFAULT_MESSAGES, 2000, 1_000_000_000);
      return writeDay(values.write, seed, messages, scenarios, floor, values.truth);
    }
    if (values.messages !== undefined)
      throw new CliError('--messages goes with --write; a served day is sized by --day-seconds');
    const port = intOption(values.port, 'port', 9001, 0, 65535);
    const rate = intOption(values.rate, 'rate', DEFAULT_RATE, 0, 1_000_000);
    const daySeconds = intOption(values['day-seconds'], 'day-seconds', DEFAULT_DAY_SECONDS, 10, 7 * 24 * 3600);
    const host = values.host ?? '127.0.0.1';
    const log = values.quiet ? undefined : (line: string) => process.stderr.write(`floorwatch sim: ${line}\n`);
    let sim;
    try {
      sim = await startSimulatorServer({
        host,
        port,
        seed,
        rate,
        scenarios,
        truthFile: values.truth,
        daySeconds,
        log,
        ...floor,
      });
    } catch (error) {
      throw new CliError((error as Error).message, 1);
    }
    process.stdout.write(
      `floorwatch sim: serving fw-feed/1 at ${sim.url} (session ${sim.session.sessionId}, seed ${seed}, ${rate} msg/s, ` +
        `day ${daySeconds} s, ${describeFloor(floor)}, scenarios ${Array.isArray(scenarios) ? scenarios.join(',') : scenarios})\n`,
    );
    const signal = await untilSignal();
    const counters = sim.counters();
    await sim.stop();
    await sim.session.close();
    process.stderr.write(
      `floorwatch sim: ${signal}: stopped after ${counters.messagesProduced} messages, ${counters.connections} connections, ` +
        `${counters.bytesSent} bytes sent\n`,
    );
    return 0;
  },
};
