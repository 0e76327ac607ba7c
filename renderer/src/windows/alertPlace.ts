// Which changes of a live alert the alert pane may redraw where the row is (see LiveGridOptions.inPlaceWhen).
import type { AlertRow } from '../../../shared/api/methods/alerts';

/**
 * True when an alert changing from `before` to `after` keeps its place: sorted by severity alone (the default) or
 * not at all, no quick search (it reads every column), and none of the fields the sort, the filters or the row
 * classes read changed. Counts, scores, evidence and times change on live alerts all the time; those rows are
 * redrawn where they are instead of going through a re-sorting transaction.
 */
export function alertKeepsPlace(
  before: AlertRow,
  after: AlertRow,
  sortedBy: ReadonlySet<string>,
  filter: { q: string },
): boolean {
  for (const column of sortedBy) if (column !== 'severity') return false;
  if (filter.q) return false;
  return (
    before.severity === after.severity &&
    before.state === after.state &&
    before.rule === after.rule &&
    before.exchange === after.exchange &&
    before.assignee === after.assignee
  );
}
