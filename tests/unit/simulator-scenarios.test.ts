// Checks the simulator's misconduct injection against an independent reading of the feed: every ground-truth
// record must be visible in the messages (counts at or over the exchange thresholds, seqs pointing at the right
// messages), and a clean session (no scenarios) must show none of the patterns.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { generateSessionArray } from '../../main/simulator/generator';
import { RULE_IDS, parseScenarios, type GroundTruth } from '../../main/simulator/scenarios';

interface Instrument {
  instrumentId: string;
  exchange: string;
  multiplier: number;
  marginRate: number;
  preSettlement: number;
  positionLimit: number;
  maxOrderQty: number;
}
interface OrderInfo {
  orderId: string;
  accountId: string;
  instrumentId: string;
  side: 'buy' | 'sell';
  offset: 'open' | 'close';
  qty: number;
  ts: number;
  seq: number;
  filled: number;
  /** Visible depth on the order's side just before it (from the last quote). */
  depthBefore: number;
  oppositeTradesDuringLife: number;
}
interface Leg {
  long: number;
  longAvg: number;
  short: number;
  shortAvg: number;
}

/** Reads a session the way a surveillance engine would, with the default thresholds of issue 5. */
class FeedAudit {
  readonly instruments = new Map<string, Instrument>();
  readonly groupOf = new Map<string, string>();
  readonly preBalance = new Map<string, number>();
  readonly orders = new Map<string, OrderInfo>();
  readonly bySeq = new Map<number, SequencedMessage>();
  /** subject|instrument → counts */
  readonly selfTrades = new Map<string, number>();
  readonly cancels = new Map<string, number>();
  readonly largeCancels = new Map<string, number>();
  /** account → submission (order new + cancel) timestamps */
  readonly submissions = new Map<string, number[]>();
  /** subject|instrument → largest one-side position ÷ limit */
  readonly positionRatio = new Map<string, number>();
  /** account → largest risk degree, and the seq where it first reached 100% */
  readonly maxRisk = new Map<string, number>();
  readonly firstCall = new Map<string, number>();
  /** subject|instrument → quick cancels of large orders with an opposite-side trade during their life */
  readonly spoofLike = new Map<string, number>();
  /** instrument → volume after 14:50 (total and per subject), last price at 14:50 and at the close */
  readonly closeVolume = new Map<string, number>();
  readonly closeVolumeBy = new Map<string, number>();
  readonly closeStart = new Map<string, number>();
  readonly lastPrice = new Map<string, number>();
  /** subject|instrument → buys that swept ≥ 3 price levels and were followed by the subject selling */
  readonly sweepsWithReversal = new Map<string, number>();
  private readonly legs = new Map<string, Map<string, Leg>>();
  private readonly extra = new Map<string, { cash: number; closePnl: number; commission: number }>();
  private readonly holders = new Map<string, Set<string>>();
  private readonly depth = new Map<string, { bid: number; ask: number }>();
  private readonly working = new Map<string, Set<OrderInfo>>();
  private readonly sweeps: Array<{ subject: string; instrumentId: string; ts: number; reversed: boolean }> = [];
  private closeAt = 0;
  /** Closes of more lots than were held (must stay 0). */
  negativeLegs = 0;

