// Per-account running totals at broker size: valuing an account after one of its positions moved touches that
// position only, the running sums stay equal to a from-scratch valuation, the risk sampler values only the accounts
// whose figures changed (and records the same history as valuing every account), and a margin check reads only the
// positions that changed.
import { describe, expect, it } from 'vitest';
import { AccountActivity, RISK_STEPS_PER_UNIT } from '../../main/core/accountActivity';
import { RuleEngine } from '../../main/rules/engine';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { defaultRulesConfig } from '../../main/rules/loadRules';
import { EngineState } from '../../main/engine/state';
import type { EngineView } from '../../main/engine/view';
import { equityOf, positionMargin, positionPnl, riskDegree } from '../../shared/domain/risk';
import type { AccountRow } from '../../shared/domain/types';
import { countingView } from '../support/countingView';

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

function applyAll(feed: FeedBuilder, ...consumers: Array<{ apply(m: never): void }>): void {
  for (const message of feed.messages.splice(0)) for (const consumer of consumers) consumer.apply(message as never);
}

/** One account holding a position on each of `contracts` contracts. */
function heavyFloor(contracts: number) {
  const state = new EngineState();
  const feed = new FeedBuilder();
  const ids: string[] = [];
  for (let i = 0; i < contracts; i++) {
    const instrumentId = `c${1000 + i}`;
    ids.push(instrumentId);
    feed.instrument({ instrumentId, exchange: 'SHFE', preSettlement: 1000 + i, multiplier: 10, marginRate: 0.1 });
  }
  feed.account('HEAVY', { preBalance: 50_000_000 });
  for (const instrumentId of ids) feed.position('HEAVY', instrumentId, 3, 1, 1000);
  feed.phase('SHFE', 'continuous');
  applyAll(feed, state);
  return { state, feed, ids };
}

/** The account's figures valued from scratch with the shared maths, in position order. */
function fromScratch(state: EngineState, accountId: string) {
  const row = state.account(accountId)!;
  let pnl = 0;
  let margin = 0;
  let limitShare = 0;
  let limitInstrument: string | null = null;
  for (const position of state.positionsOf(accountId)) {
    const contract = state.instrument(position.instrumentId)!;
    const mark = contract.last ?? contract.preSettlement;
    const { longQty, longAvgPrice, shortQty, shortAvgPrice } = position;
    pnl += positionPnl(contract, mark, longQty, longAvgPrice, shortQty, shortAvgPrice);
    margin += positionMargin(contract, mark, longQty, shortQty);
    const limit = contract.positionLimit;
    if (limit !== null && limit > 0 && Math.max(longQty, shortQty) / limit > limitShare) {
      limitShare = Math.max(longQty, shortQty) / limit;
      limitInstrument = position.instrumentId;
    }
  }
  const equity = equityOf({ ...row, positionPnl: pnl });
  return { pnl, margin, equity, degree: riskDegree(margin, equity), limitShare, limitInstrument };
}

