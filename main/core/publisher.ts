// Conflated topic publication: on each tick (≤ 20 Hz) the rows that changed since the last tick go out as one
// TopicUpdate per topic — a full snapshot first (and after the engine is reset), then only changed rows. Ten
// thousand quotes on one instrument between two ticks become one row.
import { performance } from 'node:perf_hooks';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { HealthSnapshot } from '../../shared/domain/types';
import type { ViewFrame } from '../../shared/views/spec';
import type { EngineChanges, EngineState } from '../engine/state';
import { EngineViews } from './engineViews';

/** Longest a moved mark waits before its holders' P&L, margin and risk degree are published again. */
const MAX_MARK_REVALUE_WAIT_MS = 1_000;

/** 20 Hz: the fastest any topic is published. */
export const MIN_PUBLISH_INTERVAL_MS = 50;

export interface PublisherOptions {
  engine: EngineState;
  emit: (update: TopicUpdate) => void;
  /** Builds the health row; without it no health topic is published. */
  health?: () => HealthSnapshot;
  /** Health is published at most this often (default 250 ms). */
  healthIntervalMs?: number;
  /** Surveillance alerts (topic `alerts`): rows changed since the last take, and all of them for a snapshot. */
  alerts?: AlertSource;
  /** Frames of the engine's views, each tick that changed a view's range (see EngineViews). */
  emitViews?: (frames: ViewFrame[]) => void;
  /**
   * Engine topics published whole (snapshot, then every changed row) from the start; default all three. A broker's
   * accounts and positions are 10^5 rows: while no one takes them whole, windows read them through views only.
   */
  wholeTopics?: readonly EngineTopic[];
  now?: () => number;
}

export interface AlertSource {
  takeChanged(): AlertRow[];
  all(): AlertRow[];
}

export type EngineTopic = 'market' | 'positions' | 'accounts';
export const ENGINE_TOPICS: readonly EngineTopic[] = ['market', 'positions', 'accounts'];

export class TopicPublisher {
  private readonly engine: EngineState;
  private readonly emit: (update: TopicUpdate) => void;
  private readonly health: (() => HealthSnapshot) | undefined;
  private readonly healthIntervalMs: number;
  private readonly alerts: AlertSource | undefined;
  private readonly now: () => number;
  private generation: number;
  private readonly needsSnapshot = new Set<TopicName>(['market', 'positions', 'accounts', 'health']);
  private lastHealthAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private lastMarkRevalueAt = Number.NEGATIVE_INFINITY;
  private markRevalueCostMs = 0;
  private readonly wholeTopics: Set<EngineTopic>;
  private readonly emitViews: ((frames: ViewFrame[]) => void) | undefined;
  /** The views windows hold on the engine's tables. */
  readonly views: EngineViews;
  /** Updates emitted per topic (for tests and the health row). */
  readonly emitted: Partial<Record<TopicName, number>> = { market: 0, positions: 0, accounts: 0, health: 0, alerts: 0 };

  constructor(options: PublisherOptions) {
    this.engine = options.engine;
    this.emit = options.emit;
    this.health = options.health;
    this.healthIntervalMs = Math.max(MIN_PUBLISH_INTERVAL_MS, options.healthIntervalMs ?? 250);
    this.alerts = options.alerts;
    if (this.alerts) this.needsSnapshot.add('alerts');
    this.now = options.now ?? Date.now;
    this.generation = options.engine.generation;
    this.wholeTopics = new Set(options.wholeTopics ?? ENGINE_TOPICS);
    for (const topic of ENGINE_TOPICS) if (!this.wholeTopics.has(topic)) this.needsSnapshot.delete(topic);
    this.views = new EngineViews(options.engine);
    this.emitViews = options.emitViews;
  }

  /** Which engine topics go out whole from now on; one newly asked for starts with a snapshot. */
  setWholeTopics(topics: readonly EngineTopic[]): void {
    const wanted = new Set(topics);
    for (const topic of ENGINE_TOPICS) {
      if (wanted.has(topic) && !this.wholeTopics.has(topic)) this.needsSnapshot.add(topic);
      if (!wanted.has(topic)) this.needsSnapshot.delete(topic);
    }
    this.wholeTopics.clear();
    for (const topic of wanted) this.wholeTopics.add(topic);
  }

