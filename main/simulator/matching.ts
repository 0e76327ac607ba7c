// A price-time-priority limit order book for one instrument. Prices are integer ticks inside the instrument's
// limit band, so the book keeps one FIFO queue per price in a dense array (fast best-price moves, no tree).
// An incoming order matches the best opposite price first and, within a price, the oldest order first; it trades
// at the resting order's price and rests whatever is left. Orders are handles: `submit` returns the resting order
// and `cancel` takes it back (no id index to maintain). Cancels are lazy: the order is marked dead and skipped.

export type Side = 'buy' | 'sell';

export interface BookOrder<T> {
  readonly id: number;
  /** Who placed it (the simulator uses it for self-trade checks); any number, -1 for "outside this gateway". */
  readonly owner: number;
  readonly side: Side;
  /** Integer ticks. */
  readonly price: number;
  readonly qty: number;
  remaining: number;
  live: boolean;
  /** Caller's data carried with the order (the simulator's client order record). */
  readonly ref: T;
}

export interface Fill<T> {
  /** The resting order that was hit (its `remaining` already reduced). */
  maker: BookOrder<T>;
  /** The maker's price, in ticks. */
  price: number;
  qty: number;
}

interface Level<T> {
  orders: BookOrder<T>[];
  /** Index of the first entry that may still be live. */
  head: number;
  /** Lots resting here. */
  qty: number;
  /** Live orders resting here. */
  count: number;
}

/** No price on this side. */
export const NO_PRICE = -1;

export class OrderBook<T = null> {
  private readonly bidLevels: Array<Level<T> | undefined>;
  private readonly askLevels: Array<Level<T> | undefined>;
  private best = [NO_PRICE, NO_PRICE];
  private liveOrders = [0, 0];

  /** Prices are integer ticks in [minPrice, maxPrice] (the day's limit band). */
  constructor(
    readonly minPrice: number,
    readonly maxPrice: number,
  ) {
    if (!Number.isInteger(minPrice) || !Number.isInteger(maxPrice) || minPrice < 0 || maxPrice < minPrice) {
      throw new RangeError(`price band [${minPrice}, ${maxPrice}] must be whole ticks with min ≤ max`);
    }
    const size = maxPrice - minPrice + 1;
    this.bidLevels = new Array<Level<T> | undefined>(size);
    this.askLevels = new Array<Level<T> | undefined>(size);
  }

  get bestBid(): number {
    return this.best[0]!;
  }

  get bestAsk(): number {
    return this.best[1]!;
  }

  /** Live resting orders on a side. */
  orderCount(side: Side): number {
    return this.liveOrders[side === 'buy' ? 0 : 1]!;
  }

  /** Lots resting at a price on a side (0 when none). */
  levelQty(side: Side, price: number): number {
    if (price < this.minPrice || price > this.maxPrice) return 0;
    const level = (side === 'buy' ? this.bidLevels : this.askLevels)[price - this.minPrice];
    return level ? level.qty : 0;
  }

  /** Live orders at a price, oldest first. */
  ordersAt(side: Side, price: number): BookOrder<T>[] {
    if (price < this.minPrice || price > this.maxPrice) return [];
    const level = (side === 'buy' ? this.bidLevels : this.askLevels)[price - this.minPrice];
    if (!level) return [];
    const out: BookOrder<T>[] = [];
    for (let i = level.head; i < level.orders.length; i++) if (level.orders[i]!.live) out.push(level.orders[i]!);
    return out;
  }

