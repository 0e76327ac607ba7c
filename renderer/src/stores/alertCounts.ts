// How many alerts there are, unacknowledged, and unacknowledged high/critical: the totals of a view of the `alerts`
// source that holds no rows (counted where the alerts are), for the header badge and the alert pane's footer.
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
