// Alert workflow calls shared by the alert pane and the case review. The methods may not be wired in every build;
// an `unavailable` answer becomes one readable notice instead of a stack of errors.
import { i18n } from '../i18n';
import { callOptional } from '../api/floorwatch';
import type { AlertRow, AlertState } from '../../../shared/api/methods/alerts';
import { useNoticeStore } from '../stores/notice';

function report(result: { ok: false; unavailable: boolean; message: string }): void {
  useNoticeStore.getState().error(result.unavailable ? i18n.t('alerts.workflowUnavailable') : result.message);
}

export async function setAlertState(id: string, state: AlertState, reason?: string): Promise<AlertRow | null> {
  const result = await callOptional<AlertRow>('alerts.setState', reason ? { id, state, reason } : { id, state });
  if (!result.ok) {
    report(result);
    return null;
  }
  return result.value;
}

export async function addAlertNote(id: string, text: string): Promise<AlertRow | null> {
  const result = await callOptional<AlertRow>('alerts.addNote', { id, text });
  if (!result.ok) {
    report(result);
    return null;
  }
  return result.value;
}

export async function assignAlert(id: string, assignee: string | null): Promise<AlertRow | null> {
  const result = await callOptional<AlertRow>('alerts.assign', { id, assignee });
  if (!result.ok) {
    report(result);
    return null;
  }
  return result.value;
}
