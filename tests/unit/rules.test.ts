// The exchange count rules at their boundaries (threshold − 1 does not fire, the threshold fires), per exchange
// default, with actual-control groups; the rules file; the alert contract (one alert per key, updated).
import { describe, expect, it } from 'vitest';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { defaultRulesConfig, loadRulesConfig } from '../../main/rules/loadRules';
import { Surveillance, surveilMessages } from '../../main/rules/surveillance';
import {
  mergeRulesFile,
  parseRulesFile,
  resolveRuleParams,
  RulesConfigError,
  type RulesConfig,
} from '../../shared/rules/config';
import type { Alert, RuleId } from '../../shared/rules/types';
import type { Exchange } from '../../shared/protocol';

const config = defaultRulesConfig();
const run = (feed: FeedBuilder, rules: RulesConfig = config): Alert[] =>
  surveilMessages(feed.messages, { config: rules });
const only = (alerts: Alert[], rule: RuleId): Alert[] => alerts.filter((a) => a.rule === rule);

function market(
  exchange: Exchange,
  instrumentId: string,
  extra: { maxOrderQty?: number; positionLimit?: number; product?: string } = {},
): FeedBuilder {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId, exchange, ...extra });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1').account('B2');
  feed.phase(exchange, 'continuous');
  return feed;
}

function selfTrades(feed: FeedBuilder, instrumentId: string, buyer: string, seller: string, n: number): void {
  for (let i = 0; i < n; i++) {
    feed.advance(1000);
    const buy = feed.order(buyer, instrumentId, 'buy', 1, 3500);
    const sell = feed.order(seller, instrumentId, 'sell', 1, 3500);
    feed.trade(instrumentId, 3500, 1, { accountId: buyer, orderId: buy }, { accountId: seller, orderId: sell }, 'sell');
  }
}

/** `n` orders of `qty` entered and cancelled in full, spaced so no order_burst occasion forms. */
function cancels(
  feed: FeedBuilder,
  accountId: string,
  instrumentId: string,
  n: number,
  qty: number,
  spacingMs = 2000,
): void {
  for (let i = 0; i < n; i++) {
    feed.advance(spacingMs);
    const id = feed.order(accountId, instrumentId, i % 2 ? 'sell' : 'buy', qty, 3000);
    feed.cancel(id, qty);
  }
}

describe('rules file', () => {
  it('ships a default that validates, with the per-exchange standards', () => {
    expect(config.version).toMatch(/\S/);
    expect(resolveRuleParams(config, 'self_trade', 'SHFE', 'rb').threshold).toBe(5);
    expect(resolveRuleParams(config, 'frequent_cancel', 'SHFE', 'rb').threshold).toBe(500);
    for (const product of ['IF', 'IH', 'IC', 'IM']) {
      expect(resolveRuleParams(config, 'frequent_cancel', 'CFFEX', product).threshold).toBe(400);
    }
    expect(resolveRuleParams(config, 'frequent_cancel', 'CFFEX', 'T').threshold).toBe(500);
    for (const ex of ['SHFE', 'INE'] as const) {
      expect(resolveRuleParams(config, 'large_cancel', ex, 'x')).toMatchObject({
        threshold: 50,
        minQty: 300,
        maxOrderQtyShare: null,
      });
    }
    expect(resolveRuleParams(config, 'large_cancel', 'CZCE', 'SR')).toMatchObject({ threshold: 50, minQty: 800 });
    for (const ex of ['CFFEX', 'DCE', 'GFEX'] as const) {
      expect(resolveRuleParams(config, 'large_cancel', ex, 'x')).toMatchObject({
        threshold: 100,
        minQty: null,
        maxOrderQtyShare: 0.8,
      });
    }
    expect(config.rules.margin_call).toMatchObject({ callLevel: 1, criticalLevel: 1.2 });
  });

  it('merges a user file over the default and keeps both versions', () => {
    const merged = mergeRulesFile(config, {
      version: 'desk-7',
      rules: { self_trade: { threshold: 3 } },
      exchanges: { SHFE: { products: { rb: { rules: { frequent_cancel: { threshold: 100 } } } } } },
    });
    expect(merged.version).toBe(`${config.version}+desk-7`);
    expect(resolveRuleParams(merged, 'self_trade', 'DCE', 'm').threshold).toBe(3);
    expect(resolveRuleParams(merged, 'frequent_cancel', 'SHFE', 'rb').threshold).toBe(100);
    expect(resolveRuleParams(merged, 'frequent_cancel', 'SHFE', 'cu').threshold).toBe(500);
    expect(resolveRuleParams(merged, 'frequent_cancel', 'CFFEX', 'IF').threshold).toBe(400);
    // The default object is not modified by a merge.
    expect(config.rules.self_trade.threshold).toBe(5);
  });

  it('rejects a bad file with an error naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { rules: { self_trade: { threshold: '5' } } },
        /rules\.self_trade\.threshold: expected an integer ≥ 1 \(got "5"\)/,
      ],
      [{ rules: { self_trad: {} } }, /rules\.self_trad: unexpected property/],
      [{ rules: { large_cancel: { minQty: 0 } } }, /rules\.large_cancel\.minQty: expected an integer ≥ 1 or null/],
      [
        { exchanges: { CFFEX: { products: { IF: { rules: { frequent_cancel: { threshold: 0 } } } } } } },
        /exchanges\.CFFEX\.products\.IF\.rules\.frequent_cancel\.threshold/,
      ],
      [{ exchanges: { NYMEX: {} } }, /exchanges\.NYMEX: unexpected property/],
      [{ rules: { margin_call: { criticalLevel: 0.9 } } }, /criticalLevel \(0\.9\) must not be below callLevel \(1\)/],
    ];
    for (const [file, pattern] of cases) {
      expect(() => mergeRulesFile(config, file, 'mine.json')).toThrow(RulesConfigError);
      expect(() => mergeRulesFile(config, file, 'mine.json')).toThrow(pattern);
    }
    expect(() => parseRulesFile({ ...config, version: undefined }, 'default')).toThrow(/default: version/);
  });

  it('reports an unreadable or non-JSON user file by name', () => {
    expect(() => loadRulesConfig('/nonexistent/rules.json')).toThrow(
      /cannot read rules file \/nonexistent\/rules\.json: no such file/,
    );
  });
});

