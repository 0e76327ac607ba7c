// Market Watch: one row per instrument with the day's quote. Prices carry each instrument's tick decimals and are
// coloured against the previous settlement (the Chinese convention for the day's change); changed cells flash.
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { AgGridReact } from 'ag-grid-react';
import type { CellClassParams, ColDef, RowClickedEvent, ValueFormatterParams } from 'ag-grid-community';
import type { MarketRow } from '../../../shared/domain/types';
import { linkInstrument } from '../api/floorwatch';
import { decimalsOf, formatPrice, formatQty, formatSignedPct, formatSignedPrice, signClass } from '../format';
import { useLocalizedColumns } from '../grid/localizeColumns';
import { useGridLocaleText, useGridTheme } from '../grid/useGridTheme';
import { useLiveGrid } from '../grid/liveGrid';
import { recordPaintedUpdate } from '../perf';
import { useChannelContext } from '../stores/links';
import { marketStore } from '../stores/market';
import { useSettingsStore } from '../stores/settings';
import { useWindowStore } from '../stores/windowState';

type Fmt = ValueFormatterParams<MarketRow>;
type Cls = CellClassParams<MarketRow>;

const price = (p: Fmt) => formatPrice(p.value as number | null, p.data ? decimalsOf(p.data.priceTick) : 2);
/** Colour of a price against the previous settlement. */
const vsSettle = (p: Cls) => {
  const value = p.value as number | null;
  return p.data && value !== null ? signClass(value - p.data.preSettlement) : 'fw-flat';
};
const qty = (p: Fmt) => formatQty(p.value as number | null);

const COLUMNS: ColDef<MarketRow>[] = [
  {
    field: 'instrumentId',
    headerName: 'Instrument',
    pinned: 'left',
    width: 112,
    cellClass: 'fw-instrument',
  },
  { field: 'exchange', headerName: 'Exch', width: 78, cellClass: 'fw-exchange' },
  {
    field: 'last',
    headerName: 'Last',
    type: 'numericColumn',
    width: 100,
    valueFormatter: price,
    cellClass: (p) => ['fw-num', 'fw-strong', vsSettle(p)],
    enableCellChangeFlash: true,
  },
  {
    field: 'change',
    headerName: 'Chg',
    type: 'numericColumn',
    width: 86,
    valueFormatter: (p: Fmt) => formatSignedPrice(p.value as number | null, p.data ? decimalsOf(p.data.priceTick) : 2),
    cellClass: (p) => ['fw-num', signClass(p.value as number | null)],
  },
  {
    field: 'changePct',
    headerName: 'Chg %',
    type: 'numericColumn',
    width: 84,
    valueFormatter: (p: Fmt) => formatSignedPct(p.value as number | null),
    cellClass: (p) => ['fw-num', signClass(p.value as number | null)],
  },
  {
    field: 'bid',
    headerName: 'Bid',
    type: 'numericColumn',
    width: 96,
    valueFormatter: price,
    cellClass: (p) => ['fw-num', vsSettle(p)],
    enableCellChangeFlash: true,
  },
  {
    field: 'bidQty',
    headerName: 'Bid qty',
    type: 'numericColumn',
    width: 76,
    valueFormatter: qty,
    cellClass: 'fw-num fw-qty',
  },
  {
    field: 'ask',
    headerName: 'Ask',
    type: 'numericColumn',
    width: 96,
    valueFormatter: price,
    cellClass: (p) => ['fw-num', vsSettle(p)],
    enableCellChangeFlash: true,
  },
  {
    field: 'askQty',
    headerName: 'Ask qty',
    type: 'numericColumn',
    width: 76,
    valueFormatter: qty,
    cellClass: 'fw-num fw-qty',
  },
  { field: 'volume', headerName: 'Volume', type: 'numericColumn', width: 96, valueFormatter: qty, cellClass: 'fw-num' },
  {
    field: 'openInterest',
    headerName: 'Open int.',
    type: 'numericColumn',
    width: 96,
    valueFormatter: qty,
    cellClass: 'fw-num',
  },
  {
    field: 'preSettlement',
    headerName: 'Pre-settle',
    type: 'numericColumn',
    width: 96,
    valueFormatter: price,
    cellClass: 'fw-num fw-muted',
  },
  {
    field: 'upperLimit',
    headerName: 'Limit up',
    type: 'numericColumn',
    width: 96,
    valueFormatter: price,
    cellClass: 'fw-num fw-limit fw-up',
  },
  {
    field: 'lowerLimit',
    headerName: 'Limit down',
    type: 'numericColumn',
    width: 96,
    valueFormatter: price,
    cellClass: 'fw-num fw-limit fw-down',
  },
  {
    field: 'phase',
    headerName: 'Phase',
    width: 92,
    cellClass: (p: Cls) => `fw-phase fw-phase-${String(p.value)}`,
  },
];

