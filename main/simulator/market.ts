// The simulated market's mutable state and the only code that emits sequenced messages: instrument books
// (matching.ts), client accounts with positions and working orders, the rest of the market ("external" orders that
// are not this gateway's clients: they appear in quotes and as the null side of trades, never as `order` messages).
// Background behaviour (background.ts) and misconduct scenarios (scenarios.ts) act only through these primitives,
// so every order, cancel, trade and quote in a session is consistent with one book.
import type {
  ClientType,
  Exchange,
  OrderNewMessage,
  Phase,
  QuoteMessage,
  SequencedMessage,
  TradeMessage,
} from '../../shared/protocol';
import { positionMargin, positionPnl, riskDegree } from '../../shared/domain/risk';
import { NO_PRICE, OrderBook, type BookOrder, type Fill, type Side } from './matching';
import type { AccountSpec, InstrumentSpec } from './catalogue';
import { clientProfile, orderTerms } from './feedProfile';
import { pickCumulative, type Rng } from './random';

export type Offset = 'open' | 'close';

export interface ClientOrder {
  readonly orderId: string;
  /** The resting order in the book, while it rests. */
  handle: BookOrder<ClientOrder | null> | null;
  readonly account: AccountState;
  readonly inst: InstrumentState;
  readonly side: Side;
  readonly offset: Offset;
  /** Integer ticks. */
  readonly price: number;
  readonly qty: number;
  filled: number;
  /** Resting in the book. */
  live: boolean;
  /** Seconds of day when placed. */
  readonly placedAt: number;
}

export class PositionState {
  longQty = 0;
  longAvg = 0;
  shortQty = 0;
  shortAvg = 0;
  /** Lots of each leg already promised to working close orders. */
  frozenLong = 0;
  frozenShort = 0;
}

/** An account's state on one instrument: its position, working orders and cancels today. */
export class Holding extends PositionState {
  readonly working: ClientOrder[] = [];
  cancels = 0;
}

export class AccountState {
  cash = 0;
  commission = 0;
  closePnl = 0;
  /**
   * Per instrument index, only for instruments the account holds, trades or was given a role on: a broker floor has
   * 10^5 accounts and 600+ contracts, so per-account arrays over every instrument would not fit in memory.
   */
  readonly holdings = new Map<number, Holding>();
  /** Acts as a background client (noise trader or market maker). */
  background = true;
  readonly controlGroup: string | null;
  /** As the account message says (feedProfile.ts). */
  readonly clientType: ClientType;

  constructor(
    readonly index: number,
    readonly spec: AccountSpec,
    /** Self-trade subject: the control group's number when in a group, else a number of its own. */
    readonly subject: number,
    public preBalance: number,
  ) {
    this.controlGroup = spec.controlGroup ?? null;
    this.clientType = clientProfile(spec).clientType;
  }

  get id(): string {
    return this.spec.accountId;
  }

  /** The account's state on an instrument (created empty on first use). */
  on(instrumentIndex: number): Holding {
    let holding = this.holdings.get(instrumentIndex);
    if (!holding) {
      holding = new Holding();
      this.holdings.set(instrumentIndex, holding);
    }
    return holding;
  }

  /** Instrument indexes of the account's holdings, ascending (messages list them in instrument order). */
  heldInstruments(): number[] {
    return [...this.holdings.keys()].sort((a, b) => a - b);
  }
}

/** 0 = no orders accepted, 1 = auction (orders rest, no matching), 2 = continuous. */
export type TradingMode = 0 | 1 | 2;

