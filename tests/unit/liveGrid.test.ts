// The live grid binding: sync grids get each batch at once; batched (async) grids get changes merged by key, in
// transactions of bounded size, each its own task.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PositionRow } from '../../shared/domain/types';
import { bindLiveGrid, type LiveGridApi } from '../../renderer/src/grid/liveGrid';
import { createTopicStore } from '../../renderer/src/stores/topicStore';

const row = (key: string, mark = 1): PositionRow => ({
  key,
  accountId: key,
  instrumentId: 'x',
  exchange: 'SHFE',
  longQty: 1,
  longAvgPrice: 1,
  shortQty: 0,
  shortAvgPrice: 0,
  mark,
  positionPnl: 0,
  closePnl: 0,
  margin: 0,
});

interface Transaction {
  add: PositionRow[];
  update: PositionRow[];
  remove: PositionRow[];
}

interface FakeNode {
  id: string;
  data: PositionRow;
  quickFilterAggregateText: string | null;
}

/** A grid stand-in: nodes by id, the first `onScreen` rows rendered, a sort and a filter that tests switch on. */
function fakeGrid(onScreen = 2, sortedAtStart: string[] = []) {
  const transactions: Transaction[] = [];
  const redrawn: string[][] = [];
  const nodes = new Map<string, FakeNode>();
  const listeners = new Set<(event: unknown) => void>();
  const state = { filtered: false };
  let rowData: PositionRow[] = [];
  const api = {
    isDestroyed: () => false,
    setGridOption: (_name: 'rowData', rows: PositionRow[]) => {
      rowData = rows;
      nodes.clear();
      for (const row of rows) nodes.set(row.key, { id: row.key, data: row, quickFilterAggregateText: 'x' });
    },
    applyTransaction: (t: Transaction) => {
      transactions.push(t);
      for (const row of [...t.add, ...t.update])
        nodes.set(row.key, { id: row.key, data: row, quickFilterAggregateText: null });
      for (const row of t.remove) nodes.delete(row.key);
      return null;
    },
    getRowNode: (id: string) => nodes.get(id),
    getRenderedNodes: () => [...nodes.values()].slice(0, onScreen),
    refreshCells: ({ rowNodes }: { rowNodes: FakeNode[] }) => redrawn.push(rowNodes.map((n) => n.id)),
    isAnyFilterPresent: () => state.filtered,
    addEventListener: (_event: string, listener: (event: unknown) => void) => listeners.add(listener),
    removeEventListener: (_event: string, listener: (event: unknown) => void) => listeners.delete(listener),
    getColumnState: () => sortedAtStart.map((colId) => ({ colId, sort: 'desc' })),
  } as unknown as LiveGridApi<PositionRow>;
  const sortChanged = (sorted: boolean, colId = 'mark') => {
    const column = { getColId: () => colId, getSort: () => (sorted ? 'asc' : undefined) };
    for (const listener of listeners) listener({ columns: [column] });
  };
  return { api, transactions, redrawn, nodes, state, sortChanged, listeners, rowData: () => rowData };
}

const delta = (rows: PositionRow[], removed: string[] = []) => ({
  topic: 'positions' as const,
  snapshot: false,
  rows,
  removed,
  at: 1,
  sourceTs: 1,
});

