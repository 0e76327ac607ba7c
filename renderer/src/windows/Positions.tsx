// Positions: one row per account × instrument, live. On a link channel it follows the channel's account and/or
// instrument (chips above the grid show the filter and clear it for this window).
import { RESTRICTIONS_COLUMN } from '../auth/FourEyesParts';
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { useTranslation } from 'react-i18next';
import type {
  CellClassParams,
  ColDef,
  GridApi,
  IRowNode,
  RowClickedEvent,
  ValueFormatterParams,
} from 'ag-grid-community';
import type { PositionRow } from '../../../shared/domain/types';
import { linkAccount, setWindowParam, windowParam } from '../api/floorwatch';
import { useRelatedWindowsMenu, type RelatedSubject } from '../components/RelatedWindowsMenu';
import { decimalsOfInstrument, formatMoney, formatPrice, formatQty, signClass } from '../format';
import { useLocalizedColumns } from '../grid/localizeColumns';
import { useGridLocaleText, useGridTheme } from '../grid/useGridTheme';
import { useLiveGrid } from '../grid/liveGrid';
import { useChannelContext } from '../stores/links';
import { marketStore } from '../stores/market';
import { positionsStore } from '../stores/positions';
import { useWindowStore } from '../stores/windowState';

type Fmt = ValueFormatterParams<PositionRow>;
type Cls = CellClassParams<PositionRow>;

const priceOf = (p: Fmt) =>
  formatPrice(p.value as number | null, p.data ? decimalsOfInstrument(p.data.instrumentId) : 2);
/** Average prices are not on the tick grid: one more decimal than the tick needs, at least two. */
const avgPriceOf = (p: Fmt) => {
  const held = p.colDef.field === 'longAvgPrice' ? p.data?.longQty : p.data?.shortQty;
  if (!held) return '';
  return formatPrice(p.value as number | null, p.data ? Math.max(decimalsOfInstrument(p.data.instrumentId) + 1, 2) : 2);
};
const qtyOf = (p: Fmt) => (p.value ? formatQty(p.value as number) : '');
const money = (p: Fmt) => formatMoney(p.value as number | null);
const signed = (p: Cls) => ['fw-num', signClass(p.value as number | null)];

const COLUMNS: ColDef<PositionRow>[] = [
  { field: 'accountId', headerName: 'Account', pinned: 'left', width: 104, cellClass: 'fw-account' },
  { field: 'instrumentId', headerName: 'Instrument', width: 104, cellClass: 'fw-instrument' },
  { field: 'exchange', headerName: 'Exch', width: 74, cellClass: 'fw-exchange' },
  RESTRICTIONS_COLUMN,
  {
    field: 'longQty',
    headerName: 'Long',
    type: 'numericColumn',
    width: 76,
    valueFormatter: qtyOf,
    cellClass: 'fw-num fw-long',
  },
  {
    field: 'longAvgPrice',
    headerName: 'Long avg',
    type: 'numericColumn',
    width: 100,
    valueFormatter: avgPriceOf,
    cellClass: 'fw-num fw-muted',
  },
  {
    field: 'shortQty',
    headerName: 'Short',
    type: 'numericColumn',
    width: 76,
    valueFormatter: qtyOf,
    cellClass: 'fw-num fw-short',
  },
  {
    field: 'shortAvgPrice',
    headerName: 'Short avg',
    type: 'numericColumn',
    width: 100,
    valueFormatter: avgPriceOf,
    cellClass: 'fw-num fw-muted',
  },
  {
    colId: 'net',
    headerName: 'Net',
    type: 'numericColumn',
    width: 76,
    valueGetter: (p) => (p.data ? p.data.longQty - p.data.shortQty : null),
    valueFormatter: (p: Fmt) => {
      const v = p.value as number | null;
      return v === null ? '' : v > 0 ? `+${formatQty(v)}` : v < 0 ? `−${formatQty(-v)}` : '0';
    },
    cellClass: 'fw-num fw-strong',
  },
  { field: 'mark', headerName: 'Mark', type: 'numericColumn', width: 96, valueFormatter: priceOf, cellClass: 'fw-num' },
  {
    field: 'positionPnl',
    headerName: 'Position P&L',
    type: 'numericColumn',
    width: 126,
    valueFormatter: money,
    cellClass: signed,
  },
  {
    field: 'closePnl',
    headerName: 'Close P&L',
    type: 'numericColumn',
    width: 116,
    valueFormatter: money,
    cellClass: signed,
  },
  {
    field: 'margin',
    headerName: 'Margin',
    type: 'numericColumn',
    width: 124,
    valueFormatter: money,
    cellClass: 'fw-num',
  },
];