export class InstrumentState {
  readonly book: OrderBook<ClientOrder | null>;
  /** priceTick = tickNum / tickDen exactly, so prices print as short decimals. */
  readonly tickNum: number;
  readonly tickDen: number;
  readonly preTicks: number;
  readonly lower: number;
  readonly upper: number;
  /** Fair value in (fractional) ticks; the rest of the market trades toward it. */
  fair: number;
  /** Where the fair value reverts to: preSettlement plus a scenario's push. */
  anchor: number;
  bias = 0;
  last: number;
  volume = 0;
  openInterest: number;
  readonly oiBase: number;
  mode: TradingMode = 0;
  phase: Phase = 'preopen';
  /** Multiplier of the instrument's share of market activity (a scenario may quieten a contract). */
  activity = 1;
  /** Fair-value step per background step, in ticks, and the pull back toward the anchor per step. */
  readonly volTicks: number;
  readonly reversion: number;
  dirty = false;
  /** 5th visible level per side; NO_PRICE while a side shows fewer than 5 levels (then every price is visible). */
  readonly visibleEdge = [NO_PRICE, NO_PRICE];
  /** External orders in arrival order (oldest first; filled and cancelled ones are skipped) and live ones per side. */
  externalOrders: Array<BookOrder<ClientOrder | null>> = [];
  externalHead = 0;
  readonly externalCount = [0, 0];
  /** Resting client orders per self-trade subject and side: key subject * 2 + (buy 0 | sell 1); absent = none. */
  private readonly resting = new Map<number, number>();
  readonly marketMakers: AccountState[] = [];
  /** Background clients of this instrument and their cumulative activity weights (for a weighted pick). */
  readonly traders: AccountState[] = [];
  private readonly traderWeights: number[] = [];

  constructor(
    readonly index: number,
    readonly spec: InstrumentSpec,
  ) {
    const decimals = decimalsOf(spec.priceTick);
    this.tickDen = 10 ** decimals;
    this.tickNum = Math.round(spec.priceTick * this.tickDen);
    this.preTicks = Math.round(spec.preSettlement / spec.priceTick);
    this.upper = Math.floor(this.preTicks * (1 + spec.limitPct) + 1e-9);
    this.lower = Math.ceil(this.preTicks * (1 - spec.limitPct) - 1e-9);
    this.book = new OrderBook<ClientOrder | null>(this.lower, this.upper);
    this.fair = this.preTicks;
    this.anchor = this.preTicks;
    this.last = this.preTicks;
    this.openInterest = spec.openInterest;
    this.oiBase = spec.openInterest;
    // An AR(1) fair value with a stationary standard deviation of volatility × price; steps of at most 0.8 tick
    // keep the book dense around the touch for fine-tick contracts (au, IF), which then revert more slowly.
    const spread = spec.volatility * this.preTicks;
    this.volTicks = Math.min(0.8, spread * Math.sqrt(2 * FAIR_REVERSION));
    this.reversion = (this.volTicks / spread) ** 2 / 2;
  }

  get id(): string {
    return this.spec.instrumentId;
  }

  addTrader(account: AccountState, weight: number): void {
    this.traders.push(account);
    this.traderWeights.push((this.traderWeights[this.traderWeights.length - 1] ?? 0) + weight);
  }

  /** A background client, by activity weight (with equal weights: the same pick as rng.pick). */
  pickTrader(rng: Rng): AccountState {
    const weights = this.traderWeights;
    return this.traders[pickCumulative(weights, rng.next() * weights[weights.length - 1]!)]!;
  }

  /** Resting client orders of a self-trade subject on a side (0 buy, 1 sell). */
  restingOf(subject: number, side: number): number {
    return this.resting.get(subject * 2 + side) ?? 0;
  }

  addResting(subject: number, side: number, delta: number): void {
    const key = subject * 2 + side;
    const count = (this.resting.get(key) ?? 0) + delta;
    if (count === 0) this.resting.delete(key);
    else this.resting.set(key, count);
  }

  get exchange(): Exchange {
    return this.spec.exchange;
  }

  /** Decimal price of an integer tick count (exact: integer × integer ÷ power of ten). */
  price(ticks: number): number {
    return (ticks * this.tickNum) / this.tickDen;
  }

  /** The last quote's sides: reused when a side has not changed (messages are shared, never mutated). */
  lastBids: Array<[number, number]> = [];
  lastAsks: Array<[number, number]> = [];

  ticksOf(price: number): number {
    return Math.round(price / this.spec.priceTick);
  }

  clampTicks(ticks: number): number {
    return ticks < this.lower ? this.lower : ticks > this.upper ? this.upper : ticks;
  }
}

export const FAIR_REVERSION = 0.001;

function decimalsOf(tick: number): number {
  for (let d = 0; d <= 8; d++) if (Math.abs(tick * 10 ** d - Math.round(tick * 10 ** d)) < 1e-9) return d;
  return 8;
}

