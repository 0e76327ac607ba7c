// The window's `views` topic: frames of the views its grids opened (views.open), handed to every view binding
// (each takes its own by viewId). A second snapshot means the subscription started again (after a lock or a
// reconnect): frames were missed, so every binding asks for its whole range again.
import type { TopicUpdate } from '../../../shared/api/contract';
import type { ViewFrame } from '../../../shared/views/spec';

const frameListeners = new Set<(frame: ViewFrame) => void>();
const resubscribeListeners = new Set<() => void>();
let snapshots = 0;

export function applyViewsUpdate(update: TopicUpdate<'views'>): void {
  if (update.snapshot && snapshots++ > 0) for (const listener of resubscribeListeners) listener();
  for (const frame of update.rows) for (const listener of frameListeners) listener(frame);
}

export function onViewFrame(listener: (frame: ViewFrame) => void): () => void {
  frameListeners.add(listener);
  return () => frameListeners.delete(listener);
}

export function onViewsResubscribed(listener: () => void): () => void {
  resubscribeListeners.add(listener);
  return () => resubscribeListeners.delete(listener);
}
