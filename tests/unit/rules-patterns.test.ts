// order_burst, margin_call and the manipulation patterns (spoofing/layering, marking the close, momentum ignition)
// at their boundaries.
import { describe, expect, it } from 'vitest';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { defaultRulesConfig } from '../../main/rules/loadRules';
import { surveilMessages } from '../../main/rules/surveillance';
import { tradingDayOf } from '../../main/rules/engine';
import { consecutiveLevels } from '../../main/rules/detectors/spoofing';
import type { BookLevel } from '../../shared/protocol';
import type { Alert, RuleId } from '../../shared/rules/types';

const config = defaultRulesConfig();
const alertsOf = (feed: FeedBuilder, rule: RuleId): Alert[] =>
  surveilMessages(feed.messages, { config }).filter((a) => a.rule === rule);

const INST = 'rb2605';
const MARKET = { accountId: null, orderId: null };

function market(): FeedBuilder {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: INST, exchange: 'SHFE', priceTick: 1, maxOrderQty: 500, positionLimit: 90_000 });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1').account('B2');
  feed.phase('SHFE', 'continuous');
  return feed;
}

const levels = (from: number, step: number, qty: number): BookLevel[] =>
  Array.from({ length: 5 }, (_, i) => [from + i * step, qty] as BookLevel);

/** A book with 20 lots on each of 5 levels a side around 3499/3500. */
function book(feed: FeedBuilder, volume = 0): void {
  feed.quote(INST, 3500, levels(3499, -1, 20), levels(3500, 1, 20), volume);
}

describe('order_burst', () => {
  /** `occasions` bursts of `size` submissions `gapMs` apart (orders then their cancels), 5 s between bursts. */
  function bursts(feed: FeedBuilder, accounts: string[], occasions: number, size: number, gapMs = 20): void {
    for (let o = 0; o < occasions; o++) {
      feed.advance(5000);
      const ids: Array<[string, string]> = [];
      for (let i = 0; i < size; i++) {
        const account = accounts[Math.floor(i / 2) % accounts.length]!;
        if (i % 2 === 0) ids.push([account, feed.order(account, INST, 'buy', 1, 3400)]);
        else feed.cancel(ids.pop()![1], 1);
        feed.advance(gapMs);
      }
    }
  }

  it('fires at 10 occasions of ≥ 10 submissions within 1 s, not at 9', () => {
    const nine = market();
    bursts(nine, ['B1'], 9, 10);
    expect(alertsOf(nine, 'order_burst')).toEqual([]);
    const ten = market();
    bursts(ten, ['B1'], 10, 10);
    const [alert] = alertsOf(ten, 'order_burst');
    expect(alert).toMatchObject({
      subjectId: 'B1',
      instrumentId: INST,
      exchange: 'SHFE',
      count: 10,
      threshold: 10,
      id: '20261124:order_burst:B1:SHFE',
    });
    expect(alert!.message).toBe(
      '10 occasions on SHFE today with ≥ 10 order and cancel submissions within 1 s, most on rb2605 (threshold 10)',
    );
    expect(alert!.evidence).toHaveLength(100);
  });

  it('needs 10 submissions in an occasion and all within the second', () => {
    const nineEach = market();
    bursts(nineEach, ['B1'], 20, 9);
    expect(alertsOf(nineEach, 'order_burst')).toEqual([]);
    const tooSlow = market();
    bursts(tooSlow, ['B1'], 12, 10, 112); // 10 submissions span 9 × 112 = 1008 ms
    expect(alertsOf(tooSlow, 'order_burst')).toEqual([]);
  });

  it('counts one long burst once per second, not once per 10 submissions', () => {
    const feed = market();
    bursts(feed, ['B1'], 1, 95, 10); // 95 submissions in 0.95 s: one occasion
    bursts(feed, ['B1'], 8, 10);
    expect(alertsOf(feed, 'order_burst')).toEqual([]);
    bursts(feed, ['B1'], 1, 10);
    expect(alertsOf(feed, 'order_burst')).toEqual([expect.objectContaining({ count: 10 })]);
  });

  it('manages the accounts of a control group as one', () => {
    const feed = market();
    bursts(feed, ['A1', 'A2'], 10, 10);
    expect(alertsOf(feed, 'order_burst')).toEqual([
      expect.objectContaining({ subjectType: 'group', subjectId: 'G1', accountIds: ['A1', 'A2'], count: 10 }),
    ]);
  });
});

