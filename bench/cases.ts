// Case review opening time (issue 7 target: 10 minutes of replayed book < 500 ms). Writes a 12-minute session
// (40 contracts with 5-level quotes, market trades, order traffic, a client's large orders and cancels: about 300
// messages/s in all), then times cases.window's work — open the journal, read the 10-minute window around an alert,
// close — cold and warm, wall clock and CPU. The window's cost grows with the session's total message rate: every
// block of the window is inflated, whatever its instrument. Run: `npx tsx bench/cases.ts`, or call benchCaseOpen().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCaseWindow } from '../main/alerts/caseWindow';
import { FeedBuilder } from '../main/rules/feedBuilder';
import { SessionJournal } from '../main/store/journal';
import { SessionReader } from '../main/store/sessionReader';
import type { AlertRow } from '../shared/api/methods/alerts';
import type { BookLevel, SequencedMessage } from '../shared/protocol';

const CONTRACTS = 40;
const MINUTES = 12;
/** Per 100 ms tick: quotes of 10 contracts in turn (2.5 quotes/s each), 5 trades, order traffic (~30 messages). */
const TICK_MS = 100;
const RUNS = 5;

function book(mid: number): { bids: BookLevel[]; asks: BookLevel[] } {
  const bids: BookLevel[] = [];
  const asks: BookLevel[] = [];
  for (let level = 1; level <= 5; level++) {
    bids.push([mid - level, 10 * level]);
    asks.push([mid + level, 11 * level]);
  }
  return { bids, asks };
}

function buildSession(file: string): { alert: AlertRow; messages: number } {
  const feed = new FeedBuilder();
  const ids = Array.from({ length: CONTRACTS }, (_, i) => `rb26${String(i).padStart(2, '0')}`);
  for (const id of ids) feed.instrument({ instrumentId: id, exchange: 'SHFE', product: 'rb' });
  feed.account('A1').account('M1');
  const journal = new SessionJournal(file, {
    session: { sessionId: 'BENCH', tradingDay: '20261124', source: 'bench' },
    createdBy: 'bench',
  });
  const target = ids[0]!;
  const evidence: number[] = [];
  const ticks = (MINUTES * 60_000) / TICK_MS;
  let volume = 0;
  let flushed = 0;
  for (let tick = 0; tick < ticks; tick++) {
    feed.advance(TICK_MS);
    volume += 3;
    for (let k = 0; k < 10; k++) {
      const id = ids[(tick * 10 + k) % CONTRACTS]!;
      const mid = 3500 + ((tick + k) % 40);
      const { bids, asks } = book(mid);
      feed.quote(id, mid, bids, asks, volume, 1000);
    }
    for (let k = 0; k < 5; k++) feed.fill('M1', ids[(tick + k * 7) % CONTRACTS]!, k % 2 ? 'buy' : 'sell', 1, 3500);
    // the client: a large order on the target every 500 ms, cancelled; some of them are the alert's evidence
    if (tick % 5 === 0) {
      const order = feed.order('A1', target, 'sell', 400, 3560);
      feed.cancel(order, 400);
      if (tick > ticks / 2 - 600 && evidence.length < 200) evidence.push(feed.seq);
    }
    // other accounts' order traffic
    for (let k = 0; k < 4; k++) {
      const order = feed.order('M1', ids[(tick + k) % CONTRACTS]!, 'buy', 1, 3400);
      feed.cancel(order, 1);
    }
    if (feed.messages.length - flushed > 50_000 || tick === ticks - 1) {
      journal.append(feed.messages.slice(flushed));
      flushed = feed.messages.length;
    }
  }
  journal.close();
  const sequenced = feed.messages.filter((m): m is SequencedMessage => 'seq' in m).length;
  const lastEvidence = evidence.at(-1)!;
  const alert: AlertRow = {
    id: '20261124:large_cancel:A1:rb2600',
    rule: 'large_cancel',
    subjectType: 'account',
    subjectId: 'A1',
    accountIds: ['A1'],
    instrumentId: target,
    exchange: 'SHFE',
    severity: 'medium',
    score: 70,
    firstSeq: evidence[0]!,
    lastSeq: lastEvidence,
    count: evidence.length,
    threshold: 50,
    tradingDay: '20261124',
    message: 'bench',
    messageZh: 'bench',
    evidence,
    metrics: {},
    state: 'new',
    assignee: null,
    notes: 0,
    createdAt: 0,
    updatedAt: 0,
    firstTs: 0,
  };
  return { alert, messages: sequenced };
}

export interface CaseOpenFigures {
  /** Median of warm runs: open the journal, read ±5 minutes around the alert, close. */
  case_open_ms: number;
  /** The first run (cold caches). */
  case_open_cold_ms: number;
  /** CPU time of the median warm run (robust when other processes share the cores). */
  case_open_cpu_ms: number;
  /** Messages the window held (all instruments), and the session's rate. */
  case_window_messages: number;
  case_session_msgs_per_s: number;
}

export async function benchCaseOpen(): Promise<CaseOpenFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-cases-'));
  try {
    const file = path.join(dir, 'bench.fwsession');
    const { alert, messages } = buildSession(file);
    const times: number[] = [];
    const cpu: number[] = [];
    let scanned = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const reader = SessionReader.open(file);
      try {
        const window = readCaseWindow(reader, alert, { beforeMs: 5 * 60_000, afterMs: 5 * 60_000 });
        scanned = window.scanned;
      } finally {
        reader.close();
      }
      times.push(performance.now() - started);
      const used = process.cpuUsage(cpuStarted);
      cpu.push((used.user + used.system) / 1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    const warmCpu = cpu.slice(1).sort((a, b) => a - b);
    return {
      case_open_cpu_ms: Math.round(warmCpu[Math.floor(warmCpu.length / 2)]! * 10) / 10,
      case_open_ms: Math.round(warm[Math.floor(warm.length / 2)]! * 10) / 10,
      case_open_cold_ms: Math.round(times[0]! * 10) / 10,
      case_window_messages: scanned,
      case_session_msgs_per_s: Math.round(messages / (MINUTES * 60)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchCaseOpen())}\n`);
}