const DEFAULT_COLUMN: ColDef<PositionRow> = { resizable: true, sortable: true, suppressHeaderMenuButton: true };

const byKey = (a: PositionRow, b: PositionRow) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

interface Filter {
  account: string | null;
  instrument: string | null;
}

const EMPTY_TOTALS: Totals = { rows: 0, long: 0, short: 0, positionPnl: 0, closePnl: 0, margin: 0 };

interface Totals {
  rows: number;
  long: number;
  short: number;
  positionPnl: number;
  closePnl: number;
  margin: number;
}

function matches(row: PositionRow, filter: Filter): boolean {
  return (
    (!filter.account || row.accountId === filter.account) &&
    (!filter.instrument || row.instrumentId === filter.instrument)
  );
}

const sameTotals = (a: Totals, b: Totals) =>
  a.rows === b.rows &&
  a.long === b.long &&
  a.short === b.short &&
  a.positionPnl === b.positionPnl &&
  a.closePnl === b.closePnl &&
  a.margin === b.margin;

/**
 * Totals of the rows the grid shows after every filter (link chips and search), recomputed a few times a second
 * rather than per update.
 */
function useTotals(apiRef: RefObject<GridApi<PositionRow> | null>): Totals {
  const [totals, setTotals] = useState<Totals>(EMPTY_TOTALS);
  useEffect(() => {
    const refresh = () => {
      const api = apiRef.current;
      if (!api || api.isDestroyed()) return;
      const next: Totals = { ...EMPTY_TOTALS };
      api.forEachNodeAfterFilter((node) => {
        const row = node.data;
        if (!row) return;
        next.rows++;
        next.long += row.longQty;
        next.short += row.shortQty;
        next.positionPnl += row.positionPnl;
        next.closePnl += row.closePnl;
        next.margin += row.margin;
      });
      setTotals((previous) => (sameTotals(previous, next) ? previous : next));
    };
    const timer = setInterval(refresh, 250);
    return () => clearInterval(timer);
  }, [apiRef]);
  return totals;
}

const positionSubject = (row: PositionRow): RelatedSubject => ({ kind: 'account', accountId: row.accountId });

