// The core's work, free of any thread plumbing: a message source (the live FeedClient) → recorder → engine state →
// surveillance rules → conflated publisher, plus the health row and the account tools' data. worker.ts runs one
// of these in a worker thread; tests may run one in-process.
//
// The message-source seam: everything a source delivers goes through `applyBatch(messages)` (sequenced messages in
// seq order, each once) and, when a source starts another session, `resetSession()` first. The live FeedClient is
// one such source; a replay source (review mode) drives the same two methods with `data.feedUrl` absent. Keep
// both stable: the engine, rules, account counters and topics behave the same whatever feeds them.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { AccountCounters, AccountDetail } from '../../shared/api/methods/accounts';
import type { FeedGap, HealthSnapshot } from '../../shared/domain/types';
import type { HelloMessage, SequencedMessage } from '../../shared/protocol';
import type { RulesConfig } from '../../shared/rules/config';
import type { AlertEvent } from '../../shared/rules/types';
import { EngineState } from '../engine/state';
import { defaultRulesConfig, RuleEngine } from '../rules';
import { FeedClient } from '../feed/feedClient';
import { AccountActivity } from './accountActivity';
import type { LogFn } from './log';
import type { CoreEvent, CoreWorkerData } from './messages';
import { TopicPublisher } from './publisher';
import { SeqTimes } from './seqTimes';
import { LiveSessionRecorder } from './recorder';
import { journalHistory, rebuildRules, type RulesReloadResult } from './rulesReload';

/** Risk degrees are sampled this often for the account tools' sparkline, ms. */
export const RISK_SAMPLE_INTERVAL_MS = 1_000;

export class CoreRuntime {
  readonly engine: EngineState;
  /** The live source; null when another source (replay) drives `applyBatch`. */
  readonly feed: FeedClient | null;
  readonly publisher: TopicPublisher;
  readonly recorder: LiveSessionRecorder | null;
  /** The thresholds in force (replaced by reloadRules). */
  rulesConfig: RulesConfig | null;
  private rules: RuleEngine | null;
  private readonly activity: AccountActivity;
  private readonly startedAt = Date.now();
  private readonly simulator: HealthSnapshot['simulator'];
  private lastRate = { at: Date.now(), messages: 0, perSecond: 0 };
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  private cpuPercent = 0;
  private stopped = false;
  private readonly publishIntervalMs: number | undefined;
  private sampler: NodeJS.Timeout | null = null;
  /** Messages applied through applyBatch (the feed's own count when there is a feed). */
  private applied = 0;
  private lastAppliedSeq = 0;
  /** Alert rows as published (workflow fields at their defaults; the main side merges the workflow). */
  private readonly alertRows = new Map<string, AlertRow>();
  private readonly changedAlerts = new Map<string, AlertRow>();
  /** For AlertRow.firstTs (only kept while rules run). */
  private readonly seqTimes = new SeqTimes();
  private readonly alertTimes: 'wall' | 'session';
  private reloadingRules = false;

  constructor(
    data: CoreWorkerData,
    private readonly sink: (event: CoreEvent) => void,
    private readonly log: LogFn,
  ) {
    this.simulator = data.simulator ?? null;
    this.alertTimes = data.alertTimes ?? 'wall';
    this.engine = new EngineState({ log });
    this.rulesConfig = data.rules === null ? null : (data.rules ?? defaultRulesConfig());
    this.rules = this.newRules();
    this.activity = new AccountActivity(this.engine, this.rulesConfig ?? defaultRulesConfig());
    this.recorder = data.recording
      ? new LiveSessionRecorder({
          ...data.recording,
          onProblem: (problem) => {
            if (problem) this.log('error', `recorder: ${problem.message}`, { code: problem.code, kind: problem.kind });
            else this.log('info', 'recorder: writing the session file works again');
            this.publisher.publishHealthSoon(); // the operator sees it with the next tick, not the next health tick
          },
        })
      : null;
    if (data.auditHead) this.recorder?.anchorAuditHead(data.auditHead);
    this.feed = data.feedUrl
      ? new FeedClient({
          url: data.feedUrl,
          ...(data.feedFallbackUrls ? { fallbackUrls: data.feedFallbackUrls } : {}),
          ...(data.feedCa ? { ca: data.feedCa } : {}),
          heartbeatTimeoutMs: data.heartbeatTimeoutMs,
          backoff: data.backoff,
          log,
          handlers: {
            onBatch: (messages) => {
              this.recorder?.append(messages);
              this.applyBatch(messages);
            },
            onHello: (hello, sessionChanged) => {
              if (sessionChanged) this.resetSession(); // the publisher sees the new generation and re-snapshots
              this.onHello(hello);
            },
            onGap: (gap: FeedGap) => {
              if (!gap.recovered) this.recorder?.recordGap(gap.fromSeq, gap.toSeq, gap.reason);
              this.sink({ type: 'gap', gap });
            },
            onState: (state, lastError) => this.sink({ type: 'state', state, lastError }),
          },
        })
      : null;
    this.publisher = new TopicPublisher({
      engine: this.engine,
      emit: (update) => this.sink({ type: 'topic', update }),
      emitViews: (frames) => this.sink({ type: 'views', frames }),
      ...(data.wholeTopics ? { wholeTopics: data.wholeTopics } : {}),
      health: () => this.health(),
      healthIntervalMs: data.healthIntervalMs,
      alerts: this.rules
        ? { takeChanged: () => this.takeChangedAlerts(), all: () => [...this.alertRows.values()] }
        : undefined,
    });
    this.publishIntervalMs = data.publishIntervalMs;
  }

