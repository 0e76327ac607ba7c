// Feed state and lag in the header. The window's own link to the host counts first: if the bridge is down, the
// window shows that whatever the last health row said.
import { useTranslation } from 'react-i18next';
import type { FeedState } from '../../../shared/domain/types';
import { useConnectionStore } from '../stores/connection';
import { useHealthStore } from '../stores/health';
import { formatQty } from '../format';

type ShownState = FeedState | 'connecting';

function formatRate(perSecond: number): string {
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k/s` : `${formatQty(Math.round(perSecond))}/s`;
}

function formatLag(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(0)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms)} ms`;
}

export function FeedStatus() {
  const { t } = useTranslation();
  const link = useConnectionStore((s) => s.state);
  const linkDetail = useConnectionStore((s) => s.detail);
  const health = useHealthStore((s) => s.health);

  let state: ShownState;
  let detail: string;
  if (link !== 'open') {
    state = link === 'down' ? 'down' : link === 'connecting' ? 'connecting' : 'reconnecting';
    detail = linkDetail;
  } else {
    state = health?.feedState ?? 'connecting';
    detail = health ? `${health.feedUrl}${health.lastError ? ` — ${health.lastError}` : ''}` : t('feed.waiting');
  }
  const showNumbers = link === 'open' && health !== null && state !== 'connecting';
  const lagClass = health && health.lagMs > 1000 ? 'fw-lag-bad' : health && health.lagMs > 250 ? 'fw-lag-warn' : '';

  return (
    <div className="fw-feed" title={detail}>
      <span className={`fw-feed-state fw-state-${state}`} data-testid="feed-state" data-state={state}>
        <span className="fw-dot" aria-hidden="true" />
        {t(`feed.${state}`)}
      </span>
      {showNumbers && (
        <>
          <span className={`fw-feed-metric ${lagClass}`} data-testid="feed-lag" title={t('feed.lagTitle')}>
            <span className="fw-metric-label">{t('feed.lag')}</span>{' '}
            {health.lastMessageAt > 0 ? formatLag(health.lagMs) : '—'}
          </span>
          <span className="fw-feed-metric" title={t('feed.rateTitle')}>
            <span className="fw-metric-label">{t('feed.feed')}</span> {formatRate(health.messagesPerSecond)}
          </span>
          {health.gaps > 0 && (
            <span className="fw-feed-metric fw-lag-bad" title={t('feed.gapsTitle')}>
              <span className="fw-metric-label">{t('feed.gaps')}</span> {health.gaps}
            </span>
          )}
          {health.recorder?.alarm && (
            <span
              className="fw-feed-metric fw-lag-bad"
              title={t('feed.recordingTitle')}
              data-testid="feed-recording-alarm"
            >
              {t('feed.recording')}
            </span>
          )}
          {health.disk?.low && (
            <span
              className="fw-feed-metric fw-lag-bad"
              title={t('feed.diskTitle', { percent: health.disk.freePercent.toFixed(1) })}
              data-testid="feed-disk-low"
            >
              {t('feed.disk', { percent: health.disk.freePercent.toFixed(0) })}
            </span>
          )}
        </>
      )}
    </div>
  );
}
