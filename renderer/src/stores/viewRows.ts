// A few rows of a server-side view for what is not a grid: an account's own row and positions, the clients nearest
// a position limit, the palette's account matches. The view is open while a spec is given, follows spec and range
// changes, takes its frames from the window's `views` topic, and is closed when the component goes.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ViewRange, ViewSourceName, ViewSpec } from '../../../shared/views/spec';
import { floorwatch } from '../api/floorwatch';
import { onViewFrame, onViewsResubscribed } from './viewFrames';
import { heldRows, ViewRowsBinding, viewWish, type HeldView } from './viewRowsBinding';

export interface ViewRows<R> {
  /** The range's rows in the view's order. */
  rows: R[];
  /** Rows the whole view has. */
  total: number;
  totals: Record<string, number>;
  /** A frame of the view arrived (for the spec wanted now or an earlier one). */
  ready: boolean;
  /** The rows answer the spec and range wanted now (not an earlier wish still being replaced). */
  current: boolean;
}

/** Rows `range` of a view of `source` (none opened while `spec` is null), kept current while mounted. */
export function useViewRows<R>(source: ViewSourceName, spec: ViewSpec | null, range: ViewRange): ViewRows<R> {
  const [{ held, answers }, setHeld] = useState<{ held: HeldView<R> | null; answers: string }>({
    held: null,
    answers: '',
  });
  const bindingRef = useRef<ViewRowsBinding<R> | null>(null);
  useEffect(() => {
    const binding = new ViewRowsBinding<R>(
      source,
      (next, nextAnswers) => setHeld({ held: next, answers: nextAnswers }),
      (method, args) => floorwatch().call(method, args),
    );
    bindingRef.current = binding;
    const stopFrames = onViewFrame((frame) => binding.frame(frame));
    const stopResubscribed = onViewsResubscribed(() => binding.resubscribed());
    return () => {
      stopFrames();
      stopResubscribed();
      binding.stop();
      bindingRef.current = null;
      setHeld({ held: null, answers: '' });
    };
  }, [source]);
  const wantedKey = viewWish(spec, range);
  useEffect(() => {
    const [wantedSpec, start, end] = JSON.parse(wantedKey) as [ViewSpec | null, number, number];
    bindingRef.current?.want(wantedSpec, { start, end });
  }, [source, wantedKey]);
  return useMemo(
    () => ({
      rows: heldRows(held),
      total: held?.total ?? 0,
      totals: held?.totals ?? {},
      ready: held !== null,
      current: held !== null && answers === wantedKey,
    }),
    [held, answers, wantedKey],
  );
}
