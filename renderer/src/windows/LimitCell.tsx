// A client's nearest position limit: the share of its contract's limit its largest one-side position takes, flagged
// from 80% (watch, the large-trader report level) and past 100% (breach). Shown in Accounts and in the Alerts
// window's watch strip, both from the accounts topic (AccountRow.limitShare).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMIT_WATCH_SHARE, limitLevel } from '../../../shared/domain/risk';
import type { AccountRow } from '../../../shared/domain/types';
import { linkAccount, openWindow } from '../api/floorwatch';
import { formatRatioPct } from '../format';
import { i18n } from '../i18n';
import { accountsStore } from '../stores/accounts';
import { useWindowStore } from '../stores/windowState';

export function LimitShareCell(props: { data?: AccountRow | undefined }) {
  const row = props.data;
  if (!row || row.limitShare <= 0 || !row.limitInstrument) return <span className="fw-muted">—</span>;
  const level = limitLevel(row.limitShare);
  const share = formatRatioPct(row.limitShare);
  return (
    <span
      className={`fw-limit fw-limit-${level}`}
      data-level={level}
      title={i18n.t('nav.limit.cellTitle', { instrument: row.limitInstrument, share })}
    >
      {level !== 'normal' && <span aria-hidden="true">⚑ </span>}
      <span className="fw-num">{share}</span> <span className="fw-muted">{row.limitInstrument}</span>
    </span>
  );
}

const SHOWN = 6;

function nearLimit(): AccountRow[] {
  const rows: AccountRow[] = [];
  for (const row of accountsStore.use.getState().rows.values()) if (row.limitShare >= LIMIT_WATCH_SHARE) rows.push(row);
  return rows.sort((a, b) => b.limitShare - a.limitShare || a.accountId.localeCompare(b.accountId));
}

const sameRows = (a: AccountRow[], b: AccountRow[]) =>
  a.length === b.length &&
  a.every((row, i) => row.accountId === b[i]?.accountId && row.limitShare === b[i]?.limitShare);

/** The Alerts window's strip of clients at ≥ 80% of a position limit, nearest first; a click opens Account Tools. */
export function LimitWatch() {
  const { t } = useTranslation();
  const channel = useWindowStore((s) => s.channel);
  const [rows, setRows] = useState<AccountRow[]>(nearLimit);
  useEffect(() => {
    const timer = setInterval(
      () =>
        setRows((previous) => {
          const next = nearLimit();
          return sameRows(previous, next) ? previous : next;
        }),
      500,
    );
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="fw-limit-strip" data-testid="limit-watch" data-count={rows.length} title={t('nav.limit.watchHint')}>
      <span className="fw-metric-label">{t('nav.limit.watchTitle')}</span>
      {rows.length === 0 && <span className="fw-muted">{t('nav.limit.watchNone')}</span>}
      {rows.slice(0, SHOWN).map((row) => (
        <button
          key={row.accountId}
          type="button"
          className={`fw-chip fw-limit fw-limit-${limitLevel(row.limitShare)}`}
          data-account={row.accountId}
          title={t('nav.menu.accountTools', { account: row.accountId })}
          onClick={() => {
            linkAccount(channel, row.accountId);
            void openWindow('account', channel, { account: row.accountId });
          }}
        >
          <strong>{row.accountId}</strong> {row.limitInstrument}{' '}
          <span className="fw-num">{formatRatioPct(row.limitShare)}</span>
        </button>
      ))}
      {rows.length > SHOWN && (
        <span className="fw-muted">{t('nav.limit.watchMore', { count: rows.length - SHOWN })}</span>
      )}
    </div>
  );
}