export function Positions() {
  const channel = useWindowStore((s) => s.channel);
  const linked = useChannelContext(channel);
  const ready = positionsStore.use((s) => s.ready);
  // A chip cleared in this window ignores that linked value until the channel moves on to another one.
  const [dismissed, setDismissed] = useState<Filter>({ account: null, instrument: null });
  const [seen, setSeen] = useState<Filter>({ account: linked.account, instrument: linked.instrument });
  if (seen.account !== linked.account || seen.instrument !== linked.instrument) {
    // The channel moved on: a new pick is followed again even if an older one was dismissed.
    setSeen({ account: linked.account, instrument: linked.instrument });
    setDismissed((d) => ({
      account: seen.account !== linked.account ? null : d.account,
      instrument: seen.instrument !== linked.instrument ? null : d.instrument,
    }));
  }
  // An account given when the window was opened (Accounts' "Positions of…") filters until a pick replaces it.
  const [openedFor] = useState<string | null>(() => windowParam('positions', 'account'));
  useEffect(() => {
    if (openedFor) setWindowParam('account', openedFor);
  }, [openedFor]);
  const filter = useMemo<Filter>(
    () => ({
      account:
        linked.account && linked.account !== dismissed.account
          ? linked.account
          : openedFor && openedFor !== dismissed.account
            ? openedFor
            : null,
      instrument: linked.instrument !== dismissed.instrument ? linked.instrument : null,
    }),
    [linked.account, linked.instrument, dismissed.account, dismissed.instrument, openedFor],
  );
  const [search, setSearch] = useState('');

  const filterRef = useRef(filter);
  const { apiRef, onGridReady, getRowId } = useLiveGrid(positionsStore, {
    // Batches of 200 ms merged by key, in transactions of ≤ 2,000 rows: at tens of thousands of row updates a
    // second this amortises the grid's per-transaction work (model refresh, row positioning, repaint) and keeps
    // frames free; five refreshes a second are as many as an eye follows on a 10k-row book.
    async: true,
    batchMs: 200,
    inPlaceUpdates: true,
    // Account, then instrument (the row key is `${accountId}|${instrumentId}`).
    snapshotOrder: byKey,
  });
  // Prices are formatted with each instrument's tick, which arrives on the market topic, maybe after the positions:
  // when a new instrument becomes known, re-format the rendered cells (rows whose values do not change would
  // otherwise keep the fallback decimals).
  useEffect(() => {
    const known = new Set(marketStore.use.getState().rows.keys());
    return marketStore.onBatch((batch) => {
      let added = false;
      for (const row of batch.upserts) {
        if (known.has(row.instrumentId)) continue;
        known.add(row.instrumentId);
        added = true;
      }
      if (added) apiRef.current?.refreshCells({ force: true });
    });
  }, [apiRef]);

  useEffect(() => {
    filterRef.current = filter;
    apiRef.current?.onFilterChanged();
  }, [apiRef, filter]);

  const isExternalFilterPresent = useCallback(
    () => filterRef.current.account !== null || filterRef.current.instrument !== null,
    [],
  );
  const doesExternalFilterPass = useCallback(
    (node: IRowNode<PositionRow>) => !node.data || matches(node.data, filterRef.current),
    [],
  );

  const onRowClicked = useCallback(
    (event: RowClickedEvent<PositionRow>) => {
      if (event.data) linkAccount(channel, event.data.accountId);
    },
    [channel],
  );

  const related = useRelatedWindowsMenu(channel, positionSubject);
  const totals = useTotals(apiRef);
  const gridTheme = useGridTheme();
  const gridLocaleText = useGridLocaleText();
  const columnDefs = useLocalizedColumns(COLUMNS);
  const { t } = useTranslation();

  return (
    <section className="fw-view">
      <div className="fw-toolbar">
        <input
          className="fw-search"
          type="search"
          placeholder={t('positions.search')}
          aria-label={t('positions.searchLabel')}
          data-testid="positions-search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        {filter.account && (
          <span className="fw-chip fw-chip-link" data-testid="link-chip-account">
            {t('common.account')} <strong>{filter.account}</strong>
            <button
              type="button"
              aria-label={t('positions.clearAccount', { id: filter.account })}
              data-testid="link-chip-account-clear"
              onClick={() => setDismissed((d) => ({ ...d, account: filter.account }))}
            >
              ✕
            </button>
          </span>
        )}
        {filter.instrument && (
          <span className="fw-chip fw-chip-link" data-testid="link-chip-instrument">
            {t('col.instrument')} <strong>{filter.instrument}</strong>
            <button
              type="button"
              aria-label={t('positions.clearInstrument', { id: filter.instrument })}
              data-testid="link-chip-instrument-clear"
              onClick={() => setDismissed((d) => ({ ...d, instrument: filter.instrument }))}
            >
              ✕
            </button>
          </span>
        )}
        {!channel && <span className="fw-toolbar-note">{t('positions.pickHint')}</span>}
        <div className="fw-header-spacer" />
      </div>
      <div className="fw-grid" data-testid="positions-grid">
        <AgGridReact<PositionRow>
          theme={gridTheme}
          localeText={gridLocaleText}
          columnDefs={columnDefs}
          defaultColDef={DEFAULT_COLUMN}
          getRowId={getRowId}
          onGridReady={onGridReady}
          onRowClicked={onRowClicked}
          onRowDoubleClicked={(event) => related.openFirst(event.data)}
          onCellContextMenu={related.onContextMenu}
          preventDefaultOnContextMenu
          isExternalFilterPresent={isExternalFilterPresent}
          doesExternalFilterPass={doesExternalFilterPass}
          quickFilterText={search}
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          // When the operator sorts by a column, re-sort only the rows a transaction touched.
          deltaSort
          suppressCellFocus
          animateRows={false}
          loading={!ready}
          overlayNoRowsTemplate={t('positions.noRows')}
        />
      </div>
      <footer className="fw-status">
        <span data-testid="positions-count" data-count={totals.rows}>
          {t('positions.count', { count: formatQty(totals.rows) })}
        </span>
        <span>
          <span className="fw-metric-label">{t('col.long')}</span> {formatQty(totals.long)}
        </span>
        <span>
          <span className="fw-metric-label">{t('col.short')}</span> {formatQty(totals.short)}
        </span>
        <span>
          <span className="fw-metric-label">{t('col.positionPnl')}</span>{' '}
          <span className={signClass(totals.positionPnl)}>{formatMoney(totals.positionPnl)}</span>
        </span>
        <span>
          <span className="fw-metric-label">{t('col.closePnl')}</span>{' '}
          <span className={signClass(totals.closePnl)}>{formatMoney(totals.closePnl)}</span>
        </span>
        <span>
          <span className="fw-metric-label">{t('col.margin')}</span> {formatMoney(totals.margin)}
        </span>
      </footer>
      {related.menu}
    </section>
  );
}
