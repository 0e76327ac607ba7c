// The operator on every window's header: name and role, the Pending actions panel (four eyes), Lock and Log out.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { locale } from '../i18n';
import { decidedOf, describeAction, ensureActionsSubscription, pendingOf, useActionsStore } from './actions';
import { DecisionButtons, DecisionLine } from './FourEyesParts';
import { lock, logout, useAuthStore } from './session';

function PendingActionsPanel({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const byId = useActionsStore((s) => s.byId);
  const pending = pendingOf(byId);
  const decided = decidedOf(byId).slice(0, 10);
  return (
    <div
      className="fw-pending-panel"
      role="dialog"
      aria-label={t('auth.pendingTitle', { count: pending.length })}
      data-testid="pending-actions-panel"
    >
      <div className="fw-auth-row">
        <strong>{t('auth.pendingTitle', { count: pending.length })}</strong>
        <div className="fw-header-spacer" />
        <button type="button" className="fw-button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {pending.length === 0 && <p className="fw-muted">{t('auth.pendingNone')}</p>}
      {pending.map((request) => (
        <div key={request.id} className="fw-pending-item" data-testid={`pending-action-${request.id}`}>
          <span>
            #{request.id} {describeAction(request)}
          </span>
          <span className="fw-muted">
            {t('auth.requestedBy', {
              operator: request.requestedBy,
              role: t(`role.${request.requestedByRole}`, { defaultValue: request.requestedByRole }),
              time: new Date(request.requestedAt).toLocaleTimeString(locale()),
            })}{' '}
            {request.reason}
          </span>
          <DecisionButtons request={request} />
        </div>
      ))}
      {decided.map((request) => (
        <div key={request.id} className="fw-pending-item" data-testid={`decided-action-${request.id}`}>
          <span>
            #{request.id} {describeAction(request)}
          </span>
          <DecisionLine request={request} />
        </div>
      ))}
    </div>
  );
}

export function OperatorBadge() {
  const { t } = useTranslation();
  const session = useAuthStore((s) => s.session);
  const byId = useActionsStore((s) => s.byId);
  const [open, setOpen] = useState(false);
  useEffect(() => ensureActionsSubscription(), []);
  if (!session) return null;
  const pendingCount = pendingOf(byId).length;
  return (
    <div className="fw-operator" data-testid="operator-badge">
      <span
        className="fw-operator-name"
        data-testid="operator-name"
        title={t('auth.loggedInAs', { operator: session.operator })}
      >
        {session.displayName}
      </span>
      <span className="fw-role" data-testid="operator-role" data-role={session.role}>
        {t(`role.${session.role}`, { defaultValue: session.role })}
      </span>
      <button type="button" className="fw-button" data-testid="pending-actions-button" onClick={() => setOpen(!open)}>
        {t('auth.pendingActions')}
        {pendingCount > 0 ? ` (${pendingCount})` : ''}
      </button>
      <button type="button" className="fw-button" data-testid="lock-button" onClick={() => void lock()}>
        {t('auth.lock')}
      </button>
      <button type="button" className="fw-button" data-testid="logout-button" onClick={() => void logout()}>
        {t('auth.logOut')}
      </button>
      {open && <PendingActionsPanel onClose={() => setOpen(false)} />}
    </div>
  );
}
