// The surveillance rule engine: feed it every message right after the engine state has applied it
// (`state.apply(m); rules.apply(m)`), in seq order. It interns instruments, accounts, clients and working orders,
// keeps the trading day, and hands each message to the detectors that handle its type (registry.ts, one per rule).
// Each detector is incremental: a message costs a few Map lookups and field updates (O(1) amortised), nothing scans
// history. Alerts are one per rule × client × contract × trading day, raised when the rule's threshold is reached
// ("reach" includes the threshold) and updated as counts grow. Message types and fields: docs/protocol.md.
//
// Clients: an account, or — when the feed gives it a `controlGroup` — its actual-control group (实际控制关系账户组),
// which counts as one client everywhere except margin_call (money is per account).
import type {
  AccountMessage,
  InstrumentMessage,
  OrderCancelMessage,
  OrderNewMessage,
  ServerMessage,
  TradeMessage,
} from '../../shared/protocol';
import type { RulesConfig } from '../../shared/rules/config';
import type { Alert, AlertEvent, RuleId, SubjectType } from '../../shared/rules/types';
import type { EngineView } from '../engine/view';
import { AlertBook, AlertRecord, type AlertRenderer } from './alertBook';
import type { Detector, DetectorContext } from './detector';
import {
  BUY,
  emptySlots,
  SELL,
  type AccountRec,
  type InstrumentRec,
  type OrderRec,
  type PairRec,
  type SubjectRec,
} from './records';
import { DETECTORS } from './registry';

export interface RuleEngineOptions {
  /** The effective rules (see loadRulesConfig). */
  config: RulesConfig;
  /** The engine state, read-only; it must have applied each message before the rules see it. */
  view: EngineView;
  /** Trading day (YYYYMMDD) when the input has no `hello`; else it is derived from the first message's time. */
  tradingDay?: string;
}

export interface RuleEngineStats {
  /** Messages seen. */
  messages: number;
  /** Cancels and fills of orders the rules never saw entered (not attributable to a client). */
  unknownOrders: number;
  /** Trading days seen. */
  tradingDays: number;
}

/** The detectors that define one handler, in registry order (each message type loops over its own list only). */
function having<K extends keyof Detector>(detectors: readonly Detector[], handler: K): Required<Pick<Detector, K>>[] {
  return detectors.filter((d) => typeof d[handler] === 'function') as unknown as Required<Pick<Detector, K>>[];
}

export class RuleEngine implements DetectorContext {
  readonly config: RulesConfig;
  readonly view: EngineView;
  readonly alertBook = new AlertBook();
  readonly instruments = new Map<string, InstrumentRec>();
  readonly accounts = new Map<string, AccountRec>();
  private readonly accountSubjects = new Map<string, SubjectRec>();
  private readonly groupSubjects = new Map<string, SubjectRec>();
  private orders = new Map<string, OrderRec>();
  private readonly detectors: readonly Detector[];
  private orderNoteCount = 0;
  /** Every order's notes start as a copy of this (all zero). */
  private blankNotes: number[] = [];
  private readonly onInstrumentDetectors;
  private readonly onAccountDetectors;
  private readonly onTerminalDetectors;
  private readonly onOrderNewDetectors;
  private readonly onCancelDetectors;
  private readonly onTradeDetectors;
  private readonly onClientTradeDetectors;
  private readonly onQuoteDetectors;
  private readonly onPositionDetectors;
  private readonly onCashDetectors;
  private readonly onPhaseDetectors;
  private readonly onEndDetectors;
  private readonly resetDayDetectors;
  private readonly defaultDay: string | undefined;
  private tradingDay: string | null = null;
  private sawSequenced = false;
  readonly stats: RuleEngineStats = { messages: 0, unknownOrders: 0, tradingDays: 0 };