describe('EngineState running totals', () => {
  it('values an account of 500 positions after one moved by touching that position only', () => {
    const { state, feed, ids } = heavyFloor(500);
    state.valueAccount('HEAVY');
    const first = state.positionsValued;
    // One contract's mark moves: one position is revalued, not 500.
    feed.advance(1000).quote(ids[17]!, 1100, [[1099, 5]], [[1101, 5]]);
    applyAll(feed, state);
    const before = state.positionsValued;
    const row = state.valueAccount('HEAVY')!;
    expect(state.positionsValued - before).toBe(1);
    expect(state.positionsValued - first).toBe(1);
    expect(row.positionPnl).toBeCloseTo(fromScratch(state, 'HEAVY').pnl, 6);
    // A fill on another contract: that position alone.
    feed.advance(1000).fill('HEAVY', ids[300]!, 'buy', 2, 1300);
    applyAll(feed, state);
    const beforeFill = state.positionsValued;
    state.valueAccount('HEAVY');
    expect(state.positionsValued - beforeFill).toBe(1);
    // Valued again with nothing new: no position is touched.
    const idle = state.positionsValued;
    state.valueAccount('HEAVY');
    expect(state.positionsValued - idle).toBe(0);
    expect(state.accountRiskDegree('HEAVY')).toBeCloseTo(fromScratch(state, 'HEAVY').degree, 12);
  });

  it('keeps sums and the largest limit share equal to a from-scratch valuation on random sequences', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const state = new EngineState();
      const feed = new FeedBuilder();
      const instruments = Array.from({ length: 40 }, (_, i) => `r${2600 + i}`);
      instruments.forEach((instrumentId, i) =>
        feed.instrument({
          instrumentId,
          exchange: 'DCE',
          preSettlement: 2000 + 37 * i,
          multiplier: [5, 10, 20][i % 3]!,
          marginRate: 0.07 + (i % 5) / 100,
          priceTick: 0.5,
          ...(i % 4 === 0 ? {} : { positionLimit: 50 + (i % 7) * 10 }),
        }),
      );
      const accounts = Array.from({ length: 12 }, (_, i) => `A${i}`);
      for (const id of accounts) feed.account(id, { preBalance: 2_000_000 });
      feed.phase('DCE', 'continuous');
      applyAll(feed, state);
      const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
      const price = (instrumentId: string) => (state.instrument(instrumentId)!.last ?? 2500) + (next() - 0.5) * 40;
      for (let step = 0; step < 3000; step++) {
        const roll = next();
        const account = pick(accounts);
        const instrumentId = pick(instruments);
        feed.advance(100);
        if (roll < 0.45) {
          const last = Math.round(price(instrumentId) * 2) / 2;
          feed.quote(instrumentId, last, [[last - 0.5, 3]], [[last + 0.5, 3]]);
        } else if (roll < 0.8) {
          const held = state.position(account, instrumentId);
          const close = held !== undefined && held.longQty > 0 && next() < 0.4;
          const qty = 1 + Math.floor(next() * 9);
          if (close)
            feed.fill(account, instrumentId, 'sell', Math.min(qty, held.longQty), price(instrumentId), 'close');
          else feed.fill(account, instrumentId, next() < 0.5 ? 'buy' : 'sell', qty, price(instrumentId) / 0.75);
        } else if (roll < 0.9) {
          feed.position(account, instrumentId, Math.floor(next() * 30), Math.floor(next() * 30), price(instrumentId));
        } else if (roll < 0.95) {
          feed.cash(account, Math.round((next() - 0.5) * 100_000));
        } else {
          // Contract terms re-sent (a corrected margin rate or position limit).
          feed.instrument({
            instrumentId,
            exchange: 'DCE',
            preSettlement: 2000 + Math.floor(next() * 500),
            multiplier: 10,
            marginRate: 0.05 + next() / 10,
            positionLimit: 20 + Math.floor(next() * 60),
          });
        }
        applyAll(feed, state);
        if (step % 7 === 0 || step > 2900) {
          const checked = pick(accounts);
          const row: Readonly<AccountRow> = state.valueAccount(checked)!;
          const expected = fromScratch(state, checked);
          const scale = 1 + Math.abs(expected.margin) + Math.abs(expected.pnl);
          expect(Math.abs(row.positionPnl - expected.pnl) / scale).toBeLessThan(1e-12);
          expect(Math.abs(row.margin - expected.margin) / scale).toBeLessThan(1e-12);
          expect(Math.abs(row.equity - expected.equity) / scale).toBeLessThan(1e-12);
          expect(row.limitShare).toBe(expected.limitShare);
          expect(row.limitInstrument).toBe(expected.limitInstrument);
        }
      }
      // The test reaches the running sums (accounts above the from-scratch size) and every account was valued right.
      expect(Math.max(...accounts.map((id) => [...state.positionsOf(id)].length))).toBeGreaterThan(16);
      for (const id of accounts) {
        expect(state.accountRiskDegree(id)).toBeCloseTo(fromScratch(state, id).degree, 9);
      }
    }
  });
});