export interface TradeEvent {
  message: TradeMessage;
  inst: InstrumentState;
  buy: ClientOrder | null;
  sell: ClientOrder | null;
  /** Price in ticks. */
  ticks: number;
}

export type TradeHook = (event: TradeEvent) => void;

const round2 = (value: number) => Math.round(value * 100) / 100;

export class Market {
  readonly out: SequencedMessage[] = [];
  seq = 0;
  /** ts of messages being emitted (epoch ms). */
  ts = 0;
  /** Simulated time of day in seconds (drives behaviour; ts may be wall clock). */
  clock = 0;
  readonly tradeHooks: TradeHook[] = [];
  /** Bumped when an instrument's activity changes, so the background re-weights its choice of instrument. */
  activityVersion = 0;
  /** Seq of the last message emitted. */
  private nextBookId = 1;
  private nextOrderNo = 1;
  private nextTradeNo = 1;
  private readonly fills: Fill<ClientOrder | null>[] = [];
  private readonly dirty: InstrumentState[] = [];
  private readonly levelPrices: number[] = [];
  private readonly levelQtys: number[] = [];
  readonly byInstrumentId = new Map<string, InstrumentState>();
  readonly byAccountId = new Map<string, AccountState>();

  constructor(
    readonly instruments: InstrumentState[],
    readonly accounts: AccountState[],
    private readonly rng: Rng,
  ) {
    for (const inst of instruments) this.byInstrumentId.set(inst.id, inst);
    for (const account of accounts) this.byAccountId.set(account.id, account);
  }

  emit(message: SequencedMessage): void {
    this.out.push(message);
  }

  takeSeq(): number {
    return ++this.seq;
  }

  // ---- client orders -------------------------------------------------------------------------------------------

  /** Close when the opposite leg has enough unpromised lots, else open. */
  private offsetFor(account: AccountState, inst: InstrumentState, side: Side, qty: number): Offset {
    const pos = account.on(inst.index);
    if (side === 'buy') {
      if (pos.shortQty - pos.frozenShort >= qty) {
        pos.frozenShort += qty;
        return 'close';
      }
    } else if (pos.longQty - pos.frozenLong >= qty) {
      pos.frozenLong += qty;
      return 'close';
    }
    return 'open';
  }

  /**
   * A client's limit order: emits `order new`, matches (in continuous trading), emits one `trade` per fill and
   * marks the quote dirty. Returns the order; `live` says whether a remainder rests.
   */
  placeOrder(account: AccountState, inst: InstrumentState, side: Side, ticks: number, qty: number): ClientOrder {
    const offset = this.offsetFor(account, inst, side, qty);
    const order: ClientOrder = {
      orderId: `O${this.nextOrderNo++}`,
      handle: null,
      account,
      inst,
      side,
      offset,
      price: ticks,
      qty,
      filled: 0,
      live: false,
      placedAt: this.clock,
    };
    const terms = orderTerms(order.orderId, account.clientType);
    const message: OrderNewMessage = {
      seq: ++this.seq,
      ts: this.ts,
      type: 'order',
      event: 'new',
      orderId: order.orderId,
      accountId: account.id,
      instrumentId: inst.id,
      side,
      offset,
      price: inst.price(ticks),
      qty,
      ...(terms.hedgeFlag ? { hedgeFlag: terms.hedgeFlag } : {}),
    };
    this.out.push(message);
    if (inst.mode === 0) {
      this.rejectPlaced(order, `${inst.exchange} is not accepting orders (${inst.phase})`);
      return order;
    }
    if (inst.mode !== 2 && this.crosses(inst, side, ticks)) {
      // Outside continuous trading the book must not cross; the exchange would hold the order for the auction.
      this.rejectPlaced(order, 'order would cross the book outside continuous trading');
      return order;
    }
    this.submit(inst, account.subject, side, ticks, qty, order);
    if (terms.timeCondition && order.filled === order.qty) message.timeCondition = terms.timeCondition;
    return order;
  }

  /** Emits `order new` then `order reject` (e.g. a price outside the day's limits). */
  rejectOrder(
    account: AccountState,
    inst: InstrumentState,
    side: Side,
    price: number,
    qty: number,
    reason: string,
  ): void {
    const orderId = `O${this.nextOrderNo++}`;
    this.out.push({
      seq: ++this.seq,
      ts: this.ts,
      type: 'order',
      event: 'new',
      orderId,
      accountId: account.id,
      instrumentId: inst.id,
      side,
      offset: 'open',
      price,
      qty,
    });
    this.out.push({ seq: ++this.seq, ts: this.ts, type: 'order', event: 'reject', orderId, reason });
  }

