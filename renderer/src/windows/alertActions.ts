// Alert workflow calls shared by the alert pane and the case review. The methods may not be wired in every build;
// an `unavailable` answer becomes one readable message instead of a stack of errors.
import { i18n } from '../i18n';
import { callOptional } from '../api/floorwatch';
import type { AlertRow, AlertState } from '../../../shared/api/methods/alerts';
import type { EscalationTarget } from '../../../shared/domain/alertWorkflow';
import { useNoticeStore } from '../stores/notice';

type Outcome = { row: AlertRow; error: null } | { row: null; error: string };

async function call(method: string, args: Record<string, unknown>): Promise<Outcome> {
  const result = await callOptional<AlertRow>(method, args);
  if (result.ok) return { row: result.value, error: null };
  return { row: null, error: result.unavailable ? i18n.t('alerts.workflowUnavailable') : result.message };
}

/** A workflow move; the error message (for the dialog that asked for it) or the new row. */
export function moveAlert(id: string, state: AlertState, reason?: string, target?: EscalationTarget): Promise<Outcome> {
  return call('alerts.setState', {
    id,
    state,
    ...(reason ? { reason } : {}),
    ...(target ? { target } : {}),
  });
}

function notifyFailure(outcome: Outcome): AlertRow | null {
  if (outcome.error !== null) useNoticeStore.getState().error(outcome.error);
  return outcome.row;
}

/** A move that needs no typed text (acknowledge, investigate); failures become a notice. */
export async function setAlertState(id: string, state: AlertState): Promise<AlertRow | null> {
  return notifyFailure(await moveAlert(id, state));
}

export function addAlertNote(id: string, text: string): Promise<Outcome> {
  return call('alerts.addNote', { id, text });
}

export async function assignAlert(id: string, assignee: string | null): Promise<AlertRow | null> {
  return notifyFailure(await call('alerts.assign', { id, assignee }));
}