/** The engine without its change list: a sampler then values every account, as it did before. */
function withoutWatch(state: EngineState): EngineView {
  return new Proxy(state, {
    get(target, property) {
      if (property === 'watchAccountValues') return undefined;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('risk sampler', () => {
  it('values only the accounts whose figures changed, and records the same history as valuing them all', () => {
    const state = new EngineState();
    const asked: string[] = [];
    const counting = countingView(state, asked);
    const config = defaultRulesConfig();
    const changedOnly = new AccountActivity(counting, config);
    const everyAccount = new AccountActivity(withoutWatch(state), config);
    const feed = new FeedBuilder();
    feed.instrument({ instrumentId: 'cu2606', exchange: 'SHFE', preSettlement: 1000, multiplier: 10 });
    feed.instrument({ instrumentId: 'al2606', exchange: 'SHFE', preSettlement: 500, multiplier: 5 });
    const ids = Array.from({ length: 2000 }, (_, i) => `C${i}`);
    for (const id of ids) feed.account(id, { preBalance: 100_000 });
    feed.position('C1', 'cu2606', 5, 0, 1000);
    feed.position('C2', 'cu2606', 0, 7, 1000);
    feed.position('C3', 'al2606', 2, 0, 500);
    feed.phase('SHFE', 'continuous');
    const tick = (ts: number) => {
      applyAll(feed, changedOnly, everyAccount, state);
      changedOnly.sample(ts);
      everyAccount.sample(ts);
    };
    tick(1000);
    expect(asked).toHaveLength(ids.length);
    asked.length = 0;
    // Quiet second: nobody is valued.
    tick(2000);
    expect(asked).toEqual([]);
    // cu2606 moves: its two holders only.
    feed.advance(1000).quote('cu2606', 1010, [[1009, 1]], [[1011, 1]]);
    tick(3000);
    expect(asked.sort()).toEqual(['C1', 'C2']);
    const next = random(5);
    for (let second = 4; second < 60; second++) {
      feed.advance(1000);
      if (next() < 0.5) feed.quote('cu2606', 950 + Math.floor(next() * 100), [[949, 1]], [[1051, 1]]);
      if (next() < 0.3) feed.quote('al2606', 480 + Math.floor(next() * 40), [[479, 1]], [[521, 1]]);
      if (next() < 0.2) feed.cash(ids[Math.floor(next() * 10)]!, 1000);
      if (next() < 0.2) feed.fill(ids[Math.floor(next() * 10)]!, 'al2606', 'buy', 3, 500);
      tick(second * 1000);
    }
    for (const id of ids.slice(0, 12)) {
      expect(changedOnly.detail(id, [])!.riskHistory).toEqual(everyAccount.detail(id, [])!.riskHistory);
    }
    expect(changedOnly.riskEntryCount).toBe(everyAccount.riskEntryCount);
    // After a reset every account gets its first entry again.
    changedOnly.reset();
    everyAccount.reset();
    asked.length = 0;
    tick(70_000);
    expect(asked).toHaveLength(ids.length);
    expect(changedOnly.riskEntryCount).toBe(everyAccount.riskEntryCount);
  });
});

describe('live risk sampler', () => {
  it('records moved marks as of the last revaluation, not by revaluing the floor again', () => {
    const state = new EngineState();
    const asked: string[] = [];
    const sampler = new AccountActivity(countingView(state, asked), defaultRulesConfig());
    const feed = new FeedBuilder();
    feed.instrument({ instrumentId: 'cu2606', exchange: 'SHFE', preSettlement: 1000, multiplier: 10 });
    for (const id of ['C1', 'C2', 'C3']) feed.account(id, { preBalance: 100_000 });
    feed.position('C1', 'cu2606', 50, 0, 1000);
    feed.position('C2', 'cu2606', 0, 70, 1000);
    feed.phase('SHFE', 'continuous');
    applyAll(feed, state);
    sampler.sample(1000, false);
    asked.length = 0;
    feed.advance(1000).quote('cu2606', 1200, [[1199, 1]], [[1201, 1]]);
    applyAll(feed, state);
    sampler.sample(2000, false);
    expect(asked).toEqual([]); // the mark moved, nobody revalued yet: the history keeps its figures
    const before = state.accountRiskDegree('C1');
    state.revalue(); // what the publisher does at least once a second
    sampler.sample(3000, false);
    expect(asked.sort()).toEqual(['C1', 'C2']);
    const history = sampler.detail('C1', [])!.riskHistory;
    expect(history.riskDegree.at(-1)).toBeCloseTo(Math.round(before! * RISK_STEPS_PER_UNIT) / RISK_STEPS_PER_UNIT, 9);
  });
});

describe('margin_call check of a heavy account', () => {
  it('reads only the position that changed, not every contract it holds', () => {
    const { state, feed, ids } = heavyFloor(300);
    const positionReads: string[] = [];
    const view = new Proxy(state, {
      get(target, property) {
        if (property === 'position') {
          return (accountId: string, instrumentId: string) => {
            positionReads.push(instrumentId);
            return target.position(accountId, instrumentId);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const rules = new RuleEngine({ config: defaultRulesConfig(), view });
    // The rules see the same day from the start (the state already applied it).
    const replay = new FeedBuilder();
    ids.forEach((instrumentId, i) =>
      replay.instrument({ instrumentId, exchange: 'SHFE', preSettlement: 1000 + i, multiplier: 10, marginRate: 0.1 }),
    );
    replay.account('HEAVY', { preBalance: 50_000_000 });
    for (const instrumentId of ids) replay.position('HEAVY', instrumentId, 3, 1, 1000);
    for (const message of replay.messages) rules.apply(message);
    positionReads.length = 0;
    for (let k = 0; k < 20; k++) {
      feed.advance(1000).fill('HEAVY', ids[(k * 37) % ids.length]!, k % 2 === 0 ? 'buy' : 'sell', 1, 1000);
    }
    applyAll(feed, state, rules);
    // Each fill: position_limit and margin_call read that one position (never the 300).
    expect(positionReads.length).toBeLessThanOrEqual(20 * 2);
  });
});