  private rejectPlaced(order: ClientOrder, reason: string): void {
    this.unfreeze(order, order.qty);
    this.out.push({ seq: ++this.seq, ts: this.ts, type: 'order', event: 'reject', orderId: order.orderId, reason });
  }

  /** Cancels a working client order; emits `order cancel` and returns the lots cancelled (0 if it was not resting). */
  cancelOrder(order: ClientOrder): number {
    if (!order.live || !order.handle) return 0;
    const inst = order.inst;
    const cancelled = inst.book.cancel(order.handle);
    if (cancelled === 0) return 0;
    this.removeWorking(order);
    this.unfreeze(order, cancelled);
    order.account.on(inst.index).cancels++;
    this.out.push({
      seq: ++this.seq,
      ts: this.ts,
      type: 'order',
      event: 'cancel',
      orderId: order.orderId,
      cancelledQty: cancelled,
    });
    this.touch(inst, order.side === 'buy' ? 0 : 1, order.price);
    return cancelled;
  }

  private removeWorking(order: ClientOrder): void {
    order.live = false;
    order.handle = null;
    const list = order.account.on(order.inst.index).working;
    const at = list.indexOf(order);
    if (at >= 0) list.splice(at, 1);
    order.inst.addResting(order.account.subject, order.side === 'buy' ? 0 : 1, -1);
  }

  private unfreeze(order: ClientOrder, qty: number): void {
    if (order.offset !== 'close') return;
    const pos = order.account.on(order.inst.index);
    if (order.side === 'buy') pos.frozenShort -= qty;
    else pos.frozenLong -= qty;
  }

  crosses(inst: InstrumentState, side: Side, ticks: number): boolean {
    const book = inst.book;
    return side === 'buy'
      ? book.bestAsk !== NO_PRICE && ticks >= book.bestAsk
      : book.bestBid !== NO_PRICE && ticks <= book.bestBid;
  }

  // ---- the rest of the market ----------------------------------------------------------------------------------

  /** An order from outside this gateway: visible only through quotes and trades. */
  externalOrder(inst: InstrumentState, side: Side, ticks: number, qty: number): void {
    const rested = this.submit(inst, -1, side, ticks, qty, null);
    if (rested) {
      inst.externalOrders.push(rested);
      inst.externalCount[side === 'buy' ? 0 : 1]!++;
    }
  }

  /** Cancels a resting external order; returns false when it is no longer resting. */
  externalCancel(inst: InstrumentState, order: BookOrder<ClientOrder | null>): boolean {
    if (order.ref !== null || inst.book.cancel(order) === 0) return false;
    const side = order.side === 'buy' ? 0 : 1;
    inst.externalCount[side]!--;
    this.touch(inst, side, order.price);
    return true;
  }

  /** Cancels the oldest live external order (stale far-away liquidity goes first). */
  externalCancelOldest(inst: InstrumentState): boolean {
    const orders = inst.externalOrders;
    let done = false;
    while (!done && inst.externalHead < orders.length) {
      const order = orders[inst.externalHead++]!;
      if (order.live) done = this.externalCancel(inst, order);
    }
    // Drop the consumed prefix now and then: with hundreds of contracts, long prefixes add up to hundreds of MB.
    if (inst.externalHead > 256 && inst.externalHead * 2 > orders.length) {
      inst.externalOrders = orders.slice(inst.externalHead);
      inst.externalHead = 0;
    }
    return done;
  }

  // ---- matching, trades, quotes --------------------------------------------------------------------------------

