// The operator's messages: toasts stacked bottom-right with the full text (success green, errors red, info neutral)
// and the header's history button, a popover listing the session's messages with their times.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { locale } from '../i18n';
import { belowElement, Floating, type FloatingPoint } from './Floating';
import { useNoticeStore, type Notice } from '../stores/notice';
import { useWindowStore } from '../stores/windowState';

const KIND_ICON: Record<Notice['kind'], string> = { success: '✓', error: '!', info: 'i' };

const timeOf = (at: number) =>
  new Date(at).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function NoticeToasts() {
  const { t } = useTranslation();
  const toasts = useNoticeStore((s) => s.toasts);
  const dismiss = useNoticeStore((s) => s.dismiss);
  return (
    <div className="fw-toasts" data-testid="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`fw-toast fw-toast-${toast.kind}`}
          role={toast.kind === 'error' ? 'alert' : 'status'}
          data-testid="toast"
          data-kind={toast.kind}
        >
          <span className="fw-toast-icon" aria-label={t(`nav.notices.kind.${toast.kind}`)}>
            {KIND_ICON[toast.kind]}
          </span>
          <span className="fw-toast-text" data-testid="toast-text">
            {toast.text}
          </span>
          <button
            type="button"
            className="fw-toast-close"
            aria-label={t('nav.notices.close')}
            title={t('nav.notices.close')}
            onClick={() => dismiss(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function NoticeHistoryButton() {
  const { t } = useTranslation();
  const history = useNoticeStore((s) => s.history);
  const unseen = useNoticeStore((s) => s.unseen);
  const markSeen = useNoticeStore((s) => s.markSeen);
  const clearHistory = useNoticeStore((s) => s.clearHistory);
  const ownKind = useWindowStore((s) => s.kind);
  const [at, setAt] = useState<FloatingPoint | null>(null);
  const close = useCallback(() => setAt(null), []);

  // While the list is open every message in it counts as seen.
  useEffect(() => {
    if (at) markSeen();
  }, [at, markSeen, history.length]);

  const title = t('nav.notices.historyTitle', { count: history.length, unseen });
  return (
    <>
      <button
        type="button"
        className={unseen > 0 ? 'fw-icon-button fw-history-button fw-has-unseen' : 'fw-icon-button fw-history-button'}
        data-testid="notice-history-button"
        aria-label={title}
        aria-expanded={at !== null}
        title={title}
        onClick={(event) => setAt(at ? null : belowElement(event.currentTarget))}
      >
        ✉{unseen > 0 && <span className="fw-history-count">{unseen}</span>}
      </button>
      {at && (
        <Floating
          at={at}
          onClose={close}
          className="fw-history"
          label={t('nav.notices.history')}
          testId="notice-history"
        >
          <div className="fw-popover-head">
            <strong>{t('nav.notices.history')}</strong>
            <div className="fw-header-spacer" />
            <button type="button" className="fw-button" onClick={clearHistory} disabled={history.length === 0}>
              {t('nav.notices.clear')}
            </button>
          </div>
          {history.length === 0 ? (
            <p className="fw-muted">{t('nav.notices.empty')}</p>
          ) : (
            <ol className="fw-history-list">
              {history.map((notice) => (
                <li key={notice.id} className={`fw-history-item fw-toast-${notice.kind}`} data-kind={notice.kind}>
                  <time className="fw-num fw-muted" dateTime={new Date(notice.at).toISOString()}>
                    {timeOf(notice.at)}
                  </time>
                  <span className="fw-toast-icon" aria-label={t(`nav.notices.kind.${notice.kind}`)}>
                    {KIND_ICON[notice.kind]}
                  </span>
                  <span className="fw-history-text">
                    {notice.text}
                    {notice.from !== ownKind && (
                      <span className="fw-muted">
                        {' '}
                        · {t('nav.notices.fromWindow', { window: t(`window.${notice.from}`, notice.from) })}
                      </span>
                    )}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </Floating>
      )}
    </>
  );
}