describe('bindLiveGrid', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads the snapshot, then applies each delta at once (sync)', () => {
    const store = createTopicStore('positions');
    store.apply({ ...delta([row('b'), row('a')]), snapshot: true });
    const grid = fakeGrid();
    const stop = bindLiveGrid(grid.api, store, { snapshotOrder: (x, y) => x.key.localeCompare(y.key) });
    expect(grid.rowData().map((r) => r.key)).toEqual(['a', 'b']);
    store.apply(delta([row('a', 2), row('c')], ['b']));
    expect(grid.transactions).toHaveLength(1);
    expect(grid.transactions[0]!.update.map((r) => r.mark)).toEqual([2]);
    expect(grid.transactions[0]!.add.map((r) => r.key)).toEqual(['c']);
    expect(grid.transactions[0]!.remove.map((r) => r.key)).toEqual(['b']);
    stop();
  });

  it('async: merges changes by key over the batch time and splits them into bounded transactions', () => {
    const store = createTopicStore('positions');
    store.apply({ ...delta(Array.from({ length: 5 }, (_, i) => row(`k${i}`))), snapshot: true });
    const grid = fakeGrid();
    const stop = bindLiveGrid(grid.api, store, { async: true, batchMs: 100, rowsPerTransaction: 2 });
    store.apply(delta([row('k0', 2), row('k1', 2), row('k2', 2)]));
    store.apply(delta([row('k0', 3), row('k9', 3)], ['k4', 'k1']));
    expect(grid.transactions).toHaveLength(0);
    vi.advanceTimersByTime(100);
    // First part: the two oldest changes (k0 at its newest value, k1 now a removal).
    expect(grid.transactions).toHaveLength(1);
    expect(grid.transactions[0]!.update.map((r) => [r.key, r.mark])).toEqual([['k0', 3]]);
    expect(grid.transactions[0]!.remove.map((r) => r.key)).toEqual(['k1']);
    // The rest, one part per task (a zero-delay timer is 1 ms on the fake clock).
    vi.advanceTimersByTime(1);
    expect(grid.transactions).toHaveLength(2);
    vi.advanceTimersByTime(1);
    const rest = grid.transactions.slice(1);
    expect(rest).toHaveLength(2);
    expect(rest.flatMap((t) => t.update.map((r) => r.key))).toEqual(['k2']);
    expect(rest.flatMap((t) => t.add.map((r) => r.key))).toEqual(['k9']);
    expect(rest.flatMap((t) => t.remove.map((r) => r.key))).toEqual(['k4']);
    // Nothing new: no more transactions.
    vi.advanceTimersByTime(1000);
    expect(grid.transactions).toHaveLength(3);
    stop();
  });

  it('in place: unsorted and unfiltered, held rows take their new data and only rows on screen are redrawn', () => {
    const store = createTopicStore('positions');
    store.apply({ ...delta(['a', 'b', 'c', 'd'].map((k) => row(k))), snapshot: true });
    const grid = fakeGrid(2); // a and b on screen
    const stop = bindLiveGrid(grid.api, store, { async: true, batchMs: 10, inPlaceUpdates: true });
    store.apply(delta([row('a', 7), row('d', 7), row('e', 7)]));
    vi.advanceTimersByTime(10);
    expect(grid.nodes.get('a')!.data.mark).toBe(7);
    expect(grid.nodes.get('d')!.data.mark).toBe(7);
    expect(grid.nodes.get('d')!.quickFilterAggregateText).toBeNull();
    expect(grid.redrawn).toEqual([['a']]);
    // Only the new row went through a transaction.
    expect(grid.transactions.map((t) => [t.add.length, t.update.length, t.remove.length])).toEqual([[1, 0, 0]]);

    // Sorted by a column: changes go through transactions again (rows may move).
    grid.sortChanged(true);
    store.apply(delta([row('c', 9)]));
    vi.advanceTimersByTime(10);
    expect(grid.transactions.at(-1)!.update.map((r) => r.key)).toEqual(['c']);
    grid.sortChanged(false);
    grid.state.filtered = true;
    store.apply(delta([row('b', 9)]));
    vi.advanceTimersByTime(10);
    expect(grid.transactions.at(-1)!.update.map((r) => r.key)).toEqual(['b']);
    stop();
    expect(grid.listeners.size).toBe(0);
  });

  it('in place, sync (market watch): each delta at once, held rows in place, new rows and sorted changes by transaction', () => {
    const store = createTopicStore('positions');
    store.apply({ ...delta(['a', 'b', 'c'].map((k) => row(k))), snapshot: true });
    const grid = fakeGrid(2); // a and b on screen
    const stop = bindLiveGrid(grid.api, store, { inPlaceUpdates: true });
    store.apply(delta([row('b', 5), row('c', 5), row('n', 5)], ['a']));
    expect(grid.nodes.get('b')!.data.mark).toBe(5);
    expect(grid.nodes.get('c')!.data.mark).toBe(5);
    expect(grid.redrawn).toEqual([['b']]);
    expect(
      grid.transactions.map((t) => [t.add.map((r) => r.key), t.update.length, t.remove.map((r) => r.key)]),
    ).toEqual([[['n'], 0, ['a']]]);
    grid.sortChanged(true);
    store.apply(delta([row('b', 6)]));
    expect(grid.transactions.at(-1)!.update.map((r) => [r.key, r.mark])).toEqual([['b', 6]]);
    expect(grid.redrawn).toHaveLength(1);
    stop();
  });

  it('in place when the window says a change keeps its place under the current sort (sorted from the start)', () => {
    const store = createTopicStore('positions');
    store.apply({ ...delta(['a', 'b', 'c'].map((k) => row(k))), snapshot: true });
    const grid = fakeGrid(2, ['longQty']); // a and b on screen, sorted by longQty by default
    const asked: string[][] = [];
    const stop = bindLiveGrid(grid.api, store, {
      async: true,
      batchMs: 10,
      // Only a change that leaves the sort key alone, and only while sorted by that key alone.
      inPlaceWhen: (before, after, sortedBy) => {
        asked.push([...sortedBy]);
        return [...sortedBy].every((c) => c === 'longQty') && before.longQty === after.longQty;
      },
    });
    store.apply(delta([row('a', 5), { ...row('b', 5), longQty: 9 }, row('c', 5), row('n', 5)]));
    vi.advanceTimersByTime(10);
    expect(asked[0]).toEqual(['longQty']);
    expect(grid.nodes.get('a')!.data.mark).toBe(5);
    expect(grid.redrawn).toEqual([['a']]); // c changed in place too, off screen
    expect(grid.transactions.map((t) => [t.add.map((r) => r.key), t.update.map((r) => r.key)])).toEqual([
      [['n'], ['b']],
    ]);
    // The operator sorts by another column: the window is asked with that sort and says no.
    grid.sortChanged(true, 'mark');
    store.apply(delta([row('a', 6)]));
    vi.advanceTimersByTime(10);
    expect(asked.at(-1)).toEqual(['longQty', 'mark']);
    expect(grid.transactions.at(-1)!.update.map((r) => [r.key, r.mark])).toEqual([['a', 6]]);
    stop();
    expect(grid.listeners.size).toBe(0);
  });

  it('async: a snapshot drops what waited; unbinding stops the timer', () => {
    const store = createTopicStore('positions');
    const grid = fakeGrid();
    const stop = bindLiveGrid(grid.api, store, { async: true, batchMs: 50 });
    store.apply(delta([row('a')]));
    store.apply({ ...delta([row('z')]), snapshot: true });
    vi.advanceTimersByTime(100);
    expect(grid.transactions).toHaveLength(0);
    expect(grid.rowData().map((r) => r.key)).toEqual(['z']);
    store.apply(delta([row('z', 5)]));
    stop();
    vi.advanceTimersByTime(100);
    expect(grid.transactions).toHaveLength(0);
  });
});
