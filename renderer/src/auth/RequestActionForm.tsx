// Asks for an account action under four eyes: it takes effect only once a different supervisor approves it in the
// Pending actions panel. For the account tools window: <RequestActionForm accountId="A001" />.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountAction, AccountActionKind } from '../../../shared/api/methods/auth';
import { ACCOUNT_ACTION_NAMES, say } from '../../../shared/vocabulary';
import { callOrNotify } from '../api/floorwatch';
import { currentLanguage } from '../i18n';
import { useAuthStore } from './session';
import { ensureActionsSubscription, useActionsStore } from './actions';
import { DecisionLine } from './FourEyesParts';

function buildAction(
  kind: AccountActionKind,
  accountId: string,
  instrumentId: string,
  amount: number,
  note: string,
): AccountAction {
  const instrument = instrumentId.trim() ? { instrumentId: instrumentId.trim() } : {};
  switch (kind) {
    case 'freeze_opening':
    case 'unfreeze_opening':
      return { kind, accountId, params: {} };
    case 'set_position_limit':
      return { kind, accountId, params: { ...instrument, maxLots: amount } };
    case 'set_order_limit':
      return { kind, accountId, params: { ...instrument, maxOrderQty: amount } };
    case 'mark_forced_liquidation':
      return { kind, accountId, params: instrument };
    case 'client_contact_note':
      return { kind, accountId, params: { note } };
  }
}

export function RequestActionForm({ accountId, onRequested }: { accountId: string; onRequested?(id: number): void }) {
  const { t } = useTranslation();
  const role = useAuthStore((s) => s.session?.role);
  const [kind, setKind] = useState<AccountActionKind>('freeze_opening');
  const [instrumentId, setInstrumentId] = useState('');
  const [amount, setAmount] = useState(0);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState<number | null>(null);
  // The request as the actions topic has it now: the requester sees who decided and when.
  const sentRequest = useActionsStore((s) => (sent === null ? undefined : s.byId[sent]));
  useEffect(() => ensureActionsSubscription(), []);
  if (role === 'auditor') return <p className="fw-muted">{t('auth.request.auditor')}</p>;
  const needsInstrument =
    kind === 'set_position_limit' || kind === 'set_order_limit' || kind === 'mark_forced_liquidation';
  const needsAmount = kind === 'set_position_limit' || kind === 'set_order_limit';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const request = await callOrNotify('actions.request', {
      action: buildAction(kind, accountId, instrumentId, amount, note),
      reason,
    });
    if (request) {
      setSent(request.id);
      setReason('');
      onRequested?.(request.id);
    }
  };
  return (
    <form className="fw-auth-card" onSubmit={(e) => void submit(e)} data-testid="request-action-form">
      <strong>{t('auth.request.title', { id: accountId })}</strong>
      <label>
        {t('auth.request.action')}
        <select data-testid="request-kind" value={kind} onChange={(e) => setKind(e.target.value as AccountActionKind)}>
          {Object.entries(ACCOUNT_ACTION_NAMES).map(([value, name]) => (
            <option key={value} value={value}>
              {say(name, currentLanguage())}
            </option>
          ))}
        </select>
      </label>
      {needsInstrument && (
        <label>
          {t('auth.request.instrument')}
          <input value={instrumentId} onChange={(e) => setInstrumentId(e.target.value)} />
        </label>
      )}
      {needsAmount && (
        <label>
          {t('auth.request.limit')}
          <input
            type="number"
            min={0}
            value={amount}
            onChange={(e) => setAmount(Math.max(0, Math.trunc(Number(e.target.value))))}
          />
        </label>
      )}
      {kind === 'client_contact_note' && (
        <label>
          {t('auth.request.note')}
          <textarea value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} required />
        </label>
      )}
      <label>
        {t('auth.request.reason')}
        <input
          data-testid="request-reason"
          value={reason}
          maxLength={1000}
          onChange={(e) => setReason(e.target.value)}
          required
        />
      </label>
      <button type="submit" className="fw-button" data-testid="request-submit">
        {t('auth.request.submit')}
      </button>
      {sentRequest && <DecisionLine request={sentRequest} />}
    </form>
  );
}
