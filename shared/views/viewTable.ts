// The view engine: one table of keyed rows and the views windows hold on it. Sorting, filtering, quick search,
// grouping with subtotals, footer totals and the range of rows on screen are computed here, where the data is; a
// window gets only its range. Pure TypeScript: the core runs it on the engine's live rows, the main side on the
// alert queue.
//
// Cost: a flush looks at each changed row once per view. A view re-sorts only when a changed row's sort value or
// membership moved, no more often than ten times the last sort's cost (≤ 3 s), so a 100k-row view sorted by a live
// figure spends at most a tenth of its time sorting while rows on screen still update every flush. A large view
// sorts only as deep as its window reads (quickselect, then the head): the rest is sorted when a window reads it.
// Each row's sort value is read once per sort and kept on its entry, per view: no per-row wrappers, sets or maps
// are made for a re-sort.
import { matchesFilters, matchesSearch, normaliseSearch } from './filter';
import { fieldValue, sortValueReader, VIEW_SOURCE_DESCRIPTORS } from './sources';
import {
  GROUP_COUNT_FIELD,
  GROUP_FIELD,
  GROUP_KEY_FIELD,
  MAX_VIEW_RANGE,
  type GroupRow,
  type ViewBlock,
  type ViewFrame,
  type ViewRange,
  type ViewSourceName,
  type ViewSpec,
} from './spec';

interface Entry<R> {
  readonly kind: 'row';
  readonly key: string;
  row: R;
  /** Arrival order: the natural order of an unsorted view. */
  readonly serial: number;
  /** Changed since the last flush (listed once in the table's change list). */
  changed: boolean;
  /** Removed from the table (its key may come back as a new entry). */
  removed: boolean;
  /** Stamp of the last pass that listed this entry (a reorder's "seen", without a set of 10^5 keys). */
  seen: number;
  /** Each view's primary sort value of this row when it last sorted, by the view's slot (tells whether a row moved). */
  sortedValues: unknown[];
}

interface GroupSlot {
  readonly kind: 'group';
  readonly key: string;
  readonly row: GroupRow;
}

/** What is in a view's order: a source row (its entry itself: no wrapper per row), or a group row. */
type Slot<R> = Entry<R> | GroupSlot;

export interface ViewTableOptions {
  /** Time source for the re-sort cadence (tests pass their own). */
  now?: () => number;
  /** Shortest wait between two re-sorts of a view, ms, whatever its cost (default 0). */
  minReorderMs?: number;
  /**
   * A view of at least this many rows sorts only as deep as its window reads (default 20,000; tests lower it to
   * exercise partial sorting on small tables).
   */
  partialSortMinRows?: number;
}

/** Re-sorting waits at least this multiple of the last sort's cost (a view spends at most a tenth of its host's time). */
const REORDER_COST_FACTOR = 10;
/**
 * ...and at most this long: a 10^5-row view sorted by a live figure re-sorts every 1–3 s, while the rows on screen
 * update every flush. Capping at 1 s let such a view take most of the core from the feed.
 */
const MAX_REORDER_WAIT_MS = 3_000;

export class ViewError extends Error {}

export class ViewTable<R extends object> {
  private readonly entries = new Map<string, Entry<R>>();
  private readonly views = new Map<string, LiveView<R>>();
  private changed: Entry<R>[] = [];
  private removedKeys: string[] = [];
  private serial = 0;
  private nextViewId = 1;
  /** Slots of open views in entries' `sortedValues` (a closed view's slot is given to the next one). */
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  /** Stamps passes over the entries (see Entry.seen). */
  private passStamp = 0;
  private sourceTs = 0;
  readonly now: () => number;
  readonly minReorderMs: number;
  readonly partialSortMinRows: number;
  private readonly keyField: string;

  constructor(
    readonly source: ViewSourceName,
    options: ViewTableOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.minReorderMs = options.minReorderMs ?? 0;
    this.partialSortMinRows = options.partialSortMinRows ?? PARTIAL_SORT_MIN_ROWS;
    this.keyField = VIEW_SOURCE_DESCRIPTORS[source].keyField;
  }

