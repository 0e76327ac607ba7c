// Surveillance alert contract (issue 5). An alert is one rule × client × contract (or scope) × trading day, updated
// as its counts grow; these plain rows are what the engine emits, `surveil` prints and the app shows.
import type { Exchange } from '../protocol/schema';
import type { RuleId } from './catalogue';
import type { Severity } from './severityLevels';

// The rule ids come from the rule catalogue (one entry per rule).
export { RULE_IDS, type RuleId } from './catalogue';
export { SEVERITIES, type Severity } from './severityLevels';

/** An actual-control group (实际控制关系账户组) is one client; otherwise the account is. */
export type SubjectType = 'account' | 'group';

/** Most evidence seq numbers an alert keeps (the first ones). */
export const MAX_EVIDENCE = 200;

export interface Alert {
  /**
   * Stable and deterministic: `${tradingDay}:${rule}:${subjectId}:${instrumentId}`; order_burst (per exchange) ends
   * in the exchange instead, margin_call (per account) has no last part.
   */
  id: string;
  rule: RuleId;
  subjectType: SubjectType;
  subjectId: string;
  /** Accounts whose activity made the alert, sorted. */
  accountIds: string[];
  /** The contract; null for account-wide rules (margin_call). */
  instrumentId: string | null;
  exchange: Exchange | null;
  severity: Severity;
  /** 0–100: how strongly the evidence matches the rule. */
  score: number;
  /** seq of the first and the latest message that counted. */
  firstSeq: number;
  lastSeq: number;
  /**
   * How many times the rule's event happened (self-trades, cancels, occasions, episodes, closes marked, margin-call
   * crossings); for position_limit the peak one-side lots held, compared with `threshold` (the limit).
   */
  count: number | null;
  /** The configured threshold the count or value is compared with (where one applies), else null. */
  threshold: number | null;
  tradingDay: string;
  /** One sentence naming the numbers, English. */
  message: string;
  /** The same sentence in Chinese. */
  messageZh: string;
  /** seq numbers of the messages that made the alert (the first MAX_EVIDENCE). */
  evidence: number[];
  /** Rule-specific figures behind the score (e.g. share, priceMoveTicks, riskDegree). */
  metrics: Record<string, number>;
}

export type AlertEventKind = 'created' | 'updated';

export interface AlertEvent {
  kind: AlertEventKind;
  /** A snapshot: the engine never mutates it after handing it out. */
  alert: Alert;
}

/** Deterministic order for listings: by firstSeq, then id. */
export function compareAlerts(a: Alert, b: Alert): number {
  if (a.firstSeq !== b.firstSeq) return a.firstSeq - b.firstSeq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
