// Misconduct injection. Each case is a small state machine run by the generator at simulated times; it acts only
// through the Market primitives (so its orders and trades are ordinary feed messages) and reports one ground-truth
// record when it completes. Ground truth never enters the feed: it goes to GenerateOptions.onTruth / the truth file.
// Every case uses its own accounts (catalogue.SCENARIO_ACCOUNTS), which do nothing else while their case is on.
import type { Exchange, TradeMessage } from '../../shared/protocol';
import { positionMargin } from '../../shared/domain/risk';
import { SCENARIO_ACCOUNTS, continuousIntervals, hms, DAY_CLOSE } from './catalogue';
import { NO_PRICE, type Side } from './matching';
import type { AccountState, ClientOrder, InstrumentState, Market, TradeEvent } from './market';
import type { Rng } from './random';

import { isRuleId, RULE_IDS, type RuleId } from '../../shared/rules/catalogue';

// Rule ids of the surveillance contract, from the rule catalogue; ground truth uses exactly these.
export { isRuleId, RULE_IDS, type RuleId };

/** `'all'`, `'none'`, or a list of rule ids. */
export type ScenarioSelection = 'all' | 'none' | readonly RuleId[];

/** Parses `all`, `none` or `rule,rule`; throws an Error naming the bad id and the valid ones. */
export function parseScenarios(text: string): ScenarioSelection {
  const trimmed = text.trim();
  if (trimmed === 'all' || trimmed === 'none') return trimmed;
  const ids = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new Error('no scenario given; use all, none or a comma-separated list of rule ids');
  for (const id of ids) {
    if (!isRuleId(id)) throw new Error(`unknown scenario "${id}"; valid: all, none, ${RULE_IDS.join(', ')}`);
  }
  return ids as RuleId[];
}

export function resolveScenarios(selection: ScenarioSelection | undefined): Set<RuleId> {
  if (selection === undefined || selection === 'none') return new Set();
  if (selection === 'all') return new Set(RULE_IDS);
  for (const id of selection) if (!isRuleId(id)) throw new RangeError(`unknown scenario "${String(id)}"`);
  return new Set(selection);
}

/** One injected case, one line of the truth file. */
export interface GroundTruth {
  rule: RuleId;
  subjectType: 'account' | 'group';
  subjectId: string;
  accountIds: string[];
  /** null for account-wide rules (margin_call). */
  instrumentId: string | null;
  /** First and last seq of the messages that make the case (the counted cancels, the self-trades, …). */
  firstSeq: number;
  lastSeq: number;
  exchange: Exchange | null;
  /** What was counted (cancels, self-trades, occasions, episodes), where the rule counts. */
  count?: number;
  severity?: 'high' | 'critical';
  variant?: string;
  detail: string;
}

export interface ScenarioContext {
  readonly market: Market;
  readonly rng: Rng;
  /** Moves the message clock forward within one step (to pace a burst in milliseconds). */
  advance(ms: number): void;
  report(truth: GroundTruth): void;
  /** Logs a case that could not complete (it then has no ground truth). */
  note(message: string): void;
}

export abstract class ScenarioCase {
  abstract readonly rule: RuleId;
  /** Seconds of day when run() is next due; Infinity once finished. */
  nextAt = Infinity;
  abstract run(ctx: ScenarioContext): void;
  /** Rough count of the messages this case will still emit (reserved from the day's message budget). */
  abstract remainingMessages(): number;
  /** Called when the day ends while the case is unfinished. */
  abandon(ctx: ScenarioContext): void {
    ctx.note(`${this.rule}: case did not complete before the close; no ground truth recorded`);
    this.nextAt = Infinity;
  }
}

// ---- timing helpers --------------------------------------------------------------------------------------------

/** Continuous-trading time of one exchange between two times of day, addressable by offset. */
export class TradingWindow {
  readonly intervals: Array<[number, number]>;
  readonly length: number;

  constructor(exchange: Exchange, from: number, to: number) {
    this.intervals = continuousIntervals(exchange)
      .map(([s, e]): [number, number] => [Math.max(s, from), Math.min(e, to)])
      .filter(([s, e]) => e > s);
    this.length = this.intervals.reduce((sum, [s, e]) => sum + e - s, 0);
  }

  at(offset: number): number {
    let left = Math.max(0, offset);
    for (const [s, e] of this.intervals) {
      if (left < e - s) return s + left;
      left -= e - s;
    }
    const last = this.intervals[this.intervals.length - 1];
    return last ? last[1] : Infinity;
  }

  /** Trading seconds left in the window after time of day `t`. */
  remaining(t: number): number {
    let sum = 0;
    for (const [s, e] of this.intervals) if (e > t) sum += e - Math.max(s, t);
    return sum;
  }

  /** `count` times spread evenly over the window with jitter, in order. */
  spread(rng: Rng, count: number): number[] {
    const slot = this.length / count;
    return Array.from({ length: count }, (_, i) => this.at((i + 0.15 + 0.7 * rng.next()) * slot));
  }
}

