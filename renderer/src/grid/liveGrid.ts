// Feeds a topic store into an AG Grid through row transactions: the grid never gets its whole row set again per
// update, only what changed (rows arrive conflated at ≤ 20 Hz). getRowId is the topic's row key.
import { useCallback, useEffect, useRef } from 'react';
import type { GetRowIdParams, GridApi, GridReadyEvent, SortChangedEvent } from 'ag-grid-community';
import type { TopicRows } from '../../../shared/api/contract';
import type { RowBatch, RowTopic, TopicStore } from '../stores/topicStore';

export interface LiveGridOptions<R> {
  /**
   * Batch updates (large, busy grids: positions): changed rows wait up to `batchMs`, merged by key (a row changed
   * twice in that time is handed over once), and go to the grid in transactions of at most `rowsPerTransaction`
   * rows, each its own task, so no frame waits on one huge transaction. Small grids apply at once so the frame after
   * an update shows it (Market Watch, whose paint latency is measured).
   */
  async?: boolean;
  /** Wait between batched transactions, ms (async only; default 100). */
  batchMs?: number;
  /** Largest batched transaction, rows (async only; default 2000). */
  rowsPerTransaction?: number;
  /**
   * For a grid without a default sort: while no column is sorted and no filter is set, a changed row that the grid
   * already holds gets its new data in place and only the rows on screen are redrawn (changed cells flash as after
   * a transaction) — no transaction, so the grid does no row-model work and moves no row: nothing but the changed
   * cells is laid out and painted again. Sorted or filtered, changes go through transactions (rows may move).
   */
  inPlaceUpdates?: boolean;
  /**
   * For a sorted or filtered grid (alert pane): true when changing a held row from `before` to `after` can neither
   * move it under the sort (the columns in `sortedBy`, by colId) nor change whether the filters show it, nor change
   * its row classes. Such a row takes its new data in place like with `inPlaceUpdates` (only the rows on screen are
   * redrawn); the others still go through transactions.
   */
  inPlaceWhen?(before: R, after: R, sortedBy: ReadonlySet<string>): boolean;
  /**
   * Order of the rows of a snapshot (rows added later go last). Cheaper than a default column sort, which the grid
   * would re-apply on every transaction; a header click still sorts as the operator asks.
   */
  snapshotOrder?(a: R, b: R): number;
  /** Runs after each batch was handed to the grid (async: when it was queued). */
  afterApply?(api: GridApi<R>, batch: RowBatch<R>): void;
}

const DEFAULT_BATCH_MS = 100;
const DEFAULT_ROWS_PER_TRANSACTION = 2000;

/** The minimal grid surface the binding drives (a GridApi in the app; a fake in unit tests). */
export type LiveGridApi<R> = Pick<
  GridApi<R>,
  | 'isDestroyed'
  | 'setGridOption'
  | 'applyTransaction'
  | 'getRowNode'
  | 'getRenderedNodes'
  | 'refreshCells'
  | 'isAnyFilterPresent'
  | 'addEventListener'
  | 'removeEventListener'
  | 'getColumnState'
>;

