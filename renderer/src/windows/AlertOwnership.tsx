// Who holds an alert: Claim takes an unassigned alert for the operator at this window (the server refuses it, naming
// the holder, when someone else was faster); Assign… (supervisors and admins) hands it to an operator or unassigns it.
// Every answer comes from the server, durable before the notice says so.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertRow } from '../../../shared/api/methods/alerts';
import { TERMINAL_STATES } from '../../../shared/domain/alertWorkflow';
import { UNSCOPED_ROLES } from '../../../shared/domain/teamWorkflow';
import type { Role } from '../../../shared/api/methods/auth';
import { callOptional } from '../api/floorwatch';
import { i18n } from '../i18n';
import { useNoticeStore } from '../stores/notice';
import { useOperatorStore } from '../stores/operator';
import { useWindowStore } from '../stores/windowState';

interface DirectoryEntry {
  username: string;
  displayName: string;
  role: Role;
}

/** Roles that hand alerts to others (the operators claim their own). */
const ASSIGNING_ROLES: readonly string[] = UNSCOPED_ROLES.filter((role) => role !== 'auditor');

/** Claims `id`; the row, or null after a notice saying why not. */
export async function claimAlert(id: string): Promise<AlertRow | null> {
  const result = await callOptional<AlertRow>('alerts.claim', { id });
  if (!result.ok) {
    useNoticeStore.getState().error(result.message);
    return null;
  }
  useNoticeStore.getState().success(i18n.t('team.claimed', { id }));
  return result.value;
}

export function canClaim(alert: AlertRow | null, operator: string | null, role: string | null): boolean {
  return !!alert && !!operator && role !== 'auditor' && alert.assignee === null && !TERMINAL_STATES.has(alert.state);
}

export function AlertOwnership(props: { alert: AlertRow | null; onDone(row: AlertRow): void }) {
  const { t } = useTranslation();
  const { alert, onDone } = props;
  const operator = useOperatorStore((s) => s.operator);
  const role = useOperatorStore((s) => s.role);
  const inReview = useWindowStore((s) => s.review !== null);
  const [assigning, setAssigning] = useState(false);
  const [directory, setDirectory] = useState<DirectoryEntry[]>([]);
  const mayAssign = role !== null && ASSIGNING_ROLES.includes(role);
  useEffect(() => {
    if (!assigning) return;
    void callOptional<DirectoryEntry[]>('operators.directory', {}).then((r) => setDirectory(r.ok ? r.value : []));
  }, [assigning]);
  if (inReview) return null;

  const claimTitle =
    alert && alert.assignee !== null ? t('team.claimTaken', { assignee: alert.assignee }) : t('team.claimHint');
  const assign = async (assignee: string | null) => {
    if (!alert) return;
    setAssigning(false);
    const result = await callOptional<AlertRow>('alerts.assign', { id: alert.id, assignee });
    if (!result.ok) return useNoticeStore.getState().error(result.message);
    useNoticeStore
      .getState()
      .success(assignee ? t('team.assigned', { id: alert.id, assignee }) : t('team.unassigned', { id: alert.id }));
    onDone(result.value);
  };

  return (
    <div className="fw-state-buttons" role="group" aria-label={t('team.claim')}>
      <button
        type="button"
        className="fw-button fw-verb-claim"
        data-testid="alert-claim"
        disabled={!canClaim(alert, operator, role)}
        title={claimTitle}
        onClick={() => {
          if (alert) void claimAlert(alert.id).then((row) => row && onDone(row));
        }}
      >
        {t('team.claim')}
      </button>
      {mayAssign && (
        <span className="fw-assign">
          <button
            type="button"
            className="fw-button"
            data-testid="alert-assign"
            disabled={!alert || TERMINAL_STATES.has(alert.state)}
            title={t('team.assignHint')}
            aria-expanded={assigning}
            onClick={() => setAssigning((open) => !open)}
          >
            {t('team.assign')}
          </button>
          {assigning && alert && (
            <select
              className="fw-select"
              data-testid="alert-assign-to"
              aria-label={t('team.assignTo', { id: alert.id })}
              value=""
              onChange={(event) => void assign(event.target.value === '-' ? null : event.target.value)}
            >
              <option value="" disabled>
                {t('team.assignTo', { id: alert.id })}
              </option>
              <option value="-">{t('team.unassign')}</option>
              {directory
                .filter((entry) => entry.role !== 'auditor')
                .map((entry) => (
                  <option key={entry.username} value={entry.username}>
                    {entry.displayName} ({entry.username}) · {t(`role.${entry.role}`)}
                  </option>
                ))}
            </select>
          )}
        </span>
      )}
    </div>
  );
}
