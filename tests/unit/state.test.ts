import { describe, expect, it } from 'vitest';
import { EngineState } from '../../main/engine/state';
import type { LogFn } from '../../main/core/log';
import {
  account,
  cash,
  end,
  instrument,
  orderCancel,
  orderNew,
  orderReject,
  phase,
  position,
  quote,
  sequence,
  T0,
  trade,
} from '../integration/support/feedMessages';

/** rb2605 (×10, margin 10%, preSettlement 3500); A001 with 5,000,000 and 20 long at 3480 from yesterday. */
function seeded(): EngineState {
  const engine = new EngineState();
  engine.applyBatch(
    sequence([instrument(), account({ controlGroup: 'G1' }), position({ longQty: 20, longAvgPrice: 3480 })]),
  );
  return engine;
}

describe('EngineState: instruments and quotes', () => {
  it('builds the market row from the instrument and the quote, change against preSettlement', () => {
    const engine = new EngineState();
    engine.apply(instrument({ seq: 1 }));
    let row = engine.instrument('rb2605')!;
    expect(row.last).toBeNull();
    expect(row.change).toBeNull();
    expect(engine.mark('rb2605')).toBe(3500); // no trade yet: valued at preSettlement

    engine.apply(
      quote({
        seq: 2,
        ts: 1234,
        last: 3535,
        volume: 2000,
        openInterest: 12_000,
        bids: [
          [3534, 7],
          [3533, 1],
        ],
        asks: [[3536, 9]],
      }),
    );
    row = engine.instrument('rb2605')!;
    expect(row).toMatchObject({ last: 3535, change: 35, bid: 3534, bidQty: 7, ask: 3536, askQty: 9 });
    expect(row.changePct).toBeCloseTo(1, 10); // 35 / 3500 = 1 %
    expect(row).toMatchObject({ volume: 2000, openInterest: 12_000, quoteTs: 1234, seq: 2 });
    expect(engine.mark('rb2605')).toBe(3535);
  });

  it('keeps the top five levels of the book and empties a side that has none', () => {
    const engine = new EngineState();
    engine.apply(instrument({ seq: 1 }));
    const bids = [3499, 3498, 3497, 3496, 3495, 3494, 3493].map((price, i): [number, number] => [price, i + 1]);
    engine.apply(quote({ seq: 2, bids, asks: [] }));
    const book = engine.book('rb2605')!;
    expect(book.bids.map(([price]) => price)).toEqual([3499, 3498, 3497, 3496, 3495]);
    expect(book.asks).toEqual([]);
    expect(engine.instrument('rb2605')).toMatchObject({ ask: null, askQty: null, bid: 3499 });
  });

  it('holds its own copy of the book: it follows a thinner then deeper quote and not the message arrays', () => {
    const engine = new EngineState();
    engine.apply(instrument({ seq: 1 }));
    const levels = (from: number, count: number) =>
      Array.from({ length: count }, (_, i): [number, number] => [from - i, 10 + i]);
    engine.apply(quote({ seq: 2, bids: levels(3499, 5), asks: levels(3510, 2) }));
    engine.apply(quote({ seq: 3, bids: levels(3489, 2), asks: [] }));
    const book = engine.book('rb2605')!;
    expect(book.bids).toEqual([
      [3489, 10],
      [3488, 11],
    ]);
    expect(book.asks).toEqual([]);
    const deeper = quote({ seq: 4, bids: levels(3479, 4), asks: levels(3481, 1) });
    engine.apply(deeper);
    // The sender reusing its arrays after the quote changes nothing in the engine.
    deeper.bids[0]![0] = 1;
    deeper.asks.length = 0;
    expect(engine.book('rb2605')).toMatchObject({
      bids: [
        [3479, 10],
        [3478, 11],
        [3477, 12],
        [3476, 13],
      ],
      asks: [[3481, 10]],
      seq: 4,
    });
  });

  it('applies exchange phases to every instrument of the exchange and an instrument phase to one', () => {
    const engine = new EngineState();
    engine.applyBatch(
      sequence([
        phase({ exchange: 'SHFE', phase: 'auction' }),
        instrument(),
        instrument({ instrumentId: 'cu2606', product: 'cu' }),
        instrument({ instrumentId: 'm2609', exchange: 'DCE', product: 'm' }),
        phase({ exchange: 'SHFE', phase: 'continuous' }),
        phase({ exchange: 'SHFE', instrumentId: 'cu2606', phase: 'break' }),
      ]),
    );
    expect(engine.phase('rb2605')).toBe('continuous');
    expect(engine.phase('cu2606')).toBe('break');
    expect(engine.phase('m2609')).toBe('preopen');
  });
});

