// What each view source is: how its rows are keyed, which fields quick search reads, which fields the footer and
// group rows sum, and which fields rows may be grouped by. One table for the engine (core) and the windows.
import type { AlertRow } from '../api/methods/alerts';
import type { AccountRow, MarketRow, PositionRow } from '../domain/types';
import { riskBand, type RiskBand } from '../domain/risk';
import { thresholdRatio } from '../rules/severity';
import { RULE_NAMES } from '../vocabulary/alerts';
import { exchangeLabel, productName } from '../vocabulary/market';
import { SEVERITIES, type Severity } from '../rules/types';
import { GROUP_KEY_FIELD, isGroupRow, type SortColumn, type ViewSourceName } from './spec';

export interface ViewSourceRows {
  accounts: AccountRow;
  positions: PositionRow;
  market: MarketRow;
  alerts: AlertRow;
}

export interface ViewSourceDescriptor {
  /** The row's key field. */
  keyField: string;
  /** Fields quick search looks in (case-insensitive substring). */
  searchFields: readonly string[];
  /** More text quick search looks in, lower case: the names a window shows for a row's codes. */
  searchText?: (row: unknown) => string;
  /** Numeric fields summed in the footer and in group rows. */
  totalFields: readonly string[];
  /** Fields a view may group by (derived ones are computed by `fieldValue`). */
  groupFields: readonly string[];
  /**
   * Buckets counted in the totals as `<bucket>: n` (the accounts' risk bands for the window's band summary, the
   * alerts by state and severity for the alert counts and the header badge).
   */
  countBy?: (row: unknown) => string | readonly string[];
  /**
   * Sort values of columns whose order is not their field's text: a severity by its rank, a grid column that shows a
   * derived figure (by the grid's column id). Other columns sort by their field.
   */
  sortValues?: Readonly<Record<string, (row: never) => unknown>>;
  /** Order among rows the view's sort finds equal (before arrival order): unsorted views keep arrival order. */
  tieBreak?: readonly SortColumn[];
}

const SEVERITY_RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<
  Severity,
  number
>;

/** An alert's rule, exchange and product as the pane names them, in both languages, lower case (made once per row). */
const alertNames = new WeakMap<object, string>();
function alertSearchText(row: unknown): string {
  const alert = row as AlertRow;
  let text = alertNames.get(alert);
  if (text === undefined) {
    const rule = RULE_NAMES[alert.rule];
    text = [
      rule ? `${rule.en}\n${rule.zh}` : '',
      alert.exchange ? `${exchangeLabel(alert.exchange, 'en')}\n${exchangeLabel(alert.exchange, 'zh-CN')}` : '',
      alert.instrumentId ? `${productName(alert.instrumentId, 'en')}\n${productName(alert.instrumentId, 'zh-CN')}` : '',
    ]
      .join('\n')
      .toLowerCase();
    alertNames.set(alert, text);
  }
  return text;
}

/** The accounts' risk-band buckets, made once (counted per row of a 10^5-row view). */
const RISK_BAND_BUCKETS: Record<RiskBand, string> = {
  normal: 'band:normal',
  watch: 'band:watch',
  warning: 'band:warning',
  call: 'band:call',
  critical: 'band:critical',
};

/** The alert buckets counted in a view's totals: `state:<state>`, `severity:<severity>`, `new:<severity>`. */
function alertBuckets(row: unknown): string[] {
  const alert = row as AlertRow;
  const buckets = [`state:${alert.state}`, `severity:${alert.severity}`];
  if (alert.state === 'new') buckets.push(`new:${alert.severity}`);
  return buckets;
}

export const VIEW_SOURCE_DESCRIPTORS: Record<ViewSourceName, ViewSourceDescriptor> = {
  accounts: {
    keyField: 'accountId',
    searchFields: ['accountId', 'name', 'controlGroup'],
    totalFields: [
      'preBalance',
      'equity',
      'margin',
      'available',
      'positionPnl',
      'closePnl',
      'commission',
      'workingOrders',
      'tradesToday',
    ],
    groupFields: ['controlGroup'],
    countBy: (row) => RISK_BAND_BUCKETS[riskBand((row as AccountRow).riskDegree)],
  },
  positions: {
    keyField: 'key',
    searchFields: ['accountId', 'instrumentId', 'exchange'],
    totalFields: ['longQty', 'shortQty', 'positionPnl', 'closePnl', 'margin'],
    groupFields: ['accountId', 'product', 'exchange', 'instrumentId'],
  },
  market: {
    keyField: 'instrumentId',
    searchFields: ['instrumentId', 'product', 'exchange'],
    totalFields: ['volume', 'openInterest'],
    groupFields: ['exchange', 'product'],
  },
  alerts: {
    keyField: 'id',
    searchFields: [
      'id',
      'rule',
      'subjectId',
      'accountIds',
      'instrumentId',
      'exchange',
      'message',
      'messageZh',
      'assignee',
    ],
    totalFields: ['count'],
    groupFields: ['rule', 'severity', 'state', 'subjectId', 'exchange', 'assignee'],
    searchText: alertSearchText,
    countBy: alertBuckets,
    sortValues: {
      severity: (alert: AlertRow) => SEVERITY_RANK[alert.severity],
      client: (alert: AlertRow) => alert.subjectId,
      contract: (alert: AlertRow) => alert.instrumentId,
      count: (alert: AlertRow) => thresholdRatio(alert),
      // Youngest first when ascending, as the column reads.
      age: (alert: AlertRow) => -alert.createdAt,
    },
    // Among equals, the oldest first (a work queue): a new alert joins the end of its severity, and the rows an
    // operator is working through do not move down under it.
    tieBreak: [{ colId: 'createdAt', sort: 'asc' }],
  },
};

/** The product of a futures or options contract id: its leading letters (cu2601 → cu, SR601 → SR, IO2601-C-4000 → IO). */
export function productOf(instrumentId: string): string {
  const match = /^[A-Za-z]+/.exec(instrumentId);
  return match ? match[0] : instrumentId;
}

/** A row's value of a field, including the derived ones (a position's `product`). */
export function fieldValue(row: unknown, field: string): unknown {
  const record = row as Record<string, unknown>;
  if (field in record) return record[field];
  if (field === 'product' && typeof record.instrumentId === 'string') return productOf(record.instrumentId);
  return undefined;
}

/** How a view of `source` reads a sort column's value from a row. */
export function sortValueReader(source: ViewSourceName, colId: string): (row: unknown) => unknown {
  const derived = VIEW_SOURCE_DESCRIPTORS[source].sortValues?.[colId] as ((row: unknown) => unknown) | undefined;
  return derived ?? ((row) => fieldValue(row, colId));
}

/** The key of a view row: a group row's own key, else the source's key field. */
export function viewRowKey(source: ViewSourceName, row: unknown): string {
  if (isGroupRow(row)) return row[GROUP_KEY_FIELD] as string;
  return String((row as Record<string, unknown>)[VIEW_SOURCE_DESCRIPTORS[source].keyField]);
}
