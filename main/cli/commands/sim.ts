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

const HELP = `
floorwatch sim [options]

Runs the exchange simulator: a fw-feed/1 WebSocket server streaming one seeded trading day (instruments from
SHFE, DCE, CZCE, CFFEX, INE and GFEX, 50 client accounts, order books, phases from pre-open to close), or with
--write, writes such a day to an NDJSON file. The same seed gives the same session.

Options:
  --port N          port to listen on (default 9001; 0 picks a free port)
  --host ADDR       address to bind (default 127.0.0.1)
  --seed N          random seed (default 1)
  --rate N          messages per second (default ${DEFAULT_RATE}; up to 1000000)
  --day-seconds N   length of the trading day in seconds at --rate (default ${DEFAULT_DAY_SECONDS} = 4 h)
  --scenarios LIST  misconduct to inject: none (default), all, or rule ids separated by commas:
                    ${RULE_IDS.join(', ')}
  --truth FILE      write the injected cases' ground truth to FILE (NDJSON, one line per case; never in the feed)
  --write FILE      do not serve: write one day to FILE as NDJSON (simulated timestamps) and exit
  --messages N      with --write: the day's length in messages (default ${DEFAULT_MESSAGES})
  --quiet           no log lines on stderr

Examples:
  npm run sim -- --port 9001 --seed 1 --rate 20000
  floorwatch sim --scenarios all --truth truth.ndjson --day-seconds 600
  floorwatch sim --write day.ndjson --messages 200000 --scenarios all --truth truth.ndjson
`;

function scenariosOption(value: string | undefined): ScenarioSelection {
  if (value === undefined) return 'none';
  try {
    return parseScenarios(value);
  } catch (error) {
    throw new CliError(`--scenarios: ${(error as Error).message}`);
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
  truthFile?: string,
): Promise<number> {
  if (scenarios !== 'none' && messages < MIN_MESSAGES_WITH_SCENARIOS) {
    throw new CliError(`--messages must be at least ${MIN_MESSAGES_WITH_SCENARIOS} with scenarios (got ${messages})`);
  }
  const out = await openOutput(file, '--write');
  const truthOut = truthFile ? await openOutput(truthFile, '--truth') : null;
  const truths: GroundTruth[] = [];
  const generator = generateSession({
    seed,
    messages,
    scenarios,
    onTruth: (truth) => truths.push(truth),
    onNote: (note) => process.stderr.write(`floorwatch sim: ${note}\n`),
  });
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
    `floorwatch sim: wrote ${written} messages (trading day ${generator.tradingDay}, seed ${seed}) to ${file}` +
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
      quiet: { type: 'boolean' },
    });
    const seed = intOption(values.seed, 'seed', 1, -2147483648, 4294967295);
    const scenarios = scenariosOption(values.scenarios);
    if (values.write !== undefined) {
      const messages = intOption(values.messages, 'messages', DEFAULT_MESSAGES, 2000, 1_000_000_000);
      return writeDay(values.write, seed, messages, scenarios, values.truth);
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
      sim = await startSimulatorServer({ host, port, seed, rate, scenarios, truthFile: values.truth, daySeconds, log });
    } catch (error) {
      throw new CliError((error as Error).message, 1);
    }
    process.stdout.write(
      `floorwatch sim: serving fw-feed/1 at ${sim.url} (session ${sim.session.sessionId}, seed ${seed}, ${rate} msg/s, ` +
        `day ${daySeconds} s, scenarios ${Array.isArray(scenarios) ? scenarios.join(',') : scenarios})\n`,
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