/** The next time ≥ t at which the exchange trades continuously, a few seconds into the interval. */
export function nextTradingTime(exchange: Exchange, t: number, rng: Rng): number {
  for (const [s, e] of continuousIntervals(exchange)) {
    if (t >= s && t < e - 1) return t;
    if (t < s) return s + 3 + rng.next() * 10;
  }
  return Infinity;
}

/** Trades emitted since `mark` (an index into market.out). */
function tradesSince(market: Market, mark: number): TradeMessage[] {
  const out: TradeMessage[] = [];
  for (let i = mark; i < market.out.length; i++) {
    const m = market.out[i]!;
    if (m.type === 'trade') out.push(m);
  }
  return out;
}

/** Common guard: waits for continuous trading and a two-sided book; returns false when it rescheduled. */
function ready(c: ScenarioCase, inst: InstrumentState, ctx: ScenarioContext): boolean {
  const clock = ctx.market.clock;
  if (inst.mode !== 2) {
    c.nextAt = nextTradingTime(inst.exchange, clock + 1, ctx.rng);
    return false;
  }
  if (inst.book.bestBid === NO_PRICE || inst.book.bestAsk === NO_PRICE) {
    c.nextAt = clock + 2 + ctx.rng.next() * 3;
    return false;
  }
  return true;
}

function subjectOf(accounts: AccountState[]): Pick<GroundTruth, 'subjectType' | 'subjectId' | 'accountIds'> {
  const group = accounts[0]!.controlGroup;
  const ids = [...new Set(accounts.map((a) => a.id))].sort();
  if (ids.length > 1 && group) return { subjectType: 'group', subjectId: group, accountIds: ids };
  return { subjectType: 'account', subjectId: ids[0]!, accountIds: ids };
}

function flatten(account: AccountState, preBalance: number): void {
  account.background = false;
  account.preBalance = preBalance;
  for (const pos of account.holdings.values()) {
    pos.longQty = 0;
    pos.longAvg = 0;
    pos.shortQty = 0;
    pos.shortAvg = 0;
  }
}

// ---- self_trade ------------------------------------------------------------------------------------------------

/** Wash trades: the seller rests an order inside the spread and the buyer (same account or group) takes it. */
export class SelfTradeCase extends ScenarioCase {
  readonly rule = 'self_trade';
  private episode = 0;
  private readonly seqs: number[] = [];

  constructor(
    private readonly inst: InstrumentState,
    private readonly seller: AccountState,
    private readonly buyer: AccountState,
    private readonly times: number[],
  ) {
    super();
    this.nextAt = times[0]!;
  }

  remainingMessages(): number {
    return (this.times.length - this.episode) * 5;
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    if (!ready(this, inst, ctx)) return;
    const { bestBid, bestAsk } = inst.book;
    if (bestAsk - bestBid < 2) {
      this.nextAt = market.clock + 2 + ctx.rng.next() * 6;
      return;
    }
    const ticks = bestBid + 1 + ctx.rng.int(bestAsk - bestBid - 1);
    const qty = 1 + ctx.rng.int(inst.spec.clientLots);
    market.placeOrder(this.seller, inst, 'sell', ticks, qty);
    market.flush();
    const mark = market.out.length;
    market.placeOrder(this.buyer, inst, 'buy', ticks, qty);
    for (const t of tradesSince(market, mark)) {
      if (t.buyAccountId === this.buyer.id && t.sellAccountId === this.seller.id) this.seqs.push(t.seq);
    }
    market.flush();
    this.episode++;
    this.nextAt = this.times[this.episode] ?? Infinity;
    if (this.nextAt === Infinity) {
      ctx.report({
        rule: this.rule,
        ...subjectOf([this.seller, this.buyer]),
        instrumentId: inst.id,
        firstSeq: this.seqs[0]!,
        lastSeq: this.seqs[this.seqs.length - 1]!,
        exchange: inst.exchange,
        count: this.seqs.length,
        detail: `${this.seqs.length} self-trades on ${inst.id} between ${this.seller.id} and ${this.buyer.id}`,
      });
    }
  }
}

// ---- frequent_cancel and large_cancel --------------------------------------------------------------------------

interface CancelPlan {
  rule: 'frequent_cancel' | 'large_cancel';
  target: number;
  minQty: number;
  maxQty: number;
  /** Ticks behind the touch. */
  away: [number, number];
  /** Seconds an order rests before its cancel. */
  hold: [number, number];
}

/** Places an order away from the touch, cancels it after a while, and repeats until `target` cancels counted. */
export class CancelCase extends ScenarioCase {
  readonly rule: 'frequent_cancel' | 'large_cancel';
  private order: ClientOrder | null = null;
  private counted = 0;
  private firstSeq = 0;
  private lastSeq = 0;

  constructor(
    private readonly inst: InstrumentState,
    private readonly account: AccountState,
    private readonly plan: CancelPlan,
    private readonly window: TradingWindow,
    rng: Rng,
  ) {
    super();
    this.rule = plan.rule;
    this.nextAt = window.at(rng.next() * this.gap(window.intervals[0]?.[0] ?? 0));
  }

  /** Seconds per place-and-cancel cycle that still fits the remaining cancels into the window (some orders fill). */
  private gap(clock: number): number {
    const left = Math.max(1, this.plan.target - this.counted);
    return Math.max(3, (this.window.remaining(clock) * 0.7) / left);
  }

