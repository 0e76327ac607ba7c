// Account tools data: a client's per-contract counters against the exchange thresholds (a control group counts as
// one client), recent trades newest first, working orders, risk samples.
import { describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { resolveRuleParams } from '../../shared/rules/config';
import { AccountActivity, RISK_SAMPLES, RISK_STEPS_PER_UNIT } from '../../main/core/accountActivity';
import { defaultRulesConfig } from '../../main/rules';
import { EngineState } from '../../main/engine/state';

const config = defaultRulesConfig();
const T0 = Date.UTC(2026, 2, 19, 1, 30);

function harness() {
  const engine = new EngineState();
  const activity = new AccountActivity(engine, config);
  let seq = 0;
  const feed = (m: Record<string, unknown>) => {
    const message = { ...m, seq: ++seq, ts: T0 + seq } as unknown as SequencedMessage;
    activity.apply(message); // before the state, as CoreRuntime.applyBatch does
    engine.apply(message);
  };
  feed({
    type: 'instrument',
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    product: 'rb',
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.1,
    upperLimit: 4000,
    lowerLimit: 3000,
    preSettlement: 3500,
    positionLimit: 1000,
  });
  feed({ type: 'account', accountId: 'A1', name: 'one', preBalance: 10_000_000, controlGroup: 'G' });
  feed({ type: 'account', accountId: 'A2', name: 'two', preBalance: 10_000_000, controlGroup: 'G' });
  feed({ type: 'account', accountId: 'B', name: 'other', preBalance: 10_000_000 });
  let orderNo = 0;
  const order = (accountId: string, qty: number, side: 'buy' | 'sell' = 'buy') => {
    const orderId = `O${++orderNo}`;
    feed({
      type: 'order',
      event: 'new',
      orderId,
      accountId,
      instrumentId: 'rb2605',
      side,
      offset: 'open',
      price: 3500,
      qty,
    });
    return orderId;
  };
  const cancel = (orderId: string, cancelledQty: number) =>
    feed({ type: 'order', event: 'cancel', orderId, cancelledQty });
  let tradeNo = 0;
  const trade = (buyAccountId: string, sellAccountId: string, qty = 1) => {
    const buyOrderId = order(buyAccountId, qty, 'buy');
    const sellOrderId = order(sellAccountId, qty, 'sell');
    feed({
      type: 'trade',
      tradeId: `T${++tradeNo}`,
      instrumentId: 'rb2605',
      price: 3500,
      qty,
      buyOrderId,
      sellOrderId,
      buyAccountId,
      sellAccountId,
      aggressor: 'buy',
    });
  };
  return { engine, activity, order, cancel, trade, feed };
}

describe('AccountActivity counters', () => {
  it('counts a control group as one client against each SHFE threshold', () => {
    const { activity, order, cancel, trade } = harness();
    // 3 cancels by A1 and 2 by A2 (group G): 5 cancels, of which the ≥ 300-lot ones are large on SHFE.
    cancel(order('A1', 10), 10);
    cancel(order('A1', 300), 300); // exactly the minimum: large
    cancel(order('A1', 299), 299); // one lot short: not large
    cancel(order('A2', 500), 500);
    cancel(order('A2', 1), 1);
    cancel(order('B', 400), 400); // another client
    // Self-trades: A1 with A2 (same group) twice, A1 with itself once; A1 with B is not one.
    trade('A1', 'A2');
    trade('A2', 'A1');
    trade('A1', 'A1');
    trade('A1', 'B');

    const counters = activity.counters('A2', '20260319')!;
    expect(counters.subjectType).toBe('group');
    expect(counters.subjectId).toBe('G');
    expect(counters.accountIds).toEqual(['A1', 'A2']);
    expect(counters.contracts).toHaveLength(1);
    const rb = counters.contracts[0]!;
    expect(rb.instrumentId).toBe('rb2605');
    expect(rb.largeCancelMinQty).toBe(300);
    const byRule = Object.fromEntries(rb.counters.map((c) => [c.rule, c]));
    const frequent = resolveRuleParams(config, 'frequent_cancel', 'SHFE', 'rb').threshold;
    const large = resolveRuleParams(config, 'large_cancel', 'SHFE', 'rb').threshold;
    expect(byRule.frequent_cancel).toEqual({
      rule: 'frequent_cancel',
      value: 5,
      threshold: frequent,
      ratio: 5 / frequent,
    });
    expect(byRule.large_cancel).toEqual({ rule: 'large_cancel', value: 2, threshold: large, ratio: 2 / large });
    expect(byRule.self_trade).toEqual({ rule: 'self_trade', value: 3, threshold: 5, ratio: 0.6 });
    // 13 orders by the group: 5 cancelled, and one per side of each of its 4 trades (A1/A1 gives two).
    expect(rb.orders).toBe(5 + 2 + 2 + 2 + 1);

    const other = activity.counters('B', null)!;
    expect(other.subjectType).toBe('account');
    const b = Object.fromEntries(other.contracts[0]!.counters.map((c) => [c.rule, c.value]));
    expect(b).toMatchObject({ frequent_cancel: 1, large_cancel: 1, self_trade: 0 });
  });

  it('sums the group’s one-side position against the contract’s position limit', () => {
    const { activity, trade } = harness();
    trade('A1', 'B', 30);
    trade('A2', 'B', 20);
    const rb = activity.counters('A1', null)!.contracts[0]!;
    const limit = rb.counters.find((c) => c.rule === 'position_limit')!;
    expect(limit).toEqual({ rule: 'position_limit', value: 50, threshold: 1000, ratio: 0.05 });
  });

  it('is undefined for an unknown account', () => {
    const { activity } = harness();
    expect(activity.counters('nobody', null)).toBeUndefined();
    expect(activity.detail('nobody', [])).toBeUndefined();
  });
});

describe('AccountActivity detail', () => {
  it('lists trades newest first (bounded), working orders, alert ids and sampled risk', () => {
    const { activity, order, trade } = harness();
    for (let i = 0; i < 205; i++) trade('A1', 'B');
    const working = order('A1', 7);
    activity.sample(T0 + 1000);
    activity.sample(T0 + 2000);
    const detail = activity.detail('A1', ['x'])!;
    expect(detail.trades).toHaveLength(200);
    expect(detail.tradesOmitted).toBe(5);
    expect(detail.trades[0]!.tradeId).toBe('T205');
    expect(detail.trades[199]!.tradeId).toBe('T6');
    expect(detail.trades.every((t) => t.side === 'buy' && !t.selfTrade)).toBe(true);
    expect(detail.workingOrders.map((o) => o.orderId)).toEqual([working]);
    expect(detail.alertIds).toEqual(['x']);
    expect(detail.groupAccountIds).toEqual(['A1', 'A2']);
    expect(detail.positions.map((p) => p.longQty)).toEqual([205]);
    expect(detail.riskHistory.ts).toEqual([T0 + 1000, T0 + 2000]);
    expect(detail.riskHistory.riskDegree).toHaveLength(2);
    expect(detail.riskHistory.riskDegree[0]).toBeGreaterThan(0);
  });
});

describe('AccountActivity risk history', () => {
  it('gives each sample of the last hour as sampled, keeping only the changes (idle accounts hold one entry)', () => {
    const { activity, trade, feed } = harness();
    trade('A1', 'B', 40);
    // A reference: the degree of A1 at every sample, in the history's steps.
    const reference: Array<{ ts: number; degree: number }> = [];
    const samples = RISK_SAMPLES + 400;
    let last = 3500;
    for (let i = 0; i < samples; i++) {
      if (i % 97 === 0) {
        last += i % 2 === 0 ? 7 : -5;
        feed({ type: 'quote', instrumentId: 'rb2605', last, volume: i, openInterest: 0, bids: [], asks: [] });
      }
      const ts = T0 + 10_000 + i * 1000;
      activity.sample(ts);
      const degree = activity.detail('A1', [])!.account.riskDegree;
      reference.push({ ts, degree: Math.round(degree * RISK_STEPS_PER_UNIT) / RISK_STEPS_PER_UNIT });
    }
    const history = activity.detail('A1', [])!.riskHistory;
    const hour = reference.slice(-RISK_SAMPLES);
    expect(history.ts).toEqual(hour.map((r) => r.ts));
    expect(history.riskDegree).toEqual(hour.map((r) => r.degree));
    // A1 and B changed with the price (about one entry per move in the hour), A2 never holds a position: one entry.
    expect(activity.detail('A2', [])!.riskHistory.riskDegree).toHaveLength(RISK_SAMPLES);
    expect(activity.riskEntryCount).toBeLessThan(3 * (samples / 97 + 70));
  });
});
