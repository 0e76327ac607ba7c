// The view engine against a brute-force reference: random rows, random upserts (new rows, live rows mutated in place,
// replaced objects), removals, spec and range changes; after each flush a window model built only from the frames
// must hold exactly the reference's range, total and totals. Seeded: a failure names its seed and step.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../main/simulator/random';
import type { PositionRow, AccountRow } from '../../shared/domain/types';
import { columnFilterMatches, matchesFilters, matchesSearch, normaliseSearch } from '../../shared/views/filter';
import { fieldValue, VIEW_SOURCE_DESCRIPTORS, viewRowKey } from '../../shared/views/sources';
import {
  GROUP_COUNT_FIELD,
  GROUP_FIELD,
  GROUP_KEY_FIELD,
  MAX_VIEW_RANGE,
  isGroupRow,
  type NUMBER_FILTER_TYPES,
  type TEXT_FILTER_TYPES,
  type ColumnFilter,
  type GroupRow,
  type ViewFrame,
  type ViewRange,
  type ViewSourceName,
  type ViewSpec,
} from '../../shared/views/spec';
import { groupKey, ViewError, ViewTable } from '../../shared/views/viewTable';

type Row = Record<string, unknown>;
type TextFilterType = (typeof TEXT_FILTER_TYPES)[number];
type NumberFilterType = (typeof NUMBER_FILTER_TYPES)[number];

// ---------------------------------------------------------------- reference

function missing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** Values by value; null/undefined/NaN are not compared here (the caller puts them last in either direction). */
function comparePresent(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b) || 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Expected {
  keys: string[];
  rows: Row[];
  totals: Record<string, number>;
}

/** A source's optional bucket count in the totals (`<bucket>: n`), read loosely so the test holds with or without it. */
function countByOf(source: ViewSourceName): ((row: unknown) => string) | undefined {
  return (VIEW_SOURCE_DESCRIPTORS[source] as { countBy?: (row: unknown) => string }).countBy;
}

function sumFinite(source: ViewSourceName, rows: readonly Row[]): Record<string, number> {
  const totals: Record<string, number> = { __count: rows.length };
  const countBy = countByOf(source);
  for (const field of VIEW_SOURCE_DESCRIPTORS[source].totalFields) {
    totals[field] = 0;
    for (const row of rows) {
      const value = row[field];
      if (typeof value === 'number' && Number.isFinite(value)) totals[field] += value;
    }
  }
  if (countBy) for (const row of rows) totals[countBy(row)] = (totals[countBy(row)] ?? 0) + 1;
  return totals;
}

/** The whole view, brute force: filter → search → sort (missing last, ties by arrival) → optional grouping. */
function reference(
  source: ViewSourceName,
  rows: ReadonlyMap<string, Row>,
  serials: ReadonlyMap<string, number>,
  spec: ViewSpec,
): Expected {
  const descriptor = VIEW_SOURCE_DESCRIPTORS[source];
  const search = normaliseSearch(spec.search);
  const sort = spec.sort ?? [];
  const members: { key: string; row: Row; serial: number; values: unknown[] }[] = [];
  for (const [key, row] of rows) {
    if (spec.filter && !matchesFilters(row, spec.filter)) continue;
    if (search && !matchesSearch(row, descriptor.searchFields, search)) continue;
    members.push({ key, row, serial: serials.get(key) as number, values: sort.map((c) => fieldValue(row, c.colId)) });
  }
  members.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const x = a.values[i];
      const y = b.values[i];
      const mx = missing(x);
      const my = missing(y);
      if (mx || my) {
        if (mx && my) continue;
        return mx ? 1 : -1;
      }
      const c = comparePresent(x, y);
      if (c !== 0) return sort[i]?.sort === 'desc' ? -c : c;
    }
    return a.serial - b.serial;
  });
  const totals = sumFinite(
    source,
    members.map((m) => m.row),
  );
  if (spec.groupBy === undefined) return { keys: members.map((m) => m.key), rows: members.map((m) => m.row), totals };

  const field = spec.groupBy;
  const groups = new Map<string, typeof members>();
  for (const member of members) {
    const value = fieldValue(member.row, field);
    const name = value === null || value === undefined ? '' : String(value);
    const list = groups.get(name);
    if (list) list.push(member);
    else groups.set(name, [member]);
  }
  const groupRows = [...groups].map(([name, list]) => ({
    row: {
      [GROUP_FIELD]: field,
      [GROUP_KEY_FIELD]: `group:${field}:${name}`,
      [GROUP_COUNT_FIELD]: list.length,
      [field]: name,
      ...sumFinite(
        source,
        list.map((m) => m.row),
      ),
    } as Row,
    list,
  }));
  const first = sort[0];
  const byTotal =
    first !== undefined && (descriptor.totalFields.includes(first.colId) || first.colId === GROUP_COUNT_FIELD);
  const orderField = byTotal ? (first as { colId: string }).colId : field;
  const descending = first?.sort === 'desc' && (byTotal || first.colId === field);
  groupRows.sort((a, b) => {
    const c = compareValuesOrMissing(a.row[orderField], b.row[orderField]);
    if (c !== 0) return descending ? -c : c;
    return compareValuesOrMissing(a.row[GROUP_KEY_FIELD], b.row[GROUP_KEY_FIELD]);
  });
  const expanded = new Set(spec.expanded ?? []);
  const keys: string[] = [];
  const out: Row[] = [];
  for (const group of groupRows) {
    keys.push(group.row[GROUP_KEY_FIELD] as string);
    out.push(group.row);
    if (!expanded.has(group.row[GROUP_KEY_FIELD] as string)) continue;
    for (const member of group.list) {
      keys.push(member.key);
      out.push(member.row);
    }
  }
  return { keys, rows: out, totals };
}