describe('EngineState: positions, P&L, margin and risk (hand-computed)', () => {
  it('values start-of-day positions at preSettlement before any trade', () => {
    const engine = seeded();
    const acc = engine.valueAccount('A001')!;
    // P&L (3500 − 3480) × 20 × 10 = 4,000; margin 3500 × 20 × 10 × 10 % = 70,000
    expect(engine.position('A001', 'rb2605')).toMatchObject({ mark: 3500, positionPnl: 4_000, margin: 70_000 });
    expect(acc).toMatchObject({ positionPnl: 4_000, margin: 70_000, equity: 5_004_000, available: 4_934_000 });
    expect(acc.riskDegree).toBeCloseTo(70_000 / 5_004_000, 12);
  });

  it('names the position nearest its contract limit: largest one side ÷ positionLimit, 0 with no limit', () => {
    const engine = new EngineState();
    engine.applyBatch(
      sequence([
        instrument({ positionLimit: 100 }),
        instrument({ instrumentId: 'cu2606', positionLimit: 50 }),
        instrument({ instrumentId: 'm2609', positionLimit: undefined }),
        account(),
        position({ longQty: 20, shortQty: 85 }),
        position({ instrumentId: 'cu2606', longQty: 30 }),
        position({ instrumentId: 'm2609', longQty: 5_000 }),
      ]),
    );
    expect(engine.valueAccount('A001')).toMatchObject({ limitShare: 0.85, limitInstrument: 'rb2605' });
    engine.apply(position({ seq: 8, instrumentId: 'cu2606', longQty: 46 }));
    expect(engine.valueAccount('A001')).toMatchObject({ limitShare: 0.92, limitInstrument: 'cu2606' });
  });

  it('closes at the average price, realises the P&L, charges commission and keeps the rest', () => {
    const engine = seeded();
    engine.applyBatch(
      sequence(
        [
          quote({ last: 3510 }),
          orderNew({ orderId: 'O1', side: 'sell', offset: 'close', price: 3510, qty: 5 }),
          trade({ tradeId: 'T1', price: 3510, qty: 5, sellOrderId: 'O1', sellAccountId: 'A001', commission: 1.5 }),
        ],
        4,
      ),
    );
    const acc = engine.valueAccount('A001')!;
    // close: (3510 − 3480) × 5 × 10 = 1,500; left 15 long at 3480
    // position P&L (3510 − 3480) × 15 × 10 = 4,500; margin 3510 × 15 × 10 × 10 % = 52,650
    expect(engine.position('A001', 'rb2605')).toMatchObject({
      longQty: 15,
      longAvgPrice: 3480,
      closePnl: 1_500,
      positionPnl: 4_500,
      margin: 52_650,
    });
    // equity 5,000,000 + 1,500 + 4,500 − 1.5 = 5,005,998.5; available − 52,650
    expect(acc).toMatchObject({ closePnl: 1_500, commission: 1.5, equity: 5_005_998.5, available: 4_953_348.5 });
    expect(acc.tradesToday).toBe(1);
    expect(acc.workingOrders).toBe(0); // fully filled
  });

  it('opens at the weighted average price on both legs and values long and short at the mark', () => {
    const engine = seeded();
    engine.applyBatch(
      sequence(
        [
          orderNew({ orderId: 'O2', side: 'buy', offset: 'open', price: 3520, qty: 10 }),
          trade({ tradeId: 'T2', price: 3520, qty: 10, buyOrderId: 'O2', buyAccountId: 'A001' }),
          orderNew({ orderId: 'O3', side: 'sell', offset: 'open', price: 3515, qty: 4 }),
          trade({ tradeId: 'T3', price: 3515, qty: 4, sellOrderId: 'O3', sellAccountId: 'A001' }),
          quote({ last: 3500 }),
        ],
        4,
      ),
    );
    const pos = engine.position('A001', 'rb2605')!;
    // long (20 × 3480 + 10 × 3520) / 30 = 3493.33…; short 4 at 3515
    expect(pos.longQty).toBe(30);
    expect(pos.longAvgPrice).toBeCloseTo(104_800 / 30, 10);
    expect(pos).toMatchObject({ shortQty: 4, shortAvgPrice: 3515 });
    const acc = engine.valueAccount('A001')!;
    // long P&L (3500 − 3493.33…) × 30 × 10 = 2,000; short (3515 − 3500) × 4 × 10 = 600
    // margin 3500 × (30 + 4) × 10 × 10 % = 119,000 (both legs, one rate)
    expect(acc.positionPnl).toBeCloseTo(2_600, 6);
    expect(acc.margin).toBeCloseTo(119_000, 6);
    expect(acc.equity).toBeCloseTo(5_002_600, 6);
  });

  it('clamps a close larger than the position and counts it, without a crash', () => {
    const logged: string[] = [];
    const log: LogFn = (_level, message) => logged.push(message);
    const engine = new EngineState({ log });
    engine.applyBatch(
      sequence([
        instrument(),
        account(),
        position({ shortQty: 4, shortAvgPrice: 3515 }),
        orderNew({ orderId: 'O9', side: 'buy', offset: 'close', price: 3505, qty: 6 }),
        trade({ tradeId: 'T9', price: 3505, qty: 6, buyOrderId: 'O9', buyAccountId: 'A001' }),
      ]),
    );
    // only 4 closable: (3515 − 3505) × 4 × 10 = 400
    expect(engine.position('A001', 'rb2605')).toMatchObject({ shortQty: 0, shortAvgPrice: 0, closePnl: 400 });
    expect(engine.anomalies.close_exceeds_position).toBe(1);
    expect(logged.some((line) => line.includes('close_exceeds_position') && line.includes('T9'))).toBe(true);
  });

  it('reaches a margin call as the mark falls (risk degree = margin ÷ equity)', () => {
    const engine = new EngineState();
    engine.applyBatch(
      sequence([
        instrument(),
        account({ accountId: 'B1', preBalance: 10_000 }),
        orderNew({ orderId: 'B1-1', accountId: 'B1', side: 'buy', price: 3500, qty: 2 }),
        trade({ tradeId: 'T1', price: 3500, qty: 2, buyOrderId: 'B1-1', buyAccountId: 'B1' }),
      ]),
    );
    // margin 3500 × 2 × 10 × 10 % = 7,000 on equity 10,000
    expect(engine.accountRiskDegree('B1')).toBeCloseTo(0.7, 12);
    engine.apply(quote({ seq: 5, last: 3300 }));
    // P&L (3300 − 3500) × 2 × 10 = −4,000 → equity 6,000; margin 3300 × 20 × 10 % = 6,600 → 110 %
    expect(engine.accountRiskDegree('B1')).toBeCloseTo(1.1, 12);
    engine.apply(cash({ seq: 6, accountId: 'B1', amount: 6_000 }));
    // deposit: equity 12,000 → 55 %
    expect(engine.accountRiskDegree('B1')).toBeCloseTo(0.55, 12);
    engine.apply(quote({ seq: 7, last: 2800 }));
    // P&L (2800 − 3500) × 20 = −14,000 → equity 2,000; margin 2800 × 20 × 10 % = 5,600 → 280 %
    expect(engine.accountRiskDegree('B1')).toBeCloseTo(2.8, 12);
    engine.apply(quote({ seq: 8, last: 2600 }));
    // P&L −18,000 → equity −2,000 with margin held: infinitely risky
    expect(engine.accountRiskDegree('B1')).toBe(Number.POSITIVE_INFINITY);
  });

  it('realises a loss on the short leg when buying back higher', () => {
    const engine = new EngineState();
    engine.applyBatch(
      sequence([
        instrument({
          instrumentId: 'IF2606',
          exchange: 'CFFEX',
          product: 'IF',
          multiplier: 300,
          priceTick: 0.2,
          marginRate: 0.12,
          preSettlement: 3800,
        }),
        account(),
        position({ instrumentId: 'IF2606', shortQty: 3, shortAvgPrice: 3810.4 }),
        orderNew({ orderId: 'O1', instrumentId: 'IF2606', side: 'buy', offset: 'close', price: 3825, qty: 2 }),
        trade({
          tradeId: 'T1',
          instrumentId: 'IF2606',
          price: 3825,
          qty: 2,
          buyOrderId: 'O1',
          buyAccountId: 'A001',
          commission: 25,
        }),
      ]),
    );
    // (3810.4 − 3825) × 2 × 300 = −8,760
    const pos = engine.position('A001', 'IF2606')!;
    expect(pos.closePnl).toBeCloseTo(-8_760, 6);
    expect(pos.shortQty).toBe(1);
    const acc = engine.valueAccount('A001')!;
    // open P&L at the mark 3800 (preSettlement): (3810.4 − 3800) × 1 × 300 = 3,120; margin 3800 × 300 × 12 % = 136,800
    expect(acc.positionPnl).toBeCloseTo(3_120, 6);
    expect(acc.margin).toBeCloseTo(136_800, 6);
    expect(acc.equity).toBeCloseTo(5_000_000 - 8_760 + 3_120 - 25, 6);
  });
});

