// Live engine state built from the fw-feed/1 stream: instruments and books, working orders, positions (start of
// day + trades) and accounts (equity, margin, risk degree). Applying a message is O(1) and allocates little:
// valuation at current marks is lazy — a quote only flags its instrument, and `takeChanges` (the publisher, at
// ≤ 20 Hz) revalues the positions and accounts that it touches. An account keeps running sums of its positions'
// P&L and margin, so valuing it costs the positions whose mark or quantities changed since, not all it holds (a
// broker's heavy client holds hundreds). Rows are mutated in place; readers get copies
// from `takeChanges`/`allRows`, or live read-only rows through the EngineView (see view.ts).
import type {
  AccountMessage,
  BookLevel,
  CashMessage,
  InstrumentMessage,
  OrderMessage,
  Phase,
  PhaseMessage,
  PositionMessage,
  QuoteMessage,
  SequencedMessage,
  ServerMessage,
  TerminalMessage,
  TradeMessage,
} from '../../shared/protocol';
import { TERMINAL_FIELDS } from '../../shared/protocol';
import type {
  AccountRow,
  ClientProfile,
  DeliveryTerms,
  MarketRow,
  PositionRow,
  TerminalInfo,
} from '../../shared/domain/types';
import {
  averageAfterOpen,
  closeProfit,
  equityOf,
  positionMargin,
  positionPnl,
  riskDegree,
} from '../../shared/domain/risk';
import { shouldLogOccurrence, silentLog, type LogFn } from '../core/log';
import { MarkRecency } from './markRecency';
import type { AccountValueSource, AccountValueWatch, BookView, EngineView, WorkingOrder } from './view';

/** Levels kept per book side. */
export const BOOK_DEPTH = 5;

