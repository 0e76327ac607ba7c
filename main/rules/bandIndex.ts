// margin_call's price bands of one contract, ordered so that a quote finds exactly the holders whose band it left
// (O(k + 1) heap nodes visited for k broken bands of n holders) instead of walking every holder: a max-heap on the
// bands' low edges and a min-heap on their high edges. Every band of the contract is in both heaps; a band whose
// edges move is re-sifted in place (O(log n)).

/** What the index needs of a band: its edges, its slot in each heap (-1 = not indexed) and a visit mark. */
export interface IndexedBand {
  low: number;
  high: number;
  lowAt: number;
  highAt: number;
  /** The takeBroken call that last reported the band (a band broken on both sides is reported once). */
  seen: number;
}

export class BandIndex<B extends IndexedBand> {
  /** Max-heap on `low`. */
  private readonly lows: B[] = [];
  /** Min-heap on `high`. */
  private readonly highs: B[] = [];
  private readonly stack: number[] = [];
  private visit = 0;

  get size(): number {
    return this.lows.length;
  }

  /** The highest low edge: a price at or below it leaves at least one band. */
  get tightestLow(): number {
    const top = this.lows[0];
    return top ? top.low : Number.NEGATIVE_INFINITY;
  }

  /** The lowest high edge: a price at or above it leaves at least one band. */
  get tightestHigh(): number {
    const top = this.highs[0];
    return top ? top.high : Number.POSITIVE_INFINITY;
  }

  /** Sets the band's edges and (re)indexes it; unchanged edges of an indexed band cost nothing. */
  place(band: B, low: number, high: number): void {
    if (band.lowAt < 0) {
      band.low = low;
      band.high = high;
      band.lowAt = this.lows.push(band) - 1;
      band.highAt = this.highs.push(band) - 1;
      this.siftLow(band.lowAt);
      this.siftHigh(band.highAt);
      return;
    }
    if (low !== band.low) {
      band.low = low;
      this.siftLow(band.lowAt);
    }
    if (high !== band.high) {
      band.high = high;
      this.siftHigh(band.highAt);
    }
  }

  /**
   * Appends to `out` every band that `price` left (price ≤ low or price ≥ high), each once; they stay indexed.
   * Only the heaps' nodes at or past the price are visited (a heap's subtree below a node that holds is skipped).
   */
  collectBroken(price: number, out: B[]): void {
    const visit = ++this.visit;
    const stack = this.stack;
    const lows = this.lows;
    if (lows.length > 0 && price <= (lows[0] as B).low) stack.push(0);
    while (stack.length > 0) {
      const at = stack.pop() as number;
      const band = lows[at] as B;
      if (band.seen !== visit) {
        band.seen = visit;
        out.push(band);
      }
      const left = 2 * at + 1;
      if (left < lows.length && price <= (lows[left] as B).low) stack.push(left);
      if (left + 1 < lows.length && price <= (lows[left + 1] as B).low) stack.push(left + 1);
    }
    const highs = this.highs;
    if (highs.length > 0 && price >= (highs[0] as B).high) stack.push(0);
    while (stack.length > 0) {
      const at = stack.pop() as number;
      const band = highs[at] as B;
      if (band.seen !== visit) {
        band.seen = visit;
        out.push(band);
      }
      const left = 2 * at + 1;
      if (left < highs.length && price >= (highs[left] as B).high) stack.push(left);
      if (left + 1 < highs.length && price >= (highs[left + 1] as B).high) stack.push(left + 1);
    }
  }

  /** Restores the max-heap on `low` around slot `at`. */
  private siftLow(at: number): void {
    const heap = this.lows;
    const item = heap[at] as B;
    const key = item.low;
    let i = at;
    while (i > 0) {
      const parentAt = (i - 1) >> 1;
      const parent = heap[parentAt] as B;
      if (!(key > parent.low)) break;
      heap[i] = parent;
      parent.lowAt = i;
      i = parentAt;
    }
    const n = heap.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = heap[child + 1];
      if (right !== undefined && right.low > (heap[child] as B).low) child++;
      const next = heap[child] as B;
      if (!(next.low > key)) break;
      heap[i] = next;
      next.lowAt = i;
      i = child;
    }
    heap[i] = item;
    item.lowAt = i;
  }

  /** Restores the min-heap on `high` around slot `at`. */
  private siftHigh(at: number): void {
    const heap = this.highs;
    const item = heap[at] as B;
    const key = item.high;
    let i = at;
    while (i > 0) {
      const parentAt = (i - 1) >> 1;
      const parent = heap[parentAt] as B;
      if (!(key < parent.high)) break;
      heap[i] = parent;
      parent.highAt = i;
      i = parentAt;
    }
    const n = heap.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = heap[child + 1];
      if (right !== undefined && right.high < (heap[child] as B).high) child++;
      const next = heap[child] as B;
      if (!(next.high < key)) break;
      heap[i] = next;
      next.highAt = i;
      i = child;
    }
    heap[i] = item;
    item.highAt = i;
  }
}