  constructor(options: RuleEngineOptions) {
    this.config = options.config;
    this.view = options.view;
    this.defaultDay = options.tradingDay;
    // Slots follow the registry; the catalogue and the registry list the same rules (tests/unit/ruleRegistry).
    const detectors = Object.entries(DETECTORS).map(([, make], slot) => make(this, slot));
    this.detectors = detectors;
    this.onInstrumentDetectors = having(detectors, 'onInstrument');
    this.onAccountDetectors = having(detectors, 'onAccount');
    this.onTerminalDetectors = having(detectors, 'onTerminal');
    this.onOrderNewDetectors = having(detectors, 'onOrderNew');
    this.onCancelDetectors = having(detectors, 'onCancel');
    this.onTradeDetectors = having(detectors, 'onTrade');
    this.onClientTradeDetectors = having(detectors, 'onClientTrade');
    this.onQuoteDetectors = having(detectors, 'onQuote');
    this.onPositionDetectors = having(detectors, 'onPosition');
    this.onCashDetectors = having(detectors, 'onCash');
    this.onPhaseDetectors = having(detectors, 'onPhase');
    this.onEndDetectors = having(detectors, 'onEnd');
    this.resetDayDetectors = having(detectors, 'resetDay');
  }

  /** Applies one message (after the engine state applied it). Never throws on odd input: unknown ids are counted. */
  apply(m: ServerMessage): void {
    this.stats.messages++;
    switch (m.type) {
      case 'quote': {
        this.beginDay(m.ts);
        const inst = this.instruments.get(m.instrumentId);
        if (!inst) return;
        const list = this.onQuoteDetectors;
        for (let i = 0; i < list.length; i++) list[i]!.onQuote(inst, m);
        break;
      }
      case 'order':
        this.beginDay(m.ts);
        if (m.event === 'new') this.onOrderNew(m);
        else if (m.event === 'cancel') this.onCancel(m);
        else this.orders.delete(m.orderId);
        break;
      case 'trade':
        this.beginDay(m.ts);
        this.onTrade(m);
        break;
      case 'instrument':
        this.beginDay(m.ts);
        this.onInstrument(m);
        break;
      case 'account':
        this.beginDay(m.ts);
        this.onAccount(m);
        break;
      case 'terminal': {
        this.beginDay(m.ts);
        const acc = this.accounts.get(m.accountId);
        if (!acc) return; // the engine state counted it
        const list = this.onTerminalDetectors;
        for (let i = 0; i < list.length; i++) list[i]!.onTerminal(acc, m);
        break;
      }
      case 'position': {
        this.beginDay(m.ts);
        const acc = this.accountOf(m.accountId);
        const inst = this.instrumentOf(m.instrumentId);
        const list = this.onPositionDetectors;
        for (let i = 0; i < list.length; i++) list[i]!.onPosition(acc, inst, m);
        break;
      }
      case 'cash': {
        this.beginDay(m.ts);
        const acc = this.accounts.get(m.accountId);
        if (!acc) return;
        const list = this.onCashDetectors;
        for (let i = 0; i < list.length; i++) list[i]!.onCash(acc, m);
        break;
      }
      case 'phase': {
        this.beginDay(m.ts);
        const list = this.onPhaseDetectors;
        for (let i = 0; i < list.length; i++) list[i]!.onPhase(m);
        break;
      }
      case 'hello':
        this.onHello(m.tradingDay);
        return;
      case 'end': {
        this.beginDay(m.ts);
        const list = this.onEndDetectors;
        for (let i = 0; i < list.length; i++) list[i]!.onEnd(m.ts);
        break;
      }
      default:
        return; // heartbeat, error
    }
  }

  /** Alert created/updated events since the last call: one per changed alert, in its current state. */
  takeEvents(): AlertEvent[] {
    return this.alertBook.takeEvents();
  }

  /** Every alert so far in its current state, sorted by firstSeq then id. */
  alerts(): Alert[] {
    return this.alertBook.alerts();
  }

  get alertCount(): number {
    return this.alertBook.size;
  }

  /** Orders the rules still follow (entered, not yet cancelled, rejected or filled): what memory grows with. */
  get workingOrderCount(): number {
    return this.orders.size;
  }

  get currentTradingDay(): string | null {
    return this.tradingDay;
  }

  /** The rules that have a detector, in the order they see each message. */
  get detectorRules(): RuleId[] {
    return this.detectors.map((d) => d.rule);
  }