  get size(): number {
    return this.entries.size;
  }

  get viewCount(): number {
    return this.views.size;
  }

  keyOf(row: R): string {
    return String((row as Record<string, unknown>)[this.keyField]);
  }

  /** A new or changed row (the table keeps the reference: a live row mutated in place is upserted again). */
  upsert(row: R, sourceTs = 0): void {
    const key = this.keyOf(row);
    let entry = this.entries.get(key);
    if (entry) entry.row = row;
    else {
      entry = {
        kind: 'row',
        key,
        row,
        serial: this.serial++,
        changed: false,
        removed: false,
        seen: 0,
        sortedValues: [],
      };
      this.entries.set(key, entry);
    }
    if (!entry.changed) {
      entry.changed = true;
      this.changed.push(entry);
    }
    if (sourceTs > this.sourceTs) this.sourceTs = sourceTs;
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    entry.removed = true;
    entry.changed = false; // dropped from the change list at the next flush
    this.removedKeys.push(key);
  }

  /** A new stamp for one pass over the entries. */
  nextPass(): number {
    return ++this.passStamp;
  }

  /** Forgets every row (a new session): every view recomputes on the next flush. */
  clear(): void {
    this.entries.clear();
    this.changed = [];
    this.removedKeys = [];
    for (const view of this.views.values()) view.invalidate();
  }

  get(key: string): R | undefined {
    return this.entries.get(key)?.row;
  }

  /** Opens a view; `allowed` (the caller's account scope) bounds it for its whole life, whatever its spec says. */
  open(spec: ViewSpec, range: ViewRange, viewId?: string, allowed?: (row: R) => boolean): ViewFrame<R> {
    const id = viewId ?? `${this.source}-${this.nextViewId++}`;
    const view = new LiveView(this, id, this.freeSlots.pop() ?? this.slotCount++, spec, range, allowed ?? null);
    this.views.set(id, view);
    return view.fullFrame(this.entries.values(), this.sourceTs);
  }

  /** Changes a view's spec and/or range; answers with its whole range. */
  update(viewId: string, spec: ViewSpec | undefined, range: ViewRange | undefined): ViewFrame<R> {
    const view = this.view(viewId);
    if (spec) view.setSpec(spec);
    if (range) view.setRange(range);
    return view.fullFrame(this.entries.values(), this.sourceTs);
  }

  /** A block of rows of the view as it stands (without changing what it keeps current). */
  rows(viewId: string, range: ViewRange): ViewBlock<R> {
    return this.view(viewId).block(range);
  }

  /** Position of `key` in the view as it stands (-1: not in it). */
  indexOf(viewId: string, key: string): number {
    return this.view(viewId).indexOf(key);
  }

  close(viewId: string): boolean {
    const view = this.views.get(viewId);
    if (!view) return false;
    this.views.delete(viewId);
    this.freeSlots.push(view.slot);
    return true;
  }

  has(viewId: string): boolean {
    return this.views.has(viewId);
  }

