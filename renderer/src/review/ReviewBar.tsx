// The review bar, shown on every window while the workstation reviews a recorded session: a REVIEW badge and the
// session's time at the position, play/pause, speed, step, a timeline over seq with the alerts as marks (seek on
// release), and the way back to live. Driven by the `replay` topic; controls go through `replay.control`.
import { useEffect, useRef, useState } from 'react';
import { REPLAY_SPEEDS, type ReplayState } from '../../../shared/api/methods/sessions';
import { callOrNotify, floorwatch } from '../api/floorwatch';
import { formatDateTime } from '../format';
import './reviewBar.css';

/** The session's time in the operator's locale, to the millisecond (source ts of the position). */
export function formatSessionTime(ts: number, localeTag = navigator.language): string {
  return formatDateTime(ts, localeTag, true);
}

function speedLabel(speed: number): string {
  return speed === 0 ? 'max' : `${speed}×`;
}

export function ReviewBar() {
  const [state, setState] = useState<ReplayState | null>(null);
  /** Timeline position while the operator drags (seek happens on release). */
  const [dragSeq, setDragSeq] = useState<number | null>(null);
  const slider = useRef<HTMLInputElement>(null);

  useEffect(
    () =>
      floorwatch().subscribe('replay', (update) => {
        const row = update.rows[update.rows.length - 1];
        if (row) setState(row);
        else if (update.snapshot) setState(null);
      }),
    [],
  );

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
  }, [state?.mode]);

  if (!state || state.mode !== 'review') return null;

  const control = (args: Parameters<typeof callOrNotify<'replay.control'>>[1]) =>
    void callOrNotify('replay.control', args);
  const min = Math.max(0, state.firstSeq - 1);
  const max = Math.max(min + 1, state.lastSeq);
  const shownSeq = dragSeq ?? state.positionSeq;
  const fileName = (state.file ?? '').split(/[\\/]/).pop() ?? '';

  return (
    <div className="fw-review" data-testid="review-bar" role="toolbar" aria-label="Session review">
      <span className="fw-review-badge" data-testid="review-badge" title={state.file ?? ''}>
        REVIEW
      </span>
      <span className="fw-review-file" title={state.file ?? ''}>
        {fileName}
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
          ❚❚ Pause
        </button>
      ) : (
        <button type="button" data-testid="review-play" onClick={() => control({ action: 'play' })}>
          ▶ Play
        </button>
      )}
      <select
        data-testid="review-speed"
        aria-label="Replay speed"
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
        title="Apply the next message"
        onClick={() => control({ action: 'step', count: 1 })}
      >
        Step
      </button>
      <button
        type="button"
        data-testid="review-step-100"
        title="Apply the next 100 messages"
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
          aria-label="Session position (seq)"
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
      <button type="button" data-testid="review-live" onClick={() => void callOrNotify('sessions.live', {})}>
        Back to live
      </button>
    </div>
  );
}