  remainingMessages(): number {
    return (this.plan.target - this.counted) * 3;
  }

  run(ctx: ScenarioContext): void {
    const { inst, plan } = this;
    const market = ctx.market;
    const rng = ctx.rng;
    if (this.order) {
      // Cancel even outside continuous trading? No: exchanges take cancels only while trading, so wait.
      if (inst.mode !== 2) {
        this.nextAt = nextTradingTime(inst.exchange, market.clock + 1, rng);
        return;
      }
      const order = this.order;
      this.order = null;
      const cancelled = market.cancelOrder(order);
      market.flush();
      if (cancelled >= plan.minQty && order.qty >= plan.minQty) {
        this.counted++;
        // The cancel is the message just before any quote the flush added.
        const seq = this.cancelSeq(market, order.orderId);
        if (this.counted === 1) this.firstSeq = seq;
        this.lastSeq = seq;
      }
      if (this.counted >= plan.target) {
        this.nextAt = Infinity;
        const threshold = plan.rule === 'frequent_cancel' ? 'cancels' : `cancels of orders ≥ ${plan.minQty} lots`;
        ctx.report({
          rule: plan.rule,
          ...subjectOf([this.account]),
          instrumentId: inst.id,
          firstSeq: this.firstSeq,
          lastSeq: this.lastSeq,
          exchange: inst.exchange,
          count: this.counted,
          detail: `${this.counted} ${threshold} on ${inst.id} by ${this.account.id}`,
        });
        return;
      }
      this.nextAt = market.clock + this.gap(market.clock) * (0.2 + 0.3 * rng.next());
      return;
    }
    if (!ready(this, inst, ctx)) return;
    const side: Side = rng.next() < 0.5 ? 'buy' : 'sell';
    const away = plan.away[0] + rng.int(plan.away[1] - plan.away[0] + 1);
    const ticks = inst.clampTicks(side === 'buy' ? inst.book.bestBid - away : inst.book.bestAsk + away);
    const qty = plan.minQty + rng.int(plan.maxQty - plan.minQty + 1);
    this.order = market.placeOrder(this.account, inst, side, ticks, qty);
    market.flush();
    const hold = plan.hold[0] + rng.next() * (plan.hold[1] - plan.hold[0]);
    this.nextAt = market.clock + Math.min(hold, this.gap(market.clock) * 0.5);
  }

  private cancelSeq(market: Market, orderId: string): number {
    for (let i = market.out.length - 1; i >= 0; i--) {
      const m = market.out[i]!;
      if (m.type === 'order' && m.event === 'cancel' && m.orderId === orderId) return m.seq;
    }
    return market.seq;
  }

  override abandon(ctx: ScenarioContext): void {
    ctx.note(
      `${this.rule}: ${this.account.id} on ${this.inst.id} reached ${this.counted} of ${this.plan.target} cancels; no ground truth`,
    );
    this.nextAt = Infinity;
  }
}

// ---- spoofing / layering ---------------------------------------------------------------------------------------

/**
 * Large orders one tick behind the touch (several consecutive levels when layering), the same client trading the
 * opposite side while they rest, then a quick cancel with little or no fill.
 */
export class SpoofingCase extends ScenarioCase {
  readonly rule = 'spoofing';
  private episode = 0;
  private stage: 'idle' | 'placed' | 'traded' = 'idle';
  private side: Side = 'buy';
  private orders: ClientOrder[] = [];
  private firstSeq = 0;
  private lastSeq = 0;
  private sizes: number[] = [];

  constructor(
    private readonly inst: InstrumentState,
    private readonly account: AccountState,
    private readonly layers: number,
    private readonly times: number[],
  ) {
    super();
    this.nextAt = times[0]!;
  }

