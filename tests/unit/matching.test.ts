import { describe, expect, it } from 'vitest';
import { NO_PRICE, OrderBook, type Fill } from '../../main/simulator/matching';

type Ref = string;

function book() {
  return new OrderBook<Ref>(900, 1100);
}

function fillsOf(fills: Fill<Ref>[]) {
  return fills.map((f) => ({ maker: f.maker.ref, price: f.price, qty: f.qty }));
}

describe('OrderBook: price-time priority', () => {
  it('matches the best price first, then the oldest order at that price', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    b.submit(1, 1, 'sell', 1002, 5, 'late-better-than-far', fills);
    b.submit(2, 2, 'sell', 1001, 3, 'first-at-1001', fills);
    b.submit(3, 3, 'sell', 1001, 4, 'second-at-1001', fills);
    b.submit(4, 4, 'sell', 1000, 2, 'best', fills);
    expect(fills).toHaveLength(0);
    expect(b.bestAsk).toBe(1000);

    const rested = b.submit(5, 9, 'buy', 1002, 10, 'taker', fills);
    expect(rested).toBeNull();
    expect(fillsOf(fills)).toEqual([
      { maker: 'best', price: 1000, qty: 2 },
      { maker: 'first-at-1001', price: 1001, qty: 3 },
      { maker: 'second-at-1001', price: 1001, qty: 4 },
      { maker: 'late-better-than-far', price: 1002, qty: 1 },
    ]);
    expect(b.bestAsk).toBe(1002);
    expect(b.levelQty('sell', 1002)).toBe(4);
  });

  it('trades at the resting price and never through the limit', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    b.submit(1, 1, 'buy', 995, 5, 'bid-995', fills);
    b.submit(2, 1, 'buy', 997, 5, 'bid-997', fills);
    const rested = b.submit(3, 2, 'sell', 996, 8, 'seller', fills);
    // Only the 997 bid is at or above the 996 limit; it trades at 997 (the maker's price).
    expect(fillsOf(fills)).toEqual([{ maker: 'bid-997', price: 997, qty: 5 }]);
    expect(rested).not.toBeNull();
    expect(rested!.remaining).toBe(3);
    expect(b.bestAsk).toBe(996);
    expect(b.bestBid).toBe(995);
  });

  it('keeps time priority within a level after partial fills of the head order', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    b.submit(1, 1, 'buy', 1000, 10, 'A', fills);
    b.submit(2, 2, 'buy', 1000, 10, 'B', fills);
    b.submit(3, 3, 'sell', 1000, 4, 'x', fills);
    b.submit(4, 3, 'sell', 1000, 4, 'y', fills);
    expect(fillsOf(fills)).toEqual([
      { maker: 'A', price: 1000, qty: 4 },
      { maker: 'A', price: 1000, qty: 4 },
    ]);
    fills.length = 0;
    b.submit(5, 3, 'sell', 1000, 5, 'z', fills);
    expect(fillsOf(fills)).toEqual([
      { maker: 'A', price: 1000, qty: 2 },
      { maker: 'B', price: 1000, qty: 3 },
    ]);
    expect(b.levelQty('buy', 1000)).toBe(7);
    expect(b.ordersAt('buy', 1000).map((o) => o.ref)).toEqual(['B']);
  });
});

describe('OrderBook: partial fills', () => {
  it('rests the unfilled remainder of an aggressive order as the new best on its side', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    b.submit(1, 1, 'sell', 1000, 3, 'ask', fills);
    b.submit(2, 1, 'buy', 998, 1, 'old-bid', fills);
    const rested = b.submit(3, 2, 'buy', 1000, 10, 'taker', fills);
    expect(fillsOf(fills)).toEqual([{ maker: 'ask', price: 1000, qty: 3 }]);
    expect(rested?.remaining).toBe(7);
    expect(rested?.qty).toBe(10);
    expect(b.bestBid).toBe(1000);
    expect(b.bestAsk).toBe(NO_PRICE);
    const prices: number[] = [];
    const qtys: number[] = [];
    expect(b.topLevels('buy', 5, prices, qtys)).toBe(2);
    expect(prices.slice(0, 2)).toEqual([1000, 998]);
    expect(qtys.slice(0, 2)).toEqual([7, 1]);
  });

  it('reduces a partially filled maker in place', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    const maker = b.submit(1, 1, 'sell', 1001, 10, 'maker', fills)!;
    b.submit(2, 2, 'buy', 1001, 4, 'taker', fills);
    expect(maker.remaining).toBe(6);
    expect(maker.live).toBe(true);
    expect(fills[0]!.maker).toBe(maker);
    expect(b.levelQty('sell', 1001)).toBe(6);
  });
});