function compareValuesOrMissing(a: unknown, b: unknown): number {
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  return comparePresent(a, b);
}

function clamp(range: ViewRange): ViewRange {
  const start = Math.max(0, range.start);
  return { start, end: Math.max(start, Math.min(range.end, start + MAX_VIEW_RANGE)) };
}

// ---------------------------------------------------------------- the window: what it holds, built from frames only

class WindowModel {
  start = 0;
  keys: string[] = [];
  rows = new Map<string, Row>();
  total = 0;
  totals: Record<string, number> = {};
  version = 0;

  constructor(
    readonly source: ViewSourceName,
    readonly viewId: string,
  ) {}

  apply(frame: ViewFrame): void {
    // Plain checks, not `expect`: this runs for every row of every frame of a few thousand steps.
    check(
      frame.viewId === this.viewId && frame.source === this.source,
      () => `frame of ${frame.viewId} to ${this.viewId}`,
    );
    check(frame.version >= this.version, () => `version went back from ${this.version} to ${frame.version}`);
    this.version = frame.version;
    if (frame.keys) {
      const keys = frame.keys;
      check(frame.rows.length === keys.length, () => `${frame.rows.length} rows for ${keys.length} keys`);
      this.keys = keys;
      this.rows = new Map();
      frame.rows.forEach((row, i) => {
        check(viewRowKey(this.source, row) === keys[i], () => `row ${i} is not ${keys[i]}`);
        // A copy: the table keeps live rows that the core mutates in place; a window only has what was sent.
        this.rows.set(keys[i] as string, { ...(row as Row) });
      });
      this.start = frame.start;
    } else {
      check(frame.start === this.start, () => `a partial frame at ${frame.start} for a range at ${this.start}`);
      for (const row of frame.rows) {
        const key = viewRowKey(this.source, row);
        check(this.rows.has(key), () => `partial frame row ${key} is not in the range`);
        this.rows.set(key, { ...(row as Row) });
      }
    }
    this.total = frame.total;
    this.totals = frame.totals;
  }
}

function check(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}

function sameRow(a: Row | undefined, b: Row): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((key) => Object.is(a[key], b[key]));
}

/** The window holds exactly the reference's range (checked cheaply; `expect` only to report a difference). */
function expectWindow(window: WindowModel, expected: Expected, range: ViewRange, where: string): void {
  const { start, end } = clamp(range);
  const keys = expected.keys.slice(start, end);
  check(window.start === start, () => `${where}: start ${window.start}, expected ${start}`);
  check(
    window.total === expected.keys.length,
    () => `${where}: total ${window.total}, expected ${expected.keys.length}`,
  );
  if (!sameRow(window.totals, expected.totals)) expect(window.totals, `${where}: totals`).toEqual(expected.totals);
  if (window.keys.length !== keys.length || window.keys.some((key, i) => key !== keys[i])) {
    expect(window.keys, `${where}: range keys`).toEqual(keys);
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const row = expected.rows[start + i] as Row;
    if (!sameRow(window.rows.get(key), row)) expect(window.rows.get(key), `${where}: row ${key}`).toEqual({ ...row });
  }
}

// ---------------------------------------------------------------- random data

const GROUPS = ['Retail', 'Corporate', 'VIP', 'retail-2', null];
const NAMES = ['Zhang Wei', 'Li Na', 'Wang Fang', 'Liu Yang', 'Chen Jing', 'Zhao Lei', 'HUANG Min'];

function account(rng: Rng, id: number): AccountRow {
  const margin = rng.range(0, 50) * 1000;
  // Integer money keeps sums exact in any order; a few non-finite and missing values exercise totals and null-last.
  const equity = rng.chance(0.03) ? Infinity : rng.chance(0.03) ? NaN : rng.range(-10, 200) * 1000;
  const riskDegree = rng.chance(0.04)
    ? Infinity
    : rng.chance(0.04)
      ? (null as unknown as number)
      : rng.chance(0.03)
        ? NaN
        : rng.range(0, 12) / 10;
  return {
    accountId: `ACC${String(id).padStart(6, '0')}`,
    name: `${rng.pick(NAMES)} ${rng.int(100)}`,
    controlGroup: rng.pick(GROUPS),
    preBalance: rng.range(0, 100) * 1000,
    cash: 0,
    closePnl: rng.range(-50, 50) * 10,
    positionPnl: rng.range(-50, 50) * 10,
    commission: rng.range(0, 20),
    equity,
    margin,
    available: rng.range(-10, 100) * 100,
    riskDegree,
    workingOrders: rng.int(4),
    tradesToday: rng.int(12),
    limitShare: 0,
    limitInstrument: null,
  };
}