  remainingMessages(): number {
    return (this.times.length - this.episode) * (this.layers * 4 + 6);
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    const rng = ctx.rng;
    if (this.stage === 'idle') {
      if (!ready(this, inst, ctx)) return;
      if (inst.book.levelPrice('buy', 1) === NO_PRICE || inst.book.levelPrice('sell', 1) === NO_PRICE) {
        this.nextAt = market.clock + 3;
        return;
      }
      this.side = rng.next() < 0.5 ? 'buy' : 'sell';
      const depth = market.depth(inst, this.side, 5);
      const each = Math.min(inst.spec.maxOrderQty, this.layers === 1 ? Math.max(2 * depth, 20) : Math.max(depth, 10));
      const touch = this.side === 'buy' ? inst.book.bestBid : inst.book.bestAsk;
      const mark = market.out.length;
      this.orders = [];
      for (let layer = 0; layer < this.layers; layer++) {
        const ticks = this.side === 'buy' ? touch - 1 - layer : touch + 1 + layer;
        this.orders.push(market.placeOrder(this.account, inst, this.side, inst.clampTicks(ticks), each));
      }
      this.sizes.push(each);
      if (this.episode === 0) this.firstSeq = (market.out[mark] as { seq: number }).seq;
      market.flush();
      this.stage = 'placed';
      this.nextAt = market.clock + 0.4 + rng.next() * 0.8;
      return;
    }
    if (this.stage === 'placed') {
      // Trade the other side: hit the touch of the spoofed side (the spoof orders sit behind it).
      const hitSide: Side = this.side;
      const touch = hitSide === 'buy' ? inst.book.bestBid : inst.book.bestAsk;
      const spoofTop = this.orders[0]!.price;
      const safe = inst.mode === 2 && touch !== NO_PRICE && (hitSide === 'buy' ? touch > spoofTop : touch < spoofTop);
      let traded = false;
      if (safe) {
        const available = inst.book.levelQty(hitSide, touch);
        const qty = Math.min(available, 2 + rng.int(inst.spec.clientLots * 3));
        const mark = market.out.length;
        market.placeOrder(this.account, inst, hitSide === 'buy' ? 'sell' : 'buy', touch, qty);
        traded = tradesSince(market, mark).length > 0;
        market.flush();
      }
      if (!traded) {
        // The book moved onto the spoof orders: abandon this episode quietly and try again later.
        for (const order of this.orders) market.cancelOrder(order);
        market.flush();
        if (this.episode === 0) this.firstSeq = 0;
        this.sizes.pop();
        this.stage = 'idle';
        this.nextAt = market.clock + 30 + rng.next() * 60;
        return;
      }
      this.stage = 'traded';
      this.nextAt = market.clock + 0.3 + rng.next();
      return;
    }
    for (const order of this.orders) market.cancelOrder(order);
    this.lastSeq = market.seq;
    market.flush();
    this.stage = 'idle';
    this.episode++;
    this.nextAt = this.times[this.episode] ?? Infinity;
    if (this.nextAt === Infinity) {
      ctx.report({
        rule: this.rule,
        ...subjectOf([this.account]),
        instrumentId: inst.id,
        firstSeq: this.firstSeq,
        lastSeq: this.lastSeq,
        exchange: inst.exchange,
        count: this.episode,
        variant: this.layers > 1 ? 'layering' : 'spoofing',
        detail: `${this.episode} episodes on ${inst.id}: ${this.layers > 1 ? `${this.layers} layered orders` : 'an order'} of ${this.sizes.join('/')} lots behind the touch, opposite-side trade, cancel within 2.5 s`,
      });
    }
  }
}

// ---- marking_close ---------------------------------------------------------------------------------------------

/**
 * In the last ten minutes, as the contract goes quiet into the close, one client takes most of the volume: it lifts
 * a couple of ask levels every 6–14 s and keeps the best bid, so the rest of the market's sellers trade with it,
 * and the closing price ends well above where the window started.
 */
export class MarkingCloseCase extends ScenarioCase {
  readonly rule = 'marking_close';
  private windowVolume = 0;
  private clientVolume = 0;
  private firstSeq = 0;
  private lastSeq = 0;
  private startTicks = NO_PRICE;
  private readonly windowStart: number;
  private readonly windowEnd: number;

  constructor(
    private readonly inst: InstrumentState,
    private readonly account: AccountState,
    market: Market,
    rng: Rng,
    /** Activity of the contract during the window relative to the rest of the day (a quiet close). */
    private readonly lull: number,
  ) {
    super();
    this.windowStart = hms(14, 50);
    this.windowEnd = DAY_CLOSE - 8;
    this.nextAt = this.windowStart + 2 + rng.next() * 5;
    market.tradeHooks.push((event) => this.onTrade(event, market));
  }

  remainingMessages(): number {
    return this.nextAt === Infinity ? 0 : 300;
  }

  private onTrade(event: TradeEvent, market: Market): void {
    if (event.inst !== this.inst || market.clock < this.windowStart) return;
    const qty = event.message.qty;
    this.windowVolume += qty;
    if (event.buy?.account === this.account || event.sell?.account === this.account) {
      this.clientVolume += qty;
      if (this.firstSeq === 0) this.firstSeq = event.message.seq;
      this.lastSeq = event.message.seq;
    }
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    if (this.startTicks === NO_PRICE) {
      this.startTicks = inst.last;
      inst.activity = this.lull;
      market.activityVersion++;
    }
    if (ready(this, inst, ctx)) {
      const working = this.account.on(inst.index).working;
      const resting = working.reduce((sum, o) => sum + o.qty - o.filled, 0);
      let allowance = Math.floor(inst.spec.positionLimit * 0.8) - this.account.on(inst.index).longQty - resting;
      // Lift up to two ask levels, never more than 2% above the window's first price.
      const ceiling = this.startTicks + Math.round(inst.preTicks * 0.02);
      const asks = market.levels(inst, 'sell', 2).filter(([ticks]) => ticks <= ceiling);
      const lift = Math.min(
        allowance,
        inst.spec.maxOrderQty,
        asks.reduce((sum, [, q]) => sum + q, 0),
      );
      if (lift > 0) {
        market.placeOrder(this.account, inst, 'buy', asks[asks.length - 1]![0], lift);
        allowance -= lift;
      }
      // Then hold the best bid, so sellers from the rest of the market trade with this client.
      const { bestBid, bestAsk } = inst.book;
      if (bestBid !== NO_PRICE && bestAsk !== NO_PRICE && resting < inst.spec.maxOrderQty * 3) {
        const ticks = Math.min(bestAsk - 1, bestBid + 1);
        const size = Math.min(allowance, inst.spec.maxOrderQty, Math.max(20, 3 * inst.book.levelQty('buy', bestBid)));
        if (size > 0 && ticks <= ceiling) market.placeOrder(this.account, inst, 'buy', ticks, size);
      }
      // The rest of the market follows the lifted price instead of pulling it straight back, leaning a little
      // toward selling into the client's bid.
      const mid = inst.book.bestAsk !== NO_PRICE ? (inst.book.bestBid + inst.book.bestAsk) / 2 : inst.last;
      inst.bias = Math.max(inst.bias, mid - 0.5 - inst.anchor);
      inst.fair = mid - 0.5;
      market.flush();
      this.nextAt = market.clock + 6 + ctx.rng.next() * 8;
    }
    if (this.nextAt > this.windowEnd) this.finish(ctx);
  }

