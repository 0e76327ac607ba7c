// Positions: one row per account × instrument, live. On a link channel it follows the channel's account and/or
// instrument (chips above the grid show the filter and clear it for this window).
import { RESTRICTIONS_COLUMN } from '../auth/FourEyesParts';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AgGridReact, type CustomCellRendererProps } from 'ag-grid-react';
import { useTranslation } from 'react-i18next';
import type { CellClassParams, ColDef, RowClickedEvent, ValueFormatterParams } from 'ag-grid-community';
import type { PositionRow } from '../../../shared/domain/types';
import { linkAccount, setWindowParam, windowParam } from '../api/floorwatch';
import { useRelatedWindowsMenu, type RelatedSubject } from '../components/RelatedWindowsMenu';
import { decimalsOfInstrument, formatMoney, formatPrice, formatQty, signClass } from '../format';
import { useLocalizedColumns } from '../grid/localizeColumns';
import { useGridLocaleText, useGridTheme } from '../grid/useGridTheme';
import { useViewGrid } from '../grid/viewGrid';
import { QuickSearch } from '../components/QuickSearch';
import { useChannelContext } from '../stores/links';
import { marketStore } from '../stores/market';
import { isGroupRow, type ColumnFilter, type SortColumn } from '../../../shared/views/spec';
import { useWindowStore } from '../stores/windowState';

type Fmt = ValueFormatterParams<PositionRow>;
type Cls = CellClassParams<PositionRow>;

const priceOf = (p: Fmt) =>
  isGroupRow(p.data)
    ? ''
    : formatPrice(p.value as number | null, p.data ? decimalsOfInstrument(p.data.instrumentId) : 2);
/** Average prices are not on the tick grid: one more decimal than the tick needs, at least two. */
const avgPriceOf = (p: Fmt) => {
  if (isGroupRow(p.data)) return '';
  const held = p.colDef.field === 'longAvgPrice' ? p.data?.longQty : p.data?.shortQty;
  if (!held) return '';
  return formatPrice(p.value as number | null, p.data ? Math.max(decimalsOfInstrument(p.data.instrumentId) + 1, 2) : 2);
};
const qtyOf = (p: Fmt) => (p.value ? formatQty(p.value as number) : '');
const money = (p: Fmt) => formatMoney(p.value as number | null);
const signed = (p: Cls) => ['fw-num', signClass(p.value as number | null)];

/** A group row's label (its value and row count) with the ▸/▾ that lists or hides its rows. */
function GroupCell(props: CustomCellRendererProps<PositionRow>) {
  const row = props.data as unknown;
  if (!isGroupRow(row)) return null;
  const open = props.context?.expanded?.has(row.__key) ?? false;
  return (
    <span className="fw-group-label" data-testid="group-row" data-group={String(row[row.__group] ?? '')}>
      {open ? '▾' : '▸'} <strong>{String(row[row.__group] ?? '') || '—'}</strong>{' '}
      <span className="fw-muted">({formatQty(row.__count)})</span>
    </span>
  );
}

const GROUP_COLUMN: ColDef<PositionRow> = {
  colId: 'group',
  headerName: 'Group',
  pinned: 'left',
  width: 150,
  sortable: false,
  cellRenderer: GroupCell,
};

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

const DEFAULT_COLUMN: ColDef<PositionRow> = {
  resizable: true,
  sortable: true,
  suppressHeaderMenuButton: true,
  enableCellChangeFlash: true,
};

/** Account, then instrument (the row key's order) until the operator sorts by a header. */
const DEFAULT_SORT: SortColumn[] = [
  { colId: 'accountId', sort: 'asc' },
  { colId: 'instrumentId', sort: 'asc' },
];

const GROUP_FIELDS = { account: 'accountId', product: 'product', exchange: 'exchange' } as const;
type Grouping = keyof typeof GROUP_FIELDS | '';

interface Filter {
  account: string | null;
  instrument: string | null;
}

/** The window's link filter as the view's scope. */
function scopeOf(filter: Filter): Record<string, ColumnFilter> | undefined {
  const scope: Record<string, ColumnFilter> = {};
  if (filter.account) scope.accountId = { filterType: 'text', type: 'equals', filter: filter.account };
  if (filter.instrument) scope.instrumentId = { filterType: 'text', type: 'equals', filter: filter.instrument };
  return Object.keys(scope).length > 0 ? scope : undefined;
}