  constructor(messages: SequencedMessage[]) {
    const firstPhase = messages.find((m) => m.type === 'phase');
    // 14:50 China time on the session's day.
    if (firstPhase) this.closeAt = firstPhase.ts - (firstPhase.ts % 86_400_000) + (14 * 60 + 50 - 8 * 60) * 60_000;
    let tradeGroup: { orderId: string | null; prices: Set<number> } = { orderId: null, prices: new Set() };
    for (const m of messages) {
      this.bySeq.set(m.seq, m);
      if (m.type !== 'trade') tradeGroup = { orderId: null, prices: new Set() };
      switch (m.type) {
        case 'instrument':
          this.instruments.set(m.instrumentId, m as Instrument);
          break;
        case 'account':
          this.preBalance.set(m.accountId, m.preBalance);
          if (m.controlGroup) this.groupOf.set(m.accountId, m.controlGroup);
          break;
        case 'position': {
          const leg = this.leg(m.accountId, m.instrumentId);
          Object.assign(leg, {
            long: m.longQty,
            longAvg: m.longAvgPrice,
            short: m.shortQty,
            shortAvg: m.shortAvgPrice,
          });
          break;
        }
        case 'cash':
          this.money(m.accountId).cash += m.amount;
          break;
        case 'quote': {
          const sum = (levels: Array<[number, number]>) => levels.reduce((s, [, q]) => s + q, 0);
          this.depth.set(m.instrumentId, { bid: sum(m.bids), ask: sum(m.asks) });
          if (m.ts >= this.closeAt && !this.closeStart.has(m.instrumentId)) this.closeStart.set(m.instrumentId, m.last);
          break;
        }
        case 'order':
          this.onOrder(m);
          break;
        case 'trade': {
          if (tradeGroup.orderId !== (m.aggressor === 'buy' ? m.buyOrderId : m.sellOrderId)) {
            tradeGroup = { orderId: m.aggressor === 'buy' ? m.buyOrderId : m.sellOrderId, prices: new Set() };
          }
          tradeGroup.prices.add(m.price);
          this.onTrade(m, tradeGroup.prices.size);
          break;
        }
      }
    }
  }

  subject(accountId: string): string {
    return this.groupOf.get(accountId) ?? accountId;
  }

  private leg(accountId: string, instrumentId: string): Leg {
    let legs = this.legs.get(accountId);
    if (!legs) this.legs.set(accountId, (legs = new Map()));
    let leg = legs.get(instrumentId);
    if (!leg) legs.set(instrumentId, (leg = { long: 0, longAvg: 0, short: 0, shortAvg: 0 }));
    let holders = this.holders.get(instrumentId);
    if (!holders) this.holders.set(instrumentId, (holders = new Set()));
    holders.add(accountId);
    return leg;
  }

  private money(accountId: string) {
    let extra = this.extra.get(accountId);
    if (!extra) this.extra.set(accountId, (extra = { cash: 0, closePnl: 0, commission: 0 }));
    return extra;
  }

  private onOrder(m: Extract<SequencedMessage, { type: 'order' }>): void {
    if (m.event === 'new') {
      const depth = this.depth.get(m.instrumentId);
      const info: OrderInfo = {
        orderId: m.orderId,
        accountId: m.accountId,
        instrumentId: m.instrumentId,
        side: m.side,
        offset: m.offset,
        qty: m.qty,
        ts: m.ts,
        seq: m.seq,
        filled: 0,
        depthBefore: depth ? (m.side === 'buy' ? depth.bid : depth.ask) : 0,
        oppositeTradesDuringLife: 0,
      };
      this.orders.set(m.orderId, info);
      this.push(this.submissions, m.accountId, m.ts);
      const key = `${this.subject(m.accountId)}|${m.instrumentId}`;
      let set = this.working.get(key);
      if (!set) this.working.set(key, (set = new Set()));
      set.add(info);
      return;
    }
    const order = this.orders.get(m.orderId)!;
    const key = `${this.subject(order.accountId)}|${order.instrumentId}`;
    this.working.get(key)?.delete(order);
    if (m.event !== 'cancel') return;
    this.push(this.submissions, order.accountId, m.ts);
    this.bump(this.cancels, key);
    const instrument = this.instruments.get(order.instrumentId)!;
    const large =
      instrument.exchange === 'SHFE' || instrument.exchange === 'INE'
        ? 300
        : instrument.exchange === 'CZCE'
          ? 800
          : Math.ceil(instrument.maxOrderQty * 0.8);
    if (order.qty >= large) this.bump(this.largeCancels, key);
    const quick = m.ts - order.ts <= 3000;
    const bigAgainstDepth = order.depthBefore > 0 && order.qty >= order.depthBefore;
    if (quick && bigAgainstDepth && order.filled <= order.qty * 0.1 && order.oppositeTradesDuringLife > 0) {
      this.bump(this.spoofLike, key);
    }
  }