describe('self_trade', () => {
  it('fires at 5 self-trades of one account on one contract, not at 4', () => {
    const four = market('SHFE', 'rb2605');
    selfTrades(four, 'rb2605', 'B1', 'B1', 4);
    expect(only(run(four), 'self_trade')).toEqual([]);

    const five = market('SHFE', 'rb2605');
    selfTrades(five, 'rb2605', 'B1', 'B1', 5);
    const [alert, ...rest] = only(run(five), 'self_trade');
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      rule: 'self_trade',
      subjectType: 'account',
      subjectId: 'B1',
      accountIds: ['B1'],
      instrumentId: 'rb2605',
      exchange: 'SHFE',
      count: 5,
      threshold: 5,
      tradingDay: '20261124',
      id: '20261124:self_trade:B1:rb2605',
      message: '5 self-trades on rb2605 today (threshold 5)',
      messageZh: 'rb2605 今日自成交 5 次（阈值 5 次）',
    });
    expect(alert!.evidence).toHaveLength(5);
    expect(alert!.firstSeq).toBe(alert!.evidence[0]);
    expect(alert!.lastSeq).toBe(alert!.evidence[4]);
  });

  it('treats trades between two accounts of one control group as self-trades of the group', () => {
    const feed = market('DCE', 'm2605');
    selfTrades(feed, 'm2605', 'A1', 'A2', 5);
    const [alert] = only(run(feed), 'self_trade');
    expect(alert).toMatchObject({ subjectType: 'group', subjectId: 'G1', accountIds: ['A1', 'A2'], count: 5 });

    const notGrouped = market('DCE', 'm2605');
    selfTrades(notGrouped, 'm2605', 'A1', 'B1', 5);
    selfTrades(notGrouped, 'm2605', 'B1', 'B2', 5);
    expect(only(run(notGrouped), 'self_trade')).toEqual([]);
  });

  it('counts per contract and per trading day', () => {
    const feed = new FeedBuilder();
    feed
      .instrument({ instrumentId: 'rb2605', exchange: 'SHFE' })
      .instrument({ instrumentId: 'rb2610', exchange: 'SHFE' });
    feed.account('B1');
    selfTrades(feed, 'rb2605', 'B1', 'B1', 3);
    selfTrades(feed, 'rb2610', 'B1', 'B1', 3);
    feed.hello('20261125');
    selfTrades(feed, 'rb2605', 'B1', 'B1', 3);
    expect(only(run(feed), 'self_trade')).toEqual([]);
  });

  it('keeps one alert per client, contract and day, updated as the count grows', () => {
    const feed = market('SHFE', 'rb2605');
    const engine = new Surveillance({ config });
    for (const m of feed.messages) engine.apply(m);
    const more = new FeedBuilder({ tradingDay: null, startTs: feed.ts });
    more.seq = feed.seq;
    selfTrades(more, 'rb2605', 'B1', 'B1', 5);
    for (const m of more.messages) engine.apply(m);
    const created = engine.rules.takeEvents();
    expect(created.map((e) => [e.kind, e.alert.count])).toEqual([['created', 5]]);
    const again = new FeedBuilder({ tradingDay: null, startTs: more.ts });
    again.seq = more.seq;
    selfTrades(again, 'rb2605', 'B1', 'B1', 7);
    for (const m of again.messages) engine.apply(m);
    const updated = engine.rules.takeEvents();
    expect(updated.map((e) => [e.kind, e.alert.count])).toEqual([['updated', 12]]);
    expect(engine.rules.takeEvents()).toEqual([]);
    const alerts = engine.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toBe('12 self-trades on rb2605 today (threshold 5)');
    expect(alerts[0]!.severity).toBe('critical'); // twice the threshold escalates the default "high"
  });
});

