// Binds an AG Grid (infinite row model) to a server-side view (shared/views): the grid holds only the blocks it
// shows, sorting, filtering, quick search and grouping run where the data is, and the rows of the range on screen
// arrive conflated on the `views` topic. A changed row takes its new data in place (its changed cells flash); when
// rows moved in, out or within the range, the grid reloads its blocks, answered from the frame it already has.
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  BodyScrollEndEvent,
  CellMouseOutEvent,
  GetRowIdParams,
  GridApi,
  GridReadyEvent,
  IDatasource,
  IGetRowsParams,
} from 'ag-grid-community';
import { viewRowKey } from '../../../shared/views/sources';
import {
  MAX_VIEW_RANGE,
  type ColumnFilter,
  type GroupRow,
  type SortColumn,
  type ViewBlock,
  type ViewFrame,
  type ViewRange,
  type ViewSourceName,
  type ViewSpec,
} from '../../../shared/views/spec';
import { floorwatch } from '../api/floorwatch';
import { recordPaintedUpdate } from '../perf';
import { onViewFrame, onViewsResubscribed } from '../stores/viewFrames';

/** Rows kept current beyond each edge of what is on screen. */
const RANGE_MARGIN = 60;
/** Rows per block the grid asks for; blocks it keeps. */
const VIEW_BLOCK_SIZE = 100;
const VIEW_BLOCKS_KEPT = 8;
/** Wait between attempts to open a view the main side could not open yet (its core busy or restarting). */
const OPEN_RETRY_MS = 1_000;
/** Scroll settles this long before the view's range follows. */
const RANGE_FOLLOW_MS = 60;
/**
 * Rows change places at most this often: a risk-sorted floor re-orders on every tick, faster than anyone reads, and
 * a row that moves between pointer-down and pointer-up is a click on the wrong account.
 */
const REORDER_EVERY_MS = 1_000;
/** While the pointer is over the rows they keep their places (figures still update in place), up to this long. */
const HOVER_HOLD_MAX_MS = 3_000;
/** How soon a held re-order is looked at again. */
const HELD_RECHECK_MS = 200;

export interface ViewGridOptions {
  source: ViewSourceName;
  /** The window's fixed scope (positions of one account…), joined with the grid's own column filters. */
  scope?: Record<string, ColumnFilter>;
  search?: string;
  groupBy?: string;
  expanded?: readonly string[];
  /** Sort while the grid has none of its own (the grid's header sort wins once the operator clicks). */
  defaultSort?: readonly SortColumn[];
}

export interface ViewStatus {
  total: number;
  totals: Record<string, number>;
  /** The first frame arrived. */
  ready: boolean;
  /** Wall-clock ms of the newest frame and the newest source ts folded in (tick-to-screen). */
  at: number;
  sourceTs: number;
}

const EMPTY_STATUS: ViewStatus = { total: 0, totals: {}, ready: false, at: 0, sourceTs: 0 };