describe('margin_call', () => {
  // 10 lots long at 1000, multiplier 10, margin rate 0.1: margin 10,000.
  function account(preBalance: number): FeedBuilder {
    const feed = new FeedBuilder();
    feed.instrument({ instrumentId: 'cu2606', exchange: 'SHFE', preSettlement: 1000, multiplier: 10, marginRate: 0.1 });
    feed.account('C1', { preBalance, controlGroup: 'G9' });
    feed.position('C1', 'cu2606', 10, 0, 1000);
    return feed;
  }

  it('fires when margin ÷ equity reaches 100% (high), not at 99.99%', () => {
    expect(alertsOf(account(10_001), 'margin_call')).toEqual([]);
    const [alert] = alertsOf(account(10_000), 'margin_call');
    expect(alert).toMatchObject({
      subjectType: 'account',
      subjectId: 'C1',
      accountIds: ['C1'],
      instrumentId: null,
      severity: 'high',
      threshold: 1,
      id: '20261124:margin_call:C1',
    });
    expect(alert!.message).toBe('Account C1 reached a risk degree of 100% (margin call at 100%, critical at 120%)');
  });

  it('turns critical at 120% when prices move against the position, and on a withdrawal', () => {
    const feed = account(12_000);
    feed.advance(2000);
    feed.quote('cu2606', 1000, [[999, 5]], [[1001, 5]]);
    expect(alertsOf(feed, 'margin_call')).toEqual([]);
    feed.advance(2000);
    feed.quote('cu2606', 980, [[979, 5]], [[981, 5]]); // margin 9,800; equity 12,000 − 2,000 = 10,000: 98%
    expect(alertsOf(feed, 'margin_call')).toEqual([]);
    feed.advance(2000);
    feed.quote('cu2606', 960, [[959, 5]], [[961, 5]]); // margin 9,600; equity 8,000: 120%
    const [alert] = alertsOf(feed, 'margin_call');
    expect(alert).toMatchObject({ severity: 'critical', count: 1 });
    expect(alert!.metrics.peakRiskDegree).toBeCloseTo(1.2, 9);

    const withdrawal = account(12_000);
    withdrawal.advance(100).cash('C1', -2_000);
    expect(alertsOf(withdrawal, 'margin_call')).toEqual([expect.objectContaining({ severity: 'high' })]);
  });
});

describe('spoofing', () => {
  /** B1 enters a buy of `qty` at 3498, sells `oppositeLots` against the market, cancels after `lifeMs`. */
  function spoof(options: { qty?: number; oppositeLots?: number; lifeMs?: number; filled?: number } = {}): FeedBuilder {
    const { qty = 100, oppositeLots = 10, lifeMs = 1500, filled = 0 } = options;
    const feed = market();
    book(feed);
    feed.advance(100);
    const id = feed.order('B1', INST, 'buy', qty, 3498);
    if (filled > 0) feed.advance(50).trade(INST, 3498, filled, { accountId: 'B1', orderId: id }, MARKET, 'sell');
    feed.advance(lifeMs / 2);
    if (oppositeLots > 0) feed.fill('B1', INST, 'sell', oppositeLots, 3500, 'open', false);
    feed.advance(lifeMs / 2);
    feed.cancel(id, qty - filled);
    return feed;
  }

  it('fires for a large order cancelled quickly while the client traded the other side', () => {
    const [alert] = alertsOf(spoof(), 'spoofing');
    // One episode at a minimum of one: an indication to review (medium), not yet a pattern (shared/rules/severity).
    expect(alert).toMatchObject({ subjectId: 'B1', instrumentId: INST, count: 1, threshold: 1, severity: 'medium' });
    expect(alert!.metrics).toMatchObject({ maxOrderQty: 100, maxDepthRatio: 1, maxLifeMs: 1500 });
    expect(alert!.evidence).toHaveLength(3); // the order, its cancel, the opposite trade
    expect(alert!.message).toContain('1 spoofing episode on rb2605 today: orders up to 100 lots (1× the visible depth');
  });

  it('does not fire without the opposite trade, for a slow cancel, a real fill or a small order', () => {
    expect(alertsOf(spoof({ oppositeLots: 0 }), 'spoofing')).toEqual([]);
    expect(alertsOf(spoof({ lifeMs: 10_002 }), 'spoofing')).toEqual([]);
    expect(alertsOf(spoof({ filled: 11 }), 'spoofing')).toEqual([]);
    expect(alertsOf(spoof({ filled: 10 }), 'spoofing')).toHaveLength(1);
    expect(alertsOf(spoof({ qty: 49 }), 'spoofing')).toEqual([]); // < 50% of the 100 visible lots, a single layer
    expect(alertsOf(spoof({ qty: 50 }), 'spoofing')).toHaveLength(1);
  });

  it('scores layering on consecutive levels higher', () => {
    function layers(prices: number[]): FeedBuilder {
      const feed = market();
      book(feed);
      const ids = prices.map((price) => feed.advance(50).order('B1', INST, 'buy', 30, price));
      feed.advance(500).fill('B1', INST, 'sell', 10, 3500, 'open', false);
      for (const id of ids) feed.advance(100).cancel(id, 30);
      return feed;
    }
    const [layered] = alertsOf(layers([3499, 3498, 3497]), 'spoofing');
    expect(layered).toMatchObject({ count: 1, severity: 'high' }); // layering: one step above a single spoof
    expect(layered!.metrics).toMatchObject({ layeredEpisodes: 1, maxLayerLevels: 3 });
    expect(layered!.score).toBeGreaterThanOrEqual(85);
    expect(layered!.message).toContain('layering on 3 consecutive price levels in 1 of them');
    expect(alertsOf(layers([3499, 3497, 3495]), 'spoofing')).toEqual([]);
    expect(alertsOf(layers([3499, 3498]), 'spoofing')).toEqual([]);
    expect(alertsOf(spoof(), 'spoofing')[0]!.score).toBeLessThan(85);
  });

  it('finds the longest run of consecutive levels', () => {
    expect(consecutiveLevels([3497, 3499, 3498, 3510], 1)).toBe(3);
    expect(consecutiveLevels([778.42, 778.44, 778.46], 0.02)).toBe(3);
    expect(consecutiveLevels([], 1)).toBe(0);
  });
});

