// The main side's handle on the core: starts the core worker thread (and, with no feed configured, the simulator
// in its own worker on a loopback ephemeral port), keeps a TopicHub fed by the worker's updates so every new
// subscriber gets a snapshot at once, and stops everything it started. A worker that dies is reported as feed
// state 'down' with its error on the health topic; the process goes on.
import type { Worker } from 'node:worker_threads';
import type { TopicName, TopicRows, TopicUpdate } from '../../shared/api/contract';
import type { AccountCounters, AccountDetail } from '../../shared/api/methods/accounts';
import type { FeedGap, FeedState, HealthSnapshot } from '../../shared/domain/types';
import type { RulesConfig } from '../../shared/rules/config';
import type { CoreHandle } from '../api/backend';
import { TopicHub } from '../api/topicHub';
import { loadRulesConfig } from '../rules';
import { DEFAULT_RATE } from '../simulator/server';
import type { AuditAnchorSink, AuditHeadAnchor } from '../store/auditAnchors';
import { floorwatchDataDir } from '../store/auditPaths';
import { startWorker, workerFile } from '../util/workers';
import { WorkerRequests } from './workerRequests';
import type { RulesReloadResult } from './rulesReload';
import { stderrLog, type LogFn } from './log';
import type {
  CoreAuditHead,
  CoreConfigure,
  CoreEvent,
  CoreRequest,
  CoreRequestOp,
  CoreWholeTopics,
  CoreWorkerData,
} from './messages';
import type { ViewFrame } from '../../shared/views/spec';
import type { ViewAnswer, ViewHost, ViewRequest } from '../views/viewRequests';
import { WholeTopicDemand } from '../views/wholeTopicDemand';

export interface SimulatorStartOptions {
  seed?: number;
  rate?: number;
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Misconduct scenarios to inject (passed to the simulator as given). */
  scenarios?: unknown;
  /** Length of the simulated day in seconds at `rate` (the injected cases are spread over it). */
  daySeconds?: number;
}

export interface CoreStartOptions {
  /** ws:// URL of a fw-feed/1 gateway. Absent: start the embedded simulator and connect to it. */
  feedUrl?: string;
  /** Backup gateways of the same feed (policy `feedUrls` after the first), tried in turn when one is unreachable. */
  feedFallbackUrls?: string[];
  /** PEM CA for a wss:// gateway (policy `feedCaFile`). */
  feedCa?: string;
  simulator?: SimulatorStartOptions;
  publishIntervalMs?: number;
  healthIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  backoff?: CoreWorkerData['backoff'];
  /** Where the core's log lines go (default stderr). */
  log?: LogFn;
  /** How long to wait for each worker to come up (default 15 s). */
  startTimeoutMs?: number;
  /**
   * Session recording (default on, into `floorwatchDataDir()/sessions/`): false = off (tests), or the data folder
   * to record under. `maxPageCount` is a test hook simulating a full disk.
   */
  recording?: false | { dataDir?: string; maxPageCount?: number };
  /** Surveillance rules (default on, the shipped build/rules/default.json): false = off, or a user rules file. */
  rules?: false | { userFile?: string };
}

const DEFAULT_SEED = 1;
const STOP_TIMEOUT_MS = 3_000;
/** A reload replays the day's journal: give it the rebuild's own limit and some. */
const RELOAD_RULES_TIMEOUT_MS = 70_000;

export class CoreProcess implements CoreHandle, ViewHost {
  readonly mode = 'live' as const;
  private readonly hub = new TopicHub();
  private readonly viewListeners = new Set<(frames: ViewFrame[]) => void>();
  /** Engine topics taken whole on this side: the core publishes only those whole (the rest through views). */
  private readonly wholeTopics = new WholeTopicDemand((topics) => {
    this.workerData.wholeTopics = topics; // a restarted worker starts with them
    for (const topic of ['market', 'positions', 'accounts'] as const)
      if (!topics.includes(topic)) this.hub.forget(topic);
    const message: CoreWholeTopics = { type: 'wholeTopics', topics };
    this.core?.postMessage(message);
  });
  private readonly log: LogFn;
  private core: Worker | null = null;
  private simulator: Worker | null = null;
  private simulatorAlive = false;
  private simulatorError: string | null = null;
  private readonly requests = new WorkerRequests();
  private stopping = false;
  private lastHealth: HealthSnapshot | null = null;
  private readonly gapListeners = new Set<(gap: FeedGap) => void>();
  private readonly stateListeners = new Set<(state: FeedState, lastError: string | null) => void>();

