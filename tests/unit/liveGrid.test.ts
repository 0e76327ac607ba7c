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

function fakeGrid() {
  const transactions: Transaction[] = [];
  let rowData: PositionRow[] = [];
  const api = {
    isDestroyed: () => false,
    setGridOption: (_name: 'rowData', rows: PositionRow[]) => {
      rowData = rows;
    },
    applyTransaction: (t: Transaction) => {
      transactions.push(t);
      return null;
    },
  } as unknown as LiveGridApi<PositionRow>;
  return { api, transactions, rowData: () => rowData };
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
