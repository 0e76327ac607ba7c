// The review band, on every window of a review workspace (and only there): "REVIEW · <session>" on the band's own
// colour, the session's time at the position, play/pause, speed, step, a timeline over seq with the alerts as marks
// (seek on release), and the way back to the live floor, which never stopped. Driven by the review's `replay` topic;
// controls go through `replay.control`, which the main side routes to this window's review.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REPLAY_SPEEDS } from '../../../shared/api/methods/sessions';
import { callOrNotify } from '../api/floorwatch';
import { formatDateTime } from '../format';
import { useReviewStore } from '../stores/review';
import { useWindowStore } from '../stores/windowState';
import { backToLive } from './reviewWindows';
import './reviewBar.css';

/** The session's time in the operator's locale, to the millisecond (source ts of the position). */
export function formatSessionTime(ts: number, localeTag = navigator.language): string {
  return formatDateTime(ts, localeTag, true);
}

function speedLabel(speed: number): string {
  return speed === 0 ? 'max' : `${speed}×`;
}

export function ReviewBar() {
  const { t } = useTranslation();
  const review = useWindowStore((s) => s.review);
  const state = useReviewStore((s) => s.replay);
  /** Timeline position while the operator drags (seek happens on release). */
  const [dragSeq, setDragSeq] = useState<number | null>(null);
  const slider = useRef<HTMLInputElement>(null);
  const reviewing = state?.mode === 'review';

  // The native `change` event of a range input fires on release (React's onChange fires while dragging).
  useEffect(() => {
    const input = slider.current;
    if (!input) return;
    const onRelease = () => {
      const seq = Number(input.value);
      setDragSeq(null);
      void callOrNotify('replay.control', { action: 'seek', seq });
    };
    input.addEventListener('change', onRelease);
    return () => input.removeEventListener('change', onRelease);
  }, [reviewing]);

  if (!review) return null;
  const live = (
    <button
      type="button"
      data-testid="review-live"
      title={t('review.backToLiveTitle')}
      onClick={() => void backToLive()}
    >
      {t('review.backToLive')}
    </button>
  );
  if (!state || !reviewing) {
    return (
      <div className="fw-review fw-review-ended" data-testid="review-bar" role="toolbar" aria-label={t('review.ended')}>
        <span className="fw-review-badge" data-testid="review-badge">
          {t('review.ended')}
        </span>
        <div className="fw-header-spacer" />
        {live}
      </div>
    );
  }

  const control = (args: Parameters<typeof callOrNotify<'replay.control'>>[1]) =>
    void callOrNotify('replay.control', args);
  const min = Math.max(0, state.firstSeq - 1);
  const max = Math.max(min + 1, state.lastSeq);
  // Never past the end the session had when it was opened, even while dragging.
  const shownSeq = Math.min(dragSeq ?? state.positionSeq, state.lastSeq);
  const name = state.name ?? (state.file ?? '').split(/[\\/]/).pop() ?? '';

  return (
    <div className="fw-review" data-testid="review-bar" role="toolbar" aria-label={t('review.band', { name })}>
      <span
        className="fw-review-badge"
        data-testid="review-badge"
        title={`${t('review.bandTitle')}\n${state.file ?? ''}`}
      >
        {t('review.band', { name })}
      </span>
      <time
        className="fw-review-time"
        data-testid="review-time"
        dateTime={new Date(state.positionTs || 0).toISOString()}
      >
        {formatSessionTime(state.positionTs)}
      </time>
      {state.playing ? (
        <button type="button" data-testid="review-pause" onClick={() => control({ action: 'pause' })}>
          ❚❚ {t('review.pause')}
        </button>
      ) : (
        <button type="button" data-testid="review-play" onClick={() => control({ action: 'play' })}>
          ▶ {t('review.play')}
        </button>
      )}
      <select
        data-testid="review-speed"
        aria-label={t('review.speed')}
        value={String(state.speed)}
        onChange={(event) => control({ action: 'speed', speed: Number(event.target.value) })}
      >
        {[...REPLAY_SPEEDS, 0].map((speed) => (
          <option key={speed} value={String(speed)}>
            {speedLabel(speed)}
          </option>
        ))}
      </select>
      <button
        type="button"
        data-testid="review-step"
        title={t('review.stepTitle')}
        onClick={() => control({ action: 'step', count: 1 })}
      >
        {t('review.step')}
      </button>
      <button
        type="button"
        data-testid="review-step-100"
        title={t('review.step100Title')}
        onClick={() => control({ action: 'step', count: 100 })}
      >
        +100
      </button>
      <div className="fw-review-timeline">
        <div className="fw-review-marks" aria-hidden="true">
          {state.marks.map((mark) => (
            <span
              key={mark.alertId}
              className={`fw-review-mark fw-review-mark-${mark.severity}`}
              data-testid="review-mark"
              title={`${mark.rule} · ${formatSessionTime(mark.ts)} · seq ${mark.seq}`}
              style={{ left: `${((mark.seq - min) / (max - min)) * 100}%` }}
            />
          ))}
        </div>
        <input
          ref={slider}
          type="range"
          data-testid="review-timeline"
          aria-label={t('review.timeline')}
          min={min}
          max={max}
          step={1}
          value={shownSeq}
          onChange={(event) => setDragSeq(Number(event.target.value))}
        />
      </div>
      <span className="fw-review-seq" data-testid="review-seq">
        {shownSeq.toLocaleString()} / {state.lastSeq.toLocaleString()}
      </span>
      {state.error ? (
        <span className="fw-review-error" role="alert" data-testid="review-error" title={state.error}>
          {state.error}
        </span>
      ) : null}
      {live}
    </div>
  );
}
