// Four-eyes pieces shared by the header's Pending actions panel, the account tools and the account/position grids:
// approve/reject buttons that ask for a comment and confirmation (and are disabled, with the reason, on one's own
// request or for a role that does not decide), the decision line the requester sees, and restriction badges.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountActionRequest } from '../../../shared/api/methods/auth';
import { authorize } from '../../../shared/api/permissions';
import { callOptional } from '../api/floorwatch';
import { TextDialog } from '../components/TextDialog';
import { formatTime } from '../format';
import { locale } from '../i18n';
import { useNoticeStore } from '../stores/notice';
import { describeAction, ensureActionsSubscription, restrictionBadges, useRestrictionsStore } from './actions';
import { useAuthStore } from './session';
import '../windows/workflow.css';

export function DecisionButtons({ request }: { request: AccountActionRequest }) {
  const { t } = useTranslation();
  const session = useAuthStore((s) => s.session);
  const [deciding, setDeciding] = useState<'approve' | 'reject' | null>(null);
  if (request.status !== 'pending') return null;
  const own = request.requestedBy === session?.operator;
  const mayDecide = session !== null && authorize(session.role, 'actions.approve');
  const why = own ? t('workflow.fourEyes.ownRequest') : !mayDecide ? t('workflow.fourEyes.notApprover') : null;
  const what = describeAction(request);
  return (
    <span className="fw-auth-row">
      {(['approve', 'reject'] as const).map((decision) => (
        <button
          key={decision}
          type="button"
          className="fw-button"
          data-testid={`${decision}-${request.id}`}
          disabled={why !== null}
          title={why ?? t(`workflow.fourEyes.${decision}Title`, { id: request.id })}
          aria-label={t(`workflow.fourEyes.${decision}Title`, { id: request.id })}
          onClick={() => setDeciding(decision)}
        >
          {t(`workflow.fourEyes.${decision}`)}
        </button>
      ))}
      {deciding && (
        <TextDialog
          title={t(`workflow.fourEyes.${deciding}Title`, { id: request.id })}
          label={t('workflow.fourEyes.comment')}
          draftKey={`request:${request.id}:${deciding}`}
          submitLabel={t(`workflow.fourEyes.${deciding}`)}
          confirmation={t(
            deciding === 'approve' ? 'workflow.fourEyes.confirmApprove' : 'workflow.fourEyes.confirmReject',
            {
              id: request.id,
              what,
            },
          )}
          onCancel={() => setDeciding(null)}
          onSubmit={async (comment) => {
            const result =
              deciding === 'approve'
                ? await callOptional('actions.approve', { requestId: request.id, reason: comment })
                : await callOptional('actions.reject', { requestId: request.id, reason: comment });
            if (!result.ok) return result.message;
            useNoticeStore.getState().show(
              t(deciding === 'approve' ? 'workflow.fourEyes.approved' : 'workflow.fourEyes.rejected', {
                id: request.id,
              }),
            );
            setDeciding(null);
            return null;
          }}
        >
          <p className="fw-muted">
            #{request.id} {what} — {request.requestedBy}: {request.reason}
          </p>
        </TextDialog>
      )}
    </span>
  );
}

/** "Request #7 approved by zhao.min at 14:02:11 — comment", or that it still waits. */
export function DecisionLine({ request }: { request: AccountActionRequest }) {
  const { t } = useTranslation();
  if (request.status === 'pending')
    return (
      <span className="fw-muted" data-testid={`request-status-${request.id}`} data-status="pending">
        {t('workflow.fourEyes.waiting', { id: request.id })}
      </span>
    );
  return (
    <span data-testid={`request-status-${request.id}`} data-status={request.status}>
      {t('workflow.fourEyes.decided', {
        id: request.id,
        status: t(`workflow.fourEyes.status.${request.status}`),
        by: request.decidedBy ?? '—',
        at: request.decidedAt ? formatTime(request.decidedAt, locale()) : '—',
      })}
      {request.decisionReason ? <span className="fw-muted"> — {request.decisionReason}</span> : null}
    </span>
  );
}

/** The restrictions in force on an account, as badges (empty when none). */
export function RestrictionBadges({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  useEffect(() => ensureActionsSubscription(), []);
  const restrictions = useRestrictionsStore((s) => s.byAccount[accountId]);
  const badges = restrictionBadges(restrictions);
  if (badges.length === 0) return null;
  return (
    <span className="fw-restrictions" data-testid={`restrictions-${accountId}`}>
      {badges.map((badge, i) => (
        <span key={i} className={`fw-restriction fw-restriction-${badge.kind}`} data-restriction={badge.kind}>
          {t(`workflow.fourEyes.${badge.kind}`, {
            ...badge.params,
            scope: badge.params.scope === '*' ? t('workflow.fourEyes.allInstruments') : badge.params.scope,
          })}
        </span>
      ))}
    </span>
  );
}

/** A grid cell with the restrictions of the row's account (Accounts, Positions). */
export function RestrictionsCell(props: { data?: { accountId: string } }) {
  return props.data ? <RestrictionBadges accountId={props.data.accountId} /> : null;
}

/** The grid column of an account's restrictions, for every grid with an accountId. */
export const RESTRICTIONS_COLUMN = {
  colId: 'restrictions',
  headerName: 'Restrictions',
  width: 170,
  sortable: false,
  cellRenderer: RestrictionsCell,
} as const;