/** The grid props for a view-bound grid, and what the window shows around it. */
export function useViewGrid<R extends object>(options: ViewGridOptions) {
  const apiRef = useRef<GridApi<R> | null>(null);
  const viewIdRef = useRef<string | null>(null);
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  });
  // The range kept current and its rows, by position, as the last whole frame gave them.
  const rangeRef = useRef<{ start: number; keys: string[]; rows: Map<string, R | GroupRow>; version: number }>({
    start: 0,
    keys: [],
    rows: new Map(),
    version: -1,
  });
  const gridSortRef = useRef<SortColumn[]>([]);
  // Moving rows: when they last moved, whether a move waits, and since when the pointer rests on the rows.
  const reorderRef = useRef<{ lastAt: number; timer: ReturnType<typeof setTimeout> | null; hoverSince: number }>({
    lastAt: 0,
    timer: null,
    hoverSince: 0,
  });
  const [status, setStatus] = useState<ViewStatus>(EMPTY_STATUS);
  const statusRef = useRef(status);
  const source = options.source;

  const keyOf = useCallback((row: unknown) => viewRowKey(source, row), [source]);

  const specNow = useCallback((): ViewSpec => {
    const o = optionsRef.current;
    const sort = gridSortRef.current.length > 0 ? gridSortRef.current : [...(o.defaultSort ?? [])];
    return {
      sort,
      ...(o.scope ? { filter: o.scope } : {}),
      ...(o.search ? { search: o.search } : {}),
      ...(o.groupBy ? { groupBy: o.groupBy, expanded: [...(o.expanded ?? [])] } : {}),
    };
  }, []);

  const report = useCallback(
    (frame: { total: number; totals?: Record<string, number>; at?: number; sourceTs?: number }) => {
      const previous = statusRef.current;
      const next: ViewStatus = {
        total: frame.total,
        totals: frame.totals ?? previous.totals,
        ready: true,
        at: frame.at ?? previous.at,
        sourceTs: frame.sourceTs ?? previous.sourceTs,
      };
      statusRef.current = next;
      setStatus(next);
    },
    [],
  );

  /** Takes a whole-range frame; true when the grid's rows there are the same keys in the same places. */
  const takeRange = useCallback(
    (frame: ViewFrame<R> | ViewBlock<R>) => {
      const rows = new Map<string, R | GroupRow>();
      frame.rows.forEach((row) => rows.set(keyOf(row), row));
      rangeRef.current = { start: frame.start, keys: frame.keys ?? [], rows, version: frame.version };
    },
    [keyOf],
  );

  /** Gives every row the grid shows its newest figures where the range has them (changed cells flash). */
  const updateInPlace = useCallback((api: GridApi<R>) => {
    const { rows } = rangeRef.current;
    api.forEachNode((node) => {
      const row = node.id === undefined ? undefined : rows.get(node.id);
      if (row && node.data !== row) node.updateData(row as R);
    });
  }, []);

  /** Rows moved: new row nodes in their new places (a refresh would give old nodes new data under a stale row id),
   * at most every REORDER_EVERY_MS and not under a resting pointer; until then the rows keep their places. */
  const reorder = useCallback(
    (api: GridApi<R>) => {
      const order = reorderRef.current;
      if (order.timer) return;
      const attempt = () => {
        order.timer = null;
        if (api.isDestroyed()) return;
        const now = Date.now();
        const hovered = order.hoverSince > 0 && now - order.hoverSince < HOVER_HOLD_MAX_MS;
        const wait = hovered ? HELD_RECHECK_MS : order.lastAt + REORDER_EVERY_MS - now;
        if (wait > 0) {
          order.timer = setTimeout(attempt, wait);
          return;
        }
        order.lastAt = now;
        // The blocks are answered from the range in the same task, so nothing is drawn empty.
        api.purgeInfiniteCache();
      };
      updateInPlace(api);
      attempt();
    },
    [updateInPlace],
  );

  /** Puts the range's rows into the grid: in place where the grid shows the same keys there, else moves them. */
  const showRange = useCallback(
    (api: GridApi<R>, total: number) => {
      if (api.getDisplayedRowCount() !== total) api.setRowCount(total, true);
      const { start, keys } = rangeRef.current;
      for (let i = 0; i < keys.length; i++) {
        const node = api.getDisplayedRowAtIndex(start + i);
        // A block not loaded yet is no mismatch: it will be asked for, and answered from the range.
        if (node && node.id !== undefined && node.data !== undefined && node.id !== keys[i]) return reorder(api);
      }
      updateInPlace(api);
    },
    [reorder, updateInPlace],
  );

  const applyFrame = useCallback(
    (frame: ViewFrame<R>) => {
      const api = apiRef.current;
      if (!api || api.isDestroyed() || frame.viewId !== viewIdRef.current) return;
      if (frame.keys) {
        takeRange(frame);
        showRange(api, frame.total);
      } else {
        const range = rangeRef.current;
        for (const row of frame.rows) {
          const key = keyOf(row);
          range.rows.set(key, row);
          api.getRowNode(key)?.updateData(row as R);
        }
        if (api.getDisplayedRowCount() !== frame.total) api.setRowCount(frame.total, true);
        // Rows on screen took new figures: how old their newest source message is when this frame paints.
        if (frame.rows.length > 0) recordPaintedUpdate(frame.sourceTs);
      }
      report(frame);
    },
    [keyOf, report, showRange, takeRange],
  );

  /** Asks for a new spec and/or range and shows the answer. */
  const update = useCallback(
    async (change: { spec?: ViewSpec; range?: ViewRange }) => {
      const viewId = viewIdRef.current;
      const api = apiRef.current;
      if (!viewId || !api) return;
      try {
        const frame = (await floorwatch().call('views.update', { viewId, ...change })) as ViewFrame<R>;
        if (viewIdRef.current !== viewId || api.isDestroyed()) return;
        takeRange(frame);
        if (change.spec) {
          // A new search, grouping or scope starts from its first rows.
          api.setRowCount(frame.total, true);
          if (frame.total > 0) api.ensureIndexVisible(0, 'top');
          api.refreshInfiniteCache();
        } else showRange(api, frame.total);
        report(frame);
      } catch (error) {
        console.warn(`[floorwatch] view ${viewId}: ${(error as Error).message}`);
      }
    },
    [report, showRange, takeRange],
  );

  const followScroll = useRef<ReturnType<typeof setTimeout> | null>(null);
  const wantedRange = useCallback((api: GridApi<R>): ViewRange => {
    const first = Math.max(0, api.getFirstDisplayedRowIndex());
    const last = Math.max(first, api.getLastDisplayedRowIndex());
    const start = Math.max(0, first - RANGE_MARGIN);
    return { start, end: Math.min(start + MAX_VIEW_RANGE, last + 1 + RANGE_MARGIN) };
  }, []);

  const onBodyScroll = useCallback(() => {
    if (followScroll.current) clearTimeout(followScroll.current);
    followScroll.current = setTimeout(() => {
      followScroll.current = null;
      const api = apiRef.current;
      if (!api || api.isDestroyed()) return;
      const wanted = wantedRange(api);
      const held = rangeRef.current;
      const heldEnd = held.start + Math.max(held.keys.length, VIEW_BLOCK_SIZE);
      // Still inside what is kept current, with some margin left: nothing to ask.
      if (wanted.start >= held.start && wanted.end <= heldEnd && (wanted.start > held.start || held.start === 0))
        return;
      void update({ range: wanted });
    }, RANGE_FOLLOW_MS);
  }, [update, wantedRange]);

  const datasource = useRef<IDatasource>({
    getRows(params: IGetRowsParams) {
      const sort = sortColumns(params.sortModel);
      if (!sameSort(sort, gridSortRef.current)) {
        // The operator sorted by a header: the view re-sorts where the data is, and answers with the new first rows.
        gridSortRef.current = sort;
        const viewId = viewIdRef.current;
        if (!viewId) return params.failCallback();
        const range = { start: params.startRow, end: Math.max(params.endRow, params.startRow + RANGE_MARGIN * 2) };
        floorwatch()
          .call('views.update', { viewId, spec: specNow(), range })
          .then((frame) => {
            takeRange(frame as ViewFrame<R>);
            report(frame as ViewFrame<R>);
            params.successCallback(slice(params.startRow, params.endRow), frame.total);
          })
          .catch(() => params.failCallback());
        return;
      }
      const held = rangeRef.current;
      if (params.startRow >= held.start && params.endRow <= held.start + held.keys.length) {
        return params.successCallback(slice(params.startRow, params.endRow), statusRef.current.total);
      }
      if (
        params.startRow >= held.start + held.keys.length &&
        held.start + held.keys.length === statusRef.current.total
      ) {
        return params.successCallback([], statusRef.current.total); // past the end
      }
      const viewId = viewIdRef.current;
      if (!viewId) return params.failCallback();
      floorwatch()
        .call('views.rows', { viewId, range: { start: params.startRow, end: params.endRow } })
        .then((block) => params.successCallback(block.rows, block.total))
        .catch(() => params.failCallback());
    },
  }).current;

  function slice(start: number, end: number): (R | GroupRow)[] {
    const held = rangeRef.current;
    const rows: (R | GroupRow)[] = [];
    for (let i = start; i < end; i++) {
      const key = held.keys[i - held.start];
      const row = key === undefined ? undefined : held.rows.get(key);
      if (row === undefined) break;
      rows.push(row);
    }
    return rows;
  }

  const open = useCallback(
    async (api: GridApi<R>) => {
      const range = { start: 0, end: VIEW_BLOCK_SIZE + RANGE_MARGIN };
      const frame = (await floorwatch().call('views.open', {
        source,
        spec: specNow(),
        range,
      })) as ViewFrame<R>;
      if (api.isDestroyed()) {
        void floorwatch()
          .call('views.close', { viewId: frame.viewId })
          .catch(() => null);
        return;
      }
      viewIdRef.current = frame.viewId;
      takeRange(frame);
      report(frame);
      api.setGridOption('datasource', datasource);
    },
    [datasource, report, source, specNow, takeRange],
  );

  const onGridReady = useCallback(
    (event: GridReadyEvent<R>) => {
      apiRef.current = event.api;
      gridSortRef.current = sortColumns(
        event.api
          .getColumnState()
          .filter((column) => column.sort)
          .sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0))
          .map((column) => ({ colId: column.colId, sort: column.sort as 'asc' | 'desc' })),
      );
      // The core may be busy (a broker floor's start of day arriving at once): ask again until it answers.
      const attempt = (tries: number) => {
        open(event.api).catch((error: unknown) => {
          if (event.api.isDestroyed()) return;
          if (tries === 0)
            console.warn(`[floorwatch] ${source}: the view could not be opened yet: ${(error as Error).message}`);
          setTimeout(() => attempt(tries + 1), OPEN_RETRY_MS);
        });
      };
      attempt(0);
    },
    [open, source],
  );

  // Frames of this view; a new `views` subscription (after a lock, a reconnect) asks for the whole range again.
  useEffect(() => {
    const order = reorderRef.current;
    const stopFrames = onViewFrame((frame) => applyFrame(frame as ViewFrame<R>));
    const stopResubscribed = onViewsResubscribed(() => {
      const api = apiRef.current;
      if (!api || api.isDestroyed()) return;
      if (viewIdRef.current) void update({ range: wantedRange(api) }).catch(() => open(api));
    });
    return () => {
      stopFrames();
      stopResubscribed();
      if (followScroll.current) clearTimeout(followScroll.current);
      if (order.timer) clearTimeout(order.timer);
      const viewId = viewIdRef.current;
      viewIdRef.current = null;
      if (viewId)
        void floorwatch()
          .call('views.close', { viewId })
          .catch(() => null);
    };
  }, [applyFrame, open, update, wantedRange]);

  // The window's own spec (search, grouping, scope) changed: the view follows.
  const specKey = JSON.stringify([options.scope, options.search, options.groupBy, options.expanded]);
  const firstSpec = useRef(true);
  useEffect(() => {
    if (firstSpec.current) {
      firstSpec.current = false;
      return;
    }
    const api = apiRef.current;
    if (!api || !viewIdRef.current) return;
    void update({ spec: specNow(), range: { start: 0, end: VIEW_BLOCK_SIZE + RANGE_MARGIN } });
  }, [specKey, specNow, update]);

  /** Where `key` is in the view now (-1: not in it), for following a linked pick. */
  const locate = useCallback(async (key: string): Promise<number> => {
    const viewId = viewIdRef.current;
    if (!viewId) return -1;
    const found = await floorwatch().call('views.find', { viewId, key });
    return found.index;
  }, []);

  const getRowId = useCallback((params: GetRowIdParams<R>) => keyOf(params.data), [keyOf]);
  // The pointer over a cell holds the rows' places; leaving a cell for the next one keeps the hold.
  const onCellMouseOver = useCallback(() => {
    if (reorderRef.current.hoverSince === 0) reorderRef.current.hoverSince = Date.now();
  }, []);
  const onCellMouseOut = useCallback((event: CellMouseOutEvent<R>) => {
    const next = (event.event as MouseEvent | null | undefined)?.relatedTarget;
    if (next instanceof Element && next.closest('.ag-row')) return;
    reorderRef.current.hoverSince = 0;
  }, []);

  return {
    apiRef,
    status,
    locate,
    gridProps: {
      rowModelType: 'infinite' as const,
      cacheBlockSize: VIEW_BLOCK_SIZE,
      maxBlocksInCache: VIEW_BLOCKS_KEPT,
      blockLoadDebounceMillis: 0,
      infiniteInitialRowCount: 0,
      getRowId,
      onGridReady,
      onBodyScroll,
      onBodyScrollEnd: onBodyScroll as (event: BodyScrollEndEvent<R>) => void,
      onCellMouseOver,
      onCellMouseOut,
    },
  };
}

function sortColumns(model: readonly { colId: string; sort: 'asc' | 'desc' }[]): SortColumn[] {
  return model.slice(0, 4).map((item) => ({ colId: item.colId, sort: item.sort }));
}

function sameSort(a: readonly SortColumn[], b: readonly SortColumn[]): boolean {
  return a.length === b.length && a.every((column, i) => column.colId === b[i]?.colId && column.sort === b[i]?.sort);
}