describe('momentum_ignition', () => {
  /** B1 sweeps `sweepLevels` ask levels of 10 lots, then sells `reversalLots` after `afterMs`. */
  function ignition(sweepLevels: number, reversalLots: number, afterMs = 20_000): FeedBuilder {
    const feed = market();
    book(feed);
    feed.advance(100);
    const qty = sweepLevels * 10;
    const id = feed.order('B1', INST, 'buy', qty, 3500 + sweepLevels - 1);
    for (let level = 0; level < sweepLevels; level++) {
      feed.trade(INST, 3500 + level, 10, { accountId: 'B1', orderId: id }, MARKET, 'buy');
    }
    feed.advance(afterMs);
    if (reversalLots > 0) feed.fill('B1', INST, 'sell', reversalLots, 3506, 'close', false);
    return feed;
  }

  it('fires for a sweep through 3 levels followed by the client trading the other way', () => {
    const [alert] = alertsOf(ignition(3, 15), 'momentum_ignition');
    expect(alert).toMatchObject({ subjectId: 'B1', count: 1, threshold: 1, severity: 'medium' });
    expect(alert!.metrics).toMatchObject({ side: 0, levels: 3, sweepQty: 30, reversalQty: 15, reversalMs: 20_000 });
    expect(alert!.message).toBe(
      '1 momentum ignition on rb2605 today: a buy sweep through 3 price levels (30 lots) followed by 15 lots traded the other way within 20 s',
    );
  });

  it('also reads the sweep from the book the order reached, when the fill is reported as one trade', () => {
    const feed = market();
    book(feed); // asks 20 lots at 3500, 3501, 3502…
    feed.advance(100);
    const id = feed.order('B1', INST, 'buy', 60, 3502);
    feed.trade(INST, 3502, 60, { accountId: 'B1', orderId: id }, MARKET, 'buy');
    feed.advance(5000).fill('B1', INST, 'sell', 30, 3504, 'close', false);
    expect(alertsOf(feed, 'momentum_ignition')).toEqual([expect.objectContaining({ count: 1 })]);
    const small = market();
    book(small);
    small.advance(100);
    const one = small.order('B1', INST, 'buy', 20, 3502); // the first level alone fills it
    small.trade(INST, 3500, 20, { accountId: 'B1', orderId: one }, MARKET, 'buy');
    small.advance(5000).fill('B1', INST, 'sell', 20, 3504, 'close', false);
    expect(alertsOf(small, 'momentum_ignition')).toEqual([]);
  });

  it('does not fire for 2 levels, too small a reversal, or a late one', () => {
    expect(alertsOf(ignition(2, 20), 'momentum_ignition')).toEqual([]);
    expect(alertsOf(ignition(3, 8), 'momentum_ignition')).toEqual([]);
    expect(alertsOf(ignition(3, 9), 'momentum_ignition')).toHaveLength(1); // 30% of the 30-lot sweep
    expect(alertsOf(ignition(3, 15, 60_001), 'momentum_ignition')).toEqual([]);
    expect(alertsOf(ignition(3, 0), 'momentum_ignition')).toEqual([]);
  });
});