  private onTrade(m: Extract<SequencedMessage, { type: 'trade' }>, levelsSwept: number): void {
    const instrument = this.instruments.get(m.instrumentId)!;
    this.lastPrice.set(m.instrumentId, m.price);
    if (m.buyAccountId && m.sellAccountId && this.subject(m.buyAccountId) === this.subject(m.sellAccountId)) {
      this.bump(this.selfTrades, `${this.subject(m.buyAccountId)}|${m.instrumentId}`);
    }
    if (m.ts >= this.closeAt) {
      this.bump(this.closeVolume, m.instrumentId, m.qty);
      for (const account of new Set([m.buyAccountId, m.sellAccountId])) {
        if (account) this.bump(this.closeVolumeBy, `${this.subject(account)}|${m.instrumentId}`, m.qty);
      }
    }
    for (const [side, orderId, accountId] of [
      ['buy', m.buyOrderId, m.buyAccountId],
      ['sell', m.sellOrderId, m.sellAccountId],
    ] as const) {
      if (!accountId || !orderId) continue;
      const order = this.orders.get(orderId)!;
      order.filled += m.qty;
      const subject = this.subject(accountId);
      // A trade on this side counts for the subject's working orders on the other side.
      for (const other of this.working.get(`${subject}|${m.instrumentId}`) ?? []) {
        if (other.side !== side) other.oppositeTradesDuringLife++;
      }
      if (side === 'sell') {
        for (const sweep of this.sweeps) {
          if (
            !sweep.reversed &&
            sweep.subject === subject &&
            sweep.instrumentId === m.instrumentId &&
            m.ts - sweep.ts < 60_000
          ) {
            sweep.reversed = true;
            this.bump(this.sweepsWithReversal, `${subject}|${m.instrumentId}`);
          }
        }
      }
      if (side === 'buy' && m.aggressor === 'buy' && levelsSwept === 3) {
        this.sweeps.push({ subject, instrumentId: m.instrumentId, ts: m.ts, reversed: false });
      }
      const leg = this.leg(accountId, m.instrumentId);
      const extra = this.money(accountId);
      extra.commission += m.commission ?? 0;
      if (side === 'buy') {
        if (order.offset === 'close') {
          extra.closePnl += (leg.shortAvg - m.price) * m.qty * instrument.multiplier;
          leg.short -= m.qty;
        } else {
          leg.longAvg = (leg.longAvg * leg.long + m.price * m.qty) / (leg.long + m.qty);
          leg.long += m.qty;
        }
      } else if (order.offset === 'close') {
        extra.closePnl += (m.price - leg.longAvg) * m.qty * instrument.multiplier;
        leg.long -= m.qty;
      } else {
        leg.shortAvg = (leg.shortAvg * leg.short + m.price * m.qty) / (leg.short + m.qty);
        leg.short += m.qty;
      }
      if (leg.long < 0 || leg.short < 0) this.negativeLegs++;
      let long = 0;
      let short = 0;
      for (const [holder, legs] of this.legs) {
        if (this.subject(holder) !== subject) continue;
        const l = legs.get(m.instrumentId);
        if (l) {
          long += l.long;
          short += l.short;
        }
      }
      const key = `${subject}|${m.instrumentId}`;
      this.positionRatio.set(
        key,
        Math.max(this.positionRatio.get(key) ?? 0, long / instrument.positionLimit, short / instrument.positionLimit),
      );
    }
    for (const holder of this.holders.get(m.instrumentId) ?? []) {
      const risk = this.risk(holder);
      if (risk > (this.maxRisk.get(holder) ?? 0)) this.maxRisk.set(holder, risk);
      if (risk >= 1 && !this.firstCall.has(holder)) this.firstCall.set(holder, m.seq);
    }
  }

