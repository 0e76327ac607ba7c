// A small probe for the benchmark: tick-to-screen latency, i.e. from the simulator's source timestamp of the newest
// message folded into a market update to the animation frame after the grid applied it. Both clocks are the same
// machine's wall clock (the simulator and the browser run side by side).

export interface FloorwatchPerf {
  /** Ring buffer capacity. */
  readonly capacity: number;
  /** Samples recorded since start or the last clear (may exceed capacity; the oldest are overwritten). */
  readonly count: number;
  /** The retained samples in ms, oldest first. */
  values(): number[];
  clear(): void;
}

const CAPACITY = 8192;

class TickToScreenProbe implements FloorwatchPerf {
  readonly capacity = CAPACITY;
  private readonly samples = new Float64Array(CAPACITY);
  private recorded = 0;

  get count(): number {
    return this.recorded;
  }

  record(ms: number): void {
    this.samples[this.recorded % CAPACITY] = ms;
    this.recorded++;
  }

  values(): number[] {
    const kept = Math.min(this.recorded, CAPACITY);
    const start = this.recorded - kept;
    const out = new Array<number>(kept);
    for (let i = 0; i < kept; i++) out[i] = this.samples[(start + i) % CAPACITY] ?? 0;
    return out;
  }

  clear(): void {
    this.recorded = 0;
  }
}

export const tickToScreen = new TickToScreenProbe();

/** Records, on the next animation frame, how old the newest source message of an applied update is. */
export function recordPaintedUpdate(sourceTs: number): void {
  if (sourceTs <= 0) return;
  requestAnimationFrame(() => tickToScreen.record(Date.now() - sourceTs));
}

export function exposePerfProbe(): void {
  window.__floorwatchPerf = tickToScreen;
}