  private finish(ctx: ScenarioContext): void {
    this.nextAt = Infinity;
    const share = this.windowVolume > 0 ? this.clientVolume / this.windowVolume : 0;
    const move = this.inst.last - this.startTicks;
    if (share < 0.5 || move < 3) {
      ctx.note(
        `marking_close: ${this.account.id} reached ${(share * 100).toFixed(0)}% of the closing volume and ${move} ticks; too weak to count, no ground truth`,
      );
      return;
    }
    ctx.report({
      rule: this.rule,
      ...subjectOf([this.account]),
      instrumentId: this.inst.id,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      exchange: this.inst.exchange,
      detail: `${this.account.id} traded ${(share * 100).toFixed(0)}% of ${this.inst.id} volume after 14:50 and lifted the price ${move} ticks`,
    });
  }

  override abandon(ctx: ScenarioContext): void {
    this.finish(ctx);
  }
}

// ---- momentum_ignition -----------------------------------------------------------------------------------------

/** An aggressive order sweeps three levels, the price runs on, and the same client sells into the reversal. */
export class MomentumIgnitionCase extends ScenarioCase {
  readonly rule = 'momentum_ignition';
  private episode = 0;
  private held = 0;
  private stage: 'idle' | 'swept' = 'idle';
  private firstSeq = 0;
  private lastSeq = 0;
  private reverted = false;
  /** Ticks the momentum followers add to the fair value after the sweep. */
  private readonly push = 4;

  constructor(
    private readonly inst: InstrumentState,
    private readonly account: AccountState,
    private readonly times: number[],
  ) {
    super();
    this.nextAt = times[0]!;
  }

  remainingMessages(): number {
    return (this.times.length - this.episode) * 20;
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    const rng = ctx.rng;
    if (this.stage === 'idle') {
      if (!ready(this, inst, ctx)) return;
      const levels = market.levels(inst, 'sell', 4);
      const qty = levels.slice(0, 3).reduce((sum, [, q]) => sum + q, 0);
      if (levels.length < 4 || qty > inst.spec.maxOrderQty) {
        this.nextAt = market.clock + 5 + rng.next() * 10;
        return;
      }
      const mark = market.out.length;
      const order = market.placeOrder(this.account, inst, 'buy', levels[2]![0], qty);
      if (this.episode === 0) this.firstSeq = (market.out[mark] as { seq: number }).seq;
      this.held = order.filled;
      this.reverted = false;
      inst.bias += this.push;
      inst.fair = Math.max(inst.fair, inst.last + 1);
      market.flush();
      this.stage = 'swept';
      this.nextAt = market.clock + 4 + rng.next() * 6;
      return;
    }
    if (inst.mode !== 2 || inst.book.bestBid === NO_PRICE) {
      this.nextAt = market.clock + 2;
      return;
    }
    if (!this.reverted) {
      inst.bias -= this.push;
      this.reverted = true;
    }
    const touch = inst.book.bestBid;
    const qty = Math.min(this.held, inst.book.levelQty('buy', touch));
    const mark = market.out.length;
    if (qty > 0) market.placeOrder(this.account, inst, 'sell', touch, qty);
    for (const t of tradesSince(market, mark)) {
      if (t.sellAccountId === this.account.id) this.lastSeq = t.seq;
    }
    this.held -= qty;
    market.flush();
    if (this.held > 0) {
      this.nextAt = market.clock + 1 + rng.next() * 2;
      return;
    }
    this.stage = 'idle';
    this.episode++;
    this.nextAt = this.times[this.episode] ?? Infinity;
    if (this.nextAt === Infinity) {
      ctx.report({
        rule: this.rule,
        ...subjectOf([this.account]),
        instrumentId: inst.id,
        firstSeq: this.firstSeq,
        lastSeq: this.lastSeq,
        exchange: inst.exchange,
        count: this.episode,
        detail: `${this.episode} episodes on ${inst.id}: a buy sweeping 3 ask levels, then sells into the reversal`,
      });
    }
  }
}

// ---- position_limit --------------------------------------------------------------------------------------------

/** Buys in small clips until the long position of the account (or its group, summed) exceeds the limit. */
export class PositionLimitCase extends ScenarioCase {
  readonly rule = 'position_limit';
  private firstSeq = 0;
  private lastSeq = 0;
  private readonly overshoot: number;

