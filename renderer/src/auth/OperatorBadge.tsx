// The operator on every window's header: name and role, the Pending actions panel (four eyes), Lock and Log out.
import { useEffect, useState } from 'react';
import { decidedOf, describeAction, ensureActionsSubscription, pendingOf, useActionsStore } from './actions';
import { DecisionButtons, DecisionLine } from './FourEyesParts';
import { lock, logout, useAuthStore } from './session';

function PendingActionsPanel({ onClose }: { onClose(): void }) {
  const byId = useActionsStore((s) => s.byId);
  const pending = pendingOf(byId);
  const decided = decidedOf(byId).slice(0, 10);
  return (
    <div
      className="fw-pending-panel"
      role="dialog"
      aria-label="Pending account actions"
      data-testid="pending-actions-panel"
    >
      <div className="fw-auth-row">
        <strong>Pending account actions ({pending.length})</strong>
        <div className="fw-header-spacer" />
        <button type="button" className="fw-button" onClick={onClose}>
          Close
        </button>
      </div>
      {pending.length === 0 && <p className="fw-muted">Nothing waits for a decision.</p>}
      {pending.map((request) => (
        <div key={request.id} className="fw-pending-item" data-testid={`pending-action-${request.id}`}>
          <span>
            #{request.id} {describeAction(request)}
          </span>
          <span className="fw-muted">
            by {request.requestedBy} ({request.requestedByRole}) at {new Date(request.requestedAt).toLocaleTimeString()}
            : {request.reason}
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
  const session = useAuthStore((s) => s.session);
  const byId = useActionsStore((s) => s.byId);
  const [open, setOpen] = useState(false);
  useEffect(() => ensureActionsSubscription(), []);
  if (!session) return null;
  const pendingCount = pendingOf(byId).length;
  return (
    <div className="fw-operator" data-testid="operator-badge">
      <span className="fw-operator-name" data-testid="operator-name" title={`Logged in as ${session.operator}`}>
        {session.displayName}
      </span>
      <span className="fw-role" data-testid="operator-role">
        {session.role}
      </span>
      <button type="button" className="fw-button" data-testid="pending-actions-button" onClick={() => setOpen(!open)}>
        Pending actions{pendingCount > 0 ? ` (${pendingCount})` : ''}
      </button>
      <button type="button" className="fw-button" data-testid="lock-button" onClick={() => void lock()}>
        Lock
      </button>
      <button type="button" className="fw-button" data-testid="logout-button" onClick={() => void logout()}>
        Log out
      </button>
      {open && <PendingActionsPanel onClose={() => setOpen(false)} />}
    </div>
  );
}
