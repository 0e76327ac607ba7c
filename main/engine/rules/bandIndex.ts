// margin_call's price bands of one contract, ordered so that a quote finds exactly the holders whose band it left
// (O(k log n) for k broken bands of n holders) instead of walking every holder: a max-heap on the bands' low edges
// and a min-heap on their high edges. A band is in both heaps or in neither.

/** What the index needs of a band: its edges and its slot in each heap (-1 = not indexed). */
export interface IndexedBand {
  low: number;
  high: number;
  lowAt: number;
  highAt: number;
}

export class BandIndex<B extends IndexedBand> {
  /** Max-heap on `low`. */
  private readonly lows: B[] = [];
  /** Min-heap on `high`. */
  private readonly highs: B[] = [];

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

  /** Takes out every band that `price` left (price ≤ low or price ≥ high); they are no longer indexed. */
  takeBroken(price: number, out: B[]): void {
    let top = this.lows[0];
    while (top && price <= top.low) {
      this.remove(top);
      out.push(top);
      top = this.lows[0];
    }
    top = this.highs[0];
    while (top && price >= top.high) {
      this.remove(top);
      out.push(top);
      top = this.highs[0];
    }
  }

  remove(band: B): void {
    if (band.lowAt < 0) return;
    const lowAt = band.lowAt;
    const highAt = band.highAt;
    band.lowAt = -1;
    band.highAt = -1;
    const lastLow = this.lows.pop() as B;
    if (lowAt < this.lows.length) {
      this.lows[lowAt] = lastLow;
      lastLow.lowAt = lowAt;
      this.siftLow(lowAt);
    }
    const lastHigh = this.highs.pop() as B;
    if (highAt < this.highs.length) {
      this.highs[highAt] = lastHigh;
      lastHigh.highAt = highAt;
      this.siftHigh(highAt);
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
