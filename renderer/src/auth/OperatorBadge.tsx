// The operator on every window's header: name and role, the Pending actions panel (four eyes), Lock and Log out.
import { useEffect, useState } from 'react';
import { callOrNotify } from '../api/floorwatch';
import { describeAction, ensureActionsSubscription, pendingOf, useActionsStore } from './actions';
import { lock, logout, useAuthStore } from './session';

const APPROVER_ROLES = new Set(['supervisor', 'admin']);

function PendingActionsPanel({ onClose }: { onClose(): void }) {
  const session = useAuthStore((s) => s.session);
  const byId = useActionsStore((s) => s.byId);
  const [reasons, setReasons] = useState<Record<number, string>>({});
  const pending = pendingOf(byId);
  const mayDecide = session !== null && APPROVER_ROLES.has(session.role);
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
      {pending.map((request) => {
        const own = request.requestedBy === session?.operator;
        const reason = reasons[request.id] ?? '';
        return (
          <div key={request.id} className="fw-pending-item" data-testid={`pending-action-${request.id}`}>
            <span>
              #{request.id} {describeAction(request)}
            </span>
            <span className="fw-muted">
              by {request.requestedBy} ({request.requestedByRole}) at{' '}
              {new Date(request.requestedAt).toLocaleTimeString()}: {request.reason}
            </span>
            {mayDecide && !own && (
              <div className="fw-auth-row">
                <input
                  placeholder="Reason (required to reject)"
                  value={reason}
                  onChange={(e) => setReasons({ ...reasons, [request.id]: e.target.value })}
                />
                <button
                  type="button"
                  className="fw-button"
                  data-testid={`approve-${request.id}`}
                  onClick={() =>
                    void callOrNotify(
                      'actions.approve',
                      reason ? { requestId: request.id, reason } : { requestId: request.id },
                    )
                  }
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="fw-button"
                  data-testid={`reject-${request.id}`}
                  disabled={!reason.trim()}
                  onClick={() => void callOrNotify('actions.reject', { requestId: request.id, reason })}
                >
                  Reject
                </button>
              </div>
            )}
            {mayDecide && own && <span className="fw-muted">Your own request: another supervisor must decide.</span>}
          </div>
        );
      })}
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