/** Changes a few fields: the sort value (moves a row across the range), a filter field (in/out of the view). */
function changeAccount(rng: Rng, row: AccountRow): Partial<AccountRow> {
  const fresh = account(rng, 0);
  const change: Partial<AccountRow> = {};
  const fields = ['riskDegree', 'equity', 'tradesToday', 'controlGroup', 'name', 'margin', 'workingOrders'] as const;
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const field = rng.pick(fields);
    (change as Row)[field] = fresh[field];
  }
  if (rng.chance(0.3)) change.tradesToday = row.tradesToday + 1; // a small move: nearly sorted
  return change;
}

const ACCOUNT_FILTERS: Record<string, ColumnFilter>[] = [
  {},
  { tradesToday: { filterType: 'number', type: 'greaterThan', filter: 5 } },
  { riskDegree: { filterType: 'number', type: 'inRange', filter: 0.2, filterTo: 0.9 } },
  { controlGroup: { filterType: 'text', type: 'notBlank' } },
  { controlGroup: { filterType: 'text', type: 'startsWith', filter: 'RETAIL' } },
  {
    name: {
      filterType: 'text',
      operator: 'OR',
      conditions: [
        { filterType: 'text', type: 'contains', filter: 'li' },
        { filterType: 'text', type: 'endsWith', filter: '7' },
      ],
    },
    workingOrders: { filterType: 'number', type: 'lessThanOrEqual', filter: 2 },
  },
  {
    equity: {
      filterType: 'number',
      operator: 'AND',
      conditions: [
        { filterType: 'number', type: 'greaterThanOrEqual', filter: 0 },
        { filterType: 'number', type: 'notEqual', filter: 100_000 },
      ],
    },
  },
];
const SORT_FIELDS = ['riskDegree', 'equity', 'tradesToday', 'name', 'controlGroup', 'accountId', 'margin'];
const SEARCHES = ['', 'acc0001', 'LI ', 'vip', 'zhang', '  wang f'];

function randomSpec(rng: Rng, rows: ReadonlyMap<string, Row>): ViewSpec {
  const spec: ViewSpec = {};
  const sortCount = rng.pick([0, 1, 1, 1, 2, 3]);
  if (sortCount > 0) {
    spec.sort = Array.from({ length: sortCount }, () => ({
      colId: rng.pick(SORT_FIELDS),
      sort: rng.chance(0.5) ? ('asc' as const) : ('desc' as const),
    }));
  }
  const filter = rng.pick(ACCOUNT_FILTERS);
  if (Object.keys(filter).length > 0) spec.filter = filter;
  if (rng.chance(0.3)) spec.search = rng.pick(SEARCHES);
  if (rng.chance(0.2)) {
    spec.groupBy = 'controlGroup';
    if (rng.chance(0.5))
      spec.sort = [{ colId: rng.pick(['__count', 'equity', 'controlGroup', 'riskDegree']), sort: 'desc' }];
    const values = new Set([...rows.values()].map((row) => String(row.controlGroup ?? '')));
    spec.expanded = [...values].filter(() => rng.chance(0.5)).map((value) => groupKey('controlGroup', value));
  }
  return spec;
}

function randomRange(rng: Rng, total: number): ViewRange {
  if (rng.chance(0.03)) return { start: 0, end: MAX_VIEW_RANGE + 500 }; // clamped
  const start = rng.chance(0.3) ? 0 : rng.int(total + 20);
  return { start, end: start + rng.range(0, 60) };
}

// ---------------------------------------------------------------- the property run

interface OpenView {
  id: string;
  spec: ViewSpec;
  range: ViewRange;
  window: WindowModel;
}

/** The table under test and the reference's own account of its rows (and their arrival), changed together. */
class Floor {
  readonly rows = new Map<string, Row>();
  readonly serials = new Map<string, number>();
  private serial = 0;
  nextId = 1;

  constructor(readonly table: ViewTable<AccountRow>) {}

  upsert(row: AccountRow): void {
    if (!this.serials.has(row.accountId)) this.serials.set(row.accountId, this.serial++);
    this.rows.set(row.accountId, row as unknown as Row);
    this.table.upsert(row);
  }

  remove(key: string): void {
    this.rows.delete(key);
    this.serials.delete(key);
    this.table.remove(key);
  }

  clear(): void {
    this.table.clear();
    this.rows.clear();
    this.serials.clear();
  }

  expected(spec: ViewSpec): Expected {
    return reference('accounts', this.rows, this.serials, spec);
  }
}