describe('EngineState: orders and unknown ids', () => {
  it('tracks working orders per account through partial fills, cancels and rejects', () => {
    const engine = seeded();
    engine.applyBatch(
      sequence(
        [
          orderNew({ orderId: 'O1', qty: 5 }),
          orderNew({ orderId: 'O2', qty: 3, side: 'sell', offset: 'close' }),
          orderNew({ orderId: 'O3', qty: 1 }),
          trade({ tradeId: 'T1', qty: 2, buyOrderId: 'O1', buyAccountId: 'A001' }),
        ],
        4,
      ),
    );
    expect(engine.order('O1')).toMatchObject({ remaining: 3, offset: 'open' });
    expect(engine.workingOrders('A001').size).toBe(3);
    expect(engine.account('A001')!.workingOrders).toBe(3);
    engine.applyBatch(sequence([orderCancel({ orderId: 'O1', cancelledQty: 3 }), orderReject({ orderId: 'O3' })], 8));
    expect(engine.order('O1')).toBeUndefined();
    expect([...engine.workingOrders('A001').keys()]).toEqual(['O2']);
    expect(engine.account('A001')!.workingOrders).toBe(1);
    expect(engine.workingOrders('nobody').size).toBe(0);
  });

  it('counts and logs unknown ids instead of crashing, and leaves the state untouched by them', () => {
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const engine = new EngineState({ log: (_l, message, fields) => logged.push({ message, fields }) });
    engine.applyBatch(
      sequence([
        instrument(),
        account(),
        orderCancel({ orderId: 'ghost' }),
        trade({ tradeId: 'T1', instrumentId: 'zz9999', buyAccountId: 'A001' }),
        quote({ instrumentId: 'zz9999' }),
        orderNew({ orderId: 'O1', accountId: 'nobody' }),
        cash({ accountId: 'nobody', amount: 5 }),
        trade({ tradeId: 'T2', qty: 2, buyOrderId: 'missing', buyAccountId: 'A001' }),
      ]),
    );
    expect(engine.anomalies).toMatchObject({
      unknown_order: 1,
      unknown_instrument: 2,
      unknown_account: 2,
      trade_without_order: 1,
    });
    // The fill without its order is taken as an open (no invented realised P&L).
    expect(engine.position('A001', 'rb2605')).toMatchObject({ longQty: 2, closePnl: 0 });
    expect(logged.find((entry) => entry.message.includes('ghost'))?.fields).toMatchObject({
      seq: 3,
      kind: 'unknown_order',
    });
    expect(engine.lastSeq).toBe(8);
  });

  it('lists the accounts of an actual-control group', () => {
    const engine = new EngineState();
    engine.applyBatch(
      sequence([
        account({ accountId: 'A1', controlGroup: 'G1' }),
        account({ accountId: 'A2' }),
        account({ accountId: 'A3', controlGroup: 'G1' }),
        account({ accountId: 'A2', controlGroup: 'G1' }),
        account({ accountId: 'A1' }), // leaves the group
      ]),
    );
    expect(engine.accountsInGroup('G1')).toEqual(['A3', 'A2']);
    expect(engine.account('A1')!.controlGroup).toBeNull();
    expect(engine.accountsInGroup('none')).toEqual([]);
  });

  it('marks the session ended', () => {
    const engine = seeded();
    engine.apply(end({ seq: 4 }));
    expect(engine.ended).toBe(true);
    expect(engine.lastSeq).toBe(4);
  });
});