const byExchangeThenInstrument = (a: MarketRow, b: MarketRow) =>
  a.exchange.localeCompare(b.exchange) || a.instrumentId.localeCompare(b.instrumentId);

const DEFAULT_COLUMN: ColDef<MarketRow> = { resizable: true, sortable: true, suppressHeaderMenuButton: true };

export function MarketWatch() {
  const channel = useWindowStore((s) => s.channel);
  const linked = useChannelContext(channel);
  const ready = marketStore.use((s) => s.ready);
  const upDown = useSettingsStore((s) => s.upDown);
  const count = marketStore.use((s) => s.rows.size);
  const { apiRef, onGridReady, getRowId } = useLiveGrid(marketStore, {
    snapshotOrder: byExchangeThenInstrument,
    // Unsorted (the usual view), a tick rewrites its row's cells where they are: no transaction, no row moved.
    inPlaceUpdates: true,
    // Deltas only: a snapshot (on subscribe or reconnect) carries an old source time, not a tick.
    afterApply: (_api, batch) => {
      if (!batch.snapshot) recordPaintedUpdate(batch.sourceTs);
    },
  });
  const gridTheme = useGridTheme();
  const gridLocaleText = useGridLocaleText();
  const columnDefs = useLocalizedColumns(COLUMNS);
  const { t } = useTranslation();

  const onRowClicked = useCallback(
    (event: RowClickedEvent<MarketRow>) => {
      if (event.data) linkInstrument(channel, event.data.instrumentId);
    },
    [channel],
  );

  // Follow the channel: an instrument picked in a linked window is selected and scrolled into view here.
  useEffect(() => {
    const api = apiRef.current;
    if (!api || !linked.instrument) return;
    const node = api.getRowNode(linked.instrument);
    if (!node) return;
    node.setSelected(true, true);
    api.ensureNodeVisible(node);
  }, [apiRef, linked.instrument, ready]);

  return (
    <section className="fw-view">
      <div className="fw-toolbar">
        <span className="fw-toolbar-note">
          {t('market.against')}{' '}
          <span className="fw-up">{upDown === 'redUp' ? t('market.redRise') : t('market.greenRise')}</span>
          {t('market.separator')}
          <span className="fw-down">{upDown === 'redUp' ? t('market.greenFall') : t('market.redFall')}</span>
          {upDown === 'redUp' ? t('market.chinese') : ''}
        </span>
        <div className="fw-header-spacer" />
        {linked.instrument && <span className="fw-chip">{t('market.linked', { id: linked.instrument })}</span>}
        <span className="fw-toolbar-note" data-testid="market-count">
          {t('market.count', { count })}
        </span>
      </div>
      <div className="fw-grid" data-testid="market-grid">
        <AgGridReact<MarketRow>
          theme={gridTheme}
          localeText={gridLocaleText}
          columnDefs={columnDefs}
          defaultColDef={DEFAULT_COLUMN}
          getRowId={getRowId}
          onGridReady={onGridReady}
          onRowClicked={onRowClicked}
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          cellFlashDuration={80}
          cellFadeDuration={250}
          suppressCellFocus
          animateRows={false}
          loading={!ready}
          overlayNoRowsTemplate={t('market.noRows')}
        />
      </div>
    </section>
  );
}
