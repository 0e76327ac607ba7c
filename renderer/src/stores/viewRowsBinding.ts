// A few rows of a server-side view held as plain data (no grid): what frames do to them, and the binding that opens
// the view, follows its spec and range, and closes it. Free of the window's API so it runs anywhere (useViewRows
// wires it to the window).
import type { ApiArgs } from '../../../shared/api/contract';
import { viewRowKey } from '../../../shared/views/sources';
import type { ViewFrame, ViewRange, ViewSourceName, ViewSpec } from '../../../shared/views/spec';

/** What a window holds of one view: the range's rows by key, in the view's order, with the count and totals. */
export interface HeldView<R> {
  viewId: string;
  version: number;
  total: number;
  start: number;
  keys: readonly string[];
  rows: ReadonlyMap<string, R>;
  totals: Record<string, number>;
}

/**
 * The held view after a frame: a whole range replaces it; changed rows replace theirs in place (rows the range no
 * longer holds are ignored). Frames of another view, or older than what is held, change nothing.
 */
export function applyViewFrame<R>(
  held: HeldView<R> | null,
  frame: ViewFrame<R>,
  keyOf: (row: unknown) => string,
): HeldView<R> | null {
  if (held && (held.viewId !== frame.viewId || frame.version < held.version)) return held;
  if (frame.keys) {
    const rows = new Map<string, R>();
    for (const row of frame.rows) rows.set(keyOf(row), row as R);
    return {
      viewId: frame.viewId,
      version: frame.version,
      total: frame.total,
      start: frame.start,
      keys: frame.keys,
      rows,
      totals: frame.totals,
    };
  }
  if (!held) return null; // changes to a range this window has not been given yet
  let rows: Map<string, R> | null = null;
  for (const row of frame.rows) {
    const key = keyOf(row);
    if (!held.rows.has(key)) continue;
    rows ??= new Map(held.rows);
    rows.set(key, row as R);
  }
  return { ...held, version: frame.version, total: frame.total, totals: frame.totals, rows: rows ?? held.rows };
}

/** The held rows in the view's order. */
export function heldRows<R>(held: HeldView<R> | null): R[] {
  if (!held) return [];
  const rows: R[] = [];
  for (const key of held.keys) {
    const row = held.rows.get(key);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/** The spec and range a view is asked for, as compared between requests. */
export function viewWish(spec: ViewSpec | null, range: ViewRange): string {
  return JSON.stringify([spec, range.start, range.end]);
}

/** Wait before asking again for a view the main side could not open or update (its core busy or restarting). */
export const VIEW_RETRY_MS = 1_000;

export type ViewCall = <M extends 'views.open' | 'views.update' | 'views.close'>(
  method: M,
  args: ApiArgs<M>,
) => Promise<unknown>;

/**
 * One view kept open as wanted: opened when a spec is first wanted, updated (one request at a time, the newest wish
 * last) as spec or range change, closed when the spec is withdrawn or the owner stops.
 */
export class ViewRowsBinding<R> {
  private viewId: string | null = null;
  private held: HeldView<R> | null = null;
  private wanted: { spec: ViewSpec | null; range: ViewRange } = { spec: null, range: { start: 0, end: 0 } };
  /** The spec and range the held view answers (JSON), '' when it must be asked again. */
  private answered = '';
  private busy = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Requests failed in a row (only the first of a run is logged). */
  private failures = 0;
  private readonly keyOf: (row: unknown) => string;

  constructor(
    private readonly source: ViewSourceName,
    /** The held rows changed; `answers` is the wish (viewWish) the held range was given for. */
    private readonly changed: (held: HeldView<R> | null, answers: string) => void,
    private readonly call: ViewCall,
  ) {
    this.keyOf = (row) => viewRowKey(source, row);
  }

  want(spec: ViewSpec | null, range: ViewRange): void {
    this.wanted = { spec, range };
    void this.sync();
  }

  /** A frame from the `views` topic (any view's: this binding takes its own). */
  frame(frame: ViewFrame): void {
    if (this.stopped || frame.viewId !== this.viewId) return;
    this.take(applyViewFrame(this.held, frame as ViewFrame<R>, this.keyOf));
  }

  /** The `views` subscription started again: frames were missed, so the whole range is asked for again. */
  resubscribed(): void {
    this.answered = '';
    void this.sync();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.closeView();
  }

  private take(held: HeldView<R> | null): void {
    if (held === this.held) return;
    this.held = held;
    this.changed(held, this.answered);
  }

  private closeView(): void {
    const viewId = this.viewId;
    this.viewId = null;
    this.answered = '';
    if (viewId) void this.call('views.close', { viewId }).catch(() => null);
  }

  private async sync(): Promise<void> {
    if (this.busy || this.stopped) return;
    const { spec, range } = this.wanted;
    if (!spec) {
      this.closeView();
      this.take(null);
      return;
    }
    const asked = viewWish(spec, range);
    if (this.viewId && asked === this.answered) return;
    this.busy = true;
    try {
      const viewId = this.viewId;
      const frame = (
        viewId
          ? await this.call('views.update', { viewId, spec, range }).catch((error: unknown) => {
              // The view is gone (closed after a long disconnect): open it again.
              console.warn(`[floorwatch] view ${viewId}: ${(error as Error).message}`);
              this.viewId = null;
              return this.call('views.open', { source: this.source, spec, range });
            })
          : await this.call('views.open', { source: this.source, spec, range })
      ) as ViewFrame<R>;
      if (this.stopped) {
        void this.call('views.close', { viewId: frame.viewId }).catch(() => null);
        return;
      }
      this.viewId = frame.viewId;
      this.answered = asked;
      this.failures = 0;
      this.held = null; // the answer replaces what was held, whatever its version
      this.take(applyViewFrame(null, frame, this.keyOf));
    } catch (error) {
      if (this.failures++ === 0) console.warn(`[floorwatch] ${this.source} view: ${(error as Error).message}`);
      // The core may be busy (a broker floor's start of day arriving at once): ask again a little later.
      if (!this.stopped && !this.retryTimer)
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.sync();
        }, VIEW_RETRY_MS);
      return;
    } finally {
      this.busy = false;
    }
    if (viewWish(this.wanted.spec, this.wanted.range) !== this.answered) void this.sync();
  }
}
