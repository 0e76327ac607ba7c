// The core's work, free of any thread plumbing: feed client → engine state → conflated publisher, plus the health
// row. worker.ts runs one of these in a worker thread; tests may run one in-process.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { FeedGap, HealthSnapshot } from '../../shared/domain/types';
import { EngineState } from '../engine/state';
import { FeedClient } from '../feed/feedClient';
import type { LogFn } from './log';
import type { CoreEvent, CoreWorkerData } from './messages';
import { TopicPublisher } from './publisher';

export class CoreRuntime {
  readonly engine: EngineState;
  readonly feed: FeedClient;
  readonly publisher: TopicPublisher;
  private readonly startedAt = Date.now();
  private readonly simulator: HealthSnapshot['simulator'];
  private lastRate = { at: Date.now(), messages: 0, perSecond: 0 };
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  private cpuPercent = 0;
  private stopped = false;
  private readonly publishIntervalMs: number | undefined;

  constructor(
    data: CoreWorkerData & { feedUrl: string },
    private readonly sink: (event: CoreEvent) => void,
    log: LogFn,
  ) {
    this.simulator = data.simulator ?? null;
    this.engine = new EngineState({ log });
    this.feed = new FeedClient({
      url: data.feedUrl,
      heartbeatTimeoutMs: data.heartbeatTimeoutMs,
      backoff: data.backoff,
      log,
      handlers: {
        onBatch: (messages) => this.engine.applyBatch(messages),
        onHello: (_hello, sessionChanged) => {
          if (sessionChanged) this.engine.reset(); // the publisher sees the new generation and re-snapshots
        },
        onGap: (gap: FeedGap) => this.sink({ type: 'gap', gap }),
        onState: (state, lastError) => this.sink({ type: 'state', state, lastError }),
      },
    });
    this.publisher = new TopicPublisher({
      engine: this.engine,
      emit: (update) => this.sink({ type: 'topic', update }),
      health: () => this.health(),
      healthIntervalMs: data.healthIntervalMs,
    });
    this.publishIntervalMs = data.publishIntervalMs;
  }

  start(): void {
    this.feed.start();
    this.publisher.start(this.publishIntervalMs);
  }

  reconnect(): void {
    this.feed.reconnect();
  }

  /** Stops the feed and the publisher, after publishing what is left (the final health shows the stop). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.publisher.stop();
    await this.feed.stop();
    this.publisher.flush();
  }

  /** The health row: feed counters, engine anomalies, and this thread's CPU (event-loop busy share) and memory. */
  health(): HealthSnapshot {
    const now = Date.now();
    const feed = this.feed.snapshot();
    const elapsed = now - this.lastRate.at;
    if (elapsed >= 200) {
      this.lastRate = {
        at: now,
        messages: feed.messages,
        perSecond: Math.round(((feed.messages - this.lastRate.messages) * 1000) / elapsed),
      };
      const elu = performance.eventLoopUtilization();
      this.cpuPercent = Math.round(performance.eventLoopUtilization(elu, this.lastElu).utilization * 1000) / 10;
      this.lastElu = elu;
    }
    const memory = process.memoryUsage();
    const anomalies: Record<string, number> = {};
    for (const [kind, count] of Object.entries(this.engine.anomalies)) if (count > 0) anomalies[kind] = count;
    return {
      feedState: feed.state,
      feedUrl: feed.url,
      sessionId: feed.sessionId,
      tradingDay: feed.tradingDay,
      source: feed.source,
      lastSeq: feed.lastSeq,
      messages: feed.messages,
      bytes: feed.bytes,
      frames: feed.frames,
      rejects: feed.rejects,
      rejectsByReason: feed.rejectsByReason,
      duplicates: feed.duplicates,
      gaps: feed.gaps,
      unrecoverableGaps: feed.unrecoverableGaps,
      reconnects: feed.reconnects,
      lagMs: feed.lagMs,
      messagesPerSecond: this.lastRate.perSecond,
      lastMessageAt: feed.lastMessageAt,
      lastError: feed.lastError,
      uptimeMs: now - this.startedAt,
      simulator: this.simulator,
      cpuPercent: this.cpuPercent,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      anomalies,
    };
  }
}
