// A recorded session replayed through the live engine path: each message goes to the engine state, then the rules
// (`state.apply(m); rules.apply(m)`, the order the live core uses), read from the file with SessionReader (read-only).
// Synchronous and timer-free: the review runtime (in the core worker) paces it; tests and the bench drive it directly.
// A seek forward fast-applies up to the target; a seek backward resets state and rules and fast-applies from the
// start, so the state after a seek is exactly the state of playing up to there.
import type { SequencedMessage } from '../../shared/protocol';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { ReplayState, SessionSummary } from '../../shared/api/methods/sessions';
import type { RulesConfig } from '../../shared/rules/config';
import type { Alert } from '../../shared/rules/types';
import { EngineState } from '../engine/state';
import { RuleEngine } from '../engine/rules/engine';
import { defaultRulesConfig } from '../engine/rules/loadRules';
import type { SessionMeta } from '../store/sessionFormat';
import { SessionReader } from '../store/sessionReader';

export type ReplayMark = ReplayState['marks'][number];

export interface ReplaySessionOptions {
  /** Effective rules (default: the shipped rules file). */
  rules?: RulesConfig;
}

/** Messages read from the file at a time. */
const READ_CHUNK = 4096;
/** Most alert marks carried by the replay state (the timeline cannot show more anyway). */
export const MAX_MARKS = 2000;

export function summaryOf(meta: SessionMeta, bytes: number, live = false): SessionSummary {
  return {
    file: meta.file,
    sessionId: meta.sessionId,
    tradingDay: meta.tradingDay,
    source: meta.source,
    messages: meta.count,
    firstSeq: meta.firstSeq ?? 0,
    lastSeq: meta.lastSeq ?? 0,
    firstTs: meta.firstTs ?? 0,
    lastTs: meta.lastTs ?? 0,
    bytes,
    live,
  };
}

export class ReplaySession {
  readonly reader: SessionReader;
  readonly meta: SessionMeta;
  /** One instance for the whole review (reset, never replaced): the publisher holds it. */
  readonly state = new EngineState();
  private rulesConfig: RulesConfig;
  private ruleEngine: RuleEngine;
  /** Last applied seq (0 = nothing applied yet) and its source ts. */
  positionSeq = 0;
  positionTs = 0;
  /** Read-ahead of parsed messages after positionSeq. */
  private buffer: SequencedMessage[] = [];
  private bufferIndex = 0;
  /** Alerts changed since the last takeAlertChanges (latest state per id), and whether a reset cleared them. */
  private changedAlerts = new Map<string, Alert>();
  private alertsReset = true;
  /** Timeline marks by alert id: alerts are deterministic, so a mark seen once stays true after a backward seek. */
  private readonly markById = new Map<string, ReplayMark>();
  /** Messages applied since open (including re-applied ones after backward seeks). */
  appliedTotal = 0;

  private constructor(reader: SessionReader, rules: RulesConfig) {
    this.reader = reader;
    this.meta = reader.meta;
    this.rulesConfig = rules;
    this.ruleEngine = this.newRules();
  }

  /** Opens `file` read-only. Throws SessionFileError for a missing or bad file. */
  static open(file: string, options: ReplaySessionOptions = {}): ReplaySession {
    const reader = SessionReader.open(file);
    try {
      return new ReplaySession(reader, options.rules ?? defaultRulesConfig());
    } catch (error) {
      reader.close();
      throw error;
    }
  }

  get rules(): RuleEngine {
    return this.ruleEngine;
  }

  get firstSeq(): number {
    return this.meta.firstSeq ?? 0;
  }

  get lastSeq(): number {
    return this.meta.lastSeq ?? 0;
  }

  get atEnd(): boolean {
    return this.peek() === undefined;
  }

  /** Source ts of the next message to apply (undefined at the end). */
  nextTs(): number | undefined {
    return this.peek()?.ts;
  }

