// Team server benchmarks on a real PostgreSQL (the embedded server, durable as deployed) with `floorwatch server`
// child processes and API clients over loopback WebSocket, as workstations connect:
// - propagate: two servers on one database, a workstation on each; a transition made on one until the other shows it;
// - action: one server at 20k msg/s with 20 workstations subscribed; the round trip of a durable transition;
// - clients: workstations (4 windows each) added to one server at 20k msg/s until tick-to-receipt p99 passes 200 ms.
// Every server is killed and PostgreSQL stopped when the section ends, failed or not.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiSocket } from '../main/api/apiSocket';
import { startEmbeddedPostgres, type RunningPostgres } from '../main/team/embeddedPostgres';
import { provisionTeamDatabase } from '../main/team/teamDatabase';
import { killTeamServers, startTeamServer } from '../main/team/teamServerProcess';
import type { AlertRow, AlertState } from '../shared/api/methods/alerts';
import { percentile } from './browser';
import type { BenchFigure } from './sections';

const PASSWORD = 'bench horse 1';
const OPERATOR = 'bench.op';
const FEED_RATE = 20_000;
const PROPAGATE_FEED_RATE = 2_000;
/** Transitions timed per figure. */
const TRANSITIONS = 100;
const WORKSTATIONS_FOR_ACTION = 20;
const CLIENT_STEPS = [10, 20, 35, 50, 75];
const TICK_TO_SCREEN_LIMIT_MS = 200;
/** After a step's logins, before its ticks count. */
const STEP_WARMUP_MS = 5_000;
const OPEN_BATCH = 5;
const STEP_MEASURE_MS = 8_000;
/** A visible part of a grid, as a window keeps current. */
const VIEW = { spec: {}, range: { start: 0, end: 50 } };

/** Timings of one kind of transition: p99 (the figure), p50 and how many. */
export interface TransitionTimings {
  p99: number;
  p50: number;
  samples: number;
}

export interface TeamBenchResult {
  propagate: TransitionTimings;
  action: TransitionTimings & { marketUpdates: number };
  /** The most workstations held with tick-to-receipt p99 ≤ 200 ms (0: not even the first step). */
  clients: number;
  /** Tick-to-receipt p99 (ms) at each client step tried (NaN: no tick arrived). */
  clientSteps: { workstations: number; p99: number; samples: number }[];
}

interface BenchTeam {
  postgres: RunningPostgres | null;
  folder: string;
  databases: number;
  sockets: ApiSocket[];
}

export async function benchTeam(): Promise<TeamBenchResult> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'fw-bench-team-'));
  // Its own folder in the temp dir: run as root, the cluster's owner is the `postgres` user, which must reach it.
  const pgDir = mkdtempSync(path.join(os.tmpdir(), 'fw-bench-pg-'));
  const team: BenchTeam = { postgres: null, folder, databases: 0, sockets: [] };
  try {
    // Durable (fsync on), as a team database runs: the action figure is a durable round trip.
    team.postgres = await startEmbeddedPostgres({ dataDir: pgDir, persistent: false });
    const propagate = await measurePropagate(team);
    await endServers(team);
    const action = await measureAction(team);
    await endServers(team);
    const clients = await measureClients(team);
    return { propagate, action, ...clients };
  } finally {
    await endServers(team);
    await team.postgres?.stop();
    for (const dir of [folder, pgDir]) rmSync(dir, { recursive: true, force: true });
  }
}

async function endServers(team: BenchTeam): Promise<void> {
  await Promise.all(team.sockets.splice(0).map((socket) => socket.close().catch(() => undefined)));
  killTeamServers();
}

/** A fresh team database (roles, migrations) on the bench's PostgreSQL; the app role's URL. */
async function createDatabase(team: BenchTeam): Promise<string> {
  team.databases += 1;
  const { appUrl } = await provisionTeamDatabase(team.postgres!.url(), `fw_bench_${team.databases}`, {
    owner: { name: 'fw_bench_owner', password: 'bench-owner-secret' },
    app: { name: 'fw_bench_app', password: 'bench-app-secret' },
  });
  return appUrl;
}

/**
 * `floorwatch server` on `appUrl` with the built-in simulator at `rate`; `misconduct`: injected soon (alerts to work
 * on), on a 5-minute day (the feed ends with its day, so a phase must end before it).
 */
async function startServer(team: BenchTeam, appUrl: string, rate: number, misconduct: boolean): Promise<number> {
  const dataDir = mkdtempSync(path.join(team.folder, 'server-'));
  const env = { ...process.env, FLOORWATCH_DATA_DIR: dataDir, FLOORWATCH_POLICY_FILE: path.join(dataDir, 'none.json') };
  const args = ['--db', appUrl, '--port', '0', '--rate', String(rate)];
  if (misconduct) args.push('--sim-scenarios', 'all', '--sim-day-seconds', '300');
  const server = await startTeamServer(args, env);
  return server.port;
}

