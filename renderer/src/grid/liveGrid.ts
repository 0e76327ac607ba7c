// Feeds a topic store into an AG Grid through row transactions: the grid never gets its whole row set again per
// update, only what changed (rows arrive conflated at ≤ 20 Hz). getRowId is the topic's row key.
import { useCallback, useEffect, useRef } from 'react';
import type { GetRowIdParams, GridApi, GridReadyEvent } from 'ag-grid-community';
import type { TopicRows } from '../../../shared/api/contract';
import type { RowBatch, RowTopic, TopicStore } from '../stores/topicStore';

export interface LiveGridOptions<R> {
  /**
   * Batch transactions with applyTransactionAsync (large, busy grids: positions). Small grids apply at once so the
   * frame after an update shows it (Market Watch, whose paint latency is measured).
   */
  async?: boolean;
  /**
   * Order of the rows of a snapshot (rows added later go last). Cheaper than a default column sort, which the grid
   * would re-apply on every transaction; a header click still sorts as the operator asks.
   */
  snapshotOrder?(a: R, b: R): number;
  /** Runs after each batch was handed to the grid. */
  afterApply?(api: GridApi<R>, batch: RowBatch<R>): void;
}

export function bindLiveGrid<T extends RowTopic>(
  api: GridApi<TopicRows[T]>,
  source: TopicStore<T>,
  options: LiveGridOptions<TopicRows[T]> = {},
): () => void {
  type Row = TopicRows[T];
  // What the grid holds, by key: decides add vs update, and gives remove the row object getRowId needs.
  const held = new Map<string, Row>();

  const load = (rows: Iterable<Row>) => {
    if (options.async) api.flushAsyncTransactions();
    held.clear();
    const ordered = options.snapshotOrder ? [...rows].sort(options.snapshotOrder) : rows;
    for (const row of ordered) held.set(source.keyOf(row), row);
    api.setGridOption('rowData', [...held.values()]);
  };
  load(source.use.getState().rows.values());

  return source.onBatch((batch) => {
    if (api.isDestroyed()) return;
    if (batch.snapshot) {
      load(batch.upserts);
    } else {
      const add: Row[] = [];
      const update: Row[] = [];
      const remove: Row[] = [];
      for (const row of batch.upserts) {
        const key = source.keyOf(row);
        (held.has(key) ? update : add).push(row);
        held.set(key, row);
      }
      for (const key of batch.removed) {
        const row = held.get(key);
        if (!row) continue;
        held.delete(key);
        remove.push(row);
      }
      if (add.length + update.length + remove.length === 0) return;
      const transaction = { add, update, remove };
      if (options.async) api.applyTransactionAsync(transaction);
      else api.applyTransaction(transaction);
    }
    options.afterApply?.(api, batch);
  });
}

/** React glue: binds the grid when it is ready, unbinds on unmount. Returns the grid's props for that. */
export function useLiveGrid<T extends RowTopic>(source: TopicStore<T>, options: LiveGridOptions<TopicRows[T]> = {}) {
  type Row = TopicRows[T];
  const apiRef = useRef<GridApi<Row> | null>(null);
  const unbindRef = useRef<(() => void) | null>(null);
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  });

  const onGridReady = useCallback(
    (event: GridReadyEvent<Row>) => {
      apiRef.current = event.api;
      unbindRef.current?.();
      unbindRef.current = bindLiveGrid(event.api, source, {
        async: optionsRef.current.async,
        snapshotOrder: optionsRef.current.snapshotOrder,
        afterApply: (api, batch) => optionsRef.current.afterApply?.(api, batch),
      });
    },
    [source],
  );

  useEffect(
    () => () => {
      unbindRef.current?.();
      unbindRef.current = null;
      apiRef.current = null;
    },
    [],
  );

  const getRowId = useCallback((params: GetRowIdParams<Row>) => source.keyOf(params.data), [source]);

  return { apiRef, onGridReady, getRowId };
}