  // ------------------------------------------------------------------ what detectors use (DetectorContext)

  pairOf(subject: SubjectRec, inst: InstrumentRec): PairRec {
    const pairs = (subject.pairs ??= new Map());
    let pair = pairs.get(inst);
    if (!pair) {
      pair = { subject, inst, states: emptySlots(this.detectors.length) };
      pairs.set(inst, pair);
    }
    return pair;
  }

  pairRecord(pair: PairRec, rule: RuleId, threshold: number | null, render: AlertRenderer): AlertRecord {
    const inst = pair.inst;
    return new AlertRecord(
      rule,
      pair.subject.type,
      pair.subject.id,
      inst.id,
      inst.exchange,
      inst.id,
      threshold,
      render,
    );
  }

  settle(record: AlertRecord): void {
    if (record.raised) this.alertBook.touch(record);
    else if (record.count >= (record.threshold ?? 1)) this.alertBook.raise(record);
  }

  reserveOrderNotes(count: number): number {
    const offset = this.orderNoteCount;
    this.orderNoteCount += count;
    for (let i = 0; i < count; i++) this.blankNotes.push(0);
    return offset;
  }

  note(order: OrderRec, at: number, value: number): void {
    (order.notes ??= this.blankNotes.slice())[at] = value;
  }

  // ------------------------------------------------------------------ trading day

  private onHello(day: string): void {
    if (this.tradingDay === day) return;
    if (this.tradingDay !== null && this.sawSequenced) this.resetDay();
    this.setDay(day);
  }

  private beginDay(ts: number): void {
    this.sawSequenced = true;
    if (this.tradingDay === null) this.setDay(this.defaultDay ?? tradingDayOf(ts));
  }

  private setDay(day: string): void {
    this.tradingDay = day;
    this.alertBook.tradingDay = day;
    this.stats.tradingDays++;
  }

  /** Counts are per trading day: a new day starts every tally afresh (the old day's alerts stay). */
  private resetDay(): void {
    for (const subject of this.accountSubjects.values()) resetSubject(subject);
    for (const subject of this.groupSubjects.values()) resetSubject(subject);
    this.orders = new Map();
    const list = this.resetDayDetectors;
    for (let i = 0; i < list.length; i++) list[i]!.resetDay();
  }

  // ------------------------------------------------------------------ interning

  private onInstrument(m: InstrumentMessage): void {
    const inst = this.instrumentOf(m.instrumentId);
    inst.exchange = m.exchange;
    inst.product = m.product;
    inst.priceTick = m.priceTick;
    inst.multiplier = m.multiplier;
    inst.marginRate = m.marginRate;
    inst.maxOrderQty = m.maxOrderQty ?? null;
    inst.positionLimit = m.positionLimit ?? null;
    this.resolveParams(inst);
    const list = this.onInstrumentDetectors;
    for (let i = 0; i < list.length; i++) list[i]!.onInstrument(inst, m);
  }

  /** Each detector's parameters for the contract, by its exchange and product. */
  private resolveParams(inst: InstrumentRec): void {
    const detectors = this.detectors;
    for (let i = 0; i < detectors.length; i++) inst.params[i] = detectors[i]!.paramsFor(inst);
  }

  private instrumentOf(id: string): InstrumentRec {
    let inst = this.instruments.get(id);
    if (!inst) {
      inst = {
        id,
        exchange: null,
        product: null,
        priceTick: 1,
        multiplier: 1,
        marginRate: 1,
        maxOrderQty: null,
        positionLimit: null,
        params: emptySlots(this.detectors.length),
        states: emptySlots(this.detectors.length),
      };
      this.resolveParams(inst);
      this.instruments.set(id, inst);
    }
    return inst;
  }

  private onAccount(m: AccountMessage): void {
    const subject = m.controlGroup ? this.subjectOf('group', m.controlGroup) : this.subjectOf('account', m.accountId);
    const acc = this.accounts.get(m.accountId);
    if (acc) acc.subject = subject;
    else this.accounts.set(m.accountId, this.newAccount(m.accountId, subject));
    const list = this.onAccountDetectors;
    if (list.length > 0) {
      const account = this.accounts.get(m.accountId) as AccountRec;
      for (let i = 0; i < list.length; i++) list[i]!.onAccount(account, m);
    }
  }