describe('frequent_cancel', () => {
  it('fires at 500 cancels on a commodity contract, not at 499', () => {
    const below = market('SHFE', 'rb2605');
    cancels(below, 'B1', 'rb2605', 499, 1);
    expect(only(run(below), 'frequent_cancel')).toEqual([]);
    const at = market('SHFE', 'rb2605');
    cancels(at, 'B1', 'rb2605', 500, 1);
    expect(only(run(at), 'frequent_cancel')).toEqual([
      expect.objectContaining({
        subjectId: 'B1',
        count: 500,
        threshold: 500,
        message: '500 cancels on rb2605 today (threshold 500)',
      }),
    ]);
  });

  it('fires at 400 on CFFEX index futures (IF), not at 399; treasury futures keep 500', () => {
    const below = market('CFFEX', 'IF2606', { product: 'IF' });
    cancels(below, 'B1', 'IF2606', 399, 1);
    expect(only(run(below), 'frequent_cancel')).toEqual([]);
    const at = market('CFFEX', 'IF2606', { product: 'IF' });
    cancels(at, 'B1', 'IF2606', 400, 1);
    expect(only(run(at), 'frequent_cancel')).toEqual([expect.objectContaining({ count: 400, threshold: 400 })]);
    const treasury = market('CFFEX', 'T2606', { product: 'T' });
    cancels(treasury, 'B1', 'T2606', 450, 1);
    expect(only(run(treasury), 'frequent_cancel')).toEqual([]);
  });

  it('sums the cancels of a control group', () => {
    const feed = market('SHFE', 'rb2605');
    cancels(feed, 'A1', 'rb2605', 250, 1);
    cancels(feed, 'A2', 'rb2605', 250, 1);
    expect(only(run(feed), 'frequent_cancel')).toEqual([
      expect.objectContaining({ subjectType: 'group', subjectId: 'G1', accountIds: ['A1', 'A2'], count: 500 }),
    ]);
  });

  it('does not count a cancel of an order it never saw, nor a rejected order', () => {
    const feed = market('SHFE', 'rb2605');
    cancels(feed, 'B1', 'rb2605', 499, 1);
    feed.cancel('no-such-order', 1);
    const rejected = feed.order('B1', 'rb2605', 'buy', 1, 3000);
    feed.reject(rejected).cancel(rejected, 1);
    expect(only(run(feed), 'frequent_cancel')).toEqual([]);
  });
});

describe('large_cancel', () => {
  it('SHFE and INE: 50 cancels of ≥ 300 lots fire, 49 do not, 299-lot cancels never count', () => {
    for (const [exchange, id] of [
      ['SHFE', 'rb2605'],
      ['INE', 'sc2606'],
    ] as const) {
      const below = market(exchange, id, { maxOrderQty: 500 });
      cancels(below, 'B1', id, 49, 300);
      cancels(below, 'B1', id, 60, 299);
      expect(only(run(below), 'large_cancel')).toEqual([]);
      const at = market(exchange, id, { maxOrderQty: 500 });
      cancels(at, 'B1', id, 50, 300);
      const [alert] = only(run(at), 'large_cancel');
      expect(alert).toMatchObject({ exchange, count: 50, threshold: 50 });
      expect(alert!.message).toBe(`50 large cancels (each ≥ 300 lots) on ${id} today (threshold 50)`);
    }
  });

  it('CZCE: each ≥ 800 lots, 50 of them', () => {
    const below = market('CZCE', 'SR605', { maxOrderQty: 1000 });
    cancels(below, 'B1', 'SR605', 60, 799);
    cancels(below, 'B1', 'SR605', 49, 800);
    expect(only(run(below), 'large_cancel')).toEqual([]);
    const at = market('CZCE', 'SR605', { maxOrderQty: 1000 });
    cancels(at, 'B1', 'SR605', 50, 800);
    expect(only(run(at), 'large_cancel')).toEqual([expect.objectContaining({ count: 50, threshold: 50 })]);
  });

  it('CFFEX, DCE and GFEX: 100 cancels each ≥ 80% of maxOrderQty', () => {
    for (const [exchange, id, max, large] of [
      ['CFFEX', 'IF2606', 20, 16],
      ['DCE', 'm2605', 1000, 800],
      ['GFEX', 'si2607', 500, 400],
    ] as const) {
      const below = market(exchange, id, { maxOrderQty: max });
      cancels(below, 'B1', id, 99, large);
      cancels(below, 'B1', id, 50, large - 1);
      expect(only(run(below), 'large_cancel')).toEqual([]);
      const at = market(exchange, id, { maxOrderQty: max });
      cancels(at, 'B1', id, 100, large);
      const [alert] = only(run(at), 'large_cancel');
      expect(alert).toMatchObject({ exchange, count: 100, threshold: 100 });
      expect(alert!.message).toContain(`each ≥ ${large} lots, 80% of the ${max}-lot maximum order`);
    }
  });

  it('counts the cancelled lots (单笔撤单量), not the original order size', () => {
    const feed = market('SHFE', 'rb2605', { maxOrderQty: 500 });
    for (let i = 0; i < 50; i++) {
      feed.advance(2000);
      const id = feed.order('B1', 'rb2605', 'buy', 310, 3000);
      feed.trade('rb2605', 3000, 20, { accountId: 'B1', orderId: id }, { accountId: null, orderId: null }, 'sell');
      feed.cancel(id, 290);
    }
    expect(only(run(feed), 'large_cancel')).toEqual([]);
  });
});