const benchStarted = performance.now();
/** A progress line on stderr (the section runs for minutes). */
function progress(line: string): void {
  process.stderr.write(`bench: team: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s: ${line}\n`);
}

async function connect(team: BenchTeam, port: number, keepUpdates = true): Promise<ApiSocket> {
  const socket = await ApiSocket.open(`ws://127.0.0.1:${port}/api`, undefined, { keepUpdates });
  team.sockets.push(socket);
  return socket;
}

/** The first workstation on a fresh server sets up the admin, who creates the operator the others log in as. */
async function setUpOperators(admin: ApiSocket): Promise<void> {
  await admin.call('auth.setupAdmin', { username: 'bench.admin', displayName: 'Bench Admin', password: PASSWORD });
  await admin.call('operators.create', {
    username: OPERATOR,
    displayName: 'Bench',
    role: 'operator',
    password: PASSWORD,
  });
}

/**
 * A workstation: four windows, each its own API connection on one operator session (one login, the others resume
 * it): market (with health), the alert queue, an accounts grid and a positions grid (server-side views).
 */
async function openWorkstation(
  team: BenchTeam,
  port: number,
  onTick?: (latencyMs: number) => void,
): Promise<ApiSocket[]> {
  const windows = await Promise.all(Array.from({ length: 4 }, () => connect(team, port, false)));
  const [market, alerts, accounts, positions] = windows as [ApiSocket, ApiSocket, ApiSocket, ApiSocket];
  const { token } = (await market.call('auth.login', { username: OPERATOR, password: PASSWORD })) as { token: string };
  await Promise.all([alerts, accounts, positions].map((window) => window.call('auth.resume', { token })));
  if (onTick) {
    market.onUpdate((update, receivedAt) => {
      if (update.topic === 'market' && !update.snapshot && update.sourceTs > 0) onTick(receivedAt - update.sourceTs);
    });
  }
  market.subscribe('market');
  market.subscribe('health');
  alerts.subscribe('alerts');
  accounts.subscribe('views');
  positions.subscribe('views');
  await accounts.call('views.open', { source: 'accounts', ...VIEW });
  await positions.call('views.open', { source: 'positions', ...VIEW });
  return windows;
}