function propertyRun(
  seed: number,
  steps: number,
  initialRows: number,
  viewCount: number,
  partialSortMinRows?: number,
): void {
  const rng = new Rng(seed);
  let clock = 1_000_000;
  // Each flush is due: the clock moves past any re-sort wait between flushes (and stands still during a sort).
  const table = new ViewTable<AccountRow>('accounts', { now: () => clock, partialSortMinRows });
  const floor = new Floor(table);
  const rows = floor.rows;
  const upsert = (row: AccountRow): void => floor.upsert(row);
  for (let i = 0; i < initialRows; i++) upsert(account(rng, floor.nextId++));
  table.flush();

  const views: OpenView[] = [];
  const openView = (): void => {
    const spec = randomSpec(rng, rows);
    const range = randomRange(rng, rows.size);
    const frame = table.open(spec, range);
    const view = { id: frame.viewId, spec, range, window: new WindowModel('accounts', frame.viewId) };
    view.window.apply(frame);
    views.push(view);
  };
  for (let i = 0; i < viewCount; i++) openView();

  let step = 0;
  try {
    for (step = 0; step < steps; step++) {
      const keys = [...rows.keys()];
      const operations = 1 + rng.int(12);
      for (let i = 0; i < operations; i++) {
        const roll = rng.next();
        if (roll < 0.1 || keys.length === 0) upsert(account(rng, floor.nextId++));
        else if (roll < 0.17) {
          const key = keys.splice(rng.int(keys.length), 1)[0] as string;
          if (rows.has(key)) floor.remove(key);
        } else {
          const key = rng.pick(keys);
          const row = rows.get(key) as unknown as AccountRow | undefined;
          if (!row) continue;
          const change = changeAccount(rng, row);
          // The core mutates its live row and upserts it again; other producers send a new object.
          if (rng.chance(0.5)) upsert(Object.assign(row, change));
          else upsert({ ...row, ...change });
        }
      }
      if (rng.chance(0.004)) {
        // A removed row coming back (same key, new arrival).
        const back = account(rng, 1 + rng.int(floor.nextId));
        if (!rows.has(back.accountId)) upsert(back);
      }
      const view = rng.pick(views);
      const roll = rng.next();
      if (roll < 0.05) {
        view.spec = randomSpec(rng, rows);
        view.window.apply(table.update(view.id, view.spec, undefined));
      } else if (roll < 0.15) {
        view.range = randomRange(rng, view.window.total);
        view.window.apply(table.update(view.id, undefined, view.range));
      } else if (roll < 0.17) {
        expect(table.close(view.id)).toBe(true);
        views.splice(views.indexOf(view), 1);
        openView();
      }
      if (step === Math.floor(steps / 2)) {
        // A new session: the table forgets every row and the views start again from what arrives.
        floor.clear();
        for (let i = 0; i < initialRows; i++) upsert(account(rng, floor.nextId++));
      }

      clock += 1_000;
      for (const frame of table.flush()) {
        const target = views.find((v) => v.id === frame.viewId);
        expect(target, `frame for an open view (${frame.viewId})`).toBeDefined();
        target?.window.apply(frame);
      }
      for (const open of views) {
        const expected = floor.expected(open.spec);
        expectWindow(open.window, expected, open.range, `view ${open.id} ${JSON.stringify(open.spec)}`);
        if (rng.chance(0.05)) {
          const start = rng.int(expected.keys.length + 5);
          const length = rng.chance(0.1) ? MAX_VIEW_RANGE * 2 : rng.range(1, 200);
          const block = table.rows(open.id, { start, end: start + length });
          expect(block.start).toBe(start);
          expect(block.keys).toEqual(expected.keys.slice(start, start + Math.min(length, MAX_VIEW_RANGE)));
          expect(block.total).toBe(expected.keys.length);
          expect(block.version).toBe(open.window.version);
          expect(block.rows.map((row) => viewRowKey('accounts', row))).toEqual(block.keys);
        }
      }
    }
  } catch (error) {
    throw new Error(`seed ${seed} step ${step}: ${(error as Error).message}`, { cause: error });
  }
}

describe('view engine against a brute-force reference', () => {
  it('keeps every window exact through random upserts, removals, spec and range changes (2k rows)', () => {
    propertyRun(20261207, 250, 2_000, 2);
  });

  it('keeps every window exact on small tables, where ranges cover much of the view (300 rows)', () => {
    for (const seed of [7, 1234567]) propertyRun(seed, 1_000, 300, 3);
  });

  it('keeps every window exact when large views sort only as deep as windows read (partial sort)', () => {
    // The partial-sort size lowered to 200 rows: views sort 20+ rows deep, and windows reading deeper ranges, rows
    // blocks and positions of keys make them sort the rest.
    for (const seed of [99, 31337]) propertyRun(seed, 400, 1_500, 3, 200);
  });
});

