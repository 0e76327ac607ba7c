// The rules at broker size, structurally: a quote costs work only for the holders of its contract whose margin band
// it left (never a walk over every holder or account), the band index finds exactly those bands, and what the
// rules keep per order goes when the order ends.
import { describe, expect, it } from 'vitest';
import { BandIndex, type IndexedBand } from '../../main/rules/bandIndex';
import { RuleEngine } from '../../main/rules/engine';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { defaultRulesConfig } from '../../main/rules/loadRules';
import { EngineState } from '../../main/engine/state';
import { countingView } from '../support/countingView';

interface TestBand extends IndexedBand {
  id: number;
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

describe('BandIndex', () => {
  it('takes out exactly the bands a price left, against a brute-force scan, while bands move', () => {
    const next = random(7);
    const index = new BandIndex<TestBand>();
    const bands: TestBand[] = [];
    const edges = () => {
      const mid = 1000 + next() * 100;
      const reach = next() < 0.1 ? Number.POSITIVE_INFINITY : next() * 30;
      return [mid - reach, mid + reach] as const;
    };
    for (let id = 0; id < 500; id++) {
      const band: TestBand = { id, low: 0, high: 0, lowAt: -1, highAt: -1, seen: 0 };
      bands.push(band);
      const [low, high] = edges();
      index.place(band, low, high);
    }
    for (let round = 0; round < 300; round++) {
      // Some bands move (as an account's revaluation moves all of its bands).
      for (let k = 0; k < 20; k++) {
        const band = bands[Math.floor(next() * bands.length)] as TestBand;
        const [low, high] = edges();
        index.place(band, low, high);
      }
      const price = 980 + next() * 140;
      const expected = bands
        .filter((b) => price <= b.low || price >= b.high)
        .map((b) => b.id)
        .sort((a, b) => a - b);
      const tightest = { low: index.tightestLow, high: index.tightestHigh };
      const indexed = bands;
      expect(tightest.low).toBe(Math.max(...indexed.map((b) => b.low)));
      expect(tightest.high).toBe(Math.min(...indexed.map((b) => b.high)));
      const broken: TestBand[] = [];
      index.collectBroken(price, broken);
      expect(broken.map((b) => b.id).sort((a, b) => a - b)).toEqual(expected);
      expect(index.size).toBe(bands.length);
      // Broken bands come back at new edges (as the check of their account rebuilds them).
      for (const band of broken) {
        const [low, high] = edges();
        index.place(band, low, high);
      }
    }
  });
});

function floor(holdersPerContract: number) {
  const state = new EngineState();
  const asked: string[] = [];
  const rules = new RuleEngine({ config: defaultRulesConfig(), view: countingView(state, asked) });
  const feed = new FeedBuilder();
  for (const instrumentId of ['cu2606', 'al2606']) {
    feed.instrument({ instrumentId, exchange: 'SHFE', preSettlement: 1000, multiplier: 10, marginRate: 0.1 });
  }
  // Well-funded holders of both contracts (10 lots: margin 10,000 on 1,000,000), and one thin holder of cu2606
  // (margin 10,000 on 11,000: a 1% move matters).
  for (let i = 0; i < holdersPerContract; i++) {
    const id = `R${i}`;
    feed.account(id, { preBalance: 1_000_000 });
    feed.position(id, i % 2 === 0 ? 'cu2606' : 'al2606', 10, 0, 1000);
  }
  feed.account('THIN', { preBalance: 11_000 });
  feed.position('THIN', 'cu2606', 10, 0, 1000);
  feed.phase('SHFE', 'continuous');
  const apply = () => {
    for (const message of feed.messages.splice(0)) {
      state.apply(message);
      rules.apply(message);
    }
  };
  apply();
  return { state, rules, feed, asked, apply };
}

describe('margin_call at broker size', () => {
  it('a quote checks only the holders of its contract whose band it left, however many hold it', () => {
    for (const holders of [20, 4000]) {
      const { feed, asked, apply, rules } = floor(holders);
      asked.length = 0;
      // A 5% fall of al2606: every holder is far from a call, so nobody is revalued.
      feed.advance(1000).quote('al2606', 950, [[949, 5]], [[951, 5]]);
      apply();
      expect(asked).toEqual([]);
      // A 5% fall of cu2606 takes THIN to a call (margin 9,500 ÷ equity 10,500 = 90%, then below 9% more):
      // only THIN is revalued, not the other cu2606 holders.
      for (const last of [990, 950, 900]) {
        feed.advance(1000).quote('cu2606', last, [[last - 1, 5]], [[last + 1, 5]]);
        apply();
      }
      expect(new Set(asked)).toEqual(new Set(['THIN']));
      expect(asked.length).toBeLessThanOrEqual(3);
      expect(rules.alerts().map((a) => [a.rule, a.subjectId])).toEqual([['margin_call', 'THIN']]);
    }
  });
});

describe('memory follows what is live', () => {
  it('forgets an order once it is cancelled, rejected or filled', () => {
    const { feed, apply, rules, state } = floor(10);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      feed.advance(500);
      ids.push(feed.order(`R${i % 10}`, 'cu2606', 'buy', 2, 999));
    }
    apply();
    expect(rules.workingOrderCount).toBe(300);
    expect(state.counts.workingOrders).toBe(300);
    ids.forEach((id, i) => {
      feed.advance(10);
      if (i % 3 === 0) feed.cancel(id, 2);
      else if (i % 3 === 1) feed.reject(id);
      else
        feed.trade(
          'cu2606',
          999,
          2,
          { accountId: `R${i % 10}`, orderId: id },
          { accountId: null, orderId: null },
          'sell',
        );
    });
    apply();
    expect(rules.workingOrderCount).toBe(0);
    expect(state.counts.workingOrders).toBe(0);
  });
});