  /** Margin ÷ equity, valued at last prices (pre-settlement before the first trade). */
  risk(accountId: string): number {
    let margin = 0;
    let pnl = 0;
    for (const [instrumentId, leg] of this.legs.get(accountId) ?? []) {
      const instrument = this.instruments.get(instrumentId)!;
      const mark = this.lastPrice.get(instrumentId) ?? instrument.preSettlement;
      margin += mark * (leg.long + leg.short) * instrument.multiplier * instrument.marginRate;
      pnl += ((mark - leg.longAvg) * leg.long + (leg.shortAvg - mark) * leg.short) * instrument.multiplier;
    }
    const extra = this.money(accountId);
    const equity = this.preBalance.get(accountId)! + extra.cash + extra.closePnl + pnl - extra.commission;
    return margin <= 0 ? 0 : equity <= 0 ? Infinity : margin / equity;
  }

  /** Occasions per account with ≥ 10 order+cancel submissions inside one second (non-overlapping windows). */
  bursts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [account, times] of this.submissions) {
      const ts = [...times].sort((a, b) => a - b);
      let occasions = 0;
      for (let i = 0; i < ts.length;) {
        let j = i;
        while (j < ts.length && ts[j]! - ts[i]! < 1000) j++;
        if (j - i >= 10) {
          occasions++;
          i = j;
        } else i++;
      }
      if (occasions > 0) out.set(account, occasions);
    }
    return out;
  }

  closeShare(key: string): number {
    const instrumentId = key.split('|')[1]!;
    return (this.closeVolumeBy.get(key) ?? 0) / (this.closeVolume.get(instrumentId) ?? 1);
  }

  private push(map: Map<string, number[]>, key: string, value: number): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  private bump(map: Map<string, number>, key: string, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }
}

const max = (map: Map<string, number>) => Math.max(0, ...map.values());

describe('scenario selection', () => {
  it('parses all, none and lists of rule ids, and names a bad id', () => {
    expect(parseScenarios('all')).toBe('all');
    expect(parseScenarios('none')).toBe('none');
    expect(parseScenarios('self_trade, spoofing')).toEqual(['self_trade', 'spoofing']);
    expect(() => parseScenarios('self_trade,wash')).toThrow(/unknown scenario "wash"/);
  });
});

describe('a clean session (no scenarios) shows none of the surveillance patterns', () => {
  let audit: FeedAudit;
  let messages: SequencedMessage[];
  beforeAll(() => {
    ({ messages } = generateSessionArray({ seed: 21, messages: 150_000, scenarios: 'none' }));
    audit = new FeedAudit(messages);
  });

  it('has client activity to speak of, and closes never exceed the position', () => {
    expect(audit.negativeLegs).toBe(0);
    expect(messages.filter((m) => m.type === 'order').length).toBeGreaterThan(10_000);
    expect(messages.filter((m) => m.type === 'trade' && m.buyAccountId && m.sellAccountId).length).toBeGreaterThan(100);
  });

  it('no self-trades, cancel counts far below 400/500, no large cancels, no bursts', () => {
    expect(max(audit.selfTrades)).toBe(0);
    expect(max(audit.cancels)).toBeLessThan(300);
    expect(max(audit.cancels)).toBeGreaterThan(20);
    expect(max(audit.largeCancels)).toBe(0);
    expect(max(audit.bursts())).toBe(0);
  });

  it('positions far inside the limits and risk degrees far below 100%', () => {
    expect(max(audit.positionRatio)).toBeLessThan(0.2);
    expect(max(audit.maxRisk)).toBeLessThan(0.6);
    expect(audit.firstCall.size).toBe(0);
  });

  it('no spoofing-like cancels, no sweep-and-reverse, no client dominating the close', () => {
    expect(max(audit.spoofLike)).toBe(0);
    expect(max(audit.sweepsWithReversal)).toBe(0);
    for (const key of audit.closeVolumeBy.keys()) {
      if ((audit.closeVolume.get(key.split('|')[1]!) ?? 0) > 200) expect(audit.closeShare(key)).toBeLessThan(0.3);
    }
  });
});