describe('re-sort cadence', () => {
  it('sends rows on screen their new values every flush and never leaves a removed row visible', () => {
    const seed = 424242;
    const rng = new Rng(seed);
    let clock = 0;
    const table = new ViewTable<AccountRow>('accounts', { now: () => clock, minReorderMs: 500 });
    const floor = new Floor(table);
    const rows = floor.rows;
    const upsert = (row: AccountRow): void => floor.upsert(row);
    for (let i = 0; i < 400; i++) upsert(account(rng, floor.nextId++));
    const specs: ViewSpec[] = [
      { sort: [{ colId: 'riskDegree', sort: 'desc' }] },
      {
        sort: [{ colId: 'equity', sort: 'asc' }],
        filter: { tradesToday: { filterType: 'number', type: 'greaterThan', filter: 5 } },
      },
      { filter: { controlGroup: { filterType: 'text', type: 'notBlank' } } },
    ];
    const views = specs.map((spec, i) => {
      const range = { start: i * 10, end: i * 10 + 80 };
      const frame = table.open(spec, range);
      const window = new WindowModel('accounts', frame.viewId);
      window.apply(frame);
      return { id: frame.viewId, spec, range, window };
    });
    let step = 0;
    try {
      for (step = 0; step < 600; step++) {
        // Mostly rows on screen: the case the cadence must not delay.
        for (let i = 0; i < 1 + rng.int(6); i++) {
          const view = rng.pick(views);
          const onScreen = view.window.keys.filter((key) => rows.has(key));
          const key = onScreen.length > 0 && rng.chance(0.7) ? rng.pick(onScreen) : rng.pick([...rows.keys()]);
          const row = rows.get(key) as unknown as AccountRow;
          if (rng.chance(0.1)) floor.remove(key);
          else if (rng.chance(0.5)) upsert(Object.assign(row, changeAccount(rng, row)));
          else upsert({ ...row, ...changeAccount(rng, row) });
        }
        if (rng.chance(0.1)) upsert(account(rng, floor.nextId++));
        const due = step % 10 === 9;
        clock += due ? 1_000 : 20;
        for (const frame of table.flush()) views.find((v) => v.id === frame.viewId)?.window.apply(frame);
        for (const view of views) {
          const where = `view ${view.id} ${JSON.stringify(view.spec)}`;
          for (const key of view.window.keys) {
            const current = rows.get(key);
            check(current !== undefined, () => `${where}: removed row ${key} is still on screen`);
            check(sameRow(view.window.rows.get(key), current as Row), () => `${where}: row ${key} on screen is stale`);
          }
          const block = table.rows(view.id, { start: 0, end: MAX_VIEW_RANGE });
          for (const key of block.keys) check(rows.has(key), () => `${where}: removed row ${key} in a rows block`);
          if (due) expectWindow(view.window, floor.expected(view.spec), view.range, where);
        }
      }
    } catch (error) {
      throw new Error(`seed ${seed} step ${step}: ${(error as Error).message}`, { cause: error });
    }
  });

  it('does not re-sort before the wait, then does', () => {
    let clock = 0;
    const table = new ViewTable<AccountRow>('accounts', { now: () => clock, minReorderMs: 500 });
    const rng = new Rng(3);
    const rows = Array.from({ length: 5 }, (_, i) => ({ ...account(rng, i + 1), riskDegree: i / 10 }));
    for (const row of rows) table.upsert(row);
    const opened = table.open({ sort: [{ colId: 'riskDegree', sort: 'desc' }] }, { start: 0, end: 3 });
    expect(opened.keys).toEqual(['ACC000005', 'ACC000004', 'ACC000003']);
    table.flush(); // the rows upserted before the view opened
    const first = rows[0] as AccountRow;
    first.riskDegree = 2; // live row mutated: now the riskiest
    table.upsert(first);
    clock += 100;
    expect(table.flush()).toEqual([]); // not on screen, re-sort not yet due: nothing to send
    const screen = rows[3] as AccountRow;
    screen.tradesToday += 1;
    table.upsert(screen);
    clock += 100;
    const [valueOnly] = table.flush();
    expect(valueOnly?.keys).toBeUndefined();
    expect(valueOnly?.rows).toEqual([{ ...screen }]);
    clock += 400;
    const [moved] = table.flush();
    expect(moved?.keys).toEqual(['ACC000001', 'ACC000005', 'ACC000004']);
  });

  it('takes a row that left the view off the screen when it is removed, before the wait', () => {
    let clock = 0;
    const table = new ViewTable<AccountRow>('accounts', { now: () => clock, minReorderMs: 500 });
    const rng = new Rng(5);
    const rows = Array.from({ length: 6 }, (_, i) => ({ ...account(rng, i + 1), tradesToday: 10 + i }));
    for (const row of rows) table.upsert(row);
    const spec: ViewSpec = { filter: { tradesToday: { filterType: 'number', type: 'greaterThan', filter: 5 } } };
    const window = new WindowModel('accounts', 'w');
    window.apply(table.open(spec, { start: 0, end: 4 }, 'w'));
    table.flush();
    clock += 100;
    const leaving = rows[1] as AccountRow;
    leaving.tradesToday = 0; // leaves the filter; the re-sort that takes it out waits
    table.upsert(leaving);
    for (const frame of table.flush()) window.apply(frame);
    clock += 10;
    table.remove(leaving.accountId);
    for (const frame of table.flush()) window.apply(frame);
    expect(window.keys).not.toContain(leaving.accountId);
    expect(table.rows('w', { start: 0, end: 10 }).keys).not.toContain(leaving.accountId);
    expect(window.keys).toEqual(['ACC000001', 'ACC000003', 'ACC000004', 'ACC000005']);
  });
});

