// A client's nearest position limit: the share of its contract's limit its largest one-side position takes, flagged
// from 80% (watch, the large-trader report level) and past 100% (breach). Shown in Accounts and in the Alerts
// window's watch strip, both from AccountRow.limitShare (the strip through a view of the accounts nearest a limit).
import { useTranslation } from 'react-i18next';
import { LIMIT_WATCH_SHARE, limitLevel } from '../../../shared/domain/risk';
import type { AccountRow } from '../../../shared/domain/types';
import type { ViewSpec } from '../../../shared/views/spec';
import { linkAccount, openWindow } from '../api/floorwatch';
import { formatRatioPct } from '../format';
import { i18n } from '../i18n';
import { useViewRows } from '../stores/viewRows';
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

/** Accounts at or past the watch share of a position limit, nearest first (the core filters and sorts them). */
const NEAR_LIMIT: ViewSpec = {
  filter: { limitShare: { filterType: 'number', type: 'greaterThanOrEqual', filter: LIMIT_WATCH_SHARE } },
  sort: [
    { colId: 'limitShare', sort: 'desc' },
    { colId: 'accountId', sort: 'asc' },
  ],
};
const SHOWN_RANGE = { start: 0, end: SHOWN };

/** The Alerts window's strip of clients at ≥ 80% of a position limit, nearest first; a click opens Account Tools. */
export function LimitWatch() {
  const { t } = useTranslation();
  const channel = useWindowStore((s) => s.channel);
  const { rows, total } = useViewRows<AccountRow>('accounts', NEAR_LIMIT, SHOWN_RANGE);
  return (
    <div className="fw-limit-strip" data-testid="limit-watch" data-count={total} title={t('nav.limit.watchHint')}>
      <span className="fw-metric-label">{t('nav.limit.watchTitle')}</span>
      {total === 0 && <span className="fw-muted">{t('nav.limit.watchNone')}</span>}
      {rows.map((row) => (
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
      {total > SHOWN && <span className="fw-muted">{t('nav.limit.watchMore', { count: total - SHOWN })}</span>}
    </div>
  );
}
