// Alerts as the rules build them: one mutable record per rule × client × contract (or scope) × trading day. Rules
// bump counters in place (no allocation on the hot path) and `touch` the record; snapshots (Alert rows with their
// sentences) are made only when someone asks: `takeEvents` (the publisher, ≤ 20 Hz) or `alerts` (end of a run).
import type { Exchange } from '../../shared/protocol';
import type { AlertText, AlertTextOf } from '../../shared/rules/catalogue';
import {
  compareAlerts,
  MAX_EVIDENCE,
  type Alert,
  type AlertEvent,
  type RuleId,
  type SubjectType,
} from '../../shared/rules/types';

/** Builds the sentences, severity and score from the record's current figures (the rule's catalogue entry). */
export type AlertRenderer = AlertTextOf;
export type { AlertText };

export class AlertRecord {
  /** Counted occurrences (self-trades, cancels, occasions, episodes…) or the peak value (position lots). */
  count = 0;
  firstSeq = 0;
  lastSeq = 0;
  readonly evidence: number[] = [];
  readonly accountIds: string[] = [];
  /** Rule-specific figures for the text and the app. */
  readonly metrics: Record<string, number> = {};
  /** In the book (raised) — before that it is a tally below the threshold. */
  raised = false;
  /** Changed since the last snapshot handed out. */
  dirty = false;
  /** A `created` event was handed out. */
  announced = false;
  id = '';

  constructor(
    readonly rule: RuleId,
    readonly subjectType: SubjectType,
    readonly subjectId: string,
    public instrumentId: string | null,
    readonly exchange: Exchange | null,
    /** Last part of the id: the contract, the exchange (order_burst), or '' (account-wide). */
    readonly scope: string,
    public threshold: number | null,
    readonly render: AlertRenderer,
  ) {}

  /** Counts one occurrence at `seq` by `accountId`. */
  note(seq: number, accountId: string | null): void {
    if (this.count === 0 || this.firstSeq === 0) this.firstSeq = seq;
    this.count++;
    this.lastSeq = seq;
    if (this.evidence.length < MAX_EVIDENCE) this.evidence.push(seq);
    if (accountId !== null) this.addAccount(accountId);
  }

  addEvidence(seq: number): void {
    if (this.firstSeq === 0 || seq < this.firstSeq) this.firstSeq = seq;
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (this.evidence.length < MAX_EVIDENCE && !this.evidence.includes(seq)) this.evidence.push(seq);
  }

  addAccount(accountId: string): void {
    if (!this.accountIds.includes(accountId)) this.accountIds.push(accountId);
  }
}

export class AlertBook {
  private readonly byId = new Map<string, AlertRecord>();
  private dirty: AlertRecord[] = [];
  tradingDay = '';

  /** Puts a record in the book (first time its rule fires); later changes only need `touch`. */
  raise(record: AlertRecord): void {
    if (record.raised) return this.touch(record);
    record.raised = true;
    const base = `${this.tradingDay}:${record.rule}:${record.subjectId}`;
    record.id = record.scope ? `${base}:${record.scope}` : base;
    const previous = this.byId.get(record.id);
    // A re-raise after a reset of the same day keeps one alert per id: the newer record replaces it.
    if (previous) record.announced = previous.announced;
    this.byId.set(record.id, record);
    this.touch(record);
  }

  /** Marks a raised record changed. O(1). */
  touch(record: AlertRecord): void {
    if (!record.raised || record.dirty) return;
    record.dirty = true;
    this.dirty.push(record);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Created/updated events since the last call, one per alert in its current state, in deterministic order. */
  takeEvents(): AlertEvent[] {
    const changed = this.dirty;
    if (changed.length === 0) return [];
    this.dirty = [];
    const events: AlertEvent[] = [];
    for (const record of changed) {
      record.dirty = false;
      events.push({
        kind: record.announced ? 'updated' : 'created',
        alert: snapshot(record, this.tradingDayOf(record)),
      });
      record.announced = true;
    }
    events.sort((a, b) => compareAlerts(a.alert, b.alert));
    return events;
  }

  /** Every alert in its current state, sorted by firstSeq then id. */
  alerts(): Alert[] {
    const out: Alert[] = [];
    for (const record of this.byId.values()) out.push(snapshot(record, this.tradingDayOf(record)));
    return out.sort(compareAlerts);
  }

  private tradingDayOf(record: AlertRecord): string {
    return record.id.slice(0, record.id.indexOf(':'));
  }
}

function snapshot(record: AlertRecord, tradingDay: string): Alert {
  const text = record.render(record);
  return {
    id: record.id,
    rule: record.rule,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    accountIds: [...record.accountIds].sort(),
    instrumentId: record.instrumentId,
    exchange: record.exchange,
    severity: text.severity,
    score: Math.max(0, Math.min(100, Math.round(text.score))),
    firstSeq: record.firstSeq,
    lastSeq: record.lastSeq,
    count: record.count,
    threshold: record.threshold,
    tradingDay,
    message: text.message,
    messageZh: text.messageZh,
    evidence: [...record.evidence].sort((a, b) => a - b),
    metrics: { ...record.metrics },
  };
}