function position(
  accountId: string,
  instrumentId: string,
  exchange: string,
  fields: Partial<PositionRow>,
): PositionRow {
  return {
    key: `${accountId}|${instrumentId}`,
    accountId,
    instrumentId,
    exchange: exchange as PositionRow['exchange'],
    longQty: 0,
    longAvgPrice: 0,
    shortQty: 0,
    shortAvgPrice: 0,
    mark: 0,
    positionPnl: 0,
    closePnl: 0,
    margin: 0,
    ...fields,
  };
}

function positionsTable(): ViewTable<PositionRow> {
  const table = new ViewTable<PositionRow>('positions', { now: () => 0 });
  table.upsert(position('A1', 'cu2601', 'SHFE', { longQty: 2, margin: 100, positionPnl: 10 }));
  table.upsert(position('A1', 'cu2602', 'SHFE', { longQty: 1, margin: 50, positionPnl: -5 }));
  table.upsert(position('A2', 'rb2601', 'SHFE', { shortQty: 3, margin: 30, positionPnl: Infinity }));
  table.upsert(position('A2', 'IF2601', 'CFFEX', { longQty: 1, margin: 900, positionPnl: 7 }));
  table.upsert(position('A3', 'm2605', 'DCE', { shortQty: 4, margin: 40, positionPnl: NaN }));
  table.flush();
  return table;
}

describe('group rows', () => {
  it('groups by a derived field with counts and finite subtotals, lists expanded groups, orders by a total', () => {
    const table = positionsTable();
    const frame = table.open({ groupBy: 'product', expanded: ['group:product:cu'] }, { start: 0, end: 50 });
    expect(frame.keys).toEqual([
      'group:product:IF',
      'group:product:cu',
      'A1|cu2601',
      'A1|cu2602',
      'group:product:m',
      'group:product:rb',
    ]);
    expect(frame.total).toBe(6);
    const cu = frame.rows[1] as GroupRow;
    expect(isGroupRow(cu)).toBe(true);
    expect(cu).toEqual({
      __group: 'product',
      __key: 'group:product:cu',
      __count: 2,
      product: 'cu',
      longQty: 3,
      shortQty: 0,
      positionPnl: 5,
      closePnl: 0,
      margin: 150,
    });
    // Infinity and NaN are left out of sums (a group of only those sums to 0), in group rows and in the footer.
    expect((frame.rows[5] as GroupRow).positionPnl).toBe(0);
    expect(frame.totals).toEqual({ __count: 5, longQty: 4, shortQty: 7, positionPnl: 12, closePnl: 0, margin: 1120 });

    const byMargin = table.update(
      frame.viewId,
      { groupBy: 'exchange', sort: [{ colId: 'margin', sort: 'desc' }] },
      undefined,
    );
    expect(byMargin.keys).toEqual(['group:exchange:CFFEX', 'group:exchange:SHFE', 'group:exchange:DCE']);
    const byCount = table.update(
      frame.viewId,
      { groupBy: 'exchange', sort: [{ colId: '__count', sort: 'desc' }] },
      undefined,
    );
    expect(byCount.keys).toEqual(['group:exchange:SHFE', 'group:exchange:CFFEX', 'group:exchange:DCE']);
    expect(byCount.rows.map((row) => (row as GroupRow).__count)).toEqual([3, 1, 1]);

    // A member's change reaches its group row's subtotal at the next flush.
    table.upsert(position('A2', 'IF2601', 'CFFEX', { longQty: 1, margin: 10, positionPnl: 7 }));
    const [after] = table.flush();
    expect(after?.keys).toEqual(['group:exchange:SHFE', 'group:exchange:CFFEX', 'group:exchange:DCE']);
    expect((after?.rows[1] as GroupRow).margin).toBe(10);
    expect(after?.totals.margin).toBe(230);
  });

  it('refuses a group field the source does not offer, on open and on update', () => {
    const table = positionsTable();
    expect(() => table.open({ groupBy: 'margin' }, { start: 0, end: 10 })).toThrow(ViewError);
    const { viewId } = table.open({}, { start: 0, end: 10 });
    expect(() => table.update(viewId, { groupBy: 'longQty' }, undefined)).toThrow(
      /positions cannot be grouped by longQty/,
    );
    expect(table.viewCount).toBe(1);
  });
});

