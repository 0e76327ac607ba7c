// Server-side views: a window never holds a large table. It asks for a *view* of a source (its sort, filter, quick
// search, grouping and the range of rows on screen) and gets those rows, the total count and the footer totals,
// then conflated updates of only those rows. The schemas here are the API contract (views.open/update/rows/close).
import { Type, type Static } from '@sinclair/typebox';

/** Row sources a view can read: the core's engine tables, and the main side's alert queue. */
export const VIEW_SOURCES = ['accounts', 'positions', 'market', 'alerts'] as const;
export type ViewSourceName = (typeof VIEW_SOURCES)[number];
export const ViewSourceSchema = Type.Union(VIEW_SOURCES.map((source) => Type.Literal(source)));

/** Longest range a view keeps current (rows on screen plus a margin) and the longest block `views.rows` returns. */
export const MAX_VIEW_RANGE = 1_000;

const Field = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_]*$' });

export const SortColumnSchema = Type.Object({
  colId: Field,
  sort: Type.Union([Type.Literal('asc'), Type.Literal('desc')]),
});
export type SortColumn = Static<typeof SortColumnSchema>;

export const TEXT_FILTER_TYPES = [
  'contains',
  'notContains',
  'equals',
  'notEqual',
  'startsWith',
  'endsWith',
  'blank',
  'notBlank',
] as const;
export const NUMBER_FILTER_TYPES = [
  'equals',
  'notEqual',
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
  'inRange',
  'blank',
  'notBlank',
] as const;

/** One condition, in AG Grid's simple-filter model shape (what the grid's column filters hand over as they are). */
const TextConditionSchema = Type.Object({
  filterType: Type.Literal('text'),
  type: Type.Union(TEXT_FILTER_TYPES.map((t) => Type.Literal(t))),
  filter: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
});
const NumberConditionSchema = Type.Object({
  filterType: Type.Literal('number'),
  type: Type.Union(NUMBER_FILTER_TYPES.map((t) => Type.Literal(t))),
  filter: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  filterTo: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
});
const ConditionSchema = Type.Union([TextConditionSchema, NumberConditionSchema]);
export type FilterCondition = Static<typeof ConditionSchema>;

/** A column's filter: one condition, or two or more joined by AND/OR (AG Grid's combined model). */
export const ColumnFilterSchema = Type.Union([
  ConditionSchema,
  Type.Object({
    filterType: Type.Union([Type.Literal('text'), Type.Literal('number')]),
    operator: Type.Union([Type.Literal('AND'), Type.Literal('OR')]),
    conditions: Type.Array(ConditionSchema, { minItems: 1, maxItems: 8 }),
  }),
]);
export type ColumnFilter = Static<typeof ColumnFilterSchema>;

export const ViewSpecSchema = Type.Object({
  /** Sort order, first column first. Empty: the source's natural order (arrival). */
  sort: Type.Optional(Type.Array(SortColumnSchema, { maxItems: 4 })),
  /** Column filters by field (any field of the row, shown or not: a window's fixed scope is a filter too). */
  filter: Type.Optional(Type.Record(Field, ColumnFilterSchema)),
  /** Quick search: rows where any of the source's search fields contains this text (case-insensitive). */
  search: Type.Optional(Type.String({ maxLength: 128 })),
  /** Group rows by this field (one of the source's group fields); each group row carries subtotals. */
  groupBy: Type.Optional(Field),
  /** Group keys (`groupKey`) whose member rows are listed under their group row. */
  expanded: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 1_000 })),
});
export type ViewSpec = Static<typeof ViewSpecSchema>;

export const ViewRangeSchema = Type.Object({
  start: Type.Integer({ minimum: 0 }),
  end: Type.Integer({ minimum: 0 }),
});
export type ViewRange = Static<typeof ViewRangeSchema>;

/** Field of a group row that marks it (its value is the grouped field) and the field that holds its key. */
export const GROUP_FIELD = '__group';
export const GROUP_KEY_FIELD = '__key';
export const GROUP_COUNT_FIELD = '__count';

/** A group row: the grouped field's value, the member count, and the source's total fields summed. */
export interface GroupRow {
  __group: string;
  __key: string;
  __count: number;
  [field: string]: unknown;
}

/**
 * What a window gets for its view: on open or change the whole range (`keys` set), afterwards only rows of the
 * range that changed, or the whole range again (`keys` set) when rows moved in, out or within it.
 */
export interface ViewFrame<R = unknown> {
  viewId: string;
  source: ViewSourceName;
  /** Bumped each time the order or the membership changed: rows fetched under an older version may have moved. */
  version: number;
  /** Rows the view has (filtered; with grouping: group rows plus the listed members). */
  total: number;
  /** First row of the range. */
  start: number;
  /** Keys of the rows start… in order, when the range's rows or their order changed (with every row in `rows`). */
  keys?: string[];
  /** Rows of the range: all of them with `keys`, else only those that changed. */
  rows: (R | GroupRow)[];
  /** Sums of the source's total fields over every row of the view (not only the range). */
  totals: Record<string, number>;
  /** Wall-clock time of publication, epoch ms, and the newest source ts folded in (tick-to-screen latency). */
  at: number;
  sourceTs: number;
}

/** A block of a view's rows (`views.rows`), for a grid that scrolls beyond the range it keeps current. */
export interface ViewBlock<R = unknown> {
  viewId: string;
  version: number;
  total: number;
  start: number;
  keys: string[];
  rows: (R | GroupRow)[];
}

export function isGroupRow(row: unknown): row is GroupRow {
  return typeof row === 'object' && row !== null && GROUP_FIELD in row;
}

/**
 * One frame equal to applying `earlier` then `later` (a window that reads slower than frames come gets the merge):
 * a later whole range replaces everything; changed rows merge by key into what waits.
 */
export function mergeViewFrames<R>(earlier: ViewFrame<R>, later: ViewFrame<R>, keyOf: (row: R | GroupRow) => string) {
  if (later.keys) return later;
  const rows = new Map<string, R | GroupRow>();
  for (const row of earlier.rows) rows.set(keyOf(row), row);
  for (const row of later.rows) rows.set(keyOf(row), row);
  const merged: ViewFrame<R> = { ...later, rows: [...rows.values()] };
  if (earlier.keys) {
    merged.keys = earlier.keys;
    merged.start = earlier.start;
  }
  return merged;
}