describe('OrderBook: cancels', () => {
  it('removes a resting order and returns the lots it still had', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    const first = b.submit(1, 1, 'buy', 1000, 5, 'first', fills)!;
    const second = b.submit(2, 2, 'buy', 1000, 6, 'second', fills)!;
    b.submit(3, 3, 'sell', 1000, 2, 'hit', fills);
    expect(b.cancel(first)).toBe(3);
    expect(first.live).toBe(false);
    expect(b.levelQty('buy', 1000)).toBe(6);
    // A cancelled order is skipped by later matching: the next seller meets `second`.
    fills.length = 0;
    b.submit(4, 3, 'sell', 1000, 1, 'next', fills);
    expect(fills[0]!.maker).toBe(second);
  });

  it('returns 0 for an order that already filled or was already cancelled', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    const order = b.submit(1, 1, 'sell', 1000, 2, 'x', fills)!;
    b.submit(2, 2, 'buy', 1000, 2, 'y', fills);
    expect(order.live).toBe(false);
    expect(b.cancel(order)).toBe(0);
    const other = b.submit(3, 1, 'sell', 1001, 2, 'z', fills)!;
    expect(b.cancel(other)).toBe(2);
    expect(b.cancel(other)).toBe(0);
  });

  it('moves the best price away when the best level empties, and to NO_PRICE when the side empties', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    const best = b.submit(1, 1, 'buy', 1000, 1, 'a', fills)!;
    const next = b.submit(2, 1, 'buy', 990, 1, 'b', fills)!;
    expect(b.bestBid).toBe(1000);
    b.cancel(best);
    expect(b.bestBid).toBe(990);
    b.cancel(next);
    expect(b.bestBid).toBe(NO_PRICE);
    expect(b.orderCount('buy')).toBe(0);
  });

  it('stays consistent over many random orders and cancels (no crossed book, quantities add up)', () => {
    const b = book();
    const fills: Fill<Ref>[] = [];
    const live: ReturnType<typeof b.submit>[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let traded = 0;
    let submitted = 0;
    let cancelled = 0;
    for (let i = 0; i < 5000; i++) {
      if (rand() < 0.3 && live.length > 0) {
        const at = Math.floor(rand() * live.length);
        cancelled += b.cancel(live[at]!);
        live.splice(at, 1);
        continue;
      }
      const side = rand() < 0.5 ? 'buy' : 'sell';
      const qty = 1 + Math.floor(rand() * 9);
      fills.length = 0;
      submitted += qty;
      const rested = b.submit(i + 1, 0, side, 990 + Math.floor(rand() * 21), qty, 'r', fills);
      for (const f of fills) traded += 2 * f.qty;
      if (rested) live.push(rested);
      if (b.bestBid !== NO_PRICE && b.bestAsk !== NO_PRICE) expect(b.bestBid).toBeLessThan(b.bestAsk);
    }
    let resting = 0;
    for (let p = 900; p <= 1100; p++) resting += b.levelQty('buy', p) + b.levelQty('sell', p);
    // Every lot submitted either traded (counted on both sides), was cancelled, or still rests.
    expect(traded + cancelled + resting).toBe(submitted);
  });

  it('rejects prices outside the band and non-positive quantities', () => {
    const b = book();
    expect(() => b.submit(1, 0, 'buy', 1101, 1, 'x', [])).toThrow(RangeError);
    expect(() => b.submit(1, 0, 'buy', 1000.5, 1, 'x', [])).toThrow(RangeError);
    expect(() => b.submit(1, 0, 'buy', 1000, 0, 'x', [])).toThrow(RangeError);
  });
});