  constructor(
    private readonly inst: InstrumentState,
    private readonly members: AccountState[],
    private readonly buyer: AccountState,
    start: number,
    rng: Rng,
  ) {
    super();
    this.nextAt = start;
    this.overshoot = 30 + rng.int(50);
  }

  private held(): number {
    return this.members.reduce((sum, a) => sum + a.on(this.inst.index).longQty, 0);
  }

  remainingMessages(): number {
    return this.nextAt === Infinity ? 0 : Math.max(0, this.inst.spec.positionLimit + this.overshoot - this.held()) / 2;
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    if (!ready(this, inst, ctx)) return;
    const limit = inst.spec.positionLimit;
    const touch = inst.book.bestAsk;
    const qty = Math.min(inst.book.levelQty('sell', touch), 10 + ctx.rng.int(25), limit + this.overshoot - this.held());
    const mark = market.out.length;
    let held = this.held();
    if (qty > 0) market.placeOrder(this.buyer, inst, 'buy', touch, qty);
    for (const t of tradesSince(market, mark)) {
      if (t.buyAccountId !== this.buyer.id) continue;
      held += t.qty;
      if (held > limit && this.firstSeq === 0) this.firstSeq = t.seq;
      this.lastSeq = t.seq;
    }
    market.flush();
    if (this.held() >= limit + this.overshoot) {
      this.nextAt = Infinity;
      ctx.report({
        rule: this.rule,
        ...subjectOf(this.members),
        instrumentId: inst.id,
        firstSeq: this.firstSeq,
        lastSeq: this.lastSeq,
        exchange: inst.exchange,
        detail: `long position on ${inst.id} reached ${this.held()} lots against a limit of ${limit}`,
      });
      return;
    }
    this.nextAt = market.clock + 8 + ctx.rng.next() * 20;
  }
}

// ---- order_burst -----------------------------------------------------------------------------------------------

/** Occasions of 10 orders and 10 cancels within about half a second, repeated through the morning. */
export class OrderBurstCase extends ScenarioCase {
  readonly rule = 'order_burst';
  private occasion = 0;
  private firstSeq = 0;
  private lastSeq = 0;

  constructor(
    private readonly inst: InstrumentState,
    private readonly account: AccountState,
    private readonly times: number[],
  ) {
    super();
    this.nextAt = times[0]!;
  }

  remainingMessages(): number {
    return (this.times.length - this.occasion) * 30;
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    const rng = ctx.rng;
    if (!ready(this, inst, ctx)) return;
    const side: Side = rng.next() < 0.5 ? 'buy' : 'sell';
    const orders: ClientOrder[] = [];
    const mark = market.out.length;
    for (let i = 0; i < 10; i++) {
      if (i > 0) ctx.advance(15 + rng.int(20));
      const away = 4 + rng.int(6);
      const ticks = inst.clampTicks(side === 'buy' ? inst.book.bestBid - away : inst.book.bestAsk + away);
      orders.push(market.placeOrder(this.account, inst, side, ticks, 1 + rng.int(2)));
      market.flush();
    }
    if (this.occasion === 0) this.firstSeq = (market.out[mark] as { seq: number }).seq;
    for (const order of orders) {
      ctx.advance(10 + rng.int(15));
      market.cancelOrder(order);
      this.lastSeq = market.seq;
      market.flush();
    }
    this.occasion++;
    this.nextAt = this.times[this.occasion] ?? Infinity;
    if (this.nextAt === Infinity) {
      ctx.report({
        rule: this.rule,
        ...subjectOf([this.account]),
        instrumentId: inst.id,
        firstSeq: this.firstSeq,
        lastSeq: this.lastSeq,
        exchange: inst.exchange,
        count: this.occasion,
        detail: `${this.occasion} occasions of 10 orders + 10 cancels within 1 s on ${inst.id}`,
      });
    }
  }
}

// ---- margin_call -----------------------------------------------------------------------------------------------

interface MarginTarget {
  account: AccountState;
  /** Risk degree reached before the case reports. */
  goal: number;
  severity: 'high' | 'critical';
  firstSeq: number;
  goalSeq: number;
  reported: boolean;
}

/**
 * Thinly capitalised long holders and a sell-off driven by the rest of the market (sweeps of the bid) until their
 * risk degree (margin ÷ equity, valued at the last price) passes 100% (and 120% for the critical one).
 */
export class MarginCallCase extends ScenarioCase {
  readonly rule = 'margin_call';
  private readonly targets: MarginTarget[];
  private readonly floor: number;

  constructor(
    private readonly inst: InstrumentState,
    targets: Array<{ account: AccountState; severity: 'high' | 'critical' }>,
    start: number,
    market: Market,
  ) {
    super();
    this.nextAt = start;
    this.targets = targets.map((t) => ({
      ...t,
      goal: t.severity === 'critical' ? 1.25 : 1.06,
      firstSeq: 0,
      goalSeq: 0,
      reported: false,
    }));
    this.floor = Math.ceil(inst.preTicks * 0.9);
    market.tradeHooks.push((event) => this.onTrade(event, market));
  }