describe('requests', () => {
  it('answers an unknown or closed view id with a ViewError', () => {
    const table = positionsTable();
    expect(() => table.update('positions-99', undefined, { start: 0, end: 5 })).toThrow(ViewError);
    expect(() => table.rows('nope', { start: 0, end: 5 })).toThrow(ViewError);
    const { viewId } = table.open({}, { start: 0, end: 5 });
    expect(table.close(viewId)).toBe(true);
    expect(table.close(viewId)).toBe(false);
    expect(() => table.rows(viewId, { start: 0, end: 5 })).toThrow(/unknown view/);
    expect(table.flush()).toEqual([]);
  });

  it('clamps a range and a block to MAX_VIEW_RANGE rows', () => {
    const table = new ViewTable<AccountRow>('accounts', { now: () => 0 });
    const rng = new Rng(11);
    for (let i = 1; i <= MAX_VIEW_RANGE + 300; i++) table.upsert(account(rng, i));
    const frame = table.open({}, { start: 10, end: 50_000 });
    expect(frame.start).toBe(10);
    expect(frame.keys).toHaveLength(MAX_VIEW_RANGE);
    expect(frame.keys?.[0]).toBe('ACC000011');
    expect(frame.total).toBe(MAX_VIEW_RANGE + 300);
    const block = table.rows(frame.viewId, { start: 500, end: 5_000 });
    expect(block.keys).toHaveLength(800); // to the end of the view
    expect(block.keys[0]).toBe('ACC000501');
    expect(block.rows).toHaveLength(800);
    const past = table.rows(frame.viewId, { start: 9_000, end: 9_010 });
    expect(past.keys).toEqual([]);
    expect(past.total).toBe(MAX_VIEW_RANGE + 300);
  });
});

describe('filters and quick search', () => {
  const table = new ViewTable<AccountRow>('accounts', { now: () => 0 });
  const rng = new Rng(17);
  const base = account(rng, 0);
  const rows: AccountRow[] = [
    { ...base, accountId: 'ACC1', name: 'Zhang Wei', controlGroup: 'Retail', tradesToday: 3, riskDegree: 0.5 },
    { ...base, accountId: 'ACC2', name: 'Li Na', controlGroup: null, tradesToday: 8, riskDegree: Infinity },
    { ...base, accountId: 'ACC3', name: 'WANG fang', controlGroup: 'VIP', tradesToday: 10, riskDegree: NaN },
    { ...base, accountId: 'ACC4', name: 'li ming', controlGroup: '', tradesToday: 0, riskDegree: 0.9 },
  ];
  for (const row of rows) table.upsert(row);
  const ids = (spec: ViewSpec): string[] | undefined => table.open(spec, { start: 0, end: 10 }).keys;
  const text = (type: TextFilterType, filter?: string): ViewSpec => ({
    filter: { name: { filterType: 'text', type, filter } },
  });

  it('applies AG Grid text conditions case-insensitively', () => {
    expect(ids(text('contains', 'LI'))).toEqual(['ACC2', 'ACC4']);
    expect(ids(text('notContains', 'li'))).toEqual(['ACC1', 'ACC3']);
    expect(ids(text('equals', 'wang FANG'))).toEqual(['ACC3']);
    expect(ids(text('notEqual', 'li na'))).toEqual(['ACC1', 'ACC3', 'ACC4']);
    expect(ids(text('startsWith', 'zh'))).toEqual(['ACC1']);
    expect(ids(text('endsWith', 'NG'))).toEqual(['ACC3', 'ACC4']);
    const group = (type: 'blank' | 'notBlank'): ViewSpec => ({
      filter: { controlGroup: { filterType: 'text', type } },
    });
    expect(ids(group('blank'))).toEqual(['ACC2', 'ACC4']);
    expect(ids(group('notBlank'))).toEqual(['ACC1', 'ACC3']);
  });

  it('applies AG Grid number conditions (inRange exclusive, NaN only blank, an empty condition filters nothing)', () => {
    const number = (type: NumberFilterType, filter?: number | null, filterTo?: number): ViewSpec => ({
      filter: { tradesToday: { filterType: 'number', type, filter, ...(filterTo === undefined ? {} : { filterTo }) } },
    });
    expect(ids(number('equals', 8))).toEqual(['ACC2']);
    expect(ids(number('notEqual', 8))).toEqual(['ACC1', 'ACC3', 'ACC4']);
    expect(ids(number('lessThan', 3))).toEqual(['ACC4']);
    expect(ids(number('lessThanOrEqual', 3))).toEqual(['ACC1', 'ACC4']);
    expect(ids(number('greaterThan', 8))).toEqual(['ACC3']);
    expect(ids(number('greaterThanOrEqual', 8))).toEqual(['ACC2', 'ACC3']);
    expect(ids(number('inRange', 3, 10))).toEqual(['ACC2']);
    expect(ids(number('inRange', 10, 3))).toEqual(['ACC2']);
    expect(ids(number('greaterThan', null))).toEqual(['ACC1', 'ACC2', 'ACC3', 'ACC4']);
    const risk = (type: 'blank' | 'notBlank' | 'greaterThan', filter?: number): ViewSpec => ({
      filter: { riskDegree: { filterType: 'number', type, filter } },
    });
    expect(ids(risk('blank'))).toEqual(['ACC3']);
    expect(ids(risk('notBlank'))).toEqual(['ACC1', 'ACC2', 'ACC4']);
    expect(ids(risk('greaterThan', 0.8))).toEqual(['ACC2', 'ACC4']);
  });

  it('joins conditions with AND / OR and columns with AND', () => {
    const both: ColumnFilter = {
      filterType: 'number',
      operator: 'AND',
      conditions: [
        { filterType: 'number', type: 'greaterThan', filter: 0 },
        { filterType: 'number', type: 'lessThan', filter: 10 },
      ],
    };
    const either: ColumnFilter = {
      filterType: 'text',
      operator: 'OR',
      conditions: [
        { filterType: 'text', type: 'startsWith', filter: 'li' },
        { filterType: 'text', type: 'equals', filter: 'zhang wei' },
      ],
    };
    expect(ids({ filter: { tradesToday: both } })).toEqual(['ACC1', 'ACC2']);
    expect(ids({ filter: { name: either } })).toEqual(['ACC1', 'ACC2', 'ACC4']);
    expect(ids({ filter: { name: either, tradesToday: both } })).toEqual(['ACC1', 'ACC2']);
    expect(columnFilterMatches(5, both)).toBe(true);
    expect(columnFilterMatches(10, both)).toBe(false);
  });

  it('quick-searches every search field, case-insensitively and trimmed, with the filters', () => {
    expect(ids({ search: '  LI ' })).toEqual(['ACC2', 'ACC4']);
    expect(ids({ search: 'acc3' })).toEqual(['ACC3']);
    expect(ids({ search: 'vip' })).toEqual(['ACC3']); // controlGroup
    expect(
      ids({ search: 'retail', filter: { tradesToday: { filterType: 'number', type: 'greaterThan', filter: 5 } } }),
    ).toEqual([]);
    expect(ids({ search: '' })).toEqual(['ACC1', 'ACC2', 'ACC3', 'ACC4']);
  });

  it('sorts missing values last in both directions and breaks ties by arrival', () => {
    expect(ids({ sort: [{ colId: 'riskDegree', sort: 'desc' }] })).toEqual(['ACC2', 'ACC4', 'ACC1', 'ACC3']);
    expect(ids({ sort: [{ colId: 'riskDegree', sort: 'asc' }] })).toEqual(['ACC1', 'ACC4', 'ACC2', 'ACC3']);
    expect(ids({ sort: [{ colId: 'preBalance', sort: 'desc' }] })).toEqual(['ACC1', 'ACC2', 'ACC3', 'ACC4']);
  });
});

