// The alert pane's filters (rule, severity at least, state, exchange, queue: mine/unassigned/team, quick search) as the window keeps them
// in its URL, and as the view of the `alerts` source applies them where the alerts are.
import type { ColumnFilter, FilterCondition, SortColumn } from '../../../shared/views/spec';
import { SEVERITIES, type Severity } from '../../../shared/rules/types';
import { QUEUE_VIEWS, type QueueView } from '../../../shared/domain/teamWorkflow';

export interface AlertFilter {
  rule: string;
  /** Lowest severity shown ('' all). */
  severity: string;
  /** 'open' (not closed or dismissed), 'all', or one state. */
  state: string;
  exchange: string;
  queue: QueueView;
  q: string;
}

export const DEFAULT_ALERT_FILTER: AlertFilter = {
  rule: '',
  severity: '',
  state: 'open',
  exchange: '',
  queue: 'team',
  q: '',
};

/** The filters as a window's URL kept them (an older URL's `mine: true` is the "mine" queue). */
export function alertFilterOf(saved: Partial<AlertFilter> & { mine?: unknown }): AlertFilter {
  const { mine, ...rest } = saved;
  const queue = QUEUE_VIEWS.includes(rest.queue as QueueView)
    ? (rest.queue as QueueView)
    : mine === true
      ? 'mine'
      : 'team';
  return { ...DEFAULT_ALERT_FILTER, ...rest, queue };
}

/** Most severe first, the oldest first among equals (the source's tie-break). */
export const DEFAULT_ALERT_SORT: readonly SortColumn[] = [{ colId: 'severity', sort: 'desc' }];

/** States an alert leaves the open queue for. */
const CLOSED_STATES = ['dismissed', 'closed'] as const;

const is = (filter: string): FilterCondition => ({ filterType: 'text', type: 'equals', filter });
const isNot = (filter: string): FilterCondition => ({ filterType: 'text', type: 'notEqual', filter });

/**
 * The view filter of the pane's filters (quick search is the view's `search`). `operator` is who "mine" means; with
 * nobody signed in "mine" filters nothing (the choice is disabled then).
 */
export function alertViewScope(filter: AlertFilter, operator: string | null): Record<string, ColumnFilter> {
  const scope: Record<string, ColumnFilter> = {};
  if (filter.rule) scope.rule = is(filter.rule);
  const lowest = SEVERITIES.indexOf(filter.severity as Severity);
  if (lowest > 0) {
    const shown = SEVERITIES.slice(lowest).map(is);
    scope.severity =
      shown.length === 1 ? (shown[0] as FilterCondition) : { filterType: 'text', operator: 'OR', conditions: shown };
  }
  if (filter.state === 'open')
    scope.state = { filterType: 'text', operator: 'AND', conditions: CLOSED_STATES.map(isNot) };
  else if (filter.state && filter.state !== 'all') scope.state = is(filter.state);
  if (filter.exchange) scope.exchange = is(filter.exchange);
  if (filter.queue === 'mine' && operator) scope.assignee = is(operator);
  else if (filter.queue === 'unassigned') scope.assignee = { filterType: 'text', type: 'blank' };
  return scope;
}