  private url: string;

  private constructor(
    private readonly workerData: CoreWorkerData,
    private readonly options: CoreStartOptions,
  ) {
    this.url = workerData.feedUrl ?? '';
    this.log = options.log ?? stderrLog;
    this.workerData.wholeTopics = this.wholeTopics.topics;
  }

  /**
   * Starts the core worker; with no `feedUrl`, also the simulator worker on 127.0.0.1. Both threads load at the
   * same time (loading is most of their start-up); the core is told the simulator's URL once it listens.
   */
  static async start(options: CoreStartOptions = {}): Promise<CoreProcess> {
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    // A bad user rules file fails here, with the file and field named, before any thread starts.
    const rules = options.rules === false ? null : loadRulesConfig(options.rules?.userFile).config;
    const recording = options.recording === false ? null : (options.recording ?? {});
    const data: CoreWorkerData = {
      rules,
      recording: recording && {
        dataDir: recording.dataDir ?? floorwatchDataDir(),
        journalWorkerFile: workerFile('journal'),
        ...(recording.maxPageCount !== undefined ? { maxPageCount: recording.maxPageCount } : {}),
      },
      feedUrl: options.feedUrl,
      ...(options.feedUrl && options.feedFallbackUrls?.length ? { feedFallbackUrls: options.feedFallbackUrls } : {}),
      ...(options.feedUrl && options.feedCa ? { feedCa: options.feedCa } : {}),
      publishIntervalMs: options.publishIntervalMs,
      healthIntervalMs: options.healthIntervalMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      backoff: options.backoff,
      simulator: null,
    };
    const core = new CoreProcess(data, options);
    const coreReady = core.startCore(timeoutMs);
    coreReady.catch(() => {}); // awaited below; do not let an early failure go unhandled meanwhile
    try {
      if (!options.feedUrl) {
        const simulator = await startSimulator(options.simulator ?? {}, timeoutMs);
        core.adoptSimulator(simulator.worker);
        data.feedUrl = core.url = simulator.url;
        data.simulator = { url: simulator.url, seed: simulator.seed, rate: simulator.rate };
        core.configure();
      }
      await coreReady;
    } catch (error) {
      await core.stop();
      throw error;
    }
    return core;
  }

  get feedUrl(): string {
    return this.url;
  }

  get simulatorRunning(): boolean {
    return this.simulatorAlive;
  }

  /** Changes the embedded simulator's pace (messages per second); nothing without one. For benchmarks. */
  setSimulatorRate(rate: number): void {
    if (this.simulatorAlive) this.simulator?.postMessage({ type: 'rate', rate });
  }