  remainingMessages(): number {
    return this.nextAt === Infinity ? 0 : 600;
  }

  private onTrade(event: TradeEvent, market: Market): void {
    if (event.inst !== this.inst) return;
    for (const t of this.targets) {
      if (t.goalSeq) continue;
      const risk = market.riskOf(t.account);
      if (risk >= 1 && !t.firstSeq) t.firstSeq = event.message.seq;
      if (risk >= t.goal) t.goalSeq = event.message.seq;
    }
  }

  run(ctx: ScenarioContext): void {
    const { inst } = this;
    const market = ctx.market;
    if (!ready(this, inst, ctx)) return;
    // The rest of the market sells: the fair value steps down and a taker sweeps three bid levels.
    inst.bias = Math.max(this.floor - inst.anchor, inst.bias - Math.max(1, Math.round(inst.preTicks * 0.0015)));
    inst.fair = Math.min(inst.fair, inst.anchor + inst.bias);
    const levels = market.levels(inst, 'buy', 3);
    if (levels.length > 0) {
      const qty = levels.reduce((sum, [, q]) => sum + q, 0);
      market.externalOrder(inst, 'sell', levels[levels.length - 1]![0], qty);
    }
    market.flush();
    for (const t of this.targets) if (t.goalSeq && !t.reported) this.report(ctx, t);
    const finished = this.targets.every((t) => t.reported);
    if (finished || inst.last <= this.floor) {
      this.nextAt = Infinity;
      if (!finished) this.abandon(ctx);
      return;
    }
    this.nextAt = market.clock + 3 + ctx.rng.next() * 4;
  }

  private report(ctx: ScenarioContext, t: MarginTarget): void {
    t.reported = true;
    const risk = ctx.market.riskOf(t.account);
    ctx.report({
      rule: this.rule,
      ...subjectOf([t.account]),
      instrumentId: null,
      firstSeq: t.firstSeq,
      lastSeq: t.goalSeq,
      exchange: null,
      severity: t.severity,
      detail: `${t.account.id} risk degree passed 100% on the ${this.inst.id} sell-off (reached ${(risk * 100).toFixed(0)}%)`,
    });
  }

  override abandon(ctx: ScenarioContext): void {
    this.nextAt = Infinity;
    for (const t of this.targets) {
      if (t.reported) continue;
      if (t.firstSeq) {
        t.goalSeq = t.firstSeq;
        this.report(ctx, t);
      } else {
        ctx.note(`margin_call: ${t.account.id} never reached 100%; no ground truth`);
      }
    }
  }
}

// ---- the plan --------------------------------------------------------------------------------------------------

/** Start-of-day long position for a scenario account, sized by a target risk degree or fixed lots. */
function holdLong(account: AccountState, inst: InstrumentState, qty: number): void {
  const pos = account.on(inst.index);
  pos.longQty = qty;
  pos.longAvg = inst.spec.preSettlement;
}

function marginOf(inst: InstrumentState, qty: number): number {
  return positionMargin(inst.spec, inst.spec.preSettlement, qty, 0);
}

const roundBalance = (value: number) => Math.round(value / 1000) * 1000;

/**
 * Builds the cases for the enabled rules, takes their accounts out of the background and sets their start-of-day
 * balances and positions. The schedule (times of day) depends on the seed.
 */
