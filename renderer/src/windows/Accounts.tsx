// Accounts: equity, available, margin and risk degree per account, sorted by risk. Risk degree is margin ÷ equity
// (风险度), the Chinese broker convention, coloured in bands (riskBand in shared/domain/risk.ts).
import { RESTRICTIONS_COLUMN } from '../auth/FourEyesParts';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AgGridReact, type CustomCellRendererProps } from 'ag-grid-react';
import type { CellClassParams, ColDef, RowClassParams, RowClickedEvent, ValueFormatterParams } from 'ag-grid-community';
import { riskBand, type RiskBand } from '../../../shared/domain/risk';
import type { AccountRow } from '../../../shared/domain/types';
import { linkAccount } from '../api/floorwatch';
import { formatMoney, formatQty, formatRatioPct, signClass } from '../format';
import { useRelatedWindowsMenu, type RelatedSubject } from '../components/RelatedWindowsMenu';
import { useLocalizedColumns } from '../grid/localizeColumns';
import { LimitShareCell } from './LimitCell';
import { useGridLocaleText, useGridTheme } from '../grid/useGridTheme';
import { useViewGrid, type ViewStatus } from '../grid/viewGrid';
import { useFollowPick } from '../grid/followPick';
import { QuickSearch } from '../components/QuickSearch';
import { useChannelContext } from '../stores/links';
import { useWindowStore } from '../stores/windowState';

type Fmt = ValueFormatterParams<AccountRow>;

const accountSubject = (row: AccountRow): RelatedSubject => ({ kind: 'account', accountId: row.accountId });

const BAND_RANGES: Array<[RiskBand, string]> = [
  ['normal', '< 80%'],
  ['watch', '80–90%'],
  ['warning', '90–100%'],
  ['call', '≥ 100%'],
  ['critical', '≥ 120%'],
];

/** Risk degree cell: the percentage over a bar filled to it (full at 120%), in the band's colour. */
function RiskDegreeCell(props: CustomCellRendererProps<AccountRow, number>) {
  const degree = props.value ?? 0;
  const band = riskBand(degree);
  const { t } = useTranslation();
  const fill = Number.isFinite(degree) ? Math.min(1, Math.max(0, degree / 1.2)) : 1;
  return (
    <div className={`fw-risk fw-band-${band}`} title={t('risk.cellTitle', { band: t(`risk.${band}`) })}>
      <div className="fw-risk-bar" aria-hidden="true">
        <div className="fw-risk-fill" style={{ width: `${(fill * 100).toFixed(1)}%` }} />
      </div>
      <span className="fw-risk-value" data-band={band}>
        {formatRatioPct(degree)}
      </span>
    </div>
  );
}

const money = (p: Fmt) => formatMoney(p.value as number | null);
const signed = (p: CellClassParams<AccountRow>) => ['fw-num', signClass(p.value as number | null)];

const COLUMNS: ColDef<AccountRow>[] = [
  { field: 'accountId', headerName: 'Account', pinned: 'left', width: 104, cellClass: 'fw-account' },
  { field: 'name', headerName: 'Name', width: 176, cellClass: 'fw-muted', tooltip: true },
  RESTRICTIONS_COLUMN,
  {
    field: 'controlGroup',
    headerName: 'Group',
    width: 80,
    valueFormatter: (p: Fmt) => (p.value as string | null) ?? '',
    cellClass: 'fw-group',
  },
  {
    field: 'riskDegree',
    headerName: 'Risk degree',
    headerTooltip: 'Risk degree (风险度) = margin ÷ equity',
    width: 150,
    cellRenderer: RiskDegreeCell,
    // Sorted where the data is; Infinity (margin held against no equity) sorts as the worst. A click turns the order
    // round; it never drops to arrival order, which tells a risk desk nothing.
    sort: 'desc',
    sortingOrder: ['desc', 'asc'],
  },
  {
    field: 'limitShare',
    headerName: 'Nearest limit',
    width: 150,
    cellRenderer: LimitShareCell,
  },
  {
    field: 'equity',
    headerName: 'Equity',
    type: 'numericColumn',
    width: 128,
    valueFormatter: money,
    cellClass: 'fw-num fw-strong',
  },
  {
    field: 'available',
    headerName: 'Available',
    type: 'numericColumn',
    width: 128,
    valueFormatter: money,
    // Not a rise or a fall: only a shortfall is marked, in the alert colour whatever the up/down convention.
    cellClass: (p) => ((p.value as number) < 0 ? 'fw-num fw-shortfall' : 'fw-num'),
  },
  {
    field: 'margin',
    headerName: 'Margin',
    type: 'numericColumn',
    width: 122,
    valueFormatter: money,
    cellClass: 'fw-num',
  },
  {
    field: 'positionPnl',
    headerName: 'Position P&L',
    type: 'numericColumn',
    width: 116,
    valueFormatter: money,
    cellClass: signed,
  },
  {
    field: 'closePnl',
    headerName: 'Close P&L',
    type: 'numericColumn',
    width: 108,
    valueFormatter: money,
    cellClass: signed,
  },
  {
    field: 'commission',
    headerName: 'Commission',
    type: 'numericColumn',
    width: 96,
    valueFormatter: money,
    cellClass: 'fw-num fw-muted',
  },
  {
    field: 'preBalance',
    headerName: 'Pre-balance',
    type: 'numericColumn',
    width: 128,
    valueFormatter: money,
    cellClass: 'fw-num fw-muted',
  },
  {
    field: 'cash',
    headerName: 'Cash in/out',
    type: 'numericColumn',
    width: 112,
    valueFormatter: money,
    cellClass: 'fw-num fw-muted',
  },
  {
    field: 'workingOrders',
    headerName: 'Working',
    headerTooltip: 'Working orders',
    type: 'numericColumn',
    width: 84,
    valueFormatter: (p: Fmt) => formatQty(p.value as number),
    cellClass: 'fw-num',
  },
  {
    field: 'tradesToday',
    headerName: 'Trades',
    type: 'numericColumn',
    width: 80,
    valueFormatter: (p: Fmt) => formatQty(p.value as number),
    cellClass: 'fw-num',
  },
];

