// Worker-thread entry of the simulator (started by startWorker('simulator', data) from main/util/workers.ts).
// workerData: { host?, port?, seed?, rate?, scenarios? ('all' | 'none' | 'a,b' | string[]), truthFile?,
// daySeconds?, messages?, historyMessages?, historyBytes?, accounts?, instruments? }. The floor size may also come
// from the environment (FLOORWATCH_SIM_ACCOUNTS, FLOORWATCH_SIM_INSTRUMENTS = N or all), so every way the product
// starts its embedded simulator (npm start, floorwatch host --sim-accounts …) can run a broker-sized floor. An embedded simulator keeps a smaller history than the
// command-line one (128 MiB unless historyBytes says otherwise): its client is the app's own core on loopback.
// Posts { type: 'listening', url, port, sessionId } once serving, or { type: 'error', message } if it cannot start.
// Messages in: { type: 'stop' } → stops the server, posts { type: 'stopped' } and lets the thread end;
// { type: 'counters' } → posts { type: 'counters', counters }; { type: 'rate', rate } → changes the pace.
// With workerData { role: 'producer', producer } the thread is instead a server's frame producer (frameSource.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runProducerThread, type ProducerOptions } from './frameSource';
import { parseScenarios, resolveScenarios, type ScenarioSelection } from './scenarios';
import { floorSizeOf } from './floor';
import { startSimulatorServer, type RunningSimulator, type SimulatorServerOptions } from './server';

export interface SimulatorWorkerData {
  host?: string;
  port?: number;
  seed?: number;
  rate?: number;
  scenarios?: string | string[];
  truthFile?: string;
  daySeconds?: number;
  messages?: number;
  historyMessages?: number;
  historyBytes?: number;
  accounts?: number;
  instruments?: number | 'all';
}

export type SimulatorWorkerEvent =
  | { type: 'listening'; url: string; port: number; sessionId: string }
  | { type: 'error'; message: string }
  | { type: 'stopped' }
  | { type: 'counters'; counters: ReturnType<RunningSimulator['counters']> };

function scenariosOf(value: string | string[] | undefined): ScenarioSelection | undefined {
  if (value === undefined) return undefined;
  const selection = typeof value === 'string' ? parseScenarios(value) : parseScenarios(value.join(','));
  resolveScenarios(selection);
  return selection;
}

if (!parentPort) throw new Error('main/simulator/worker.ts must run in a worker thread');
const port = parentPort;
/**
 * The embedded simulator's resend history: it shares the workstation's memory with the core and the windows, and its
 * one client is on loopback (a resume needs seconds of history, not minutes; the start of day is kept apart, all day).
 */
const EMBEDDED_HISTORY_BYTES = 64 * 1024 * 1024;
const data = (workerData ?? {}) as SimulatorWorkerData & { role?: string; producer?: ProducerOptions };
if (data.role === 'producer') runProducerThread(port, data.producer!);
else void serve();

async function serve(): Promise<void> {
  const post = (event: SimulatorWorkerEvent) => port.postMessage(event);
  let running: RunningSimulator | null = null;
  let stopRequested = false;

  const stop = async () => {
    stopRequested = true;
    if (running) {
      await running.stop();
      await running.session.close();
    }
    running = null;
    post({ type: 'stopped' });
    port.close();
  };

  port.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') {
      void stop();
    } else if (message?.type === 'counters') {
      if (running) post({ type: 'counters', counters: running.counters() });
    } else if (message?.type === 'rate') {
      const rate = (message as { rate?: unknown }).rate;
      if (running && typeof rate === 'number' && rate >= 0 && Number.isFinite(rate)) running.setRate(rate);
    }
  });

  try {
    const options: SimulatorServerOptions = {
      host: data.host,
      port: data.port,
      seed: data.seed,
      rate: data.rate,
      scenarios: scenariosOf(data.scenarios),
      truthFile: data.truthFile,
      daySeconds: data.daySeconds,
      messages: data.messages,
      historyMessages: data.historyMessages,
      historyBytes: data.historyBytes ?? EMBEDDED_HISTORY_BYTES,
      ...floorSizeOf(data),
    };
    running = await startSimulatorServer(options);
    if (stopRequested) {
      await running.stop();
      await running.session.close();
    } else {
      post({ type: 'listening', url: running.url, port: running.port, sessionId: running.session.sessionId });
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error).message });
    port.close();
  }
}
