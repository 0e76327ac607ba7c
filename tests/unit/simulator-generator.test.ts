import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, isRejection, validateMessage, type SequencedMessage } from '../../shared/protocol';
import { INSTRUMENTS } from '../../main/simulator/catalogue';
import { DEFAULT_TRADING_DAY, dayEpochMs, generateSession, generateSessionArray } from '../../main/simulator/generator';

function digest(seed: number, messages: number, scenarios: 'none' | 'all' = 'none'): string {
  const hash = createHash('sha256');
  const generator = generateSession({ seed, messages, scenarios });
  const batch: SequencedMessage[] = [];
  while (!generator.done) {
    batch.length = 0;
    generator.take(1000, batch);
    hash.update(encodeFrame(batch));
  }
  return hash.digest('hex');
}

describe('generateSession: determinism', () => {
  it('gives byte-identical output for the same seed, and different output for another seed', () => {
    expect(digest(42, 20_000)).toBe(digest(42, 20_000));
    expect(digest(42, 20_000)).not.toBe(digest(43, 20_000));
  });

  it('does not depend on how the messages are pulled (next() vs take())', () => {
    const a = generateSession({ seed: 5, messages: 8000 });
    const viaNext: SequencedMessage[] = [];
    for (let m = a.next(); m; m = a.next()) viaNext.push(m);
    const viaTake = generateSession({ seed: 5, messages: 8000 }).take(Number.MAX_SAFE_INTEGER);
    expect(JSON.stringify(viaNext)).toBe(JSON.stringify(viaTake));
  });

  it('is deterministic with scenarios too, ground truth included', () => {
    const a = generateSessionArray({ seed: 3, messages: 50_000, scenarios: 'all' });
    const b = generateSessionArray({ seed: 3, messages: 50_000, scenarios: 'all' });
    expect(JSON.stringify(a.messages)).toBe(JSON.stringify(b.messages));
    expect(a.truth).toEqual(b.truth);
    expect(a.truth.length).toBeGreaterThan(0);
  });
});

/** Collects the first few violations instead of calling expect() per message (fast on 40k messages). */
function violations() {
  const found: string[] = [];
  return {
    found,
    check(ok: boolean, what: () => string) {
      if (!ok && found.length < 5) found.push(what());
    },
  };
}