describe('marking_close', () => {
  /** Market volume 1000 before the window; in the last 30 s 100 lots trade, `bought` − `sold` of them B1's. */
  function close(options: { bought: number; sold?: number; closeLast: number }): FeedBuilder {
    const { bought, sold = 0, closeLast } = options;
    const feed = market();
    feed.quote(INST, 3500, levels(3499, -1, 20), levels(3500, 1, 20), 1000);
    feed.advance(60_000);
    const lots = (n: number) => Array.from({ length: Math.ceil(n / 10) }, (_, i) => Math.min(10, n - i * 10));
    for (const q of lots(bought)) feed.advance(5000).fill('B1', INST, 'buy', q, 3502);
    for (const q of lots(sold)) feed.advance(5000).fill('B1', INST, 'sell', q, 3502);
    feed.advance(5000).quote(INST, closeLast, levels(closeLast - 1, -1, 20), levels(closeLast, 1, 20), 1100);
    feed.advance(1000).phase('SHFE', 'closed');
    return feed;
  }

  it('fires for a large one-way share of the closing volume that moves the price its way', () => {
    const [alert] = alertsOf(close({ bought: 40, closeLast: 3505 }), 'marking_close');
    expect(alert).toMatchObject({ subjectId: 'B1', instrumentId: INST, count: 1 });
    expect(alert!.metrics).toMatchObject({ share: 0.4, priceMoveTicks: 5, clientLots: 40, windowVolume: 100 });
    expect(alert!.message).toBe(
      "40% of rb2605 volume in the last 1 min before the close (threshold 30%), 40 lots, price moved +5 ticks in the client's direction",
    );
  });

  it('does not fire below the share, against the move, for a small move or a two-way trader', () => {
    expect(alertsOf(close({ bought: 29, closeLast: 3505 }), 'marking_close')).toEqual([]);
    expect(alertsOf(close({ bought: 30, closeLast: 3505 }), 'marking_close')).toHaveLength(1);
    expect(alertsOf(close({ bought: 40, closeLast: 3495 }), 'marking_close')).toEqual([]);
    expect(alertsOf(close({ bought: 40, closeLast: 3502 }), 'marking_close')).toEqual([]);
    expect(alertsOf(close({ bought: 40, closeLast: 3503 }), 'marking_close')).toHaveLength(1);
    expect(alertsOf(close({ bought: 40, sold: 30, closeLast: 3505 }), 'marking_close')).toEqual([]);
  });

  it('finds a burst in the final minute that a longer window would dilute', () => {
    const feed = market();
    feed.quote(INST, 3500, levels(3499, -1, 20), levels(3500, 1, 20), 1000);
    // Nine busy minutes (the market trades 900 lots, price flat), then B1 buys 40 of the last minute's 60 lots.
    for (let minute = 1; minute <= 9; minute++)
      feed.advance(60_000).quote(INST, 3500, levels(3499, -1, 20), levels(3500, 1, 20), 1000 + minute * 100);
    feed.advance(45_000);
    for (let i = 0; i < 4; i++) feed.advance(5_000).fill('B1', INST, 'buy', 10, 3502);
    feed.advance(5000).quote(INST, 3504, levels(3503, -1, 20), levels(3504, 1, 20), 1960);
    feed.advance(1000).phase('SHFE', 'closed');
    const [alert] = alertsOf(feed, 'marking_close');
    expect(alert).toBeDefined();
    expect(alert!.metrics).toMatchObject({ windowMs: 60_000, clientLots: 40, windowVolume: 60, priceMoveTicks: 4 });
  });

  it('takes the end of the session as the close when no closed phase came', () => {
    const feed = close({ bought: 40, closeLast: 3505 });
    feed.messages.pop(); // the closed phase
    feed.seq--;
    expect(alertsOf(feed, 'marking_close')).toEqual([]);
    feed.end();
    expect(alertsOf(feed, 'marking_close')).toHaveLength(1);
    feed.phase('SHFE', 'closed'); // after the end nothing counts twice
    expect(alertsOf(feed, 'marking_close')[0]!.count).toBe(1);
  });

  it('looks only at the last minutes before the close', () => {
    const feed = market();
    feed.quote(INST, 3500, levels(3499, -1, 20), levels(3500, 1, 20), 1000);
    for (let i = 0; i < 4; i++) feed.advance(5000).fill('B1', INST, 'buy', 10, 3502);
    feed.advance(601_000).quote(INST, 3510, levels(3509, -1, 20), levels(3510, 1, 20), 1100);
    feed.advance(1000).phase('SHFE', 'closed');
    expect(alertsOf(feed, 'marking_close')).toEqual([]);
  });
});

describe('trading day without a hello', () => {
  it('uses the China-time day, the next business day for the night session', () => {
    expect(tradingDayOf(Date.UTC(2026, 10, 24, 1, 0))).toBe('20261124'); // Tue 09:00
    expect(tradingDayOf(Date.UTC(2026, 10, 24, 13, 30))).toBe('20261125'); // Tue 21:30 night session
    expect(tradingDayOf(Date.UTC(2026, 10, 27, 13, 30))).toBe('20261130'); // Fri 21:30 → Monday
  });
});
