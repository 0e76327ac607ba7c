// A recorded session replayed through the live engine path: messages read from the file with SessionReader
// (read-only) are handed to a CoreRuntime — the live core's own code (account counters, engine state, rules,
// alerts, publisher) — through its message-source seam `applyBatch`, exactly as the live feed client does.
// Synchronous and timer-free: the review runtime (in the core worker) paces it; tests and the bench drive it directly.
// A seek forward fast-applies up to the target; a seek backward resets state and rules and fast-applies from the
// start, so the state after a seek is exactly the state of playing up to there.
import { PROTOCOL_VERSION, type SequencedMessage } from '../../shared/protocol';
import type { ReplayState, SessionSummary } from '../../shared/api/methods/sessions';
import type { RulesConfig } from '../../shared/rules/config';
import { silentLog, type LogFn } from '../core/log';
import type { CoreEvent } from '../core/messages';
import { CoreRuntime } from '../core/runtime';
import type { EngineState } from '../engine/state';
import { defaultRulesConfig } from '../rules/loadRules';
import type { SessionMeta } from '../store/sessionFormat';
import { SessionDamageError, SessionReader, type DamagedRange } from '../store/sessionReader';

export type ReplayMark = ReplayState['marks'][number];

export interface ReplaySessionOptions {
  /** Effective rules (default: the shipped rules file). */
  rules?: RulesConfig;
  /** Where the core runtime's topic updates go once it is started (default: nowhere). */
  sink?: (event: CoreEvent) => void;
  log?: LogFn;
}

/** Messages read from the file at a time. */
const READ_CHUNK = 4096;
/** Most alert marks carried by the replay state (the timeline cannot show more anyway). */
export const MAX_MARKS = 2000;

/** Most gaps a session summary lists. */
const MAX_SUMMARY_GAPS = 100;

export function summaryOf(meta: SessionMeta, bytes: number, live = false): SessionSummary {
  const missingMessages = meta.gaps.reduce((n, gap) => n + (gap.toSeq - gap.fromSeq + 1), 0);
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
    gaps: meta.gaps.slice(0, MAX_SUMMARY_GAPS).map(({ fromSeq, toSeq, reason }) => ({ fromSeq, toSeq, reason })),
    missingMessages,
  };
}

export class ReplaySession {
  readonly reader: SessionReader;
  readonly meta: SessionMeta;
  /** The live core's runtime without a feed: this session is its message source. */
  readonly runtime: CoreRuntime;
  /** Last applied seq (0 = nothing applied yet) and its source ts. */
  positionSeq = 0;
  positionTs = 0;
  /** Read-ahead of parsed messages after positionSeq. */
  private buffer: SequencedMessage[] = [];
  private bufferIndex = 0;
  /** Timeline marks by alert id: alerts are deterministic, so a mark seen once stays true after a backward seek. */
  private readonly markById = new Map<string, ReplayMark>();
  /** Messages applied since open (including re-applied ones after backward seeks). */
  appliedTotal = 0;
  /** Damaged seq ranges met so far (read past from then on). */
  private readonly damaged: DamagedRange[] = [];

  private constructor(reader: SessionReader, options: ReplaySessionOptions) {
    this.reader = reader;
    this.meta = reader.meta;
    this.runtime = new CoreRuntime(
      { rules: options.rules ?? defaultRulesConfig(), alertTimes: 'session' },
      options.sink ?? (() => {}),
      options.log ?? silentLog,
    );
    this.hello();
  }

  /** Opens `file` read-only. Throws SessionFileError for a missing or bad file. */
  static open(file: string, options: ReplaySessionOptions = {}): ReplaySession {
    const reader = SessionReader.open(file);
    try {
      return new ReplaySession(reader, options);
    } catch (error) {
      reader.close();
      throw error;
    }
  }

