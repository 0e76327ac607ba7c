// Column headers in the current language: headers whose field has a catalogue entry (col.*) are translated, and the
// column definitions change identity when the language does, so AG Grid re-renders the header row in place. Exchange
// and phase cells show their names the same way in every grid (上期所 / SHFE, 连续交易 / Trading).
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import { exchangeLabel, nameOf, PHASE_NAMES } from '../../../shared/vocabulary';
import { currentLanguage } from '../i18n';

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
  preSettlement: 'col.preSettlement',
  upperLimit: 'col.upperLimit',
  lowerLimit: 'col.lowerLimit',
  net: 'col.net',
};

const HEADER_TOOLTIP_KEYS: Record<string, string> = {
  limitShare: 'nav.limit.columnTitle',
};

/** Cells that hold a code shown by its name. */
const CODE_CELLS: Record<string, (code: string) => string> = {
  exchange: (code) => exchangeLabel(code, currentLanguage()),
  phase: (code) => nameOf(PHASE_NAMES, code, currentLanguage()),
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
        const named = key
          ? { ...column, headerName: t(key), ...(tooltipKey ? { headerTooltip: t(tooltipKey) } : {}) }
          : column;
        const code = CODE_CELLS[id];
        if (!code || column.valueFormatter) return named;
        return {
          ...named,
          valueFormatter: (p: ValueFormatterParams<R>) => (typeof p.value === 'string' ? code(p.value) : ''),
        };
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the language decides the headers
    [columns, t, language],
  );
}