  /** Publishes on a timer; the interval is clamped to ≥ 50 ms (≤ 20 Hz per topic). */
  start(intervalMs = MIN_PUBLISH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), Math.max(MIN_PUBLISH_INTERVAL_MS, intervalMs));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The next flush sends full snapshots of every topic. */
  requestSnapshot(): void {
    for (const topic of this.wholeTopics) this.needsSnapshot.add(topic);
    this.needsSnapshot.add('health');
    if (this.alerts) this.needsSnapshot.add('alerts');
  }

  /** The next flush includes the health row whatever its interval (something the operator must see at once). */
  publishHealthSoon(): void {
    this.lastHealthAt = Number.NEGATIVE_INFINITY;
  }

  /** Emits what changed since the last flush; returns the number of updates emitted. */
  flush(): number {
    const now = this.now();
    const engine = this.engine;
    if (engine.generation !== this.generation) {
      this.generation = engine.generation;
      this.requestSnapshot();
      this.views.reset();
    }
    let count = 0;
    // Moved marks revalue every holder: on a broker's floor (10^5 positions, every contract quoting) that is most of
    // the core's time at 20 Hz, so it runs at most every 10× its own cost (≤ 1 s). Trades, cash and orders are
    // valued every tick; a small floor's marks too (its cost rounds to 0 ms).
    const marksDue =
      now - this.lastMarkRevalueAt >= Math.min(MAX_MARK_REVALUE_WAIT_MS, Math.floor(this.markRevalueCostMs * 10));
    const valuingStarted = performance.now();
    // The engine's own rows: the views read them in place; only what goes out whole is copied.
    const changes = engine.takeLiveChanges(marksDue);
    if (marksDue) {
      this.markRevalueCostMs = performance.now() - valuingStarted;
      this.lastMarkRevalueAt = now;
    }
    this.views.fold(changes);
    const sourceTs = { market: changes.marketTs, positions: changes.positionsTs, accounts: changes.accountsTs };
    for (const topic of ENGINE_TOPICS) {
      if (!this.wholeTopics.has(topic)) continue;
      if (this.needsSnapshot.has(topic)) {
        this.needsSnapshot.delete(topic);
        this.send({
          topic,
          snapshot: true,
          rows: engine.rowsOf(topic) as EngineChanges[typeof topic],
          removed: [],
          at: now,
          sourceTs: sourceTs[topic],
        });
        count++;
      } else if (changes[topic].length > 0) {
        const rows = (changes[topic] as object[]).map((row) => ({ ...row })) as (typeof changes)[typeof topic];
        this.send({ topic, snapshot: false, rows, removed: [], at: now, sourceTs: sourceTs[topic] });
        count++;
      }
    }
    if (this.views.open > 0) {
      const frames = this.views.flush();
      if (frames.length > 0) this.emitViews?.(frames);
    }
    if (this.alerts) {
      if (this.needsSnapshot.delete('alerts')) {
        this.alerts.takeChanged();
        const rows = this.alerts.all();
        this.send({ topic: 'alerts', snapshot: true, rows, removed: [], at: now, sourceTs: engine.lastTs });
        count++;
      } else {
        const rows = this.alerts.takeChanged();
        if (rows.length > 0) {
          this.send({ topic: 'alerts', snapshot: false, rows, removed: [], at: now, sourceTs: engine.lastTs });
          count++;
        }
      }
    }
    if (this.health && now - this.lastHealthAt >= this.healthIntervalMs) {
      this.lastHealthAt = now;
      const snapshot = this.needsSnapshot.delete('health');
      const row = this.health();
      this.send({ topic: 'health', snapshot, rows: [row], removed: [], at: now, sourceTs: engine.lastTs });
      count++;
    }
    return count;
  }

  private send(update: TopicUpdate): void {
    this.emitted[update.topic] = (this.emitted[update.topic] ?? 0) + 1;
    this.emit(update);
  }
}