  /** Applies the rows changed since the last flush to every view; returns the frames to send. */
  flush(): ViewFrame<R>[] {
    const changed: Entry<R>[] = [];
    for (const entry of this.changed) {
      if (!entry.changed) continue; // removed since it changed
      entry.changed = false;
      changed.push(entry);
    }
    const removed = this.removedKeys;
    this.changed = [];
    this.removedKeys = [];
    const frames: ViewFrame<R>[] = [];
    for (const view of this.views.values()) {
      const frame = view.apply(changed, removed, this.entries, this.sourceTs);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  private view(viewId: string): LiveView<R> {
    const view = this.views.get(viewId);
    if (!view) throw new ViewError(`unknown view ${JSON.stringify(viewId.slice(0, 64))} (it was closed)`);
    return view;
  }
}

function clampRange(range: ViewRange): ViewRange {
  const start = Math.max(0, Math.floor(range.start));
  const end = Math.max(start, Math.min(Math.floor(range.end), start + MAX_VIEW_RANGE));
  return { start, end };
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** Orders two values: numbers and strings by value, null/undefined/NaN always last. */
function compareValues(a: unknown, b: unknown): number {
  const aMissing = isMissing(a);
  const bMissing = isMissing(b);
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  const x = String(a);
  const y = String(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Below this many members a view sorts all of them (ViewTableOptions.partialSortMinRows). */
const PARTIAL_SORT_MIN_ROWS = 20_000;

/**
 * How deep a view of `rows` members sorts for a window reading down to `rangeEnd`: twice as deep as it reads, and a
 * tenth of the partial-sort size at least (a scroll of a few pages needs no further sort).
 */
function sortDepth(rangeEnd: number, rows: number, minRows: number): number {
  if (rows < minRows) return rows;
  const depth = Math.max(Math.ceil(minRows / 10), 2 * rangeEnd);
  return depth * 4 >= rows ? rows : depth;
}

/**
 * Puts the `depth` first items of `items` (in `compare` order, a total order) in its first places, sorted; the rest
 * follow unsorted. Quickselect finds the boundary in O(n), then only the head is sorted: O(n + depth log depth).
 */
export function sortFirst<T>(items: T[], depth: number, compare: (a: T, b: T) => number): void {
  const n = items.length;
  if (depth >= n) {
    items.sort(compare);
    return;
  }
  if (depth <= 0) return;
  // Hoare quickselect with a median-of-three pivot: afterwards items[0..depth) ≤ items[depth..n).
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = items[lo] as T;
    const b = items[mid] as T;
    const c = items[hi] as T;
    const pivot =
      compare(a, b) < 0
        ? compare(b, c) < 0
          ? b
          : compare(a, c) < 0
            ? c
            : a
        : compare(a, c) < 0
          ? a
          : compare(b, c) < 0
            ? c
            : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (compare(items[i] as T, pivot) < 0) i++;
      while (compare(items[j] as T, pivot) > 0) j--;
      if (i <= j) {
        const swap = items[i] as T;
        items[i] = items[j] as T;
        items[j] = swap;
        i++;
        j--;
      }
    }
    if (depth <= j) hi = j;
    else if (depth >= i) lo = i;
    else break;
  }
  const head = items.slice(0, depth).sort(compare);
  for (let k = 0; k < depth; k++) items[k] = head[k] as T;
}

/** One sort key's order of two values: `compareValues`, reversed for a descending key except for missing values. */
function directed(x: unknown, y: unknown, desc: boolean): number {
  if (typeof x === 'number' && typeof y === 'number' && x === x && y === y) {
    // Both real numbers (the common case of a live figure): no missing-value checks.
    if (x === y) return 0;
    return x < y !== desc ? -1 : 1;
  }
  const c = compareValues(x, y);
  // Missing values stay last in a descending sort too: "highest risk first" lists real figures first.
  return c !== 0 && desc && !isMissing(x) && !isMissing(y) ? -c : c;
}

class LiveView<R extends object> {
  private spec!: ViewSpec;
  private range: ViewRange;
  private search = '';
  /** The view's sort columns, then the source's tie-break, each with how it reads a row's value. */
  private sortKeys: { read: (row: unknown) => unknown; desc: boolean }[] = [];
  private members = new Set<string>();
  /** Rows that left the view and are still listed in the order until it is made again. */
  private leavers = new Set<string>();
  private order: Slot<R>[] = [];
  /** How many leading slots of `order` are in their final order (the rest: members not yet sorted among them). */
  private sortedDepth = 0;
  private totals: Record<string, number> = {};
  private rangeKeys: string[] = [];
  /** `rangeKeys` as a set, made when first needed after they change. */
  private rangeKeySet: Set<string> | null = null;
  private totalsDue = false;
  private version = 0;
  private stale = true;
  private reorderDue = false;
  private lastReorderAt = Number.NEGATIVE_INFINITY;
  private reorderCostMs = 0;

  constructor(
    private readonly table: ViewTable<R>,
    readonly id: string,
    /** This view's index in each entry's `sortedValues`. */
    readonly slot: number,
    spec: ViewSpec,
    range: ViewRange,
    private readonly allowed: ((row: R) => boolean) | null,
  ) {
    this.range = clampRange(range);
    this.setSpec(spec);
  }

  invalidate(): void {
    this.stale = true;
  }

  setSpec(spec: ViewSpec): void {
    const descriptor = VIEW_SOURCE_DESCRIPTORS[this.table.source];
    if (spec.groupBy !== undefined && !descriptor.groupFields.includes(spec.groupBy)) {
      throw new ViewError(
        `${this.table.source} cannot be grouped by ${spec.groupBy} (one of: ${descriptor.groupFields.join(', ')})`,
      );
    }
    this.spec = spec;
    this.search = normaliseSearch(spec.search);
    this.sortKeys = [...(spec.sort ?? []), ...(descriptor.tieBreak ?? [])].map((column) => ({
      read: sortValueReader(this.table.source, column.colId),
      desc: column.sort === 'desc',
    }));
    this.stale = true;
  }

  setRange(range: ViewRange): void {
    this.range = clampRange(range);
  }

  private matches(row: R): boolean {
    if (this.allowed && !this.allowed(row)) return false;
    if (this.spec.filter && !matchesFilters(row, this.spec.filter)) return false;
    if (this.search) {
      const { searchFields, searchText } = VIEW_SOURCE_DESCRIPTORS[this.table.source];
      if (!matchesSearch(row, searchFields, this.search) && !searchText?.(row).includes(this.search)) return false;
    }
    return true;
  }

  private primarySortValue(row: R): unknown {
    return (this.spec.sort?.length ?? 0) > 0 ? this.sortKeys[0]?.read(row) : undefined;
  }

  /** Compares by every sort key, reading each row's value (the tie-break keys of `compareSorting`). */
  private compareFrom(first: number, a: Entry<R>, b: Entry<R>): number {
    const keys = this.sortKeys;
    for (let k = first; k < keys.length; k++) {
      const key = keys[k] as { read: (row: unknown) => unknown; desc: boolean };
      const c = directed(key.read(a.row), key.read(b.row), key.desc);
      if (c !== 0) return c;
    }
    return a.serial - b.serial;
  }

  /** The sort's comparison: the primary value cached on the entry (read once per sort), then the other keys. */
  private compareSorting = (a: Entry<R>, b: Entry<R>): number => {
    const slot = this.slot;
    const c = directed(a.sortedValues[slot], b.sortedValues[slot], (this.sortKeys[0] as { desc: boolean }).desc);
    return c !== 0 ? c : this.compareFrom(1, a, b);
  };

  /** Recomputes membership, order, groups and totals from every row. */
  private recompute(entries: Iterable<Entry<R>>): void {
    const started = this.table.now();
    const members: Entry<R>[] = [];
    for (const entry of entries) if (this.matches(entry.row)) members.push(entry);
    this.members = new Set(members.map((entry) => entry.key));
    this.arrange(members);
    this.stale = false;
    this.reorderDue = false;
    this.totalsDue = false;
    this.lastReorderAt = this.table.now();
    this.reorderCostMs = this.lastReorderAt - started;
    this.version++;
  }

  /** Sorts `members` (in place) and builds the order, the sort values and the totals. */
  private arrange(members: Entry<R>[]): void {
    const sorted = (this.spec.sort?.length ?? 0) > 0;
    const slot = this.slot;
    if (sorted) {
      // Each row's primary value is read once per sort, not once per comparison.
      const read = (this.sortKeys[0] as { read: (row: unknown) => unknown }).read;
      for (let i = 0; i < members.length; i++) {
        const entry = members[i] as Entry<R>;
        entry.sortedValues[slot] = read(entry.row);
      }
      // A large view sorts only as deep as its window reads; the rest follows when a deeper range is asked for.
      const depth =
        this.spec.groupBy === undefined
          ? sortDepth(this.range.end, members.length, this.table.partialSortMinRows)
          : members.length;
      sortFirst(members, depth, this.compareSorting);
      this.sortedDepth = depth;
    } else {
      members.sort((a, b) => a.serial - b.serial);
      this.sortedDepth = members.length;
    }
    this.leavers.clear();
    this.totals = this.sum(members);
    this.order = this.spec.groupBy === undefined ? members : this.groups(members);
  }

  private sum(members: readonly Entry<R>[]): Record<string, number> {
    const { totalFields: fields, countBy } = VIEW_SOURCE_DESCRIPTORS[this.table.source];
    const sums = new Float64Array(fields.length);
    const counts = new Map<string, number>();
    for (let i = 0; i < members.length; i++) {
      const row = (members[i] as Entry<R>).row as Record<string, unknown>;
      if (countBy) {
        const buckets = countBy(row);
        if (typeof buckets === 'string') counts.set(buckets, (counts.get(buckets) ?? 0) + 1);
        else for (const bucket of buckets) counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      }
      for (let f = 0; f < fields.length; f++) {
        const value = row[fields[f] as string];
        if (typeof value === 'number' && Number.isFinite(value)) sums[f] = (sums[f] as number) + value;
      }
    }
    // How many rows were summed: the footer's row count (a grouped view's total counts its group rows too).
    const totals: Record<string, number> = { [GROUP_COUNT_FIELD]: members.length };
    for (let f = 0; f < fields.length; f++) totals[fields[f] as string] = sums[f] as number;
    for (const [bucket, count] of counts) totals[bucket] = count;
    return totals;
  }

  /** Group rows (in the order of their value, or of a sorted total field) each followed by its listed members. */
  private groups(members: readonly Entry<R>[]): Slot<R>[] {
    const field = this.spec.groupBy as string;
    const byValue = new Map<string, Entry<R>[]>();
    for (const entry of members) {
      const value = fieldValue(entry.row, field);
      const name = value === null || value === undefined ? '' : String(value);
      let list = byValue.get(name);
      if (!list) byValue.set(name, (list = []));
      list.push(entry);
    }
    const expanded = new Set(this.spec.expanded ?? []);
    const groups: { row: GroupRow; members: Entry<R>[] }[] = [];
    for (const [value, list] of byValue) {
      const row: GroupRow = {
        [GROUP_FIELD]: field,
        [GROUP_KEY_FIELD]: groupKey(field, value),
        [GROUP_COUNT_FIELD]: list.length,
        [field]: value,
        ...this.sum(list),
      };
      groups.push({ row, members: list });
    }
    const first = this.spec.sort?.[0];
    const totalFields = VIEW_SOURCE_DESCRIPTORS[this.table.source].totalFields;
    const byTotal = first !== undefined && (totalFields.includes(first.colId) || first.colId === GROUP_COUNT_FIELD);
    groups.sort((a, b) => {
      const c = byTotal
        ? compareValues(a.row[first.colId], b.row[first.colId])
        : compareValues(a.row[field], b.row[field]);
      const directed = first?.sort === 'desc' && (byTotal || first.colId === field) ? -c : c;
      return directed !== 0 ? directed : compareValues(a.row[GROUP_KEY_FIELD], b.row[GROUP_KEY_FIELD]);
    });
    const slots: Slot<R>[] = [];
    for (const group of groups) {
      const key = group.row[GROUP_KEY_FIELD] as string;
      slots.push({ kind: 'group', key, row: group.row });
      if (expanded.has(key)) for (const entry of group.members) slots.push(entry);
    }
    return slots;
  }

  /** Folds changed and removed rows in; returns the frame for the window, or null when its range did not change. */
  apply(
    changed: readonly Entry<R>[],
    removed: readonly string[],
    entries: Map<string, Entry<R>>,
    sourceTs: number,
  ): ViewFrame<R> | null {
    if (this.stale) {
      const before = this.rangeKeys;
      this.recompute(entries.values());
      return this.frameIfMoved(before, sourceTs, true);
    }
    const sorted = (this.spec.sort?.length ?? 0) > 0;
    const grouped = this.spec.groupBy !== undefined;
    let membership = false;
    let membersChanged = false;
    let sortMoved = false;
    for (const key of removed) if (this.members.delete(key) || this.leavers.delete(key)) membership = true;
    const removedMember = membership;
    for (const entry of changed) {
      const isMember = this.matches(entry.row);
      const wasMember = this.members.has(entry.key);
      if (isMember !== wasMember) {
        membership = true;
        if (isMember) {
          this.members.add(entry.key);
          this.leavers.delete(entry.key);
        } else {
          this.members.delete(entry.key);
          this.leavers.add(entry.key);
        }
      } else if (isMember) {
        membersChanged = true;
        if (sorted && compareValues(this.primarySortValue(entry.row), entry.sortedValues[this.slot]) !== 0) {
          sortMoved = true;
        }
      }
    }
    // Secondary sort columns are not tracked per row: any change of a member may move it among its equals. Group
    // rows carry subtotals, so any member's change is a change of the order's rows.
    const multiSort = (this.spec.sort?.length ?? 0) > 1;
    if (membership || sortMoved || (membersChanged && (multiSort || grouped))) this.reorderDue = true;
    if (membership || membersChanged) this.totalsDue = true;
    const wait = Math.max(
      this.table.minReorderMs,
      Math.min(MAX_REORDER_WAIT_MS, this.reorderCostMs * REORDER_COST_FACTOR),
    );
    // A removed row leaves the order at once (a member, or one still listed): the window must not show a row that is gone.
    const due = removedMember || this.table.now() - this.lastReorderAt >= wait;
    if (due && this.reorderDue) {
      this.reorder(entries, membership || sorted || grouped);
      const frame = this.frameIfMoved(this.rangeKeys, sourceTs, false);
      return frame ?? this.changedRowsFrame(changed, sourceTs, true);
    }
    if (due && this.totalsDue) {
      this.totals = this.sum(this.order.filter((slot): slot is Entry<R> => slot.kind === 'row'));
      this.totalsDue = false;
      this.lastReorderAt = this.table.now();
      return this.changedRowsFrame(changed, sourceTs, true);
    }
    return this.changedRowsFrame(changed, sourceTs, false);
  }

  /** Rebuilds the order from the previous one (nearly sorted: cheap to sort again). */
  private reorder(entries: Map<string, Entry<R>>, bumpVersion: boolean): void {
    const started = this.table.now();
    const pass = this.table.nextPass();
    const leavers = this.leavers;
    const kept: Entry<R>[] = [];
    const order = this.order;
    for (let i = 0; i < order.length; i++) {
      const slot = order[i] as Slot<R>;
      if (slot.kind !== 'row') continue;
      // The entry listed may have been removed (and its key upserted again as a new entry): list the current one.
      const entry = slot.removed ? entries.get(slot.key) : slot;
      // Listed rows are members or leavers (removals leave both sets): only leavers need looking up.
      const member = leavers.size === 0 ? slot === entry : this.members.has(slot.key);
      if (entry && entry.seen !== pass && member) {
        kept.push(entry);
        entry.seen = pass;
      }
    }
    // Members listed nowhere in the order yet: new members, and those of collapsed groups.
    if (kept.length < this.members.size) {
      for (const key of this.members) {
        const entry = entries.get(key);
        if (!entry) this.members.delete(key);
        else if (entry.seen !== pass) kept.push(entry);
      }
    }
    this.arrange(kept);
    this.reorderDue = false;
    this.totalsDue = false;
    this.lastReorderAt = this.table.now();
    this.reorderCostMs = this.lastReorderAt - started;
    if (bumpVersion) this.version++;
  }

  /** Sorts the order down to `end` (the rest of it, once a window reads past the depth sorted so far). */
  private sortTo(end: number): void {
    if (end <= this.sortedDepth || this.sortedDepth >= this.order.length) return;
    // Every unsorted member sorts after every sorted one: sorting the tail completes the order.
    const tail = this.order.slice(this.sortedDepth) as Entry<R>[];
    tail.sort(this.compareSorting);
    for (let i = 0; i < tail.length; i++) this.order[this.sortedDepth + i] = tail[i] as Entry<R>;
    this.sortedDepth = this.order.length;
  }

  private keysOf(range: ViewRange): string[] {
    this.sortTo(range.end);
    const keys: string[] = [];
    const end = Math.min(range.end, this.order.length);
    for (let i = range.start; i < end; i++) keys.push(slotKey(this.order[i] as Slot<R>));
    return keys;
  }

  private rowsOf(range: ViewRange): (R | GroupRow)[] {
    this.sortTo(range.end);
    const rows: (R | GroupRow)[] = [];
    const end = Math.min(range.end, this.order.length);
    for (let i = range.start; i < end; i++) rows.push(slotRow(this.order[i] as Slot<R>));
    return rows;
  }

  /** The whole range, when its keys differ from what the window holds (or `always`). */
  private frameIfMoved(before: readonly string[], sourceTs: number, always: boolean): ViewFrame<R> | null {
    const keys = this.keysOf(this.range);
    const moved = always || keys.length !== before.length || keys.some((key, i) => key !== before[i]);
    const groupRowsInRange = this.spec.groupBy !== undefined;
    if (!moved && !groupRowsInRange) return null;
    this.setRangeKeys(keys);
    return this.frame(keys, this.rowsOf(this.range), sourceTs);
  }

  private setRangeKeys(keys: string[]): void {
    this.rangeKeys = keys;
    this.rangeKeySet = null;
  }

  /** The range's changed rows; null when there are none, unless `totalsMoved` (the footer must follow). */
  private changedRowsFrame(changed: readonly Entry<R>[], sourceTs: number, totalsMoved: boolean): ViewFrame<R> | null {
    const rows: R[] = [];
    if (changed.length > 0 && this.rangeKeys.length > 0) {
      const inRange = this.rangeKeySet ?? (this.rangeKeySet = new Set(this.rangeKeys));
      for (const entry of changed) if (inRange.has(entry.key)) rows.push(entry.row);
    }
    if (rows.length === 0 && !totalsMoved) return null;
    return this.frame(undefined, rows, sourceTs);
  }

  private frame(keys: string[] | undefined, rows: (R | GroupRow)[], sourceTs: number): ViewFrame<R> {
    return {
      viewId: this.id,
      source: this.table.source,
      version: this.version,
      total: this.order.length,
      start: this.range.start,
      ...(keys ? { keys } : {}),
      rows,
      totals: { ...this.totals },
      at: this.table.now(),
      sourceTs,
    };
  }

  /** The whole range as it stands now (after a spec or range change). */
  fullFrame(entries: Iterable<Entry<R>>, sourceTs: number): ViewFrame<R> {
    if (this.stale) this.recompute(entries);
    const keys = this.keysOf(this.range);
    this.setRangeKeys(keys);
    return this.frame(keys, this.rowsOf(this.range), sourceTs);
  }

  indexOf(key: string): number {
    this.sortTo(this.order.length);
    for (let i = 0; i < this.order.length; i++) if (slotKey(this.order[i] as Slot<R>) === key) return i;
    return -1;
  }

  block(range: ViewRange): ViewBlock<R> {
    const clamped = clampRange(range);
    return {
      viewId: this.id,
      version: this.version,
      total: this.order.length,
      start: clamped.start,
      keys: this.keysOf(clamped),
      rows: this.rowsOf(clamped),
    };
  }
}

export function groupKey(field: string, value: string): string {
  return `group:${field}:${value}`;
}

function slotKey<R>(slot: Slot<R>): string {
  return slot.key;
}

function slotRow<R>(slot: Slot<R>): R | GroupRow {
  return slot.row;
}