export function planScenarios(
  market: Market,
  rng: Rng,
  enabled: ReadonlySet<RuleId>,
  dayMessages: number,
): ScenarioCase[] {
  const inst = (id: string) => market.byInstrumentId.get(id)!;
  const acct = (id: string) => market.byAccountId.get(id)!;
  const cases: ScenarioCase[] = [];
  const S = SCENARIO_ACCOUNTS;
  const morningToClose = (exchange: Exchange) => new TradingWindow(exchange, hms(9, 5), hms(14, 45));

  if (enabled.has('self_trade')) {
    const rb = inst('rb2605');
    const one = acct(S.selfTrade);
    flatten(one, 5_000_000);
    cases.push(new SelfTradeCase(rb, one, one, morningToClose('SHFE').spread(rng, 6)));
    const m = inst('m2605');
    const [a, b] = S.selfTradeGroup.map(acct) as [AccountState, AccountState];
    flatten(a, 3_000_000);
    flatten(b, 3_000_000);
    cases.push(new SelfTradeCase(m, a, b, morningToClose('DCE').spread(rng, 6)));
  }
  if (enabled.has('frequent_cancel')) {
    const sr = inst('SR605');
    const a = acct(S.frequentCancel);
    // Passive orders near the touch sometimes fill: enough capital that the position never nears a margin call.
    flatten(a, 20_000_000);
    const frequent = {
      rule: 'frequent_cancel' as const,
      minQty: 1,
      maxQty: 3,
      away: [2, 6] as [number, number],
      hold: [4, 20] as [number, number],
    };
    cases.push(
      new CancelCase(sr, a, { ...frequent, target: 520 }, new TradingWindow('CZCE', hms(9, 5), hms(14, 45)), rng),
    );
    const ifc = inst('IF2606');
    const b = acct(S.frequentCancelIndex);
    flatten(b, 40_000_000);
    cases.push(
      new CancelCase(
        ifc,
        b,
        { ...frequent, maxQty: 1, away: [4, 10], target: 420 },
        new TradingWindow('CFFEX', hms(9, 35), hms(14, 45)),
        rng,
      ),
    );
  }
  if (enabled.has('large_cancel')) {
    const hold: [number, number] = [10, 45];
    const rb = inst('rb2605');
    const a = acct(S.largeCancelShfe);
    flatten(a, 30_000_000);
    cases.push(
      new CancelCase(
        rb,
        a,
        { rule: 'large_cancel', target: 55, minQty: 300, maxQty: rb.spec.maxOrderQty, away: [8, 15], hold },
        morningToClose('SHFE'),
        rng,
      ),
    );
    const m = inst('m2605');
    const b = acct(S.largeCancelDce);
    flatten(b, 30_000_000);
    const large = Math.ceil(m.spec.maxOrderQty * 0.8);
    cases.push(
      new CancelCase(
        m,
        b,
        { rule: 'large_cancel', target: 105, minQty: large, maxQty: m.spec.maxOrderQty, away: [8, 15], hold },
        morningToClose('DCE'),
        rng,
      ),
    );
    const ta = inst('TA605');
    const c = acct(S.largeCancelCzce);
    flatten(c, 30_000_000);
    cases.push(
      new CancelCase(
        ta,
        c,
        { rule: 'large_cancel', target: 55, minQty: 800, maxQty: ta.spec.maxOrderQty, away: [8, 15], hold },
        morningToClose('CZCE'),
        rng,
      ),
    );
  }
  if (enabled.has('spoofing')) {
    const cu = inst('cu2606');
    const a = acct(S.spoofing);
    flatten(a, 30_000_000);
    cases.push(new SpoofingCase(cu, a, 1, new TradingWindow('SHFE', hms(9, 20), hms(11, 20)).spread(rng, 3)));
    const au = inst('au2606');
    const b = acct(S.layering);
    flatten(b, 60_000_000);
    cases.push(new SpoofingCase(au, b, 3, new TradingWindow('SHFE', hms(13, 35), hms(14, 35)).spread(rng, 3)));
  }
  if (enabled.has('marking_close')) {
    const cu = inst('cu2606');
    const a = acct(S.markingClose);
    flatten(a, 600_000_000);
    // The denser the day, the quieter the contract gets into the close, so one client can dominate it.
    cases.push(new MarkingCloseCase(cu, a, market, rng, Math.max(1e-4, Math.min(0.15, 150_000 / dayMessages))));
  }
  if (enabled.has('momentum_ignition')) {
    const sc = inst('sc2606');
    const a = acct(S.momentumIgnition);
    flatten(a, 30_000_000);
    cases.push(new MomentumIgnitionCase(sc, a, new TradingWindow('INE', hms(9, 40), hms(11, 20)).spread(rng, 2)));
  }
  if (enabled.has('position_limit')) {
    const si = inst('si2607');
    const a = acct(S.positionLimit);
    const soloLots = si.spec.positionLimit - 70;
    flatten(a, roundBalance(marginOf(si, soloLots) / 0.27));
    holdLong(a, si, soloLots);
    cases.push(
      new PositionLimitCase(si, [a], a, new TradingWindow('GFEX', hms(9, 30), hms(11, 0)).at(rng.next() * 3000), rng),
    );
    const sc = inst('sc2606');
    const [g1, g2] = S.positionLimitGroup.map(acct) as [AccountState, AccountState];
    const first = Math.round(sc.spec.positionLimit * 0.53);
    const second = sc.spec.positionLimit - 50 - first;
    flatten(g1, roundBalance(marginOf(sc, first) / 0.31));
    flatten(g2, roundBalance(marginOf(sc, second) / 0.3));
    holdLong(g1, sc, first);
    holdLong(g2, sc, second);
    cases.push(
      new PositionLimitCase(
        sc,
        [g1, g2],
        g2,
        new TradingWindow('INE', hms(13, 35), hms(14, 20)).at(rng.next() * 1200),
        rng,
      ),
    );
  }
  if (enabled.has('order_burst')) {
    const m = inst('m2605');
    const a = acct(S.orderBurst);
    flatten(a, 3_000_000);
    cases.push(new OrderBurstCase(m, a, new TradingWindow('DCE', hms(9, 35), hms(11, 25)).spread(rng, 12)));
  }
  if (enabled.has('margin_call')) {
    const iron = inst('i2605');
    const high = acct(S.marginCall);
    const critical = acct(S.marginCallCritical);
    flatten(high, roundBalance(marginOf(iron, 300) / 0.7));
    flatten(critical, roundBalance(marginOf(iron, 200) / 0.75));
    holdLong(high, iron, 300);
    holdLong(critical, iron, 200);
    const start = new TradingWindow('DCE', hms(13, 40), hms(14, 10)).at(rng.next() * 1200);
    cases.push(
      new MarginCallCase(
        iron,
        [
          { account: high, severity: 'high' },
          { account: critical, severity: 'critical' },
        ],
        start,
        market,
      ),
    );
  }
  return cases;
}