describe('injected scenarios (all) come with ground truth that the feed bears out', () => {
  let audit: FeedAudit;
  let truth: GroundTruth[];
  let messages: SequencedMessage[];
  beforeAll(() => {
    ({ messages, truth } = generateSessionArray({ seed: 8, messages: 150_000, scenarios: 'all' }));
    audit = new FeedAudit(messages);
  });

  const key = (t: GroundTruth) => `${t.subjectId}|${t.instrumentId}`;

  it('reports every rule, with the contract fields, and never puts it in the feed', () => {
    expect(new Set(truth.map((t) => t.rule))).toEqual(new Set(RULE_IDS));
    expect(truth.length).toBe(16);
    for (const t of truth) {
      expect(Object.keys(t).slice(0, 7)).toEqual([
        'rule',
        'subjectType',
        'subjectId',
        'accountIds',
        'instrumentId',
        'firstSeq',
        'lastSeq',
      ]);
      expect(t.firstSeq).toBeGreaterThan(0);
      expect(t.lastSeq).toBeGreaterThanOrEqual(t.firstSeq);
      expect(t.lastSeq).toBeLessThanOrEqual(messages.length);
      expect(t.accountIds.length).toBeGreaterThan(0);
      if (t.subjectType === 'group') for (const a of t.accountIds) expect(audit.groupOf.get(a)).toBe(t.subjectId);
    }
    const types = new Set(messages.map((m) => m.type));
    expect(
      [...types].every((type) =>
        ['instrument', 'account', 'terminal', 'position', 'phase', 'quote', 'order', 'trade', 'cash', 'end'].includes(
          type,
        ),
      ),
    ).toBe(true);
    expect(messages.some((m) => 'rule' in m || 'subjectId' in m)).toBe(false);
  });

  it('self_trade: one account and one control group, each ≥ 5 self-trades; seqs point at them', () => {
    const cases = truth.filter((t) => t.rule === 'self_trade');
    expect(cases.map((t) => t.subjectType).sort()).toEqual(['account', 'group']);
    for (const t of cases) {
      expect(audit.selfTrades.get(key(t))).toBeGreaterThanOrEqual(5);
      for (const seq of [t.firstSeq, t.lastSeq]) {
        const m = audit.bySeq.get(seq)!;
        expect(m.type).toBe('trade');
        if (m.type === 'trade') {
          expect(audit.subject(m.buyAccountId!)).toBe(t.subjectId);
          expect(audit.subject(m.sellAccountId!)).toBe(t.subjectId);
        }
      }
    }
    // Nobody else self-trades.
    expect([...audit.selfTrades.keys()].sort()).toEqual(cases.map(key).sort());
  });

  it('frequent_cancel: ≥ 500 cancels on a contract, ≥ 400 on CFFEX IF; seqs are the subject’s cancels', () => {
    const cases = truth.filter((t) => t.rule === 'frequent_cancel');
    expect(cases).toHaveLength(2);
    for (const t of cases) {
      const threshold = t.instrumentId?.startsWith('IF') ? 400 : 500;
      expect(audit.cancels.get(key(t))).toBeGreaterThanOrEqual(threshold);
      const first = audit.bySeq.get(t.firstSeq)!;
      expect(first.type === 'order' && first.event === 'cancel').toBe(true);
    }
    for (const [k, n] of audit.cancels) if (!cases.some((t) => key(t) === k)) expect(n).toBeLessThan(400);
  });

  it('large_cancel: SHFE 50 × ≥ 300 lots, DCE 100 × ≥ 80% of maxOrderQty, CZCE 50 × ≥ 800 lots', () => {
    const cases = truth.filter((t) => t.rule === 'large_cancel');
    expect(cases.map((t) => t.exchange).sort()).toEqual(['CZCE', 'DCE', 'SHFE']);
    for (const t of cases) {
      expect(audit.largeCancels.get(key(t))).toBeGreaterThanOrEqual(t.exchange === 'DCE' ? 100 : 50);
    }
    for (const [k, n] of audit.largeCancels) if (!cases.some((t) => key(t) === k)) expect(n).toBeLessThan(50);
  });

  it('position_limit: an account and a group (summed) over the limit; nobody else near it', () => {
    const cases = truth.filter((t) => t.rule === 'position_limit');
    expect(cases.map((t) => t.subjectType).sort()).toEqual(['account', 'group']);
    for (const t of cases) {
      expect(audit.positionRatio.get(key(t))).toBeGreaterThan(1);
      expect(audit.bySeq.get(t.firstSeq)!.type).toBe('trade');
    }
    const group = cases.find((t) => t.subjectType === 'group')!;
    // Each member alone stays within the limit: only the summed position breaches.
    for (const account of group.accountIds)
      expect(audit.positionRatio.get(`${account}|${group.instrumentId}`) ?? 0).toBeLessThanOrEqual(1);
    for (const [k, r] of audit.positionRatio) if (!cases.some((t) => key(t) === k)) expect(r).toBeLessThan(0.5);
  });

  it('order_burst: ≥ 10 occasions of ≥ 10 orders+cancels within one second', () => {
    const [t] = truth.filter((c) => c.rule === 'order_burst');
    const bursts = audit.bursts();
    expect(bursts.get(t!.subjectId)).toBeGreaterThanOrEqual(10);
    for (const [account, n] of bursts) if (account !== t!.subjectId) expect(n).toBeLessThan(10);
  });

  it('spoofing: large orders against depth, cancelled within 3 s after an opposite-side trade (layering too)', () => {
    const cases = truth.filter((t) => t.rule === 'spoofing');
    expect(cases.map((t) => t.variant).sort()).toEqual(['layering', 'spoofing']);
    for (const t of cases) expect(audit.spoofLike.get(key(t))).toBeGreaterThanOrEqual(3);
    for (const [k] of audit.spoofLike) expect(cases.some((t) => key(t) === k)).toBe(true);
  });

  it('marking_close: the subject trades most of the volume after 14:50 and the price rises', () => {
    const [t] = truth.filter((c) => c.rule === 'marking_close');
    expect(audit.closeShare(key(t!))).toBeGreaterThanOrEqual(0.5);
    expect(audit.lastPrice.get(t!.instrumentId!)!).toBeGreaterThan(audit.closeStart.get(t!.instrumentId!)!);
  });

  it('momentum_ignition: sweeps of 3 levels followed by the same client selling', () => {
    const [t] = truth.filter((c) => c.rule === 'momentum_ignition');
    expect(audit.sweepsWithReversal.get(key(t!))).toBeGreaterThanOrEqual(2);
    const first = audit.bySeq.get(t!.firstSeq)!;
    expect(first.type === 'order' && first.event === 'new' && first.accountId === t!.subjectId).toBe(true);
  });

  it('margin_call: risk degree reaches 100% at firstSeq (and 120% for the critical case); nobody else does', () => {
    const cases = truth.filter((t) => t.rule === 'margin_call');
    expect(cases.map((t) => t.severity).sort()).toEqual(['critical', 'high']);
    for (const t of cases) {
      expect(t.instrumentId).toBeNull();
      expect(audit.firstCall.get(t.subjectId)).toBe(t.firstSeq);
      expect(audit.maxRisk.get(t.subjectId)).toBeGreaterThanOrEqual(t.severity === 'critical' ? 1.2 : 1);
    }
    expect([...audit.firstCall.keys()].sort()).toEqual(cases.map((t) => t.subjectId).sort());
  });
});