describe('flush cost is structural: only what a window shows is sent', () => {
  function sortedTable() {
    const table = new ViewTable<AccountRow>('accounts', { now: () => 0 });
    const rng = new Rng(23);
    const rows = Array.from({ length: 500 }, (_, i) => ({
      ...account(rng, i + 1),
      riskDegree: i / 500,
      tradesToday: i % 10,
    }));
    for (const row of rows) table.upsert(row);
    const spec: ViewSpec = {
      sort: [{ colId: 'riskDegree', sort: 'desc' }],
      filter: { tradesToday: { filterType: 'number', type: 'lessThan', filter: 5 } },
    };
    const frame = table.open(spec, { start: 0, end: 20 });
    table.flush();
    return { table, rows, frame };
  }

  it('sends no rows for value changes outside the range, and only the changed rows inside it', () => {
    const { table, rows, frame } = sortedTable();
    const outside = rows.slice(0, 100).filter((row) => row.tradesToday < 5 && !frame.keys?.includes(row.accountId));
    for (const row of outside) {
      row.margin += 1000; // a total field: the footer follows, the range does not
      table.upsert(row);
    }
    const [footer] = table.flush();
    expect(footer?.keys).toBeUndefined();
    expect(footer?.rows).toEqual([]);
    expect(footer?.totals.margin).toBe((frame.totals.margin as number) + 1000 * outside.length);
    const shown = table.get(frame.keys?.[3] as string) as AccountRow;
    shown.workingOrders += 1;
    table.upsert(shown);
    table.upsert({ ...(outside[0] as AccountRow), name: 'renamed' });
    const [inside] = table.flush();
    expect(inside?.keys).toBeUndefined();
    expect(inside?.rows.map((row) => viewRowKey('accounts', row))).toEqual([shown.accountId]);
  });

  it('sends no frame at all when no row of the view changed', () => {
    const { table, rows } = sortedTable();
    for (const row of rows.filter((r) => r.tradesToday >= 5)) {
      row.riskDegree = 5; // would top the sort, but the rows are filtered out
      table.upsert(row);
    }
    table.remove('ACC999999'); // not a row
    expect(table.flush()).toEqual([]);
    expect(table.flush()).toEqual([]);
  });
});
