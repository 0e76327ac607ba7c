// Unacknowledged alerts (state `new`) on every window's header, high/critical ones counted apart; a click brings the
// open Alerts window forward, or opens one. Counted twice a second from the alerts store, not per update.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { alertsStore } from '../stores/alerts';
import { useNoticeStore } from '../stores/notice';
import { useWindowStore } from '../stores/windowState';
import { focusOrOpenWindow } from '../workspace/windowFocus';

interface Counts {
  unacked: number;
  high: number;
}

export function countUnacked(): Counts {
  let unacked = 0;
  let high = 0;
  for (const alert of alertsStore.use.getState().rows.values()) {
    if (alert.state !== 'new') continue;
    unacked++;
    if (alert.severity === 'high' || alert.severity === 'critical') high++;
  }
  return { unacked, high };
}

export function AlertBadge() {
  const { t } = useTranslation();
  const channel = useWindowStore((s) => s.channel);
  const [counts, setCounts] = useState<Counts>(countUnacked);
  useEffect(() => {
    const timer = setInterval(() => {
      setCounts((previous) => {
        const next = countUnacked();
        return next.unacked === previous.unacked && next.high === previous.high ? previous : next;
      });
    }, 500);
    return () => clearInterval(timer);
  }, []);
  const level = counts.high > 0 ? 'high' : counts.unacked > 0 ? 'some' : 'none';
  return (
    <button
      type="button"
      className={`fw-alert-badge fw-alert-badge-${level}`}
      data-testid="alert-badge"
      data-count={counts.unacked}
      title={t('header.unacked', { count: counts.unacked, high: counts.high })}
      aria-label={t('header.unacked', { count: counts.unacked, high: counts.high })}
      onClick={() =>
        void focusOrOpenWindow('alerts', channel).then(
          (outcome) => outcome === 'focused' && useNoticeStore.getState().show(t('nav.alertsFocused')),
        )
      }
    >
      <span aria-hidden="true">⚑</span> {counts.unacked}
    </button>
  );
}