describe('generateSession: the trading day', () => {
  const { messages } = generateSessionArray({ seed: 11, messages: 40_000 });

  it('produces about the requested number of valid, contiguous, time-ordered messages ending with `end`', () => {
    expect(Math.abs(messages.length - 40_000)).toBeLessThan(400);
    const v = violations();
    let ts = 0;
    messages.forEach((m, i) => {
      v.check(m.seq === i + 1, () => `message ${i} has seq ${m.seq}`);
      v.check(m.ts >= ts, () => `seq ${m.seq}: ts goes back`);
      ts = m.ts;
      const checked = validateMessage(m);
      v.check(!isRejection(checked), () => `seq ${m.seq}: ${isRejection(checked) ? checked.detail : ''}`);
    });
    expect(v.found).toEqual([]);
    expect(messages[messages.length - 1]!.type).toBe('end');
    expect(messages.filter((m) => m.type === 'end')).toHaveLength(1);
    // A batch of them survives the project's own decoder.
    expect(decodeFrame(encodeFrame(messages.slice(0, 500))).rejects).toEqual([]);
  });

  it('sends static data first: every instrument and account before it is used, positions before trading', () => {
    const firstPhase = messages.findIndex((m) => m.type === 'phase');
    const statics = messages.slice(0, firstPhase);
    // Terminals: what each client's login collected (see-through supervision), known before the market opens.
    const STATIC_TYPES = ['instrument', 'account', 'position', 'terminal'];
    expect(statics.filter((m) => !STATIC_TYPES.includes(m.type)).map((m) => m.type)).toEqual([]);
    expect(statics.filter((m) => m.type === 'instrument')).toHaveLength(INSTRUMENTS.length);
    const accounts = statics.filter((m) => m.type === 'account');
    expect(accounts).toHaveLength(50);
    const groups = new Set(accounts.map((a) => (a.type === 'account' ? a.controlGroup : undefined)).filter(Boolean));
    expect(groups.size).toBeGreaterThanOrEqual(3);
    expect(statics.filter((m) => m.type === 'position').length).toBeGreaterThan(20);
    const exchanges = new Set(statics.map((m) => (m.type === 'instrument' ? m.exchange : null)).filter(Boolean));
    expect([...exchanges].sort()).toEqual(['CFFEX', 'CZCE', 'DCE', 'GFEX', 'INE', 'SHFE']);
  });

  it('runs every exchange through pre-open, auction, continuous, breaks and close, in China time', () => {
    const epoch = dayEpochMs(DEFAULT_TRADING_DAY);
    const byExchange = new Map<string, string[]>();
    for (const m of messages) {
      if (m.type !== 'phase') continue;
      const list = byExchange.get(m.exchange) ?? [];
      const at = new Date(m.ts - epoch).toISOString().slice(11, 16);
      list.push(`${at} ${m.phase}`);
      byExchange.set(m.exchange, list);
    }
    expect(byExchange.get('SHFE')).toEqual([
      '08:50 preopen',
      '08:55 auction',
      '09:00 continuous',
      '10:15 break',
      '10:30 continuous',
      '11:30 break',
      '13:30 continuous',
      '15:00 closed',
    ]);
    expect(byExchange.get('CFFEX')).toEqual([
      '08:50 preopen',
      '09:25 auction',
      '09:30 continuous',
      '11:30 break',
      '13:00 continuous',
      '15:00 closed',
    ]);
  });

  it('trades only in continuous trading, with both sides, aggressor and commission, and books never crossed', () => {
    const exchangeOf = new Map(INSTRUMENTS.map((i) => [i.instrumentId, i.exchange]));
    const phase = new Map<string, string>();
    const v = violations();
    let trades = 0;
    let external = 0;
    for (const m of messages) {
      if (m.type === 'phase') phase.set(m.exchange, m.phase);
      if (m.type === 'trade') {
        trades++;
        v.check(
          phase.get(exchangeOf.get(m.instrumentId)!) === 'continuous',
          () => `trade seq ${m.seq} outside continuous trading`,
        );
        v.check((m.commission ?? 0) > 0, () => `trade seq ${m.seq} without commission`);
        v.check(m.aggressor === 'buy' || m.aggressor === 'sell', () => `trade seq ${m.seq} aggressor ${m.aggressor}`);
        v.check((m.buyAccountId === null) === (m.buyOrderId === null), () => `trade seq ${m.seq}: buy ids disagree`);
        v.check((m.sellAccountId === null) === (m.sellOrderId === null), () => `trade seq ${m.seq}: sell ids disagree`);
        if (m.buyAccountId === null || m.sellAccountId === null) external++;
      }
      if (m.type === 'quote' && m.bids.length > 0 && m.asks.length > 0) {
        v.check(m.bids[0]![0] < m.asks[0]![0], () => `quote seq ${m.seq} crossed`);
        v.check(m.bids.length <= 5 && m.asks.length <= 5, () => `quote seq ${m.seq} has more than 5 levels`);
      }
    }
    expect(v.found).toEqual([]);
    expect(trades).toBeGreaterThan(1000);
    expect(external).toBeGreaterThan(0);
    expect(external).toBeLessThan(trades);
  });

  it('prints prices on the tick, inside the limits', () => {
    const spec = new Map(INSTRUMENTS.map((i) => [i.instrumentId, i]));
    const v = violations();
    for (const m of messages) {
      if (m.type !== 'trade') continue;
      const s = spec.get(m.instrumentId)!;
      const ticks = m.price / s.priceTick;
      v.check(
        Math.abs(ticks - Math.round(ticks)) < 1e-6,
        () => `seq ${m.seq}: ${m.price} is off the ${s.priceTick} tick`,
      );
      v.check(String(m.price).length < 12, () => `seq ${m.seq}: price prints as ${m.price}`);
      v.check(
        Math.abs(m.price / s.preSettlement - 1) <= s.limitPct,
        () => `seq ${m.seq}: ${m.price} outside the limits`,
      );
    }
    expect(v.found).toEqual([]);
  });

  it('keeps volume cumulative per instrument', () => {
    const traded = new Map<string, number>();
    const v = violations();
    for (const m of messages) {
      if (m.type === 'trade') traded.set(m.instrumentId, (traded.get(m.instrumentId) ?? 0) + m.qty);
      if (m.type === 'quote') {
        v.check(
          m.volume === (traded.get(m.instrumentId) ?? 0),
          () => `quote seq ${m.seq}: volume ${m.volume} ≠ lots traded`,
        );
      }
    }
    expect(v.found).toEqual([]);
    expect(traded.size).toBe(INSTRUMENTS.length);
  });

  it('stamps the wall clock when virtualClock is off', () => {
    const before = Date.now();
    const live = generateSession({ seed: 1, messages: 5000, virtualClock: false }).take(3000);
    expect(live[0]!.ts).toBeGreaterThanOrEqual(before);
    expect(live[live.length - 1]!.ts).toBeLessThanOrEqual(Date.now());
  });

  it('refuses impossible options with a clear message', () => {
    expect(() => generateSession({ messages: 10 })).toThrow(/messages must be/);
    expect(() => generateSession({ messages: 10_000, scenarios: 'all' })).toThrow(/with scenarios/);
    expect(() => generateSession({ tradingDay: '2026-03-19' })).toThrow(/YYYYMMDD/);
    expect(() => generateSession({ scenarios: ['self_trade', 'nope' as 'self_trade'] })).toThrow(/unknown scenario/);
  });
});