/** The newest row of alert `id` each client was shown, kept current from its `alerts` updates. */
function watchAlert(client: ApiSocket): {
  wait: (id: string, state: AlertState, timeoutMs: number) => Promise<number>;
} {
  const waiters: { id: string; state: AlertState; resolve: (at: number) => void }[] = [];
  client.onUpdate((update, receivedAt) => {
    if (update.topic !== 'alerts') return;
    for (const row of update.rows as AlertRow[]) {
      for (let i = waiters.length - 1; i >= 0; i -= 1) {
        const waiter = waiters[i]!;
        if (waiter.id === row.id && waiter.state === row.state) {
          waiters.splice(i, 1);
          waiter.resolve(receivedAt);
        }
      }
    }
  });
  return {
    wait: (id, state, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`alert ${id} not shown ${state} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({ id, state, resolve: (at) => (clearTimeout(timer), resolve(at)) });
      }),
  };
}

/** The first alert still new on `client`'s queue (the simulator's misconduct raises some within seconds). */
async function firstNewAlert(client: ApiSocket): Promise<string> {
  const update = await client.waitFor(
    (u) => u.topic === 'alerts' && (u.rows as AlertRow[]).some((row) => row.state === 'new'),
    60_000,
    20,
  );
  return (update.rows as AlertRow[]).find((row) => row.state === 'new')!.id;
}

/**
 * Legal moves on one alert, repeatable: acknowledge it, then close and reopen it in turn (both with a reason), so each
 * transition shows as a state the previous one was not.
 */
function* transitions(count: number): Generator<{ state: AlertState; reason?: string }> {
  yield { state: 'acknowledged' };
  for (let i = 1; i < count; i += 1) {
    yield i % 2 === 1
      ? { state: 'closed', reason: 'bench: no misconduct' }
      : { state: 'investigating', reason: 'bench' };
  }
}

function timings(samples: number[]): TransitionTimings {
  return { p99: percentile(samples, 99), p50: percentile(samples, 50), samples: samples.length };
}

async function measurePropagate(team: BenchTeam): Promise<TransitionTimings> {
  const appUrl = await createDatabase(team);
  // Two servers, each with its own feed: the figure is the database's hand-over, not the feed's load.
  const [portA, portB] = await Promise.all([
    startServer(team, appUrl, PROPAGATE_FEED_RATE, true),
    startServer(team, appUrl, PROPAGATE_FEED_RATE, true),
  ]);
  const deskA = await connect(team, portA);
  const deskB = await connect(team, portB);
  await setUpOperators(deskA);
  await deskB.call('auth.login', { username: OPERATOR, password: PASSWORD });
  const shownOnB = watchAlert(deskB);
  deskA.subscribe('alerts');
  deskB.subscribe('alerts');
  progress('propagate: two servers up, waiting for an alert');
  const id = await firstNewAlert(deskA);
  await deskB.waitFor((u) => u.topic === 'alerts' && (u.rows as AlertRow[]).some((row) => row.id === id), 30_000, 20);
  progress(`propagate: ${TRANSITIONS} transitions on alert ${id}`);
  const samples: number[] = [];
  for (const move of transitions(TRANSITIONS)) {
    const shown = shownOnB.wait(id, move.state, 10_000);
    const started = Date.now();
    await deskA.call('alerts.setState', { id, ...move });
    samples.push((await shown) - started);
  }
  return timings(samples);
}

async function measureAction(team: BenchTeam): Promise<TeamBenchResult['action']> {
  const appUrl = await createDatabase(team);
  const port = await startServer(team, appUrl, FEED_RATE, true);
  const desk = await connect(team, port);
  await setUpOperators(desk);
  let marketUpdates = 0;
  desk.onUpdate((update) => {
    if (update.topic === 'market' && !update.snapshot) marketUpdates += 1;
  });
  desk.subscribe('alerts');
  desk.subscribe('market');
  for (let i = 0; i < WORKSTATIONS_FOR_ACTION; i += 1) await openWorkstation(team, port);
  progress(`action: ${WORKSTATIONS_FOR_ACTION} workstations subscribed, waiting for an alert`);
  const id = await firstNewAlert(desk);
  progress(`action: ${TRANSITIONS} transitions on alert ${id}`);
  marketUpdates = 0;
  const samples: number[] = [];
  for (const move of transitions(TRANSITIONS)) {
    const started = performance.now();
    await desk.call('alerts.setState', { id, ...move });
    samples.push(performance.now() - started);
  }
  // Measured while the floor moves, or not a figure at all.
  if (marketUpdates === 0) throw new Error('the feed stopped before the transitions were timed');
  return { ...timings(samples), marketUpdates };
}

async function measureClients(team: BenchTeam): Promise<Pick<TeamBenchResult, 'clients' | 'clientSteps'>> {
  const appUrl = await createDatabase(team);
  const port = await startServer(team, appUrl, FEED_RATE, false);
  await setUpOperators(await connect(team, port));
  let latencies: number[] = [];
  const onTick = (latencyMs: number) => latencies.push(latencyMs);
  const clientSteps: TeamBenchResult['clientSteps'] = [];
  let held = 0;
  let workstations = 0;
  for (const step of CLIENT_STEPS) {
    while (workstations < step) {
      // A few at a time, as a morning's logins come: each login hashes a password on the server.
      const batch = Math.min(OPEN_BATCH, step - workstations);
      await Promise.all(Array.from({ length: batch }, () => openWorkstation(team, port, onTick)));
      workstations += batch;
    }
    await new Promise((resolve) => setTimeout(resolve, STEP_WARMUP_MS));
    latencies = [];
    await new Promise((resolve) => setTimeout(resolve, STEP_MEASURE_MS));
    const p99 = percentile(latencies, 99);
    clientSteps.push({ workstations: step, p99, samples: latencies.length });
    progress(`clients: ${step} workstations, tick-to-receipt p99 ${p99.toFixed(0)} ms of ${latencies.length} ticks`);
    if (!(p99 <= TICK_TO_SCREEN_LIMIT_MS)) break;
    held = step;
  }
  return { clients: held, clientSteps };
}

const ms = (t: TransitionTimings) => `p50 ${t.p50.toFixed(1)} ms, ${t.samples} samples`;

export async function benchTeamFigures(): Promise<BenchFigure[]> {
  const r = await benchTeam();
  const steps = r.clientSteps.map((s) => `${s.workstations}: ${s.p99.toFixed(0)} ms`).join(', ');
  return [
    {
      key: 'team_propagate_p99_ms',
      value: r.propagate.p99,
      target: '≤ 500',
      note:
        `alert transitions on server A's workstation until server B's shows them; one database, ` +
        `feeds ${PROPAGATE_FEED_RATE / 1000}k msg/s each (${ms(r.propagate)})`,
    },
    {
      key: 'team_action_p99_ms',
      value: r.action.p99,
      target: '≤ 50',
      note:
        `durable transition round trip, ${WORKSTATIONS_FOR_ACTION} workstations × 4 windows subscribed, ` +
        `feed 20k msg/s (${ms(r.action)})`,
    },
    {
      key: 'team_clients',
      value: r.clients,
      target: '≥ 50',
      note:
        `workstations × 4 windows on one server at 20k msg/s with tick-to-receipt p99 ≤ 200 ms (${steps}); ` +
        'receipt at the client socket stands in for screen (no browsers: 200 Chromium windows do not fit on 2 cores)',
    },
  ];
}