/** Problems in the stream that the engine survives: counted by kind, logged with ids and seq (throttled). */
export const ANOMALY_KINDS = [
  'unknown_instrument',
  'unknown_account',
  'unknown_order',
  'duplicate_order_id',
  'trade_without_order',
  'trade_order_mismatch',
  'close_exceeds_position',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

interface InstrumentState {
  readonly row: MarketRow;
  /**
   * The last quote's levels, copied into arrays the instrument owns (reused quote after quote): keeping the
   * message's own arrays would hold each quote until the next on its contract, and on a floor of 795 contracts
   * most of them outlive the young generation and fill the old one with garbage.
   */
  readonly book: { readonly bids: BookLevel[]; readonly asks: BookLevel[]; ts: number; seq: number };
  /** The level pairs the book's sides are made of (up to BOOK_DEPTH each, kept when a side gets thinner). */
  readonly bidPairs: BookLevel[];
  readonly askPairs: BookLevel[];
  /** Phase set for this instrument alone (overrides the exchange's). */
  ownPhase: Phase | null;
  readonly positions: PositionState[];
  publishDirty: boolean;
  /** The mark or the contract changed since its positions were last valued. */
  markDirty: boolean;
  /** Stamp of the latest mark or contract change (see MarkRecency). */
  markStamp: number;
  /** Neighbours in the list of instruments by latest mark change (newest first). */
  newer: InstrumentState | null;
  older: InstrumentState | null;
}

interface PositionState {
  readonly row: PositionRow;
  readonly inst: InstrumentState;
  readonly acc: AccountState;
  /** Index in acc.positions (the earlier position wins a tie for the account's largest limit share). */
  readonly index: number;
  publishDirty: boolean;
  /** Quantities changed since the position was last valued (queued in acc.changedPositions). */
  quantityDirty: boolean;
}

/** Distinct terminals kept per client: a hostile or broken feed cannot grow one without bound. */
const MAX_TERMINALS_PER_CLIENT = 16;

function sameTerminal(a: TerminalInfo, b: TerminalInfo): boolean {
  for (const field of TERMINAL_FIELDS) if (a[field] !== b[field]) return false;
  return true;
}

interface AccountState {
  readonly row: AccountRow;
  readonly positions: PositionState[];
  /**
   * Positions by instrument id, built once the account holds more than POSITIONS_SCANNED_UP_TO (a short list is
   * scanned instead): most of a broker's 10^5 accounts hold a few positions or none, and a Map each is memory
   * the collector keeps copying.
   */
  positionByInstrument: Map<string, PositionState> | null;
  /** Working orders by order id; null until the account's first order (most accounts never send one). */
  orders: Map<string, MutableOrder> | null;
  publishDirty: boolean;
  /** Needs revaluing (a position, cash, commission or a mark changed). */
  valueDirty: boolean;
  /** Running Σ positionPnl and Σ margin of its positions (kept by deltas as positions are revalued). */
  pnlSum: number;
  marginSum: number;
  /** Deltas folded into the sums since they were last summed exactly (bounds floating-point drift). */
  deltas: number;
  /** Mark stamp the positions were last valued at: only instruments changed after it need revaluing. */
  valuedStamp: number;
  /** Positions whose quantities changed since the account was last valued. */
  changedPositions: PositionState[];
  /** Entries in use in changedPositions (the array is reused, never shrunk: no allocation per trade). */
  changedCount: number;
  /** The position with the largest limit share (the first one on a tie), null when every share is 0. */
  limitPosition: PositionState | null;
  /** A position limit changed or the largest share shrank: find the largest share again. */
  limitDirty: boolean;
}

/**
 * Accounts with at most this many positions are walked and summed from scratch on every valuation (cheaper than
 * finding what moved, and bit-identical to the plain sum); larger ones keep running sums.
 */
const SUM_FROM_SCRATCH_UP_TO = 16;
/** A running sum is recomputed exactly after this many deltas. */
const EXACT_SUM_EVERY = 64;
/** An account's positions are found by scanning its list up to this many; beyond, through a Map by instrument. */
const POSITIONS_SCANNED_UP_TO = 8;

type MutableOrder = { -readonly [K in keyof WorkingOrder]: WorkingOrder[K] };

/** Changed rows since the last call (copies), and the newest source ts folded into each topic. */
export interface EngineChanges {
  market: MarketRow[];
  positions: PositionRow[];
  accounts: AccountRow[];
  marketTs: number;
  positionsTs: number;
  accountsTs: number;
}

export interface EngineStateOptions {
  log?: LogFn;
}

const EMPTY_ORDERS: ReadonlyMap<string, WorkingOrder> = new Map();

/** Copies up to BOOK_DEPTH levels into the side `own`, made of the reused `pairs`. */
function copyLevels(own: BookLevel[], pairs: BookLevel[], levels: readonly BookLevel[]): void {
  const count = levels.length < BOOK_DEPTH ? levels.length : BOOK_DEPTH;
  if (own.length > count) own.length = count;
  for (let i = 0; i < count; i++) {
    const level = levels[i] as BookLevel;
    let pair = pairs[i];
    if (pair === undefined) pairs.push((pair = [0, 0]));
    pair[0] = level[0];
    pair[1] = level[1];
    if (i === own.length) own.push(pair);
  }
}

/** The account's position on the instrument, if it holds a row for it. */
function findPosition(acc: AccountState, instrumentId: string): PositionState | undefined {
  if (acc.positionByInstrument !== null) return acc.positionByInstrument.get(instrumentId);
  const positions = acc.positions;
  for (let i = 0; i < positions.length; i++) {
    const pos = positions[i] as PositionState;
    if (pos.row.instrumentId === instrumentId) return pos;
  }
  return undefined;
}

export class EngineState implements EngineView, AccountValueSource {
  private readonly log: LogFn;
  private readonly instrumentsById = new Map<string, InstrumentState>();
  private readonly instrumentsByExchange = new Map<string, InstrumentState[]>();
  private readonly exchangePhase = new Map<string, Phase>();
  private readonly accountsById = new Map<string, AccountState>();
  /** Only clients the feed said more of (most accounts of a floor have no entry: memory per account stays as is). */
  private readonly profiles = new Map<string, ClientProfile>();
  private readonly delivery = new Map<string, DeliveryTerms>();
  /**
   * The two accounts looked up last: a client's message is read by the state and then by several rules, each by
   * account id, and on a broker's floor each lookup in 10^5 accounts is a walk through memory that is not cached.
   */
  private recentId: string | null = null;
  private recent: AccountState | null = null;
  private previousId: string | null = null;
  private previous: AccountState | null = null;
  private readonly groups = new Map<string, string[]>();
  private readonly orders = new Map<string, MutableOrder>();

  private dirtyMarket: InstrumentState[] = [];
  private markChanged: InstrumentState[] = [];
  private dirtyPositions: PositionState[] = [];
  private dirtyAccountsToValue: AccountState[] = [];
  private dirtyAccountsToPublish: AccountState[] = [];
  /** Instruments by latest mark or contract change: what moved since an account was last valued. */
  private readonly marks = new MarkRecency<InstrumentState>();
  private readonly valueWatches: Set<AccountState>[] = [];
  /** Positions valued (a measure for tests: valuing is O(what changed)). */
  positionsValued = 0;
  private marketTs = 0;
  private positionsTs = 0;
  private accountsTs = 0;

  /** Messages applied (sequenced messages only). */
  applied = 0;
  lastSeq = 0;
  lastTs = 0;
  ended = false;
  /** Bumped by `reset`: a consumer holding rows must take a fresh snapshot. */
  generation = 0;
  readonly anomalies: Record<AnomalyKind, number> = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<
    AnomalyKind,
    number
  >;

  constructor(options: EngineStateOptions = {}) {
    this.log = options.log ?? silentLog;
  }

  /** Applies one frame's messages in order. Non-sequenced messages (hello, heartbeat, error) are ignored here. */
  applyBatch(messages: readonly ServerMessage[]): void {
    for (let i = 0; i < messages.length; i++) this.apply(messages[i] as ServerMessage);
  }

  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'quote':
        this.applyQuote(message);
        break;
      case 'order':
        this.applyOrder(message);
        break;
      case 'trade':
        this.applyTrade(message);
        break;
      case 'instrument':
        this.applyInstrument(message);
        break;
      case 'account':
        this.applyAccount(message);
        break;
      case 'terminal':
        this.applyTerminal(message);
        break;
      case 'position':
        this.applyPosition(message);
        break;
      case 'cash':
        this.applyCash(message);
        break;
      case 'phase':
        this.applyPhase(message);
        break;
      case 'end':
        this.ended = true;
        break;
      default:
        return; // hello, heartbeat, error: connection-level, nothing to apply
    }
    this.applied++;
    this.lastSeq = (message as SequencedMessage).seq;
    if (message.ts > this.lastTs) this.lastTs = message.ts;
  }

  // ---------------------------------------------------------------- messages

  private applyInstrument(m: InstrumentMessage): void {
    if (m.deliveryMonth !== undefined || m.lastTradingDay !== undefined || m.deliveryUnit !== undefined) {
      this.delivery.set(m.instrumentId, {
        deliveryMonth: m.deliveryMonth ?? null,
        lastTradingDay: m.lastTradingDay ?? null,
        deliveryUnit: m.deliveryUnit ?? null,
      });
    } else {
      this.delivery.delete(m.instrumentId);
    }
    let inst = this.instrumentsById.get(m.instrumentId);
    if (!inst) {
      const row: MarketRow = {
        instrumentId: m.instrumentId,
        exchange: m.exchange,
        product: m.product,
        multiplier: m.multiplier,
        priceTick: m.priceTick,
        marginRate: m.marginRate,
        preSettlement: m.preSettlement,
        upperLimit: m.upperLimit,
        lowerLimit: m.lowerLimit,
        positionLimit: m.positionLimit ?? null,
        maxOrderQty: m.maxOrderQty ?? null,
        phase: this.exchangePhase.get(m.exchange) ?? 'preopen',
        last: null,
        change: null,
        changePct: null,
        bid: null,
        bidQty: null,
        ask: null,
        askQty: null,
        volume: 0,
        openInterest: 0,
        quoteTs: 0,
        seq: m.seq,
      };
      inst = {
        row,
        book: { bids: [], asks: [], ts: 0, seq: 0 },
        bidPairs: [],
        askPairs: [],
        ownPhase: null,
        positions: [],
        publishDirty: false,
        markDirty: false,
        markStamp: 0,
        newer: null,
        older: null,
      };
      this.instrumentsById.set(m.instrumentId, inst);
      let list = this.instrumentsByExchange.get(m.exchange);
      if (!list) this.instrumentsByExchange.set(m.exchange, (list = []));
      list.push(inst);
    } else {
      // Static data re-sent (e.g. a corrected margin rate): update in place, keep the quote, revalue holders.
      const row = inst.row;
      if (row.exchange !== m.exchange) {
        const oldList = this.instrumentsByExchange.get(row.exchange);
        if (oldList) oldList.splice(oldList.indexOf(inst), 1);
        let list = this.instrumentsByExchange.get(m.exchange);
        if (!list) this.instrumentsByExchange.set(m.exchange, (list = []));
        list.push(inst);
        row.exchange = m.exchange;
        if (!inst.ownPhase) row.phase = this.exchangePhase.get(m.exchange) ?? row.phase;
      }
      row.product = m.product;
      row.multiplier = m.multiplier;
      row.priceTick = m.priceTick;
      row.marginRate = m.marginRate;
      row.preSettlement = m.preSettlement;
      row.upperLimit = m.upperLimit;
      row.lowerLimit = m.lowerLimit;
      row.positionLimit = m.positionLimit ?? null;
      row.maxOrderQty = m.maxOrderQty ?? null;
      if (row.last !== null) this.setChange(row, row.last);
      // A new position limit changes every holder's limit share.
      for (const pos of inst.positions) pos.acc.limitDirty = true;
      this.flagMark(inst, m.ts);
    }
    this.flagMarket(inst, m.ts);
  }

  private applyAccount(m: AccountMessage): void {
    // Re-sent static data replaces what the feed said of the client; terminals stay.
    if (
      m.clientType !== undefined ||
      m.programmatic !== undefined ||
      m.kyc !== undefined ||
      this.profiles.has(m.accountId)
    ) {
      const profile = this.profileOf(m.accountId);
      profile.clientType = m.clientType ?? null;
      profile.programmatic = m.programmatic
        ? { reported: m.programmatic.reported, reportedOn: m.programmatic.reportedOn ?? null }
        : null;
      profile.kyc = { ...m.kyc };
    }
    const acc = this.accountStateOf(m.accountId);
    const controlGroup = m.controlGroup ?? null;
    if (!acc) {
      const row: AccountRow = {
        accountId: m.accountId,
        name: m.name,
        controlGroup,
        preBalance: m.preBalance,
        cash: 0,
        closePnl: 0,
        positionPnl: 0,
        commission: 0,
        equity: m.preBalance,
        margin: 0,
        available: m.preBalance,
        riskDegree: 0,
        workingOrders: 0,
        tradesToday: 0,
        limitShare: 0,
        limitInstrument: null,
      };
      const state: AccountState = {
        row,
        positions: [],
        positionByInstrument: null,
        orders: null,
        publishDirty: false,
        valueDirty: false,
        pnlSum: 0,
        marginSum: 0,
        deltas: 0,
        valuedStamp: 0,
        changedPositions: [],
        changedCount: 0,
        limitPosition: null,
        limitDirty: false,
      };
      this.accountsById.set(m.accountId, state);
      for (const watch of this.valueWatches) watch.add(state);
      if (controlGroup !== null) this.joinGroup(controlGroup, m.accountId);
      this.flagValue(state, m.ts);
      return;
    }
    const row = acc.row;
    if (row.controlGroup !== controlGroup) {
      if (row.controlGroup !== null) this.leaveGroup(row.controlGroup, m.accountId);
      if (controlGroup !== null) this.joinGroup(controlGroup, m.accountId);
      row.controlGroup = controlGroup;
    }
    row.name = m.name;
    row.preBalance = m.preBalance;
    this.flagValue(acc, m.ts);
  }

  /** Terminals of a client, by what identifies them (a login from the same machine and app is not a new one). */
  private applyTerminal(m: TerminalMessage): void {
    if (!this.accountStateOf(m.accountId)) {
      return this.anomaly('unknown_account', m.seq, `terminal for unknown account ${m.accountId}`);
    }
    const info: Partial<Record<(typeof TERMINAL_FIELDS)[number], string>> = {};
    for (const field of TERMINAL_FIELDS) {
      const value = m[field];
      if (value !== undefined) info[field] = value;
    }
    const profile = this.profileOf(m.accountId);
    const terminals = profile.terminals as TerminalInfo[];
    const known = terminals.findIndex((t) => sameTerminal(t, info));
    if (known >= 0) terminals.splice(known, 1);
    else if (terminals.length >= MAX_TERMINALS_PER_CLIENT) terminals.shift();
    terminals.push(info);
  }

  private profileOf(accountId: string): ClientProfile {
    let profile = this.profiles.get(accountId);
    if (!profile) {
      profile = { clientType: null, programmatic: null, kyc: {}, terminals: [] };
      this.profiles.set(accountId, profile);
    }
    return profile;
  }

  private applyCash(m: CashMessage): void {
    const acc = this.accountStateOf(m.accountId);
    if (!acc) return this.anomaly('unknown_account', m.seq, `cash for unknown account ${m.accountId}`);
    acc.row.cash += m.amount;
    this.flagValue(acc, m.ts);
  }

  private applyPosition(m: PositionMessage): void {
    const acc = this.accountStateOf(m.accountId);
    if (!acc) return this.anomaly('unknown_account', m.seq, `position for unknown account ${m.accountId}`);
    const inst = this.instrumentsById.get(m.instrumentId);
    if (!inst) return this.anomaly('unknown_instrument', m.seq, `position on unknown instrument ${m.instrumentId}`);
    const pos = this.positionFor(acc, inst);
    const row = pos.row;
    row.longQty = m.longQty;
    row.longAvgPrice = m.longQty > 0 ? m.longAvgPrice : 0;
    row.shortQty = m.shortQty;
    row.shortAvgPrice = m.shortQty > 0 ? m.shortAvgPrice : 0;
    this.flagPosition(pos, m.ts);
  }

  private applyPhase(m: PhaseMessage): void {
    if (m.instrumentId !== undefined) {
      const inst = this.instrumentsById.get(m.instrumentId);
      if (!inst) return this.anomaly('unknown_instrument', m.seq, `phase for unknown instrument ${m.instrumentId}`);
      inst.ownPhase = m.phase;
      if (inst.row.phase !== m.phase) {
        inst.row.phase = m.phase;
        this.flagMarket(inst, m.ts);
      }
      return;
    }
    // A whole-exchange phase also ends any instrument-specific phase (a new session stage for everyone).
    this.exchangePhase.set(m.exchange, m.phase);
    for (const inst of this.instrumentsByExchange.get(m.exchange) ?? []) {
      inst.ownPhase = null;
      if (inst.row.phase !== m.phase) {
        inst.row.phase = m.phase;
        this.flagMarket(inst, m.ts);
      }
    }
  }

  private applyQuote(m: QuoteMessage): void {
    const inst = this.instrumentsById.get(m.instrumentId);
    if (!inst) return this.anomaly('unknown_instrument', m.seq, `quote for unknown instrument ${m.instrumentId}`);
    const row = inst.row;
    const last = m.last;
    if (row.last !== last) {
      this.setChange(row, last);
      row.last = last;
      // Positions are revalued lazily; only note that this instrument's mark moved.
      if (inst.positions.length > 0) this.flagMark(inst, m.ts);
    }
    const bids = m.bids;
    const asks = m.asks;
    const bestBid = bids[0];
    const bestAsk = asks[0];
    row.bid = bestBid ? bestBid[0] : null;
    row.bidQty = bestBid ? bestBid[1] : null;
    row.ask = bestAsk ? bestAsk[0] : null;
    row.askQty = bestAsk ? bestAsk[1] : null;
    row.volume = m.volume;
    row.openInterest = m.openInterest;
    row.quoteTs = m.ts;
    row.seq = m.seq;
    const book = inst.book;
    copyLevels(book.bids, inst.bidPairs, bids);
    copyLevels(book.asks, inst.askPairs, asks);
    book.ts = m.ts;
    book.seq = m.seq;
    this.flagMarket(inst, m.ts);
  }

  private applyOrder(m: OrderMessage): void {
    if (m.event === 'new') {
      const acc = this.accountStateOf(m.accountId);
      if (!acc) return this.anomaly('unknown_account', m.seq, `order ${m.orderId} for unknown account ${m.accountId}`);
      if (!this.instrumentsById.has(m.instrumentId)) {
        return this.anomaly('unknown_instrument', m.seq, `order ${m.orderId} on unknown instrument ${m.instrumentId}`);
      }
      const previous = this.orders.get(m.orderId);
      if (previous) {
        this.anomaly('duplicate_order_id', m.seq, `order ${m.orderId} is already working; the new one replaces it`);
        this.removeOrder(previous, m.ts);
      }
      const order: MutableOrder = {
        orderId: m.orderId,
        accountId: m.accountId,
        instrumentId: m.instrumentId,
        side: m.side,
        offset: m.offset,
        price: m.price,
        qty: m.qty,
        remaining: m.qty,
        ts: m.ts,
        seq: m.seq,
      };
      this.orders.set(m.orderId, order);
      (acc.orders ??= new Map()).set(m.orderId, order);
      acc.row.workingOrders++;
      this.flagAccountRow(acc, m.ts);
      return;
    }
    // cancel or reject: the order stops working (a cancel takes whatever is left).
    const order = this.orders.get(m.orderId);
    if (!order) return this.anomaly('unknown_order', m.seq, `${m.event} of unknown order ${m.orderId}`);
    this.removeOrder(order, m.ts);
  }

  private applyTrade(m: TradeMessage): void {
    const inst = this.instrumentsById.get(m.instrumentId);
    if (!inst)
      return this.anomaly('unknown_instrument', m.seq, `trade ${m.tradeId} on unknown instrument ${m.instrumentId}`);
    if (m.buyAccountId !== null) this.applyFill(m, inst, 'buy', m.buyAccountId, m.buyOrderId);
    if (m.sellAccountId !== null) this.applyFill(m, inst, 'sell', m.sellAccountId, m.sellOrderId);
  }

  /** One side of a trade: fills the order and opens or closes the account's position. */
  private applyFill(
    m: TradeMessage,
    inst: InstrumentState,
    side: 'buy' | 'sell',
    accountId: string,
    orderId: string | null,
  ): void {
    const acc = this.accountStateOf(accountId);
    if (!acc)
      return this.anomaly('unknown_account', m.seq, `trade ${m.tradeId} ${side} side: unknown account ${accountId}`);
    const qty = m.qty;
    let offset: 'open' | 'close' = 'open';
    const order = orderId === null ? undefined : this.orders.get(orderId);
    if (order) {
      if (order.accountId !== accountId || order.instrumentId !== m.instrumentId || order.side !== side) {
        this.anomaly(
          'trade_order_mismatch',
          m.seq,
          `trade ${m.tradeId} ${side} ${accountId} ${m.instrumentId} does not match order ${order.orderId} (${order.side} ${order.accountId} ${order.instrumentId})`,
        );
      }
      offset = order.offset;
      order.remaining -= qty;
      if (order.remaining <= 0) this.removeOrder(order, m.ts);
    } else {
      // Without the order its offset is unknown; treating the fill as an open never invents a realised P&L.
      this.anomaly(
        'trade_without_order',
        m.seq,
        `trade ${m.tradeId} ${side} side: order ${orderId} not working; taken as open`,
      );
    }
    const pos = this.positionFor(acc, inst);
    const row = pos.row;
    const contract = inst.row;
    if (offset === 'open') {
      if (side === 'buy') {
        row.longAvgPrice = averageAfterOpen(row.longQty, row.longAvgPrice, qty, m.price);
        row.longQty += qty;
      } else {
        row.shortAvgPrice = averageAfterOpen(row.shortQty, row.shortAvgPrice, qty, m.price);
        row.shortQty += qty;
      }
    } else {
      // A buy closes the short leg, a sell closes the long leg.
      const held = side === 'buy' ? row.shortQty : row.longQty;
      let closing = qty;
      if (qty > held) {
        closing = held;
        this.anomaly(
          'close_exceeds_position',
          m.seq,
          `trade ${m.tradeId}: ${accountId} closes ${qty} ${side === 'buy' ? 'short' : 'long'} ${m.instrumentId} but holds ${held}; clamped`,
        );
      }
      if (closing > 0) {
        const leg = side === 'buy' ? 'short' : 'long';
        const avg = leg === 'short' ? row.shortAvgPrice : row.longAvgPrice;
        const profit = closeProfit(contract, leg, avg, m.price, closing);
        row.closePnl += profit;
        acc.row.closePnl += profit;
        if (leg === 'short') {
          row.shortQty -= closing;
          if (row.shortQty === 0) row.shortAvgPrice = 0;
        } else {
          row.longQty -= closing;
          if (row.longQty === 0) row.longAvgPrice = 0;
        }
      }
    }
    if (m.commission !== undefined) acc.row.commission += m.commission;
    acc.row.tradesToday++;
    this.flagPosition(pos, m.ts);
  }

  // ---------------------------------------------------------------- helpers

  private setChange(row: MarketRow, last: number): void {
    const change = last - row.preSettlement;
    row.change = change;
    row.changePct = row.preSettlement !== 0 ? (change / row.preSettlement) * 100 : null;
  }

  private removeOrder(order: MutableOrder, ts: number): void {
    this.orders.delete(order.orderId);
    const acc = this.accountStateOf(order.accountId);
    if (acc && acc.orders !== null && acc.orders.delete(order.orderId)) {
      acc.row.workingOrders--;
      this.flagAccountRow(acc, ts);
    }
  }

  private positionFor(acc: AccountState, inst: InstrumentState): PositionState {
    let pos = findPosition(acc, inst.row.instrumentId);
    if (pos) return pos;
    const mark = inst.row.last ?? inst.row.preSettlement;
    const row: PositionRow = {
      key: `${acc.row.accountId}|${inst.row.instrumentId}`,
      accountId: acc.row.accountId,
      instrumentId: inst.row.instrumentId,
      exchange: inst.row.exchange,
      longQty: 0,
      longAvgPrice: 0,
      shortQty: 0,
      shortAvgPrice: 0,
      mark,
      positionPnl: 0,
      closePnl: 0,
      margin: 0,
    };
    pos = { row, inst, acc, index: acc.positions.length, publishDirty: false, quantityDirty: false };
    acc.positions.push(pos);
    if (acc.positionByInstrument !== null) acc.positionByInstrument.set(inst.row.instrumentId, pos);
    else if (acc.positions.length > POSITIONS_SCANNED_UP_TO) {
      const byInstrument = new Map<string, PositionState>();
      for (const held of acc.positions) byInstrument.set(held.row.instrumentId, held);
      acc.positionByInstrument = byInstrument;
    }
    inst.positions.push(pos);
    return pos;
  }

  private flagMarket(inst: InstrumentState, ts: number): void {
    if (!inst.publishDirty) {
      inst.publishDirty = true;
      this.dirtyMarket.push(inst);
    }
    if (ts > this.marketTs) this.marketTs = ts;
  }

  private flagMark(inst: InstrumentState, ts: number): void {
    if (!inst.markDirty) {
      inst.markDirty = true;
      this.markChanged.push(inst);
    }
    this.marks.touch(inst);
    if (ts > this.positionsTs) this.positionsTs = ts;
    if (ts > this.accountsTs) this.accountsTs = ts;
  }

  /** A position's quantities changed: publish it and revalue its account. */
  private flagPosition(pos: PositionState, ts: number): void {
    if (!pos.publishDirty) {
      pos.publishDirty = true;
      this.dirtyPositions.push(pos);
    }
    if (!pos.quantityDirty) {
      pos.quantityDirty = true;
      pos.acc.changedPositions[pos.acc.changedCount++] = pos;
    }
    if (ts > this.positionsTs) this.positionsTs = ts;
    this.flagValue(pos.acc, ts);
  }

  /** The account's money changed: revalue and publish it. */
  private flagValue(acc: AccountState, ts: number): void {
    if (!acc.valueDirty) {
      acc.valueDirty = true;
      this.dirtyAccountsToValue.push(acc);
    }
    this.flagAccountRow(acc, ts);
  }

  /** A non-money field of the account row changed (working orders): publish it. */
  private flagAccountRow(acc: AccountState, ts: number): void {
    if (!acc.publishDirty) {
      acc.publishDirty = true;
      this.dirtyAccountsToPublish.push(acc);
    }
    if (ts > this.accountsTs) this.accountsTs = ts;
  }

  private joinGroup(group: string, accountId: string): void {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = []));
    if (!members.includes(accountId)) members.push(accountId);
  }

  private leaveGroup(group: string, accountId: string): void {
    const members = this.groups.get(group);
    if (!members) return;
    const at = members.indexOf(accountId);
    if (at >= 0) members.splice(at, 1);
    if (members.length === 0) this.groups.delete(group);
  }

  private anomaly(kind: AnomalyKind, seq: number, detail: string): void {
    const count = ++this.anomalies[kind];
    if (shouldLogOccurrence(count)) this.log('warn', `engine: ${kind}: ${detail}`, { kind, seq, count });
  }

  /** An account by id, through the two last looked up (accounts are only ever added, or all forgotten by reset). */
  private accountStateOf(accountId: string): AccountState | undefined {
    if (accountId === this.recentId) return this.recent as AccountState;
    if (accountId === this.previousId) {
      const found = this.previous as AccountState;
      this.previousId = this.recentId;
      this.previous = this.recent;
      this.recentId = accountId;
      this.recent = found;
      return found;
    }
    const acc = this.accountsById.get(accountId);
    if (acc) {
      this.previousId = this.recentId;
      this.previous = this.recent;
      this.recentId = accountId;
      this.recent = acc;
    }
    return acc;
  }

  // ---------------------------------------------------------------- valuation

  /**
   * Values one position at its instrument's current mark and folds the change into its account's running sums;
   * flags the position for publication when a figure moved.
   */
  private valuePosition(acc: AccountState, pos: PositionState): void {
    this.positionsValued++;
    const row = pos.row;
    const contract = pos.inst.row;
    const mark = contract.last ?? contract.preSettlement;
    const pnl = positionPnl(contract, mark, row.longQty, row.longAvgPrice, row.shortQty, row.shortAvgPrice);
    const margin = positionMargin(contract, mark, row.longQty, row.shortQty);
    if (row.mark !== mark || row.positionPnl !== pnl || row.margin !== margin) {
      if (row.positionPnl !== pnl || row.margin !== margin) {
        acc.pnlSum += pnl - row.positionPnl;
        acc.marginSum += margin - row.margin;
        acc.deltas++;
      }
      row.mark = mark;
      row.positionPnl = pnl;
      row.margin = margin;
      if (!pos.publishDirty) {
        pos.publishDirty = true;
        this.dirtyPositions.push(pos);
      }
    }
  }

  /**
   * Revalues the account's positions whose instrument changed since it was last valued (found through the
   * newest-first list of changed instruments, or by walking its positions when that is shorter) and those whose
   * quantities changed; their deltas keep the account's sums current in O(what changed).
   */
  private valuePositionsOf(acc: AccountState): void {
    const positions = acc.positions;
    const since = acc.valuedStamp;
    if (since !== this.marks.stamp) {
      if (positions.length > SUM_FROM_SCRATCH_UP_TO && this.marks.movedWithin(since, positions.length)) {
        // No more instruments changed than the account holds: revalue its positions on those only.
        for (let at = this.marks.newest; at !== null && at.markStamp > since; at = at.older) {
          const pos = findPosition(acc, at.row.instrumentId);
          if (pos) this.valuePosition(acc, pos);
        }
      } else {
        for (let i = 0; i < positions.length; i++) this.valuePosition(acc, positions[i] as PositionState);
      }
      acc.valuedStamp = this.marks.stamp;
    }
    const changed = acc.changedPositions;
    const count = acc.changedCount;
    if (count > 0) {
      for (let i = 0; i < count; i++) {
        const pos = changed[i] as PositionState;
        pos.quantityDirty = false;
        this.valuePosition(acc, pos);
        this.noteLimitShare(acc, pos);
      }
      acc.changedCount = 0;
    }
    if (acc.limitDirty) this.findLimitShare(acc);
    if (positions.length <= SUM_FROM_SCRATCH_UP_TO || acc.deltas >= EXACT_SUM_EVERY) {
      // Exact sums in position order (as a from-scratch valuation would add them): no drift survives.
      let pnl = 0;
      let margin = 0;
      for (let i = 0; i < positions.length; i++) {
        const row = (positions[i] as PositionState).row;
        pnl += row.positionPnl;
        margin += row.margin;
      }
      acc.pnlSum = pnl;
      acc.marginSum = margin;
      acc.deltas = 0;
    }
  }

  /** Share of its position limit the position's larger leg uses (0 without a limit). */
  private limitShareOf(pos: PositionState): number {
    const limit = pos.inst.row.positionLimit;
    if (limit === null || !(limit > 0)) return 0;
    return Math.max(pos.row.longQty, pos.row.shortQty) / limit;
  }

  /** A position's quantities changed: keep the account's largest limit share (first position on a tie). */
  private noteLimitShare(acc: AccountState, pos: PositionState): void {
    if (acc.limitDirty) return;
    const share = this.limitShareOf(pos);
    const top = acc.limitPosition;
    if (top === pos) {
      if (share < acc.row.limitShare) acc.limitDirty = true;
      return;
    }
    const topShare = top === null ? 0 : this.limitShareOf(top);
    if (share > topShare || (top !== null && share === topShare && pos.index < top.index)) acc.limitPosition = pos;
  }

  private findLimitShare(acc: AccountState): void {
    let best: PositionState | null = null;
    let bestShare = 0;
    const positions = acc.positions;
    for (let i = 0; i < positions.length; i++) {
      const pos = positions[i] as PositionState;
      const share = this.limitShareOf(pos);
      if (share > bestShare) {
        bestShare = share;
        best = pos;
      }
    }
    acc.limitPosition = best;
    acc.limitDirty = false;
  }

  /** Brings the account's positions to current marks and derives equity, available and risk degree (shared/domain/risk). */
  private valueAccountState(acc: AccountState): void {
    this.valuePositionsOf(acc);
    const pnl = acc.pnlSum;
    const margin = acc.marginSum;
    const top = acc.limitPosition;
    const limitShare = top === null ? 0 : this.limitShareOf(top);
    const limitInstrument = top === null || limitShare === 0 ? null : top.inst.row.instrumentId;
    const row = acc.row;
    const equity = equityOf({
      preBalance: row.preBalance,
      cash: row.cash,
      closePnl: row.closePnl,
      positionPnl: pnl,
      commission: row.commission,
    });
    const degree = riskDegree(margin, equity);
    if (
      row.positionPnl !== pnl ||
      row.margin !== margin ||
      row.equity !== equity ||
      row.riskDegree !== degree ||
      row.limitShare !== limitShare ||
      row.limitInstrument !== limitInstrument
    ) {
      row.limitShare = limitShare;
      row.limitInstrument = limitInstrument;
      row.positionPnl = pnl;
      row.margin = margin;
      row.equity = equity;
      row.available = equity - margin;
      row.riskDegree = degree;
      if (!acc.publishDirty) {
        acc.publishDirty = true;
        this.dirtyAccountsToPublish.push(acc);
      }
      const watches = this.valueWatches;
      for (let i = 0; i < watches.length; i++) (watches[i] as Set<AccountState>).add(acc);
    }
    acc.valueDirty = false;
  }

  watchAccountValues(): AccountValueWatch {
    const changed = new Set<AccountState>(this.accountsById.values());
    this.valueWatches.push(changed);
    return {
      take: (includeMarks = true) => {
        this.revalue(includeMarks);
        const rows: AccountRow[] = [];
        for (const acc of changed) rows.push(acc.row);
        changed.clear();
        return rows;
      },
    };
  }

  /**
   * Brings every flagged position and account up to current marks (O(what changed)). `includeMarks` false leaves
   * the accounts whose only change is a moved mark for a later call (a publisher conflating a broker's revaluation).
   */
  revalue(includeMarks = true): void {
    const moved = this.markChanged;
    if (includeMarks && moved.length > 0) {
      this.markChanged = [];
      for (const inst of moved) {
        inst.markDirty = false;
        for (const pos of inst.positions) {
          if (!pos.acc.valueDirty) {
            pos.acc.valueDirty = true;
            this.dirtyAccountsToValue.push(pos.acc);
          }
        }
      }
    }
    const accounts = this.dirtyAccountsToValue;
    if (accounts.length > 0) {
      this.dirtyAccountsToValue = [];
      for (const acc of accounts) this.valueAccountState(acc);
    }
  }

  /** Revalues what changed, then hands out copies of every changed row and clears the dirty marks. */
  takeChanges(): EngineChanges {
    const live = this.takeLiveChanges();
    return {
      ...live,
      market: live.market.map((row) => ({ ...row })),
      positions: live.positions.map((row) => ({ ...row })),
      accounts: live.accounts.map((row) => ({ ...row })),
    };
  }

  /**
   * Like `takeChanges`, but the rows are the engine's own (mutated in place by later messages): for a consumer that
   * reads them at once, in this thread (the view tables), and copies only what it sends on.
   */
  takeLiveChanges(includeMarks = true): EngineChanges {
    this.revalue(includeMarks);
    const market: MarketRow[] = [];
    for (const inst of this.dirtyMarket) {
      inst.publishDirty = false;
      market.push(inst.row);
    }
    const positions: PositionRow[] = [];
    for (const pos of this.dirtyPositions) {
      pos.publishDirty = false;
      positions.push(pos.row);
    }
    const accounts: AccountRow[] = [];
    for (const acc of this.dirtyAccountsToPublish) {
      acc.publishDirty = false;
      accounts.push(acc.row);
    }
    const changes: EngineChanges = {
      market,
      positions,
      accounts,
      marketTs: this.marketTs,
      positionsTs: this.positionsTs,
      accountsTs: this.accountsTs,
    };
    this.dirtyMarket = [];
    this.dirtyPositions = [];
    this.dirtyAccountsToPublish = [];
    return changes;
  }

  /** Copies of one topic's rows at current marks (a snapshot of just that topic). */
  rowsOf(topic: 'market' | 'positions' | 'accounts'): MarketRow[] | PositionRow[] | AccountRow[] {
    this.revalue();
    if (topic === 'market') return [...this.instrumentsById.values()].map((inst) => ({ ...inst.row }));
    if (topic === 'accounts') return [...this.accountsById.values()].map((acc) => ({ ...acc.row }));
    return [...this.livePositions()].map((row) => ({ ...row }));
  }

  /** Every position row, live (the engine's own objects; see `takeLiveChanges`). */
  *livePositions(): Iterable<PositionRow> {
    for (const acc of this.accountsById.values()) for (const pos of acc.positions) yield pos.row;
  }

  /** Copies of every row at current marks (for a snapshot). Does not clear the dirty marks. */
  allRows(): { market: MarketRow[]; positions: PositionRow[]; accounts: AccountRow[] } {
    this.revalue();
    const market: MarketRow[] = [];
    for (const inst of this.instrumentsById.values()) market.push({ ...inst.row });
    const positions: PositionRow[] = [];
    const accounts: AccountRow[] = [];
    for (const acc of this.accountsById.values()) {
      accounts.push({ ...acc.row });
      for (const pos of acc.positions) positions.push({ ...pos.row });
    }
    return { market, positions, accounts };
  }

  /** Newest source ts per topic so far (a snapshot's sourceTs). */
  get sourceTs(): { market: number; positions: number; accounts: number } {
    return { market: this.marketTs, positions: this.positionsTs, accounts: this.accountsTs };
  }

  /** Forgets everything (a new session began). Bumps `generation` so consumers re-snapshot. */
  reset(): void {
    this.instrumentsById.clear();
    this.profiles.clear();
    this.delivery.clear();
    this.instrumentsByExchange.clear();
    this.exchangePhase.clear();
    this.accountsById.clear();
    this.recentId = this.previousId = null;
    this.recent = this.previous = null;
    this.groups.clear();
    this.orders.clear();
    this.dirtyMarket = [];
    this.markChanged = [];
    this.dirtyPositions = [];
    this.dirtyAccountsToValue = [];
    this.dirtyAccountsToPublish = [];
    this.marks.clear();
    for (const watch of this.valueWatches) watch.clear();
    this.marketTs = this.positionsTs = this.accountsTs = 0;
    this.applied = this.lastSeq = this.lastTs = 0;
    this.ended = false;
    for (const kind of ANOMALY_KINDS) this.anomalies[kind] = 0;
    this.generation++;
  }

  get counts(): { instruments: number; accounts: number; positions: number; workingOrders: number } {
    let positions = 0;
    for (const acc of this.accountsById.values()) positions += acc.positions.length;
    return {
      instruments: this.instrumentsById.size,
      accounts: this.accountsById.size,
      positions,
      workingOrders: this.orders.size,
    };
  }

  // ---------------------------------------------------------------- EngineView

  instrument(instrumentId: string): Readonly<MarketRow> | undefined {
    return this.instrumentsById.get(instrumentId)?.row;
  }

  *instruments(): Iterable<Readonly<MarketRow>> {
    for (const inst of this.instrumentsById.values()) yield inst.row;
  }

  book(instrumentId: string): BookView | undefined {
    return this.instrumentsById.get(instrumentId)?.book;
  }

  mark(instrumentId: string): number | undefined {
    const row = this.instrumentsById.get(instrumentId)?.row;
    return row ? (row.last ?? row.preSettlement) : undefined;
  }

  phase(instrumentId: string): Phase | undefined {
    return this.instrumentsById.get(instrumentId)?.row.phase;
  }

  account(accountId: string): Readonly<AccountRow> | undefined {
    return this.accountStateOf(accountId)?.row;
  }

  *accounts(): Iterable<Readonly<AccountRow>> {
    for (const acc of this.accountsById.values()) yield acc.row;
  }

  valueAccount(accountId: string): Readonly<AccountRow> | undefined {
    const acc = this.accountStateOf(accountId);
    if (!acc) return undefined;
    // Marks may have moved without flagging the account yet (lazy): value it at current marks regardless.
    this.valueAccountState(acc);
    return acc.row;
  }

  accountRiskDegree(accountId: string): number | undefined {
    return this.valueAccount(accountId)?.riskDegree;
  }

  accountsInGroup(controlGroup: string): readonly string[] {
    return this.groups.get(controlGroup) ?? [];
  }

  clientProfile(accountId: string): Readonly<ClientProfile> | undefined {
    return this.profiles.get(accountId);
  }

  deliveryTerms(instrumentId: string): Readonly<DeliveryTerms> | undefined {
    return this.delivery.get(instrumentId);
  }

  position(accountId: string, instrumentId: string): Readonly<PositionRow> | undefined {
    const acc = this.accountStateOf(accountId);
    return acc ? findPosition(acc, instrumentId)?.row : undefined;
  }

  *positionsOf(accountId: string): Iterable<Readonly<PositionRow>> {
    const acc = this.accountStateOf(accountId);
    if (!acc) return;
    for (const pos of acc.positions) yield pos.row;
  }

  order(orderId: string): WorkingOrder | undefined {
    return this.orders.get(orderId);
  }

  workingOrders(accountId: string): ReadonlyMap<string, WorkingOrder> {
    return this.accountStateOf(accountId)?.orders ?? EMPTY_ORDERS;
  }
}