export function bindLiveGrid<T extends RowTopic>(
  api: LiveGridApi<TopicRows[T]>,
  source: TopicStore<T>,
  options: LiveGridOptions<TopicRows[T]> = {},
): () => void {
  type Row = TopicRows[T];
  // What the grid holds, by key: decides add vs update, and gives remove the row object getRowId needs.
  const held = new Map<string, Row>();
  // Async: changes not yet handed to the grid, by key (null = remove), in arrival order.
  const pending = new Map<string, Row | null>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const batchMs = options.batchMs ?? DEFAULT_BATCH_MS;
  const rowsPerTransaction = options.rowsPerTransaction ?? DEFAULT_ROWS_PER_TRANSACTION;

  // Columns the grid is sorted by: its column state when bound (a default sort), then followed through sortChanged.
  const followSort = options.inPlaceUpdates === true || options.inPlaceWhen !== undefined;
  const sortedColumns = new Set<string>(
    followSort ? api.getColumnState().flatMap((column) => (column.sort ? [column.colId] : [])) : [],
  );
  const readSort = (event: SortChangedEvent<Row>) => {
    if (!event.columns) {
      sortedColumns.add('?'); // not told which: assume sorted until a later event says otherwise
      return;
    }
    sortedColumns.delete('?');
    for (const column of event.columns) {
      if (column.getSort()) sortedColumns.add(column.getColId());
      else sortedColumns.delete(column.getColId());
    }
  };
  if (followSort) api.addEventListener('sortChanged', readSort);

  /** `inPlace`: every held row may take its new data in place; else `inPlaceWhen` decides row by row. */
  const transact = (changes: Iterable<[string, Row | null]>, inPlace = false) => {
    const add: Row[] = [];
    const update: Row[] = [];
    const remove: Row[] = [];
    const redraw = [];
    const inPlaceWhen = inPlace ? undefined : options.inPlaceWhen;
    const onScreen = inPlace || inPlaceWhen ? new Set(api.getRenderedNodes().map((node) => node.id)) : null;
    for (const [key, row] of changes) {
      const old = held.get(key);
      if (row === null) {
        if (!old) continue;
        held.delete(key);
        remove.push(old);
        continue;
      }
      const rowInPlace = old !== undefined && (inPlace || (inPlaceWhen?.(old, row, sortedColumns) ?? false));
      const node = rowInPlace ? api.getRowNode(key) : undefined;
      if (node) {
        node.data = row;
        node.quickFilterAggregateText = null; // rebuilt from the new data when a search starts
        if (onScreen!.has(key)) redraw.push(node);
      } else {
        (old !== undefined ? update : add).push(row);
      }
      held.set(key, row);
    }
    if (add.length + update.length + remove.length > 0) api.applyTransaction({ add, update, remove });
    if (redraw.length > 0) api.refreshCells({ rowNodes: redraw });
  };

  const canUpdateInPlace = () =>
    options.inPlaceUpdates === true && sortedColumns.size === 0 && !api.isAnyFilterPresent();

  const flush = () => {
    timer = null;
    if (api.isDestroyed()) return;
    const part: [string, Row | null][] = [];
    for (const entry of pending) {
      part.push(entry);
      if (part.length >= rowsPerTransaction) break;
    }
    for (const [key] of part) pending.delete(key);
    transact(part, canUpdateInPlace());
    // The rest in the next task (a frame may paint in between), else wait for more.
    if (pending.size > 0) timer = setTimeout(flush, 0);
  };

  const load = (rows: Iterable<Row>) => {
    pending.clear();
    held.clear();
    const ordered = options.snapshotOrder ? [...rows].sort(options.snapshotOrder) : rows;
    for (const row of ordered) held.set(source.keyOf(row), row);
    api.setGridOption('rowData', [...held.values()]);
  };
  load(source.use.getState().rows.values());

  const stop = source.onBatch((batch) => {
    if (api.isDestroyed()) return;
    if (batch.snapshot) {
      load(batch.upserts);
    } else if (options.async) {
      for (const row of batch.upserts) {
        const key = source.keyOf(row);
        pending.set(key, row); // a row already waiting keeps its place: the oldest change goes first
      }
      for (const key of batch.removed) {
        pending.set(key, null);
      }
      if (pending.size > 0) timer ??= setTimeout(flush, batchMs);
    } else {
      const changes: [string, Row | null][] = batch.upserts.map((row) => [source.keyOf(row), row]);
      for (const key of batch.removed) changes.push([key, null]);
      transact(changes, canUpdateInPlace());
    }
    options.afterApply?.(api as GridApi<Row>, batch);
  });
  return () => {
    stop();
    if (followSort && !api.isDestroyed()) api.removeEventListener('sortChanged', readSort);
    if (timer) clearTimeout(timer);
    timer = null;
    pending.clear();
  };
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
        batchMs: optionsRef.current.batchMs,
        rowsPerTransaction: optionsRef.current.rowsPerTransaction,
        inPlaceUpdates: optionsRef.current.inPlaceUpdates,
        inPlaceWhen: optionsRef.current.inPlaceWhen
          ? (before, after, sortedBy) => optionsRef.current.inPlaceWhen?.(before, after, sortedBy) ?? false
          : undefined,
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