describe('position_limit', () => {
  function positions(entries: Array<[string, number, number]>, limit = 100): FeedBuilder {
    const feed = market('SHFE', 'rb2605', { positionLimit: limit });
    for (const [account, long, short] of entries) feed.position(account, 'rb2605', long, short, 3500);
    return feed;
  }

  it('fires when a one-side position exceeds the limit, not when it equals it', () => {
    expect(only(run(positions([['B1', 100, 0]])), 'position_limit')).toEqual([]);
    const [alert] = only(run(positions([['B1', 0, 101]])), 'position_limit');
    expect(alert).toMatchObject({ subjectId: 'B1', count: 101, threshold: 100, severity: 'high' });
    expect(alert!.message).toBe('Short position of 101 lots on rb2605 exceeds the position limit of 100 lots');
  });

  it('sums the accounts of a control group, side by side', () => {
    expect(
      only(
        run(
          positions([
            ['A1', 60, 0],
            ['A2', 40, 90],
          ]),
        ),
        'position_limit',
      ),
    ).toEqual([]);
    const [alert] = only(
      run(
        positions([
          ['A1', 60, 0],
          ['A2', 41, 0],
        ]),
      ),
      'position_limit',
    );
    expect(alert).toMatchObject({ subjectType: 'group', subjectId: 'G1', accountIds: ['A1', 'A2'], count: 101 });
    expect(
      only(
        run(
          positions([
            ['A1', 60, 0],
            ['B1', 41, 0],
          ]),
        ),
        'position_limit',
      ),
    ).toEqual([]);
  });

  it('follows trades (opens raise, closes lower) and reports the peak', () => {
    const feed = positions([['B1', 95, 0]]);
    feed.advance(1000).fill('B1', 'rb2605', 'buy', 5, 3500);
    const atLimit = run(feed);
    expect(only(atLimit, 'position_limit')).toEqual([]);
    feed.advance(1000).fill('B1', 'rb2605', 'buy', 12, 3500);
    feed.advance(1000).fill('B1', 'rb2605', 'sell', 30, 3500, 'close');
    const [alert] = only(run(feed), 'position_limit');
    expect(alert).toMatchObject({ count: 112, severity: 'critical' }); // 12% over ≥ 10%: critical
  });

  it('lets the rules file set a limit when the feed has none', () => {
    const feed = market('SHFE', 'rb2605');
    feed.position('B1', 'rb2605', 51, 0, 3500);
    expect(only(run(feed), 'position_limit')).toEqual([]);
    const custom = mergeRulesFile(config, {
      exchanges: { SHFE: { products: { rb: { rules: { position_limit: { limit: 50 } } } } } },
    });
    expect(only(run(feed, custom), 'position_limit')).toEqual([expect.objectContaining({ count: 51, threshold: 50 })]);
  });
});

describe('determinism', () => {
  it('gives the same alerts for the same input', () => {
    const feed = market('SHFE', 'rb2605', { maxOrderQty: 500, positionLimit: 10 });
    selfTrades(feed, 'rb2605', 'A1', 'A2', 6);
    cancels(feed, 'B1', 'rb2605', 60, 300, 50);
    feed.position('B2', 'rb2605', 11, 0, 3500);
    expect(run(feed)).toEqual(run(feed));
    expect(
      run(feed)
        .map((a) => a.rule)
        .sort(),
    ).toEqual(['large_cancel', 'position_limit', 'self_trade']);
  });
});
