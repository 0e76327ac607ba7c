// Column headers in the current language: headers whose field has a catalogue entry (col.*) are translated, and the
// column definitions change identity when the language does, so AG Grid re-renders the header row in place.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ColDef } from 'ag-grid-community';

const HEADER_KEYS: Record<string, string> = {
  instrumentId: 'col.instrument',
  exchange: 'col.exchange',
  last: 'col.last',
  change: 'col.change',
  changePct: 'col.changePct',
  bid: 'col.bid',
  ask: 'col.ask',
  bidQty: 'col.bidQty',
  askQty: 'col.askQty',
  volume: 'col.volume',
  openInterest: 'col.openInterest',
  phase: 'col.phase',
  accountId: 'col.account',
  name: 'col.name',
  controlGroup: 'col.group',
  riskDegree: 'col.riskDegree',
  equity: 'col.equity',
  available: 'col.available',
  margin: 'col.margin',
  positionPnl: 'col.positionPnl',
  closePnl: 'col.closePnl',
  commission: 'col.commission',
  preBalance: 'col.preBalance',
  cash: 'col.cash',
  workingOrders: 'col.working',
  tradesToday: 'col.trades',
  longQty: 'col.long',
  shortQty: 'col.short',
  longAvgPrice: 'col.longAvg',
  shortAvgPrice: 'col.shortAvg',
  mark: 'col.mark',
  limitShare: 'nav.limit.column',
  restrictions: 'workflow.fourEyes.restrictions',
};

const HEADER_TOOLTIP_KEYS: Record<string, string> = {
  limitShare: 'nav.limit.columnTitle',
};

export function useLocalizedColumns<R>(columns: ColDef<R>[]): ColDef<R>[] {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(
    () =>
      columns.map((column) => {
        const id = (column.field as string | undefined) ?? column.colId ?? '';
        const key = HEADER_KEYS[id];
        const tooltipKey = HEADER_TOOLTIP_KEYS[id];
        if (!key) return column;
        return { ...column, headerName: t(key), ...(tooltipKey ? { headerTooltip: t(tooltipKey) } : {}) };
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the language decides the headers
    [columns, t, language],
  );
}