  /**
   * Matches a limit order against the opposite side, then rests the remainder. Appends one Fill per maker hit to
   * `fills` (in match order) and returns the resting order, or null when it filled completely.
   */
  submit(
    id: number,
    owner: number,
    side: Side,
    price: number,
    qty: number,
    ref: T,
    fills: Fill<T>[],
  ): BookOrder<T> | null {
    if (!Number.isInteger(price) || price < this.minPrice || price > this.maxPrice) {
      throw new RangeError(`price ${price} is outside the band [${this.minPrice}, ${this.maxPrice}]`);
    }
    if (!Number.isInteger(qty) || qty <= 0) throw new RangeError(`qty ${qty} must be a positive whole number`);
    let remaining = qty;
    const buy = side === 'buy';
    const opposite = buy ? 1 : 0;
    const levels = buy ? this.askLevels : this.bidLevels;
    while (remaining > 0) {
      const bestPrice = this.best[opposite]!;
      if (bestPrice === NO_PRICE || (buy ? bestPrice > price : bestPrice < price)) break;
      const level = levels[bestPrice - this.minPrice]!;
      while (remaining > 0 && level.count > 0) {
        let maker = level.orders[level.head]!;
        while (!maker.live) maker = level.orders[++level.head]!;
        const traded = remaining < maker.remaining ? remaining : maker.remaining;
        maker.remaining -= traded;
        level.qty -= traded;
        remaining -= traded;
        if (maker.remaining === 0) {
          maker.live = false;
          level.head++;
          level.count--;
          this.liveOrders[opposite]!--;
        }
        fills.push({ maker, price: bestPrice, qty: traded });
      }
      if (level.count === 0) {
        level.orders = [];
        level.head = 0;
        this.best[opposite] = this.scan(opposite, bestPrice);
      }
    }
    if (remaining === 0) return null;
    const order: BookOrder<T> = { id, owner, side, price, qty, remaining, live: true, ref };
    const own = buy ? 0 : 1;
    const ownLevels = buy ? this.bidLevels : this.askLevels;
    const index = price - this.minPrice;
    let level = ownLevels[index];
    if (!level) {
      level = { orders: [], head: 0, qty: 0, count: 0 };
      ownLevels[index] = level;
    }
    level.orders.push(order);
    level.qty += remaining;
    level.count++;
    this.liveOrders[own]!++;
    const best = this.best[own]!;
    if (best === NO_PRICE || (buy ? price > best : price < best)) this.best[own] = price;
    return order;
  }

  /**
   * Removes a resting order (the handle `submit` returned); returns the lots it still had, or 0 when it was no
   * longer resting (filled or already cancelled).
   */
  cancel(order: BookOrder<T>): number {
    if (!order.live) return 0;
    order.live = false;
    const own = order.side === 'buy' ? 0 : 1;
    const level = (own === 0 ? this.bidLevels : this.askLevels)[order.price - this.minPrice]!;
    level.qty -= order.remaining;
    level.count--;
    this.liveOrders[own]!--;
    if (level.count === 0) {
      level.orders = [];
      level.head = 0;
      if (this.best[own] === order.price) this.best[own] = this.scan(own, order.price);
    } else if (level.orders.length - level.head > 2 * level.count + 16) {
      // Many dead entries: compact so a busy price does not grow without bound.
      level.orders = level.orders.slice(level.head).filter((o) => o.live);
      level.head = 0;
    }
    return order.remaining;
  }

  /**
   * Writes up to `max` price levels of a side, best first, into `prices` and `qtys`; returns how many.
   */
  topLevels(side: Side, max: number, prices: number[], qtys: number[]): number {
    const own = side === 'buy' ? 0 : 1;
    let price = this.best[own]!;
    if (price === NO_PRICE) return 0;
    const levels = own === 0 ? this.bidLevels : this.askLevels;
    const step = own === 0 ? -1 : 1;
    let n = 0;
    let ordersSeen = 0;
    const total = this.liveOrders[own]!;
    while (n < max && ordersSeen < total && price >= this.minPrice && price <= this.maxPrice) {
      const level = levels[price - this.minPrice];
      if (level && level.count > 0) {
        prices[n] = price;
        qtys[n] = level.qty;
        ordersSeen += level.count;
        n++;
      }
      price += step;
    }
    return n;
  }

  /** Price of the n-th non-empty level (0 = best), or NO_PRICE when the side has fewer levels. */
  levelPrice(side: Side, n: number): number {
    const prices: number[] = [];
    const qtys: number[] = [];
    const found = this.topLevels(side, n + 1, prices, qtys);
    return found > n ? prices[n]! : NO_PRICE;
  }

  /** Next non-empty price after `from` going away from the touch, or NO_PRICE. */
  private scan(own: number, from: number): number {
    if (this.liveOrders[own] === 0) return NO_PRICE;
    const levels = own === 0 ? this.bidLevels : this.askLevels;
    if (own === 0) {
      for (let p = from - 1; p >= this.minPrice; p--) if (levels[p - this.minPrice]?.count) return p;
    } else {
      for (let p = from + 1; p <= this.maxPrice; p++) if (levels[p - this.minPrice]?.count) return p;
    }
    return NO_PRICE;
  }
}
