// What each view source is: how its rows are keyed, which fields quick search reads, which fields the footer and
// group rows sum, and which fields rows may be grouped by. One table for the engine (core) and the windows.
import type { AlertRow } from '../api/methods/alerts';
import type { AccountRow, MarketRow, PositionRow } from '../domain/types';
import { riskBand } from '../domain/risk';
import { GROUP_KEY_FIELD, isGroupRow, type ViewSourceName } from './spec';

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
  /** Numeric fields summed in the footer and in group rows. */
  totalFields: readonly string[];
  /** Fields a view may group by (derived ones are computed by `fieldValue`). */
  groupFields: readonly string[];
  /** Buckets counted in the totals as `<bucket>: n` (the accounts' risk bands for the window's band summary). */
  countBy?: (row: unknown) => string;
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
    countBy: (row) => `band:${riskBand((row as AccountRow).riskDegree)}`,
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
    searchFields: ['id', 'rule', 'subjectId', 'instrumentId', 'exchange', 'message', 'assignee'],
    totalFields: ['count'],
    groupFields: ['rule', 'severity', 'state', 'subjectId', 'exchange', 'assignee'],
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

/** The key of a view row: a group row's own key, else the source's key field. */
export function viewRowKey(source: ViewSourceName, row: unknown): string {
  if (isGroupRow(row)) return row[GROUP_KEY_FIELD] as string;
  return String((row as Record<string, unknown>)[VIEW_SOURCE_DESCRIPTORS[source].keyField]);
}