  get state(): EngineState {
    return this.runtime.engine;
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

  /** Back to before the first message: the runtime forgets the session (state, rules, counters, alerts). */
  reset(): void {
    this.runtime.resetSession();
    this.hello();
    this.positionSeq = 0;
    this.positionTs = 0;
    this.buffer = [];
    this.bufferIndex = 0;
  }

  /** Timeline marks known so far (alerts raised up to the furthest point played), by seq, capped at MAX_MARKS. */
  marks(): ReplayMark[] {
    for (const alert of this.runtime.alerts()) {
      const mark = this.markById.get(alert.id);
      if (mark) mark.severity = alert.severity;
      else {
        this.markById.set(alert.id, {
          seq: alert.firstSeq,
          ts: alert.firstTs,
          rule: alert.rule,
          severity: alert.severity,
          alertId: alert.id,
        });
      }
    }
    return [...this.markById.values()].sort((a, b) => a.seq - b.seq).slice(0, MAX_MARKS);
  }

  close(): void {
    this.reader.close();
  }

  /** The file's identity as the feed's hello would give it: the rules take the trading day from it. */
  private hello(): void {
    if (!/^[0-9]{8}$/.test(this.meta.tradingDay)) return; // unknown (an import without hello): rules derive it
    this.runtime.onHello({
      type: 'hello',
      ts: this.meta.firstTs ?? 0,
      protocol: PROTOCOL_VERSION,
      nextSeq: this.meta.firstSeq ?? 1,
      sessionId: this.meta.sessionId,
      tradingDay: this.meta.tradingDay,
      source: this.meta.source,
    });
  }

  /**
   * The next message, up to the session's end as it was opened: a file still being recorded grows under the reader,
   * and messages past `lastSeq` would carry the position past the end the review shows.
   */
  private peek(): SequencedMessage | undefined {
    if (this.bufferIndex >= this.buffer.length) {
      // Reading stops at the end the session had when it was opened (a live recording grows on behind it).
      const lastSeq = this.lastSeq;
      const read = this.readAfterDamage(this.positionSeq + 1);
      const past = read.findIndex((message) => message.seq > lastSeq);
      this.buffer = past < 0 ? read : read.slice(0, past);
      this.bufferIndex = 0;
    }
    return this.buffer[this.bufferIndex];
  }

  /**
   * Reads on from `seq`. The first read into a damaged part of the file throws (SessionDamageError: the replay stops
   * before it and the operator is told); the part is remembered, and later reads go past it as past a gap.
   */
  private readAfterDamage(seq: number): SequencedMessage[] {
    let from = seq;
    for (const range of this.damaged) {
      if (from >= range.fromSeq && (range.toSeq === null || from <= range.toSeq)) {
        if (range.toSeq === null) return [];
        from = range.toSeq + 1;
      }
    }
    try {
      return this.reader.readMessages(from, READ_CHUNK);
    } catch (error) {
      const hit = error instanceof SessionDamageError ? error.hit : null;
      if (hit && !this.damaged.some((d) => d.fromSeq === hit.fromSeq)) {
        this.damaged.push(hit);
        this.damaged.sort((a, b) => a.fromSeq - b.fromSeq);
      }
      throw error;
    }
  }

  private applyWhile(max: number, toSeq: number, toTs: number): number {
    const runtime = this.runtime;
    let applied = 0;
    while (applied < max) {
      if (this.bufferIndex >= this.buffer.length && this.peek() === undefined) break;
      const buffer = this.buffer;
      const start = this.bufferIndex;
      const end = Math.min(buffer.length, start + (max - applied));
      let i = start;
      while (i < end && buffer[i]!.seq <= toSeq && buffer[i]!.ts <= toTs) i++;
      const count = i - start;
      if (count > 0) {
        runtime.applyBatch(start === 0 && i === buffer.length ? buffer : buffer.slice(start, i));
        const last = buffer[i - 1]!;
        this.positionSeq = last.seq;
        this.positionTs = last.ts;
        this.bufferIndex = i;
        applied += count;
      }
      if (i < end || count === 0) break; // stopped by the seq/ts bound
    }
    this.appliedTotal += applied;
    return applied;
  }
}