const positionSubject = (row: PositionRow): RelatedSubject => ({ kind: 'account', accountId: row.accountId });

export function Positions() {
  const channel = useWindowStore((s) => s.channel);
  const linked = useChannelContext(channel);
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

  const [grouping, setGrouping] = useState<Grouping>('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const scope = useMemo(() => scopeOf(filter), [filter]);
  const { apiRef, status, gridProps } = useViewGrid<PositionRow>({
    source: 'positions',
    scope,
    search,
    defaultSort: DEFAULT_SORT,
    ...(grouping ? { groupBy: GROUP_FIELDS[grouping], expanded: [...expanded] } : {}),
  });
  // Prices are formatted with each instrument's tick, which arrives on the market topic, maybe after the positions:
  // when a new instrument becomes known, re-format the rendered cells.
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

  const toggleGroup = useCallback((key: string) => {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  const onRowClicked = useCallback(
    (event: RowClickedEvent<PositionRow>) => {
      const row = event.data as unknown;
      if (isGroupRow(row)) toggleGroup(row.__key);
      else if (event.data) linkAccount(channel, event.data.accountId);
    },
    [channel, toggleGroup],
  );

  const related = useRelatedWindowsMenu(channel, positionSubject);
  const totals = status.totals;
  const gridTheme = useGridTheme();
  const gridLocaleText = useGridLocaleText();
  const columns = useMemo(() => (grouping ? [GROUP_COLUMN, ...COLUMNS] : COLUMNS), [grouping]);
  const columnDefs = useLocalizedColumns(columns);
  const gridContext = useMemo(() => ({ expanded }), [expanded]);
  useEffect(() => {
    apiRef.current?.refreshCells({ columns: ['group'], force: true });
  }, [apiRef, gridContext]);
  const { t } = useTranslation();

  return (
    <section className="fw-view">
      <div className="fw-toolbar">
        <QuickSearch
          value={search}
          onChange={setSearch}
          placeholder={t('positions.search')}
          testId="positions-search"
        />
        <label className="fw-filter">
          <span className="fw-metric-label">{t('views.groupBy')}</span>
          <select
            className="fw-select"
            data-testid="positions-group"
            value={grouping}
            onChange={(event) => {
              setExpanded(new Set());
              setGrouping(event.target.value as Grouping);
            }}
          >
            <option value="">{t('views.groupNone')}</option>
            <option value="account">{t('views.groupAccount')}</option>
            <option value="product">{t('views.groupProduct')}</option>
            <option value="exchange">{t('views.groupExchange')}</option>
          </select>
        </label>
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
          {...gridProps}
          context={gridContext}
          getRowClass={(params) => (isGroupRow(params.data) ? 'fw-group-row' : undefined)}
          onRowClicked={onRowClicked}
          onRowDoubleClicked={(event) => related.openFirst(event.data)}
          onCellContextMenu={related.onContextMenu}
          preventDefaultOnContextMenu
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          suppressCellFocus
          animateRows={false}
          loading={!status.ready}
          overlayNoRowsTemplate={t('positions.noRows')}
        />
      </div>
      <footer className="fw-status">
        <span data-testid="positions-count" data-count={totals.__count ?? 0}>
          {t('positions.count', { count: formatQty(totals.__count ?? 0) })}
        </span>
        <span>
          <span className="fw-metric-label">{t('col.long')}</span> {formatQty(totals.longQty ?? 0)}
        </span>
        <span>
          <span className="fw-metric-label">{t('col.short')}</span> {formatQty(totals.shortQty ?? 0)}
        </span>
        <span>
          <span className="fw-metric-label">{t('col.positionPnl')}</span>{' '}
          <span className={signClass(totals.positionPnl ?? 0)}>{formatMoney(totals.positionPnl ?? 0)}</span>
        </span>
        <span>
          <span className="fw-metric-label">{t('col.closePnl')}</span>{' '}
          <span className={signClass(totals.closePnl ?? 0)}>{formatMoney(totals.closePnl ?? 0)}</span>
        </span>
        <span>
          <span className="fw-metric-label">{t('col.margin')}</span> {formatMoney(totals.margin ?? 0)}
        </span>
      </footer>
      {related.menu}
    </section>
  );
}