  /** Applies up to `count` messages; returns how many were applied. */
  step(count: number): number {
    return this.applyWhile(count, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** Applies messages with seq ≤ toSeq (at most `max`); returns how many. */
  applyToSeq(toSeq: number, max = Number.MAX_SAFE_INTEGER): number {
    return this.applyWhile(max, toSeq, Number.MAX_SAFE_INTEGER);
  }

  /** Applies messages until the next one's source ts is after `ts` (at most `max`); returns how many. */
  applyToTs(ts: number, max = Number.MAX_SAFE_INTEGER): number {
    return this.applyWhile(max, Number.MAX_SAFE_INTEGER, ts);
  }

  /** Moves to just after message `seq` (0 = before the first): forward by applying, backward by replaying. */
  seekSeq(seq: number): void {
    const target = Math.max(0, Math.min(seq, this.lastSeq));
    if (target < this.positionSeq) this.reset();
    this.applyToSeq(target);
  }

  /** Moves to the session's state at source time `ts`: every message with ts ≤ `ts` applied, none after. */
  seekTs(ts: number): void {
    const firstAfter = this.reader.seekByTime(ts + 1);
    this.seekSeq(firstAfter === null ? this.lastSeq : firstAfter - 1);
  }

  /** Back to before the first message: state and rules emptied. */
  reset(): void {
    this.state.reset();
    this.ruleEngine = this.newRules();
    this.positionSeq = 0;
    this.positionTs = 0;
    this.buffer = [];
    this.bufferIndex = 0;
    this.changedAlerts.clear();
    this.alertsReset = true;
  }

  /** Alert rows changed since the last call; `snapshot` when a reset made every earlier row void. */
  takeAlertChanges(): { snapshot: boolean; rows: AlertRow[] } {
    const snapshot = this.alertsReset;
    this.alertsReset = false;
    const alerts = snapshot ? this.ruleEngine.alerts() : [...this.changedAlerts.values()];
    this.changedAlerts.clear();
    return { snapshot, rows: alerts.map((alert) => this.alertRow(alert)) };
  }

  /** Timeline marks known so far, by seq (capped at MAX_MARKS). */
  marks(): ReplayMark[] {
    return [...this.markById.values()].sort((a, b) => a.seq - b.seq).slice(0, MAX_MARKS);
  }

  close(): void {
    this.reader.close();
  }

  private newRules(): RuleEngine {
    return new RuleEngine({
      config: this.rulesConfig,
      view: this.state,
      tradingDay: this.meta.tradingDay || undefined,
    });
  }

  private peek(): SequencedMessage | undefined {
    if (this.bufferIndex >= this.buffer.length) {
      this.buffer = this.reader.readMessages(this.positionSeq + 1, READ_CHUNK);
      this.bufferIndex = 0;
    }
    return this.buffer[this.bufferIndex];
  }

  private applyWhile(max: number, toSeq: number, toTs: number): number {
    const state = this.state;
    let applied = 0;
    while (applied < max) {
      if (this.bufferIndex >= this.buffer.length && this.peek() === undefined) break;
      const buffer = this.buffer;
      const rules = this.ruleEngine;
      const start = this.bufferIndex;
      let i = start;
      const end = Math.min(buffer.length, start + (max - applied));
      for (; i < end; i++) {
        const message = buffer[i]!;
        if (message.seq > toSeq || message.ts > toTs) break;
        state.apply(message);
        rules.apply(message);
      }
      const count = i - start;
      if (count > 0) {
        const last = buffer[i - 1]!;
        this.positionSeq = last.seq;
        this.positionTs = last.ts;
        this.bufferIndex = i;
        applied += count;
        this.collectAlerts(buffer, start, i);
      }
      if (i < end || count === 0) break; // stopped by the seq/ts bound
    }
    this.appliedTotal += applied;
    return applied;
  }

  private collectAlerts(buffer: SequencedMessage[], start: number, end: number): void {
    const events = this.ruleEngine.takeEvents();
    for (const event of events) {
      const alert = event.alert;
      this.changedAlerts.set(alert.id, alert);
      const mark = this.markById.get(alert.id);
      if (mark) {
        mark.severity = alert.severity;
        continue;
      }
      this.markById.set(alert.id, {
        seq: alert.firstSeq,
        ts: this.tsOf(alert.firstSeq, buffer, start, end),
        rule: alert.rule,
        severity: alert.severity,
        alertId: alert.id,
      });
    }
  }

  /** Source ts of a message: from the chunk just applied when it is there, else from the file. */
  private tsOf(seq: number, buffer: SequencedMessage[], start: number, end: number): number {
    const first = buffer[start];
    if (first && seq >= first.seq && seq - first.seq < end - start) {
      const candidate = buffer[start + (seq - first.seq)];
      if (candidate?.seq === seq) return candidate.ts;
    }
    return this.reader.get(seq)?.ts ?? this.positionTs;
  }

  private alertRow(alert: Alert): AlertRow {
    const firstTs = this.markById.get(alert.id)?.ts ?? this.positionTs;
    return {
      ...alert,
      state: 'new',
      assignee: null,
      notes: 0,
      createdAt: firstTs,
      updatedAt: this.positionTs,
      firstTs,
    };
  }
}