describe('EngineState: lazy valuation and dirty tracking', () => {
  it('does not revalue on a quote; takeChanges brings positions and accounts up to the mark', () => {
    const engine = seeded();
    engine.takeChanges();
    engine.apply(quote({ seq: 4, ts: T0 + 5_000, last: 3520 }));
    // The live row still carries the last valuation until someone asks.
    expect(engine.position('A001', 'rb2605')!.positionPnl).toBe(4_000);
    const changes = engine.takeChanges();
    expect(changes.market.map((row) => row.instrumentId)).toEqual(['rb2605']);
    // (3520 − 3480) × 20 × 10 = 8,000
    expect(changes.positions).toHaveLength(1);
    expect(changes.positions[0]).toMatchObject({ key: 'A001|rb2605', mark: 3520, positionPnl: 8_000 });
    expect(changes.accounts[0]).toMatchObject({ accountId: 'A001', positionPnl: 8_000, equity: 5_008_000 });
    expect(changes.marketTs).toBe(T0 + 5_000);
    expect(changes.positionsTs).toBe(T0 + 5_000);
    expect(changes.accountsTs).toBe(T0 + 5_000);
  });

  it('conflates many quotes into one changed row and reports nothing when nothing changed', () => {
    const engine = seeded();
    engine.apply(instrument({ seq: 4, instrumentId: 'cu2606', product: 'cu', multiplier: 5, preSettlement: 80_000 }));
    engine.takeChanges();
    for (let i = 0; i < 1_000; i++)
      engine.apply(quote({ seq: 5 + i, ts: 10_000 + i, instrumentId: 'cu2606', last: 80_000 + i }));
    const changes = engine.takeChanges();
    expect(changes.market).toHaveLength(1);
    expect(changes.market[0]).toMatchObject({ instrumentId: 'cu2606', last: 80_999 });
    expect(changes.positions).toHaveLength(0); // nobody holds cu
    expect(changes.accounts).toHaveLength(0);
    const none = engine.takeChanges();
    expect([none.market.length, none.positions.length, none.accounts.length]).toEqual([0, 0, 0]);
  });

  it('hands out copies: a consumer cannot change the engine through them', () => {
    const engine = seeded();
    const changes = engine.takeChanges();
    changes.positions[0]!.longQty = 999;
    expect(engine.position('A001', 'rb2605')!.longQty).toBe(20);
    expect(engine.allRows().positions[0]!.longQty).toBe(20);
  });

  it('reset forgets the session and bumps the generation', () => {
    const engine = seeded();
    const generation = engine.generation;
    engine.reset();
    expect(engine.generation).toBe(generation + 1);
    expect(engine.counts).toEqual({ instruments: 0, accounts: 0, positions: 0, workingOrders: 0 });
    expect(engine.allRows().market).toEqual([]);
  });
});
