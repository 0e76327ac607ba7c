// Replayed alerts as they stood at the replay clock: the review core raises them again from the file (state 'new'),
// and the audit log says what operators did with them and when. A replayed alert shows the workflow state, assignee
// and notes of the audit rows timed at or before the replay clock (session time), never what came after.
import type { AlertRow, AlertState } from '../../shared/api/methods/alerts';
import { ALERT_STATES } from '../../shared/api/methods/alerts';
import { auditDetails, type AuditRow } from '../store/auditLog';

/** The audit actions that make an alert's workflow (main/alerts/workflow.ts writes them). */
export const WORKFLOW_AUDIT_ACTIONS = ['alert_state_changed', 'note_added'] as const;

/** One audited workflow change of an alert. */
export interface WorkflowStep {
  at: number;
  state?: AlertState;
  assignee?: string | null;
  note?: true;
}

const isState = (value: unknown): value is AlertState =>
  typeof value === 'string' && (ALERT_STATES as readonly string[]).includes(value);

/** Per alert id, its workflow changes in time order (rows that are not workflow changes are skipped). */
export function workflowTimelines(rows: readonly AuditRow[]): Map<string, WorkflowStep[]> {
  const timelines = new Map<string, WorkflowStep[]>();
  for (const row of rows) {
    if (!row.target.startsWith('alert:')) continue;
    const details = auditDetails(row);
    const id = typeof details.alertId === 'string' ? details.alertId : row.target.slice('alert:'.length);
    let step: WorkflowStep | null = null;
    if (row.action === 'note_added') step = { at: row.time, note: true };
    else if (row.action === 'alert_state_changed') {
      if (details.change === 'assign') {
        step = { at: row.time, assignee: typeof details.assignee === 'string' ? details.assignee : null };
      } else if (isState(details.to)) step = { at: row.time, state: details.to };
    }
    if (!step) continue;
    const steps = timelines.get(id) ?? [];
    steps.push(step);
    timelines.set(id, steps);
  }
  for (const steps of timelines.values()) steps.sort((a, b) => a.at - b.at);
  return timelines;
}

/** `row` (a replayed alert, times in session time) with its workflow as of `clock` (epoch ms, session time). */
export function alertAt(row: AlertRow, steps: readonly WorkflowStep[] | undefined, clock: number): AlertRow {
  let state: AlertState = 'new';
  let assignee: string | null = null;
  let notes = 0;
  let updatedAt = row.createdAt;
  for (const step of steps ?? []) {
    if (step.at > clock) break;
    if (step.state) state = step.state;
    if (step.assignee !== undefined) assignee = step.assignee;
    if (step.note) notes++;
    updatedAt = Math.max(updatedAt, step.at);
  }
  if (row.state === state && row.assignee === assignee && row.notes === notes && row.updatedAt === updatedAt) {
    return row;
  }
  return { ...row, state, assignee, notes, updatedAt };
}