const DEFAULT_COLUMN: ColDef<AccountRow> = {
  resizable: true,
  sortable: true,
  suppressHeaderMenuButton: true,
  enableCellChangeFlash: true,
};

const bandOf = (params: RowClassParams<AccountRow>) => (params.data ? riskBand(params.data.riskDegree) : 'normal');
// Rules (not getRowClass) so the row's class is re-evaluated when its data changes.
const ROW_CLASS_RULES = {
  'fw-row-call': (params: RowClassParams<AccountRow>) => bandOf(params) === 'call',
  'fw-row-critical': (params: RowClassParams<AccountRow>) => bandOf(params) === 'critical',
};

/** How many accounts the view has, and how many sit in each band (the view's totals, counted where the data is). */
function BandSummary({ status }: { status: ViewStatus }) {
  const { t } = useTranslation();
  return (
    <>
      <span data-testid="accounts-count">{t('risk.accounts', { count: formatQty(status.total) })}</span>
      {(['critical', 'call', 'warning', 'watch'] as const).map((band) => {
        const count = status.totals[`band:${band}`] ?? 0;
        return (
          <span key={band} className={`fw-band-${band}`}>
            <span className="fw-metric-label">{t(`risk.${band}`)}</span>{' '}
            <span className={count > 0 ? 'fw-band-count' : 'fw-muted'}>{count}</span>
          </span>
        );
      })}
    </>
  );
}

export function Accounts() {
  const channel = useWindowStore((s) => s.channel);
  const linked = useChannelContext(channel);
  const [search, setSearch] = useState('');
  const { apiRef, status, locate, gridProps } = useViewGrid<AccountRow>({ source: 'accounts', search });
  const gridTheme = useGridTheme();
  const gridLocaleText = useGridLocaleText();
  const columnDefs = useLocalizedColumns(COLUMNS);
  const related = useRelatedWindowsMenu(channel, accountSubject);
  const { t } = useTranslation();

  const onRowClicked = useCallback(
    (event: RowClickedEvent<AccountRow>) => {
      if (event.data) linkAccount(channel, event.data.accountId);
    },
    [channel],
  );

  // Follow the channel: an account picked elsewhere is found in the view, scrolled into view and selected.
  useFollowPick(apiRef, locate, linked.account, status.ready);

  const nearestMarginCall = useCallback(() => {
    const api = apiRef.current;
    if (!api) return;
    api.applyColumnState({ state: [{ colId: 'riskDegree', sort: 'desc' }], defaultState: { sort: null } });
    api.ensureIndexVisible(0, 'top');
  }, [apiRef]);

  return (
    <section className="fw-view">
      <div className="fw-toolbar">
        <span
          className="fw-toolbar-note"
          data-testid="risk-note"
          // The note's only markup is the catalogue's own <strong>.
          dangerouslySetInnerHTML={{ __html: t('risk.note') }}
        />
        <div className="fw-header-spacer" />
        <QuickSearch
          value={search}
          onChange={setSearch}
          placeholder={t('views.searchAccounts')}
          testId="accounts-search"
        />
        <button
          type="button"
          className="fw-button"
          data-testid="nearest-margin-call"
          title={t('views.nearestCallTitle')}
          onClick={nearestMarginCall}
        >
          {t('views.nearestCall')}
        </button>
        <div className="fw-bands" aria-label={t('risk.bands')}>
          {BAND_RANGES.map(([band, range]) => (
            <span key={band} className={`fw-band-chip fw-band-${band}`}>
              {t(`risk.${band}`)} <span className="fw-muted">{range}</span>
            </span>
          ))}
        </div>
      </div>
      <div className="fw-grid" data-testid="accounts-grid">
        <AgGridReact<AccountRow>
          theme={gridTheme}
          localeText={gridLocaleText}
          columnDefs={columnDefs}
          defaultColDef={DEFAULT_COLUMN}
          {...gridProps}
          rowClassRules={ROW_CLASS_RULES}
          onRowClicked={onRowClicked}
          onRowDoubleClicked={(event) => related.openFirst(event.data)}
          onCellContextMenu={related.onContextMenu}
          preventDefaultOnContextMenu
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          suppressCellFocus
          animateRows={false}
          loading={!status.ready}
          overlayNoRowsTemplate={t('risk.noAccounts')}
        />
      </div>
      <footer className="fw-status">
        <BandSummary status={status} />
        <div className="fw-header-spacer" />
        {!channel && <span className="fw-muted">{t('risk.pickHint')}</span>}
      </footer>
      {related.menu}
    </section>
  );
}
