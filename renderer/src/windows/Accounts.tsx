// Accounts: equity, available, margin and risk degree per account, sorted by risk. Risk degree is margin ÷ equity
// (风险度), the Chinese broker convention, coloured in bands (riskBand in shared/domain/risk.ts).
import { RESTRICTIONS_COLUMN } from '../auth/FourEyesParts';
import { useCallback, useEffect, useState } from 'react';
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
import { useLiveGrid } from '../grid/liveGrid';
import { accountsStore } from '../stores/accounts';
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
    sort: 'desc',
    // Infinity (margin held against no equity) sorts as the worst.
    comparator: (a: number, b: number) => (a === b ? 0 : a > b ? 1 : -1),
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

const DEFAULT_COLUMN: ColDef<AccountRow> = { resizable: true, sortable: true, suppressHeaderMenuButton: true };

const bandOf = (params: RowClassParams<AccountRow>) => (params.data ? riskBand(params.data.riskDegree) : 'normal');
// Rules (not getRowClass) so the row's class is re-evaluated when its data changes.
const ROW_CLASS_RULES = {
  'fw-row-call': (params: RowClassParams<AccountRow>) => bandOf(params) === 'call',
  'fw-row-critical': (params: RowClassParams<AccountRow>) => bandOf(params) === 'critical',
};

type BandCounts = Record<RiskBand, number> & { accounts: number };

function countBands(): BandCounts {
  const counts: BandCounts = { accounts: 0, normal: 0, watch: 0, warning: 0, call: 0, critical: 0 };
  for (const row of accountsStore.use.getState().rows.values()) {
    counts.accounts++;
    counts[riskBand(row.riskDegree)]++;
  }
  return counts;
}

/** How many accounts sit in each band, refreshed twice a second (not per update). */
function BandSummary() {
  const { t } = useTranslation();
  const [counts, setCounts] = useState<BandCounts>(countBands);
  useEffect(() => {
    const timer = setInterval(
      () =>
        setCounts((previous) => {
          const next = countBands();
          return (Object.keys(next) as Array<keyof BandCounts>).every((k) => next[k] === previous[k]) ? previous : next;
        }),
      500,
    );
    return () => clearInterval(timer);
  }, []);
  return (
    <>
      <span data-testid="accounts-count">{t('risk.accounts', { count: formatQty(counts.accounts) })}</span>
      {(['critical', 'call', 'warning', 'watch'] as const).map((band) => (
        <span key={band} className={`fw-band-${band}`}>
          <span className="fw-metric-label">{t(`risk.${band}`)}</span>{' '}
          <span className={counts[band] > 0 ? 'fw-band-count' : 'fw-muted'}>{counts[band]}</span>
        </span>
      ))}
    </>
  );
}

export function Accounts() {
  const channel = useWindowStore((s) => s.channel);
  const linked = useChannelContext(channel);
  const ready = accountsStore.use((s) => s.ready);
  const { apiRef, onGridReady, getRowId } = useLiveGrid(accountsStore);
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

  // Follow the channel: an account picked elsewhere is selected and scrolled into view.
  useEffect(() => {
    const api = apiRef.current;
    if (!api || !linked.account) return;
    const node = api.getRowNode(linked.account);
    if (!node) return;
    node.setSelected(true, true);
    api.ensureNodeVisible(node);
  }, [apiRef, linked.account, ready]);

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
          getRowId={getRowId}
          rowClassRules={ROW_CLASS_RULES}
          onGridReady={onGridReady}
          onRowClicked={onRowClicked}
          onRowDoubleClicked={(event) => related.openFirst(event.data)}
          onCellContextMenu={related.onContextMenu}
          preventDefaultOnContextMenu
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          suppressCellFocus
          animateRows={false}
          loading={!ready}
          overlayNoRowsTemplate={t('risk.noAccounts')}
        />
      </div>
      <footer className="fw-status">
        <BandSummary />
        <div className="fw-header-spacer" />
        {!channel && <span className="fw-muted">{t('risk.pickHint')}</span>}
      </footer>
      {related.menu}
    </section>
  );
}