  /** Matches (in continuous trading), emits the trades, rests the remainder; returns the resting order or null. */
  private submit(
    inst: InstrumentState,
    owner: number,
    side: Side,
    ticks: number,
    qty: number,
    order: ClientOrder | null,
  ): BookOrder<ClientOrder | null> | null {
    const fills = this.fills;
    if (fills.length > 0) fills.length = 0;
    const id = this.nextBookId++;
    const rested =
      inst.mode === 2 || !this.crosses(inst, side, ticks)
        ? inst.book.submit(id, owner, side, ticks, qty, order, fills)
        : null;
    for (let i = 0; i < fills.length; i++) this.trade(inst, side, order, fills[i]!);
    if (!rested) return null;
    const sideIndex = side === 'buy' ? 0 : 1;
    if (order) {
      order.live = true;
      order.handle = rested;
      order.account.on(inst.index).working.push(order);
      inst.addResting(order.account.subject, sideIndex, 1);
    }
    this.touch(inst, sideIndex, ticks);
    return rested;
  }

  private trade(
    inst: InstrumentState,
    takerSide: Side,
    taker: ClientOrder | null,
    fill: Fill<ClientOrder | null>,
  ): void {
    const maker = fill.maker.ref;
    if (fill.maker.remaining === 0) {
      if (maker) this.removeWorking(maker);
      else inst.externalCount[takerSide === 'buy' ? 1 : 0]!--;
    }
    const buy = takerSide === 'buy' ? taker : maker;
    const sell = takerSide === 'buy' ? maker : taker;
    const qty = fill.qty;
    const ticks = fill.price;
    const price = inst.price(ticks);
    const spec = inst.spec;
    const commission = round2(
      'perLot' in spec.commission ? spec.commission.perLot * qty : spec.commission.rate * price * qty * spec.multiplier,
    );
    const buyOpen = buy ? buy.offset === 'open' : this.externalOpens(inst);
    const sellOpen = sell ? sell.offset === 'open' : this.externalOpens(inst);
    if (buyOpen && sellOpen) inst.openInterest += qty;
    else if (!buyOpen && !sellOpen && inst.openInterest >= qty) inst.openInterest -= qty;
    inst.volume += qty;
    inst.last = ticks;
    if (buy) this.applyFill(buy, qty, ticks, commission);
    if (sell) this.applyFill(sell, qty, ticks, commission);
    const message: TradeMessage = {
      seq: ++this.seq,
      ts: this.ts,
      type: 'trade',
      tradeId: `T${this.nextTradeNo++}`,
      instrumentId: inst.id,
      price,
      qty,
      buyOrderId: buy ? buy.orderId : null,
      sellOrderId: sell ? sell.orderId : null,
      buyAccountId: buy ? buy.account.id : null,
      sellAccountId: sell ? sell.account.id : null,
      aggressor: takerSide,
      commission,
    };
    this.out.push(message);
    inst.dirty = true;
    if (!this.dirtyListed(inst)) this.dirty.push(inst);
    const hooks = this.tradeHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i]!({ message, inst, buy, sell, ticks });
  }

  /** Whether an external side of a trade opens; keeps open interest near its start-of-day level. */
  private externalOpens(inst: InstrumentState): boolean {
    const drift = (inst.openInterest - inst.oiBase) / inst.oiBase;
    const p = drift > 0.02 ? 0.3 : drift < -0.02 ? 0.7 : 0.5;
    return this.rng.next() < p;
  }

  private applyFill(order: ClientOrder, qty: number, ticks: number, commission: number): void {
    order.filled += qty;
    const account = order.account;
    account.commission += commission;
    const pos = account.on(order.inst.index);
    const mult = order.inst.spec.multiplier;
    const price = order.inst.price(ticks);
    if (order.side === 'buy') {
      if (order.offset === 'close') {
        account.closePnl += (pos.shortAvg - price) * qty * mult;
        pos.shortQty -= qty;
        pos.frozenShort -= qty;
        if (pos.shortQty === 0) pos.shortAvg = 0;
      } else {
        pos.longAvg = (pos.longAvg * pos.longQty + price * qty) / (pos.longQty + qty);
        pos.longQty += qty;
      }
    } else if (order.offset === 'close') {
      account.closePnl += (price - pos.longAvg) * qty * mult;
      pos.longQty -= qty;
      pos.frozenLong -= qty;
      if (pos.longQty === 0) pos.longAvg = 0;
    } else {
      pos.shortAvg = (pos.shortAvg * pos.shortQty + price * qty) / (pos.shortQty + qty);
      pos.shortQty += qty;
    }
  }

  private dirtyListed(inst: InstrumentState): boolean {
    for (let i = 0; i < this.dirty.length; i++) if (this.dirty[i] === inst) return true;
    return false;
  }

  /** Marks the quote dirty when a change at `ticks` on a side is inside the visible 5 levels. */
  private touch(inst: InstrumentState, side: number, ticks: number): void {
    if (inst.dirty) return;
    const edge = inst.visibleEdge[side]!;
    if (edge === NO_PRICE || (side === 0 ? ticks >= edge : ticks <= edge)) {
      inst.dirty = true;
      this.dirty.push(inst);
    }
  }

  /** Forces a quote for an instrument at the next flush (e.g. at a phase change). */
  markDirty(inst: InstrumentState): void {
    if (inst.dirty) return;
    inst.dirty = true;
    this.dirty.push(inst);
  }

  /** Emits one `quote` for every instrument whose visible book or last price changed. */
  flush(): void {
    const dirty = this.dirty;
    if (dirty.length === 0) return;
    for (let i = 0; i < dirty.length; i++) this.out.push(this.quote(dirty[i]!));
    dirty.length = 0;
  }

  private quote(inst: InstrumentState): QuoteMessage {
    inst.dirty = false;
    const prices = this.levelPrices;
    const qtys = this.levelQtys;
    const nb = inst.book.topLevels('buy', 5, prices, qtys);
    inst.visibleEdge[0] = nb === 5 ? prices[4]! : NO_PRICE;
    const bids = this.side(inst, inst.lastBids, nb);
    inst.lastBids = bids;
    const na = inst.book.topLevels('sell', 5, prices, qtys);
    inst.visibleEdge[1] = na === 5 ? prices[4]! : NO_PRICE;
    const asks = this.side(inst, inst.lastAsks, na);
    inst.lastAsks = asks;
    return {
      seq: ++this.seq,
      ts: this.ts,
      type: 'quote',
      instrumentId: inst.id,
      last: inst.price(inst.last),
      volume: inst.volume,
      openInterest: inst.openInterest,
      bids,
      asks,
    };
  }

  /** The [price, qty] levels just read into levelPrices/levelQtys, or `previous` when they are the same. */
  private side(inst: InstrumentState, previous: Array<[number, number]>, n: number): Array<[number, number]> {
    const prices = this.levelPrices;
    const qtys = this.levelQtys;
    if (previous.length === n) {
      let same = true;
      for (let i = 0; i < n && same; i++)
        same = previous[i]![1] === qtys[i] && previous[i]![0] === inst.price(prices[i]!);
      if (same) return previous;
    }
    const out: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) out.push([inst.price(prices[i]!), qtys[i]!]);
    return out;
  }

  /** Visible depth (sum of the top `levels` quantities) on a side. */
  depth(inst: InstrumentState, side: Side, levels = 5): number {
    const n = inst.book.topLevels(side, levels, this.levelPrices, this.levelQtys);
    let total = 0;
    for (let i = 0; i < n; i++) total += this.levelQtys[i]!;
    return total;
  }

  /** Top `levels` levels of a side as [ticks, qty] pairs. */
  levels(inst: InstrumentState, side: Side, levels: number): Array<[number, number]> {
    const n = inst.book.topLevels(side, levels, this.levelPrices, this.levelQtys);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) out.push([this.levelPrices[i]!, this.levelQtys[i]!]);
    return out;
  }

  // ---- accounts ------------------------------------------------------------------------------------------------

  cash(account: AccountState, amount: number): void {
    account.cash += amount;
    this.out.push({ seq: ++this.seq, ts: this.ts, type: 'cash', accountId: account.id, amount });
  }

  /** Risk degree (margin ÷ equity) valued at each instrument's last price, as the workstation computes it. */
  riskOf(account: AccountState): number {
    let margin = 0;
    let pnl = 0;
    for (const index of account.heldInstruments()) {
      const inst = this.instruments[index]!;
      const pos = account.on(index);
      if (pos.longQty === 0 && pos.shortQty === 0) continue;
      const mark = inst.price(inst.last);
      margin += positionMargin(inst.spec, mark, pos.longQty, pos.shortQty);
      pnl += positionPnl(inst.spec, mark, pos.longQty, pos.longAvg, pos.shortQty, pos.shortAvg);
    }
    const equity = account.preBalance + account.cash + account.closePnl + pnl - account.commission;
    return riskDegree(margin, equity);
  }
}