  private newAccount(id: string, subject: SubjectRec): AccountRec {
    return { id, subject, states: emptySlots(this.detectors.length) };
  }

  private subjectOf(type: SubjectType, id: string): SubjectRec {
    const map = type === 'group' ? this.groupSubjects : this.accountSubjects;
    let subject = map.get(id);
    if (!subject) {
      subject = { id, type, pairs: null, states: emptySlots(this.detectors.length) };
      map.set(id, subject);
    }
    return subject;
  }

  /** An account the feed never described is its own client. */
  private accountOf(id: string): AccountRec {
    let acc = this.accounts.get(id);
    if (!acc) {
      acc = this.newAccount(id, this.subjectOf('account', id));
      this.accounts.set(id, acc);
    }
    return acc;
  }

  // ------------------------------------------------------------------ orders and trades

  private onOrderNew(m: OrderNewMessage): void {
    const inst = this.instrumentOf(m.instrumentId);
    const acc = this.accountOf(m.accountId);
    const order: OrderRec = {
      id: m.orderId,
      acc,
      pair: this.pairOf(acc.subject, inst),
      side: m.side === 'buy' ? BUY : SELL,
      price: m.price,
      qty: m.qty,
      filled: 0,
      ts: m.ts,
      seq: m.seq,
      notes: null,
    };
    this.orders.set(m.orderId, order);
    const list = this.onOrderNewDetectors;
    for (let i = 0; i < list.length; i++) list[i]!.onOrderNew(order, m);
  }

  private onCancel(m: OrderCancelMessage): void {
    const order = this.orders.get(m.orderId);
    if (!order) {
      this.stats.unknownOrders++;
      return;
    }
    this.orders.delete(m.orderId);
    const list = this.onCancelDetectors;
    for (let i = 0; i < list.length; i++) list[i]!.onCancel(order, m);
  }

  private onTrade(m: TradeMessage): void {
    const inst = this.instrumentOf(m.instrumentId);
    const buyer = m.buyAccountId === null ? null : this.accountOf(m.buyAccountId);
    const seller = m.sellAccountId === null ? null : this.accountOf(m.sellAccountId);
    const buyOrder = m.buyOrderId === null ? undefined : this.orders.get(m.buyOrderId);
    const sellOrder = m.sellOrderId === null ? undefined : this.orders.get(m.sellOrderId);
    if (buyOrder) this.fill(buyOrder, m.qty);
    if (sellOrder) this.fill(sellOrder, m.qty);
    const trades = this.onTradeDetectors;
    for (let i = 0; i < trades.length; i++) trades[i]!.onTrade(m, inst, buyer, seller);
    const sides = this.onClientTradeDetectors;
    if (buyer) {
      const pair = this.pairOf(buyer.subject, inst);
      for (let i = 0; i < sides.length; i++) sides[i]!.onClientTrade(buyer, pair, BUY, m, buyOrder);
    }
    if (seller) {
      const pair = this.pairOf(seller.subject, inst);
      for (let i = 0; i < sides.length; i++) sides[i]!.onClientTrade(seller, pair, SELL, m, sellOrder);
    }
  }

  private fill(order: OrderRec, qty: number): void {
    order.filled += qty;
    if (order.filled >= order.qty) this.orders.delete(order.id);
  }
}

function resetSubject(subject: SubjectRec): void {
  subject.pairs = null;
  subject.states.fill(null);
}

/**
 * Trading day of a feed time when the input has no `hello`: the China-time calendar day, or the next business day
 * for the night session (from 17:00 China time; Friday night belongs to Monday). Holidays are not known here.
 */
export function tradingDayOf(ts: number): string {
  const chinaMs = ts + 8 * 3600_000;
  const date = new Date(chinaMs);
  let day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (date.getUTCHours() >= 17) day += 86400_000;
  const weekday = new Date(day).getUTCDay();
  if (weekday === 6) day += 2 * 86400_000;
  else if (weekday === 0) day += 86400_000;
  const d = new Date(day);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}
