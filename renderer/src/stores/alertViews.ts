// Small views of the `alerts` source for what is not the alert grid: the counts (the header badge, the alert pane's
// footer) as the totals of a view that holds no rows, and one alert kept live (a case's alert, the alert the action
// bar acts on, whether or not the pane's filters still show it). Counted and filtered where the alerts are.
import type { AlertRow } from '../../../shared/api/methods/alerts';
import type { ViewRange, ViewSpec } from '../../../shared/views/spec';
import { useViewRows } from './viewRows';

export interface AlertCounts {
  total: number;
  unacked: number;
  /** Unacknowledged high or critical alerts. */
  unackedHigh: number;
  ready: boolean;
}

const EVERY_ALERT: ViewSpec = {};
const NO_ROWS: ViewRange = { start: 0, end: 0 };

export function useAlertCounts(): AlertCounts {
  const { total, totals, ready } = useViewRows('alerts', EVERY_ALERT, NO_ROWS);
  return {
    total,
    unacked: totals['state:new'] ?? 0,
    unackedHigh: (totals['new:high'] ?? 0) + (totals['new:critical'] ?? 0),
    ready,
  };
}

// Text filters ignore case: the few ids that could differ from the wanted one only in case are looked through.
const FEW_ROWS: ViewRange = { start: 0, end: 4 };

function oneAlert(id: string): ViewSpec {
  return { filter: { id: { filterType: 'text', type: 'equals', filter: id } } };
}

/** Alert `id` as it is now (undefined until the view answers, or when there is no such alert; none asked for null). */
export function useLiveAlert(id: string | null): AlertRow | undefined {
  const { rows } = useViewRows<AlertRow>('alerts', id ? oneAlert(id) : null, FEW_ROWS);
  return rows.find((row) => row.id === id);
}