  start(): void {
    this.feed?.start();
    this.publisher.start(this.publishIntervalMs);
    this.sampler = setInterval(
      () => this.activity.sample(this.engine.lastTs > 0 ? this.engine.lastTs : Date.now(), false),
      RISK_SAMPLE_INTERVAL_MS,
    );
  }

  /**
   * THE entry of every message source: sequenced messages in seq order, each once. Per message: the account
   * counters (before the state: a cancel names only its order), the engine state, then the rules.
   */
  applyBatch(messages: readonly SequencedMessage[]): void {
    const engine = this.engine;
    const rules = this.rules;
    const activity = this.activity;
    const seqTimes = this.seqTimes;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as SequencedMessage;
      activity.apply(m);
      engine.apply(m);
      if (rules) {
        seqTimes.note(m.seq, m.ts);
        rules.apply(m);
      }
    }
    const count = messages.length;
    if (count > 0) {
      this.applied += count;
      this.lastAppliedSeq = (messages[count - 1] as SequencedMessage).seq;
    }
    if (rules) {
      const events = rules.takeEvents();
      if (events.length > 0) this.noteAlerts(events);
    }
  }

  /** A source's hello: the rules take the trading day from it; the recorder opens the session's file. */
  onHello(hello: HelloMessage): void {
    this.rules?.apply(hello);
    this.recorder?.onHello(hello);
  }

  /** Forgets the session (state, rules, counters, alerts): the next messages start another one from seq 1. */
  resetSession(): void {
    this.engine.reset();
    this.rules = this.newRules();
    this.activity.reset();
    this.alertRows.clear();
    this.changedAlerts.clear();
    this.seqTimes.clear();
    this.applied = 0;
    this.lastAppliedSeq = 0;
  }

  reconnect(): void {
    this.feed?.reconnect();
  }

  /** New thresholds for a source that re-feeds the session itself (review): counted with from the next reset on. */
  useRulesConfig(config: RulesConfig): void {
    this.rulesConfig = config;
    this.activity.useConfig(config);
  }

  /**
   * Replaces the surveillance thresholds of the running core. Today's counts are rebuilt under the new thresholds
   * from the session journal while the feed goes on (rulesReload.ts); alerts already raised stay, the rebuilt
   * engine's alerts are added or updated. Rejects (the old thresholds stay) when rules are off or the journal
   * cannot give back every message applied so far.
   */
  async reloadRules(config: RulesConfig): Promise<RulesReloadResult> {
    const current = this.rules;
    if (!current) throw new Error('surveillance is off in this core');
    if (this.reloadingRules) throw new Error('a rules reload is already in progress');
    this.reloadingRules = true;
    const started = performance.now();
    const adopt = (rules: RuleEngine) => {
      this.rules = rules;
      this.rulesConfig = config;
      this.activity.useConfig(config);
      const events = rules.takeEvents();
      if (events.length > 0) this.noteAlerts(events);
    };
    try {
      let replayed = 0;
      const tradingDay = current.currentTradingDay;
      if (this.lastAppliedSeq === 0) {
        adopt(new RuleEngine({ config, view: this.engine, tradingDay: tradingDay ?? undefined }));
      } else {
        const recorder = this.recorder;
        const file = recorder?.file;
        if (!recorder || !file) throw new Error("no session journal to rebuild today's counts from (recording is off)");
        const lost = recorder.health().notRecorded.messages;
        if (lost > 0) throw new Error(`the session journal misses ${lost} messages: today's counts cannot be rebuilt`);
        ({ replayed } = await rebuildRules({
          config,
          tradingDay,
          history: journalHistory(file, () => recorder.flush()),
          appliedSeq: () => this.lastAppliedSeq,
          liveView: this.engine,
          generation: () => this.engine.generation,
          adopt,
        }));
      }
      const rules = this.rules as RuleEngine;
      const raised = new Set(rules.alerts().map((alert) => alert.id));
      let kept = 0;
      for (const id of this.alertRows.keys()) if (!raised.has(id)) kept++;
      const result: RulesReloadResult = {
        version: config.version,
        replayedMessages: replayed,
        alerts: raised.size,
        keptAlerts: kept,
        elapsedMs: Math.round(performance.now() - started),
      };
      this.log('info', `rules: now ${config.version}`, { ...result });
      return result;
    } finally {
      this.reloadingRules = false;
    }
  }

  /** Stops the feed and the publisher, after publishing what is left (the final health shows the stop). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.publisher.stop();
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    await this.feed?.stop();
    await this.recorder?.close();
    this.publisher.flush();
  }

  /** Every alert so far (raw: workflow fields at their defaults). */
  alerts(): AlertRow[] {
    return [...this.alertRows.values()];
  }

  accountDetail(accountId: string): AccountDetail | undefined {
    const alertIds: string[] = [];
    for (const row of this.alertRows.values()) if (row.accountIds.includes(accountId)) alertIds.push(row.id);
    return this.activity.detail(accountId, alertIds);
  }

  accountCounters(accountId: string): AccountCounters | undefined {
    return this.activity.counters(accountId, this.rules?.currentTradingDay ?? null);
  }

  /** The health row: feed counters, recorder, engine anomalies, and this thread's CPU and memory. */
  health(): HealthSnapshot {
    const now = Date.now();
    const feed = this.feed?.snapshot();
    const messages = feed?.messages ?? this.applied;
    const elapsed = now - this.lastRate.at;
    if (elapsed >= 200) {
      this.lastRate = {
        at: now,
        messages,
        perSecond: Math.round(((messages - this.lastRate.messages) * 1000) / elapsed),
      };
      const elu = performance.eventLoopUtilization();
      this.cpuPercent = Math.round(performance.eventLoopUtilization(elu, this.lastElu).utilization * 1000) / 10;
      this.lastElu = elu;
    }
    const memory = process.memoryUsage();
    const anomalies: Record<string, number> = {};
    for (const [kind, count] of Object.entries(this.engine.anomalies)) if (count > 0) anomalies[kind] = count;
    return {
      feedState: feed?.state ?? 'review',
      feedUrl: feed?.url ?? '',
      sessionId: feed?.sessionId ?? null,
      tradingDay: feed?.tradingDay ?? this.rules?.currentTradingDay ?? null,
      source: feed?.source ?? null,
      lastSeq: feed?.lastSeq ?? this.lastAppliedSeq,
      messages,
      bytes: feed?.bytes ?? 0,
      frames: feed?.frames ?? 0,
      rejects: feed?.rejects ?? 0,
      rejectsByReason: feed?.rejectsByReason ?? {},
      duplicates: feed?.duplicates ?? 0,
      gaps: feed?.gaps ?? 0,
      unrecoverableGaps: feed?.unrecoverableGaps ?? [],
      reconnects: feed?.reconnects ?? 0,
      lagMs: feed?.lagMs ?? 0,
      messagesPerSecond: this.lastRate.perSecond,
      lastMessageAt: feed?.lastMessageAt ?? 0,
      lastError: feed?.lastError ?? null,
      uptimeMs: now - this.startedAt,
      simulator: this.simulator,
      cpuPercent: this.cpuPercent,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      anomalies,
      ...(this.recorder ? { recorder: this.recorder.health() } : {}),
    };
  }

  private newRules(): RuleEngine | null {
    return this.rulesConfig ? new RuleEngine({ config: this.rulesConfig, view: this.engine }) : null;
  }

  /** Alerts created or updated by this batch become rows (createdAt: when this core first saw the alert). */
  private noteAlerts(events: AlertEvent[]): void {
    const now = this.alertTimes === 'session' ? this.engine.lastTs : Date.now();
    for (const { alert } of events) {
      const previous = this.alertRows.get(alert.id);
      const row: AlertRow = {
        ...alert,
        state: 'new',
        assignee: null,
        notes: 0,
        createdAt: previous?.createdAt ?? now,
        updatedAt: previous?.updatedAt ?? now,
        firstTs: previous?.firstTs ?? this.seqTimes.get(alert.firstSeq) ?? this.engine.lastTs,
      };
      this.alertRows.set(alert.id, row);
      this.changedAlerts.set(alert.id, row);
    }
  }

  private takeChangedAlerts(): AlertRow[] {
    if (this.changedAlerts.size === 0) return [];
    const rows = [...this.changedAlerts.values()];
    this.changedAlerts.clear();
    return rows;
  }
}