  /** Snapshot at once, then conflated deltas. */
  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    return this.wholeTopics.track(topic, this.hub.subscribe(topic, listener));
  }

  viewHost(): ViewHost {
    return this;
  }

  /**
   * A views request for the core's engine tables (views.open/update/rows/close). Opening or re-sorting a view of a
   * broker floor's 100k rows on a core that is busy with its feed can take seconds: those wait longer than a read.
   */
  async viewRequest(request: ViewRequest): Promise<ViewAnswer> {
    const timeoutMs = request.action === 'open' || request.action === 'update' ? 30_000 : 5_000;
    return (await this.request('view', timeoutMs, undefined, undefined, request)) as ViewAnswer;
  }

  onViewFrames(listener: (frames: ViewFrame[]) => void): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  /** Current merged rows of a topic. */
  current<T extends TopicName>(topic: T): TopicRows[T][] {
    return this.hub.current(topic);
  }

  /** Latest health row (null before the first). */
  get health(): HealthSnapshot | null {
    return this.lastHealth;
  }

  onGap(listener: (gap: FeedGap) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  onFeedState(listener: (state: FeedState, lastError: string | null) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * The raw surveillance alerts (workflow fields at their defaults: state 'new', no assignee, no notes): a snapshot
   * at once, then the rows each tick created or updated (≤ 20 Hz, conflated). The main side's alert service
   * merges its workflow into these.
   */
  onAlerts(listener: (update: TopicUpdate<'alerts'>) => void): () => void {
    return this.hub.subscribe('alerts', listener);
  }

  /** One account at a glance, from the core's live state (rejects for an unknown account). */
  async accountDetail(accountId: string): Promise<AccountDetail> {
    return (await this.request('accountDetail', 5_000, accountId)) as AccountDetail;
  }

  /** The account's client (its control group, if any) against each exchange rule threshold, per contract. */
  async accountCounters(accountId: string): Promise<AccountCounters> {
    return (await this.request('accountCounters', 5_000, accountId)) as AccountCounters;
  }

  /**
   * New surveillance thresholds for the running core, today's counts rebuilt from the session journal and the alerts
   * already raised kept (CoreRuntime.reloadRules). A worker restarted later starts with them too.
   */
  async reloadRules(config: RulesConfig): Promise<RulesReloadResult> {
    const result = (await this.request('reloadRules', RELOAD_RULES_TIMEOUT_MS, undefined, config)) as RulesReloadResult;
    this.workerData.rules = config;
    return result;
  }

  /** For `audit.addAnchorSink`: the session file this core records anchors the audit head. */
  readonly auditAnchorSink: AuditAnchorSink = {
    name: 'live session file',
    anchor: (head) => this.anchorAuditHead(head),
  };

  /**
   * The audit chain's new head, anchored in the session file the core records (with its next flush). A worker
   * started later (configure, restart) gets it with its start data.
   */
  anchorAuditHead(head: AuditHeadAnchor): void {
    this.workerData.auditHead = head;
    const message: CoreAuditHead = { type: 'auditHead', head };
    this.core?.postMessage(message);
  }

  /** Reconnects the feed now; a core worker that died is started again (it re-reads the session from seq 1). */
  async reconnect(): Promise<void> {
    if (this.stopping) throw new Error('the core is stopping');
    if (!this.core) {
      this.log('info', 'core: restarting the core worker');
      await this.startCore(this.options.startTimeoutMs ?? 15_000);
      return;
    }
    await this.request('reconnect');
  }

  /** Stops the core worker (politely, then by force) and the simulator if this process started it. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const core = this.core;
    if (core) {
      try {
        await this.request('stop', STOP_TIMEOUT_MS);
      } catch (error) {
        this.log('warn', `core: worker did not stop cleanly: ${(error as Error).message}`);
      }
      this.core = null;
      await core.terminate();
    }
    this.requests.rejectAll('the core stopped');
    const simulator = this.simulator;
    if (simulator) {
      this.simulator = null;
      if (this.simulatorAlive) await stopSimulator(simulator);
      this.simulatorAlive = false;
    }
  }

  // ---------------------------------------------------------------- workers

  private adoptSimulator(worker: Worker): void {
    this.simulator = worker;
    this.simulatorAlive = true;
    worker.on('error', (error) => {
      this.simulatorError = `simulator failed: ${error.message}`;
      this.log('error', `core: ${this.simulatorError}`);
    });
    worker.on('exit', (code) => {
      this.simulatorAlive = false;
      if (this.stopping) return;
      this.simulatorError ??= `simulator stopped (exit code ${code})`;
      this.log('error', `core: ${this.simulatorError}`);
    });
  }

  /** Starts the core worker; without a feed URL yet it loads and waits for `configure`. */
  private startCore(timeoutMs: number): Promise<void> {
    const worker = startWorker('core', this.workerData.feedUrl ? { ...this.workerData } : {});
    this.core = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        reject(new Error(`the core worker did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      worker.on('message', (event: CoreEvent) => {
        if (event.type === 'ready' && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve();
          return;
        }
        this.onCoreEvent(event);
      });
      worker.on('error', (error) => {
        this.log('error', `core: worker crashed: ${error.stack ?? error.message}`);
        this.markDown(`core worker crashed: ${error.message}`);
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`the core worker failed to start: ${error.message}`));
        }
      });
      worker.on('exit', (code) => {
        if (this.core === worker) this.core = null;
        this.requests.rejectAll(`the core worker exited (code ${code})`);
        if (this.stopping) return;
        this.markDown(`core worker exited (code ${code})`);
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`the core worker exited during start (code ${code})`));
        }
      });
    });
  }

  private configure(): void {
    const configure: CoreConfigure = { type: 'configure', data: { ...this.workerData } };
    this.core?.postMessage(configure);
  }

  private onCoreEvent(event: CoreEvent): void {
    switch (event.type) {
      case 'topic': {
        const update = event.update;
        if (update.topic === 'health') {
          const row = update.rows[0] as HealthSnapshot | undefined;
          if (row) {
            if (this.simulatorError && !this.simulatorAlive && row.lastError === null)
              row.lastError = this.simulatorError;
            this.lastHealth = row;
          }
        }
        this.hub.publish(update);
        return;
      }
      case 'views':
        for (const listener of this.viewListeners) listener(event.frames);
        return;
      case 'reply':
        this.requests.settle(event);
        return;
      case 'state':
        for (const listener of this.stateListeners) listener(event.state, event.lastError);
        return;
      case 'gap':
        for (const listener of this.gapListeners) listener(event.gap);
        return;
      case 'log':
        this.log(event.level, event.message, event.fields);
        return;
      default:
        return;
    }
  }

  /** Publishes a health row that says the core is down, so windows show it instead of a frozen 'live'. */
  private markDown(error: string): void {
    const now = Date.now();
    const base: HealthSnapshot = this.lastHealth ?? emptyHealth(this.url);
    const row: HealthSnapshot = { ...base, feedState: 'down', lastError: error, messagesPerSecond: 0, cpuPercent: 0 };
    this.lastHealth = row;
    this.hub.publish({ topic: 'health', snapshot: true, rows: [row], removed: [], at: now, sourceTs: now });
    for (const listener of this.stateListeners) listener('down', error);
  }

  private request(
    op: CoreRequestOp,
    timeoutMs = 5_000,
    accountId?: string,
    rules?: RulesConfig,
    view?: ViewRequest,
  ): Promise<unknown> {
    const worker = this.core;
    if (!worker) return Promise.reject(new Error('the core worker is not running'));
    return this.requests.send(
      worker,
      (id): CoreRequest => ({
        type: 'request',
        id,
        op,
        ...(accountId !== undefined ? { accountId } : {}),
        ...(rules !== undefined ? { rules } : {}),
        ...(view !== undefined ? { view } : {}),
      }),
      timeoutMs,
      `core request ${op}`,
    );
  }
}

function emptyHealth(feedUrl: string): HealthSnapshot {
  return {
    feedState: 'down',
    feedUrl,
    sessionId: null,
    tradingDay: null,
    source: null,
    lastSeq: 0,
    messages: 0,
    bytes: 0,
    frames: 0,
    rejects: 0,
    rejectsByReason: {},
    duplicates: 0,
    gaps: 0,
    unrecoverableGaps: [],
    reconnects: 0,
    lagMs: 0,
    messagesPerSecond: 0,
    lastMessageAt: 0,
    lastError: null,
    uptimeMs: 0,
    simulator: null,
    cpuPercent: 0,
    rssBytes: 0,
    heapUsedBytes: 0,
  };
}

/** Starts the simulator worker on 127.0.0.1 and waits for it to say where it listens. */
async function startSimulator(
  options: SimulatorStartOptions,
  timeoutMs: number,
): Promise<{ worker: Worker; url: string; seed: number; rate: number }> {
  const seed = options.seed ?? DEFAULT_SEED;
  const rate = options.rate ?? DEFAULT_RATE;
  const worker = startWorker('simulator', {
    host: '127.0.0.1',
    port: options.port ?? 0,
    seed,
    rate,
    ...(options.scenarios !== undefined ? { scenarios: options.scenarios } : {}),
    ...(options.daySeconds !== undefined ? { daySeconds: options.daySeconds } : {}),
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the simulator did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (message: { type?: unknown; url?: unknown; message?: unknown }) => {
        if (message?.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`the simulator could not start: ${String(message.message)}`));
          return;
        }
        if (message?.type !== 'listening' || typeof message.url !== 'string') return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(message.url);
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`the simulator failed to start: ${error.message}`));
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator exited during start (code ${code})`));
      });
    });
    return { worker, url, seed, rate };
  } catch (error) {
    await worker.terminate();
    throw error;
  }
}

/** Asks the simulator worker to stop (it closes its clients and server), terminating it if it takes too long. */
async function stopSimulator(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'stop' });
  const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
