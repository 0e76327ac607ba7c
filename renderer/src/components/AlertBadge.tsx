// Unacknowledged alerts (state `new`) on every window's header, high/critical ones counted apart; a click brings the
// open Alerts window forward, or opens one. The counts are a view's totals: no window holds the alert queue for them.
import { useTranslation } from 'react-i18next';
import { useAlertCounts } from '../stores/alertViews';
import { useNoticeStore } from '../stores/notice';
import { useWindowStore } from '../stores/windowState';
import { focusOrOpenWindow } from '../workspace/windowFocus';

export function AlertBadge() {
  const { t } = useTranslation();
  const channel = useWindowStore((s) => s.channel);
  const { unacked, unackedHigh } = useAlertCounts();
  const counts = { unacked, high: unackedHigh };
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
