// Broker-scale figures for `npm run bench` (broker section): `floorwatch surveil` on simulated days of the same
// length with 50, 10,000 and 100,000 accounts (the last two on every listed contract), each in its own process.
// The per-message cost is CPU time (process.cpuUsage of the surveil process: a shared machine's wall clock
// waits for a core), so the ratio compares work, not luck. Run alone:
//   npx tsx bench/broker.ts [--messages N] [--days DIR]   (DIR holds day-50.ndjson, day-10000.ndjson, day-100000.ndjson)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'main/cli/index.ts');
const SURVEIL = path.join(ROOT, 'bench/brokerSurveil.ts');

/** Floors measured: accounts, and whether the day spans the whole futures universe. */
export const BROKER_FLOORS = [
  { accounts: 50, universe: false },
  { accounts: 10_000, universe: true },
  { accounts: 100_000, universe: true },
] as const;

export interface BrokerRun {
  accounts: number;
  messages: number;
  /** CPU µs per message of the whole surveil process's run (read, parse, validate, state, rules, alerts out). */
  usPerMsg: number;
  /** Messages per CPU second. */
  msgsPerCpuS: number;
  maxRssMb: number;
}

export interface BrokerBenchFigures {
  broker_surveil_ratio: number;
  broker_surveil_rss_mb: number;
  broker_us_per_msg_50: number;
  broker_us_per_msg_10k: number;
  broker_us_per_msg_100k: number;
  runs: BrokerRun[];
}

export async function benchBroker(options: { messages?: number; days?: string } = {}): Promise<BrokerBenchFigures> {
  const messages = options.messages ?? 1_000_000;
  const dir = options.days ?? mkdtempSync(path.join(tmpdir(), 'fw-broker-bench-'));
  try {
    const runs: BrokerRun[] = [];
    // One heavy process at a time: write a day, surveil it, then the next floor.
    for (const floor of BROKER_FLOORS) {
      const day = path.join(dir, `day-${floor.accounts}.ndjson`);
      if (!existsSync(day)) await writeDay(day, messages, floor.accounts, floor.universe);
      runs.push(await surveilDay(day, floor.accounts));
    }
    const small = runs[0] as BrokerRun;
    const mid = runs[1] as BrokerRun;
    const broker = runs[2] as BrokerRun;
    return {
      broker_surveil_ratio: round(broker.msgsPerCpuS / small.msgsPerCpuS, 3),
      broker_surveil_rss_mb: Math.round(broker.maxRssMb),
      broker_us_per_msg_50: round(small.usPerMsg, 2),
      broker_us_per_msg_10k: round(mid.usPerMsg, 2),
      broker_us_per_msg_100k: round(broker.usPerMsg, 2),
      runs,
    };
  } finally {
    if (options.days === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

async function writeDay(file: string, messages: number, accounts: number, universe: boolean): Promise<void> {
  const args = ['sim', '--write', file, '--messages', String(messages)];
  if (accounts !== 50) args.push('--accounts', String(accounts));
  if (universe) args.push('--universe', 'all');
  const { code, stderr } = await runTsx(CLI, args);
  if (code !== 0) throw new Error(`floorwatch ${args.join(' ')} failed (exit ${code}): ${lastLine(stderr)}`);
}

async function surveilDay(day: string, accounts: number): Promise<BrokerRun> {
  const { code, stderr, fd3 } = await runTsx(SURVEIL, [day]);
  if (code !== 0) throw new Error(`floorwatch surveil --input ${day} failed (exit ${code}): ${lastLine(stderr)}`);
  const figures = JSON.parse(fd3) as { cpuMs: number; maxRssMb: number };
  const applied = /: (\d+) messages applied/.exec(stderr);
  if (!applied) throw new Error(`floorwatch surveil --input ${day}: no summary line`);
  const count = Number(applied[1]);
  const usPerMsg = (figures.cpuMs * 1000) / count;
  return { accounts, messages: count, usPerMsg, msgsPerCpuS: 1e6 / usPerMsg, maxRssMb: figures.maxRssMb };
}

/** Runs a TypeScript entry under tsx in a child process (stdout discarded, stderr and fd 3 collected). */
function runTsx(entry: string, args: string[]): Promise<{ code: number; stderr: string; fd3: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let fd3 = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (text: string) => (fd3 += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr, fd3 }));
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { messages: { type: 'string' }, days: { type: 'string' } } });
  const figures = await benchBroker({
    ...(values.messages ? { messages: Number(values.messages) } : {}),
    ...(values.days ? { days: values.days } : {}),
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
