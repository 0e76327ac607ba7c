// The surveillance rule engine: feed it every message right after the engine state has applied it
// (`state.apply(m); rules.apply(m)`), in seq order. Each rule is incremental: a message costs a few Map lookups and
// field updates (O(1) amortised), nothing scans history. Alerts are one per rule × client × contract × trading day,
// raised when the rule's threshold is reached ("reach" includes the threshold) and updated as counts grow.
//
// Clients: an account, or — when the feed gives it a `controlGroup` — its actual-control group (实际控制关系账户组),
// which counts as one client everywhere except margin_call (money is per account).
import { RULES } from '../../../shared/rules/catalogue';
import type {
  AccountMessage,
  CashMessage,
  InstrumentMessage,
  OrderCancelMessage,
  OrderNewMessage,
  PhaseMessage,
  PositionMessage,
  QuoteMessage,
  ServerMessage,
  TradeMessage,
} from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams, type RulesConfig } from '../../../shared/rules/config';
import type { Alert, AlertEvent, RuleId, SubjectType } from '../../../shared/rules/types';
import type { EngineView } from '../view';
import { AlertBook, AlertRecord, type AlertRenderer } from './alertBook';
import { BandIndex } from './bandIndex';
import { MarkRecency } from '../markRecency';
import {
  BUY,
  newCloseWindow,
  newPair,
  SELL,
  SPOOF_LARGE,
  SPOOF_LAYER,
  SPOOF_NONE,
  type AccountRec,
  type CloseWindow,
  type InstrumentParams,
  type InstrumentRec,
  type OrderRec,
  type PairRec,
  type PriceBand,
  type SideIndex,
  type SubjectRec,
} from './records';

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

/** Sweep seqs kept per momentum event (evidence is bounded anyway). */
const MAX_SWEEP_SEQS = 64;
/** Indexed band edges are placed for this part of the headroom and this multiple of the contracts held (see rebuildBands). */
const BASIS_HEADROOM_SLACK = 0.5;
const BASIS_HELD_SLACK = 2;
/** An account's band on a contract is found by scanning its list up to this many; beyond, through a Map. */
const BANDS_SCANNED_UP_TO = 8;
/** An account with at most this many bands has them walked at a check. */
const SHORT_BAND_LIST = 16;
/** Compact a window's arrays once this many entries have expired. */
const COMPACT_AFTER = 4096;
/** The marking-close tape keeps at most one entry per this long. */
const TAPE_BUCKET_MS = 1000;

export class RuleEngine {
  readonly config: RulesConfig;
  private readonly view: EngineView;
  private readonly alertBook = new AlertBook();
  private readonly instruments = new Map<string, InstrumentRec>();
  private readonly accounts = new Map<string, AccountRec>();
  private readonly accountSubjects = new Map<string, SubjectRec>();
  private readonly groupSubjects = new Map<string, SubjectRec>();
  private orders = new Map<string, OrderRec>();
  /** Scratch for rebuildBands: the bands refreshed in this pass (reused, never shrunk: no allocation per check). */
  private readonly refreshedScratch: PriceBand[] = [];
  private refreshedCount = 0;
  private rebuildPass = 0;
  /** Contracts by latest mark change: the bands a check must refresh are those of contracts that moved since. */
  private readonly marks = new MarkRecency<InstrumentRec>();
  /** Scratch for breakBand. */
  private readonly brokenScratch: PriceBand[] = [];
  private readonly defaultDay: string | undefined;
  private tradingDay: string | null = null;
  private sawSequenced = false;
  private readonly margin: RuleParams['margin_call'];
  private readonly marginRenderer: AlertRenderer;
  readonly stats: RuleEngineStats = { messages: 0, unknownOrders: 0, tradingDays: 0 };

  constructor(options: RuleEngineOptions) {
    this.config = options.config;
    this.view = options.view;
    this.defaultDay = options.tradingDay;
    this.margin = resolveRuleParams(this.config, 'margin_call');
    this.marginRenderer = RULES.margin_call.message(this.margin);
  }

  /** Applies one message (after the engine state applied it). Never throws on odd input: unknown ids are counted. */
  apply(m: ServerMessage): void {
    this.stats.messages++;
    switch (m.type) {
      case 'quote':
        this.beginDay(m.ts);
        this.onQuote(m);
        break;
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
      case 'position':
        this.beginDay(m.ts);
        this.onPosition(m);
        break;
      case 'cash':
        this.beginDay(m.ts);
        this.onCash(m);
        break;
      case 'phase':
        this.beginDay(m.ts);
        this.onPhase(m);
        break;
      case 'hello':
        this.onHello(m.tradingDay);
        return;
      case 'end':
        this.beginDay(m.ts);
        // A session that ends without a `closed` phase still closes: judge what the windows hold.
        for (const inst of this.instruments.values()) {
          if (inst.close && inst.close.tradeHead < inst.close.tradeTs.length) this.evaluateClose(inst, m.ts);
        }
        break;
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
    for (const subject of this.accountSubjects.values()) this.resetSubject(subject);
    for (const subject of this.groupSubjects.values()) this.resetSubject(subject);
    for (const acc of this.accounts.values()) {
      acc.margin = null;
      acc.inCall = false;
      acc.bandByInstrument = null;
      acc.bandList = [];
      resetBandBasis(acc);
    }
    for (const inst of this.instruments.values()) {
      if (inst.close) inst.close = newCloseWindow();
      inst.holderBands = [];
      inst.bands = new BandIndex();
    }
    this.orders = new Map();
  }

  private resetSubject(subject: SubjectRec): void {
    subject.pairs = null;
    subject.bursts = null;
  }

  // ------------------------------------------------------------------ static data

  private onInstrument(m: InstrumentMessage): void {
    let inst = this.instruments.get(m.instrumentId);
    if (!inst) {
      inst = this.newInstrument(m.instrumentId);
      this.instruments.set(m.instrumentId, inst);
    }
    inst.exchange = m.exchange;
    inst.product = m.product;
    inst.priceTick = m.priceTick;
    inst.multiplier = m.multiplier;
    inst.marginRate = m.marginRate;
    inst.maxOrderQty = m.maxOrderQty ?? null;
    inst.positionLimit = m.positionLimit ?? null;
    inst.params = this.paramsFor(inst);
    inst.closeWindowMs = Math.max(...inst.params.markingClose.windowsMs);
    if (inst.params.markingClose.enabled && !inst.close) inst.close = newCloseWindow();
    // New contract terms (margin rate, multiplier) move the holders' risk and the weight of their bands.
    this.marks.touch(inst);
    const holderBands = inst.holderBands;
    for (let i = 0; i < holderBands.length; i++) this.checkMargin((holderBands[i] as PriceBand).acc, m.seq);
  }

  private newInstrument(id: string): InstrumentRec {
    const inst: InstrumentRec = {
      id,
      exchange: null,
      product: null,
      priceTick: 1,
      multiplier: 1,
      marginRate: 1,
      maxOrderQty: null,
      positionLimit: null,
      params: undefined as unknown as InstrumentParams,
      close: null,
      closeWindowMs: 0,
      holderBands: [],
      bands: new BandIndex(),
      quotedLast: Number.NaN,
      markStamp: 0,
      newer: null,
      older: null,
    };
    inst.params = this.paramsFor(inst);
    return inst;
  }

  private paramsFor(inst: InstrumentRec): InstrumentParams {
    const resolve = <K extends RuleId>(rule: K) => resolveRuleParams(this.config, rule, inst.exchange, inst.product);
    const largeCancel = resolve('large_cancel');
    let largeCancelMinQty = Number.POSITIVE_INFINITY;
    if (largeCancel.minQty !== null) largeCancelMinQty = largeCancel.minQty;
    if (largeCancel.maxOrderQtyShare !== null && inst.maxOrderQty !== null) {
      // 80% of 500 is 400 lots exactly: guard the float product before rounding up.
      const byShare = Math.ceil(largeCancel.maxOrderQtyShare * inst.maxOrderQty - 1e-9);
      largeCancelMinQty = Math.min(largeCancelMinQty, Math.max(1, byShare));
    }
    return {
      selfTrade: resolve('self_trade'),
      frequentCancel: resolve('frequent_cancel'),
      largeCancel,
      largeCancelMinQty,
      positionLimit: resolve('position_limit'),
      orderBurst: resolveRuleParams(this.config, 'order_burst', inst.exchange),
      spoofing: resolve('spoofing'),
      markingClose: resolve('marking_close'),
      momentum: resolve('momentum_ignition'),
    };
  }

  private instrumentOf(id: string): InstrumentRec {
    let inst = this.instruments.get(id);
    if (!inst) {
      inst = this.newInstrument(id);
      this.instruments.set(id, inst);
    }
    return inst;
  }

  private onAccount(m: AccountMessage): void {
    const subject = m.controlGroup ? this.subjectOf('group', m.controlGroup) : this.subjectOf('account', m.accountId);
    const acc = this.accounts.get(m.accountId);
    if (acc) acc.subject = subject;
    else {
      this.accounts.set(m.accountId, newAccount(m.accountId, subject));
    }
  }

  private subjectOf(type: SubjectType, id: string): SubjectRec {
    const map = type === 'group' ? this.groupSubjects : this.accountSubjects;
    let subject = map.get(id);
    if (!subject) {
      subject = { id, type, pairs: null, bursts: null };
      map.set(id, subject);
    }
    return subject;
  }

  /** An account the feed never described is its own client. */
  private accountOf(id: string): AccountRec {
    let acc = this.accounts.get(id);
    if (!acc) {
      acc = newAccount(id, this.subjectOf('account', id));
      this.accounts.set(id, acc);
    }
    return acc;
  }

  private pairOf(subject: SubjectRec, inst: InstrumentRec): PairRec {
    const pairs = (subject.pairs ??= new Map());
    let pair = pairs.get(inst);
    if (!pair) {
      pair = newPair(subject, inst);
      pairs.set(inst, pair);
    }
    return pair;
  }

  private pairRecord(pair: PairRec, rule: RuleId, threshold: number | null, render: AlertRenderer): AlertRecord {
    return new AlertRecord(
      rule,
      pair.subject.type,
      pair.subject.id,
      pair.inst.id,
      pair.inst.exchange,
      pair.inst.id,
      threshold,
      render,
    );
  }

  /** Raises a tally the first time it reaches its threshold; afterwards marks it changed. */
  private settle(record: AlertRecord): void {
    if (record.raised) this.alertBook.touch(record);
    else if (record.count >= (record.threshold ?? 1)) this.alertBook.raise(record);
  }

  // ------------------------------------------------------------------ positions and money

  private onPosition(m: PositionMessage): void {
    const acc = this.accountOf(m.accountId);
    const inst = this.instrumentOf(m.instrumentId);
    this.holdPosition(acc, inst);
    this.checkPositionLimit(acc, inst, m.seq);
    this.checkMargin(acc, m.seq);
  }

  private onCash(m: CashMessage): void {
    const acc = this.accounts.get(m.accountId);
    if (acc && acc.bandList.length > 0) this.checkMargin(acc, m.seq);
  }

  /** The account's position on the contract may have changed (a trade or a position message). */
  private holdPosition(acc: AccountRec, inst: InstrumentRec): void {
    const held = bandOf(acc, inst);
    if (held) {
      if (!held.dirty) {
        held.dirty = true;
        acc.dirtyBands[acc.dirtyCount++] = held;
      }
      return;
    }
    const band: PriceBand = {
      inst,
      acc,
      ordinal: inst.holderBands.length,
      active: false,
      mark: 0,
      weight: 0,
      dirty: true,
      refreshed: 0,
      low: Number.NEGATIVE_INFINITY,
      high: Number.POSITIVE_INFINITY,
      lowAt: -1,
      highAt: -1,
      seen: 0,
    };
    acc.bandList.push(band);
    if (acc.bandByInstrument !== null) acc.bandByInstrument.set(inst, band);
    else if (acc.bandList.length > BANDS_SCANNED_UP_TO) {
      const byInstrument = new Map<InstrumentRec, PriceBand>();
      for (const listed of acc.bandList) byInstrument.set(listed.inst, listed);
      acc.bandByInstrument = byInstrument;
    }
    acc.dirtyBands[acc.dirtyCount++] = band;
    inst.holderBands.push(band);
    inst.bands.place(band, band.low, band.high);
  }

  /** position_limit: a client's one-side position (control group summed) exceeds the limit (= is allowed). */
  private checkPositionLimit(acc: AccountRec, inst: InstrumentRec, seq: number): void {
    const params = inst.params.positionLimit;
    if (!params.enabled) return;
    const limit = params.limit ?? inst.positionLimit;
    if (limit === null) return;
    const subject = acc.subject;
    let long = 0;
    let short = 0;
    if (subject.type === 'group') {
      const members = this.view.accountsInGroup(subject.id);
      for (let i = 0; i < members.length; i++) {
        const position = this.view.position(members[i] as string, inst.id);
        if (position) {
          long += position.longQty;
          short += position.shortQty;
        }
      }
    } else {
      const position = this.view.position(acc.id, inst.id);
      if (position) {
        long = position.longQty;
        short = position.shortQty;
      }
    }
    const side: SideIndex = long >= short ? BUY : SELL;
    const held = side === BUY ? long : short;
    if (held <= limit) return;
    const pair = this.pairOf(subject, inst);
    let record = pair.positionLimit;
    if (!record) {
      record = this.pairRecord(pair, 'position_limit', limit, RULES.position_limit.message(params));
      pair.positionLimit = record;
    }
    if (held > record.count) {
      record.count = held;
      record.metrics.side = side;
    }
    record.addEvidence(seq);
    if (subject.type === 'group') {
      const members = this.view.accountsInGroup(subject.id);
      for (let i = 0; i < members.length; i++) {
        const position = this.view.position(members[i] as string, inst.id);
        if (position && (side === BUY ? position.longQty : position.shortQty) > 0)
          record.addAccount(members[i] as string);
      }
    } else {
      record.addAccount(acc.id);
    }
    this.alertBook.raise(record);
  }

  /** margin_call: the account's risk degree (margin ÷ equity, valued now) reaches the call level. */
  private checkMargin(acc: AccountRec, seq: number): void {
    const params = this.margin;
    if (!params.enabled) return;
    const degree = this.view.accountRiskDegree(acc.id);
    if (degree === undefined) return;
    if (degree < params.callLevel) {
      acc.inCall = false;
      this.rebuildBands(acc);
      return;
    }
    let record = acc.margin;
    if (!record) {
      record = new AlertRecord('margin_call', 'account', acc.id, null, null, '', params.callLevel, this.marginRenderer);
      acc.margin = record;
    }
    let changed = false;
    if (!acc.inCall) {
      acc.inCall = true;
      record.note(seq, acc.id);
      changed = true;
    }
    if (!Number.isFinite(degree)) {
      if (record.metrics.equityNonPositive !== 1) {
        record.metrics.equityNonPositive = 1;
        record.addEvidence(seq);
        changed = true;
      }
    } else if (degree > (record.metrics.peakRiskDegree ?? 0)) {
      // Evidence at the crossing and at each new critical peak, not at every tick of a rising degree.
      const crossesCritical =
        degree >= params.criticalLevel && (record.metrics.peakRiskDegree ?? 0) < params.criticalLevel;
      record.metrics.peakRiskDegree = degree;
      if (crossesCritical) record.addEvidence(seq);
      changed = true;
    }
    if (changed) {
      record.lastSeq = Math.max(record.lastSeq, seq);
      this.alertBook.raise(record);
    }
    this.rebuildBands(acc);
  }

  /**
   * Prices move risk without a trade of the account. Risk degree = margin ÷ equity, both linear in each mark, so
   * with headroom h = min |margin − L × equity| over the levels L (call, critical), a move of Δp on a contract shifts
   * margin − L × equity by at most |Δp| × multiplier × (gross lots × margin rate + L × |net lots|). Giving each held
   * contract an equal part of h makes a band of prices within which no level can be crossed; only a quote outside a
   * holder's band revalues that holder (through the engine state's own maths).
   *
   * A check refreshes only the bands whose position or mark changed since the last one. The others keep their mark
   * and weight, so their band only widened if the headroom did not shrink and no contract was added: their indexed
   * edges stay (within the band, see breakBand); otherwise every band is indexed afresh.
   */
  private rebuildBands(acc: AccountRec): void {
    const row = this.view.account(acc.id);
    if (!row) return;
    const call = this.margin.callLevel;
    const critical = this.margin.criticalLevel;
    const equity = row.equity;
    const margin = row.margin;
    const headroom = equity > 0 ? Math.min(Math.abs(margin - call * equity), Math.abs(margin - critical * equity)) : 0;
    const pass = ++this.rebuildPass;
    const refreshed = this.refreshedScratch;
    let held = acc.held;
    const dirty = acc.dirtyBands;
    const dirtyCount = acc.dirtyCount;
    for (let i = 0; i < dirtyCount; i++) {
      const band = dirty[i] as PriceBand;
      band.dirty = false;
      held += this.refreshBand(band, pass, refreshed);
    }
    acc.dirtyCount = 0;
    const bands = acc.bandList;
    const since = acc.checkStamp;
    // A short list is walked (a stamp test per band); a long one only where contracts moved since.
    if (bands.length > SHORT_BAND_LIST && this.marks.movedWithin(since, bands.length)) {
      for (let inst = this.marks.newest; inst !== null && inst.markStamp > since; inst = inst.older) {
        const band = bandOf(acc, inst);
        if (band) held += this.refreshBand(band, pass, refreshed);
      }
    } else {
      for (let b = 0; b < bands.length; b++) {
        const band = bands[b] as PriceBand;
        if (band.inst.markStamp > since) held += this.refreshBand(band, pass, refreshed);
      }
    }
    acc.checkStamp = this.marks.stamp;
    acc.headroom = headroom;
    acc.held = held;
    if (headroom >= acc.basisHeadroom && held <= acc.basisHeld) {
      for (let i = 0; i < this.refreshedCount; i++) {
        placeBand(refreshed[i] as PriceBand, acc.basisHeadroom, acc.basisHeld);
      }
    } else {
      // With slack: the next checks may shrink the headroom to a half, or double the contracts held (a start of
      // day's positions arriving one by one), without indexing every band again.
      indexBandsAfresh(acc, headroom * BASIS_HEADROOM_SLACK, Math.max(1, held * BASIS_HELD_SLACK));
    }
    this.refreshedCount = 0;
  }

  /** Reads the band's position now (its mark and weight); returns the change in the account's held count. */
  private refreshBand(band: PriceBand, pass: number, refreshed: PriceBand[]): number {
    if (band.refreshed === pass) return 0;
    band.refreshed = pass;
    refreshed[this.refreshedCount++] = band;
    const wasActive = band.active;
    const inst = band.inst;
    const position = this.view.position(band.acc.id, inst.id);
    const gross = position ? position.longQty + position.shortQty : 0;
    if (!position || gross === 0) {
      band.active = false;
    } else {
      band.active = true;
      band.mark = position.mark;
      band.weight =
        inst.multiplier *
        (gross * inst.marginRate + this.margin.criticalLevel * Math.abs(position.longQty - position.shortQty));
    }
    return (band.active ? 1 : 0) - (wasActive ? 1 : 0);
  }

  /**
   * A quote left the tightest indexed edge of a contract: check the holders whose own band it left (in the order
   * the holders came), and no other. A holder whose indexed edges were tighter than its band (its headroom grew)
   * and only those were crossed is indexed afresh instead.
   */
  private breakBand(inst: InstrumentRec, last: number, seq: number): void {
    const broken = this.brokenScratch;
    inst.bands.collectBroken(last, broken);
    let kept = 0;
    for (let i = 0; i < broken.length; i++) {
      const band = broken[i] as PriceBand;
      if (leftBand(band, last)) broken[kept++] = band;
      else indexBandsAfresh(band.acc, band.acc.headroom, band.acc.held);
    }
    broken.length = kept;
    if (broken.length > 1) broken.sort(byOrdinal);
    for (let i = 0; i < broken.length; i++) this.checkMargin((broken[i] as PriceBand).acc, seq);
    broken.length = 0;
  }

  // ------------------------------------------------------------------ orders

  private onOrderNew(m: OrderNewMessage): void {
    const inst = this.instrumentOf(m.instrumentId);
    const acc = this.accountOf(m.accountId);
    const pair = this.pairOf(acc.subject, inst);
    const side: SideIndex = m.side === 'buy' ? BUY : SELL;
    let spoofKind = SPOOF_NONE;
    let depthRatio = 0;
    const spoofing = inst.params.spoofing;
    const momentumOn = inst.params.momentum.enabled;
    const spoofCheck = spoofing.enabled && m.qty >= spoofing.minQty;
    const book = spoofCheck || momentumOn ? this.view.book(inst.id) : undefined;
    if (spoofCheck) {
      if (book) {
        const levels = side === BUY ? book.bids : book.asks;
        let depth = 0;
        for (let i = 0; i < levels.length; i++) depth += (levels[i] as [number, number])[1];
        if (depth > 0) {
          depthRatio = m.qty / depth;
          if (depthRatio >= spoofing.depthRatio) spoofKind = SPOOF_LARGE;
          else if (m.qty * levels.length >= spoofing.layerLevelRatio * depth) spoofKind = SPOOF_LAYER;
        }
      }
    }
    let sweptLevels = 0;
    if (momentumOn) {
      const opposite = book ? (side === BUY ? book.asks : book.bids) : undefined;
      const best = opposite?.[0];
      if (opposite && best && (side === BUY ? m.price >= best[0] : m.price <= best[0])) {
        // Levels within the limit price, until the order's size is used up.
        let reached = 0;
        for (let i = 0; i < opposite.length && reached < m.qty; i++) {
          const level = opposite[i] as [number, number];
          if (side === BUY ? level[0] > m.price : level[0] < m.price) break;
          sweptLevels++;
          reached += level[1];
        }
      }
    }
    this.orders.set(m.orderId, {
      id: m.orderId,
      accountId: acc.id,
      pair,
      side,
      price: m.price,
      qty: m.qty,
      filled: 0,
      ts: m.ts,
      seq: m.seq,
      spoofKind,
      depthRatio,
      oppositeTradesAtEntry: pair.tradesBySide[side === BUY ? SELL : BUY],
      sweptLevels,
    });
    this.submission(acc, inst, pair, m.ts, m.seq);
  }

  private onCancel(m: OrderCancelMessage): void {
    const order = this.orders.get(m.orderId);
    if (!order) {
      this.stats.unknownOrders++;
      return;
    }
    this.orders.delete(m.orderId);
    const pair = order.pair;
    const inst = pair.inst;
    const params = inst.params;
    this.submission(this.accountOf(order.accountId), inst, pair, m.ts, m.seq);

    if (params.frequentCancel.enabled) {
      let record = pair.cancels;
      if (!record) {
        record = this.pairRecord(
          pair,
          'frequent_cancel',
          params.frequentCancel.threshold,
          RULES.frequent_cancel.message(params.frequentCancel),
        );
        pair.cancels = record;
      }
      record.note(m.seq, order.accountId);
      this.settle(record);
    }

    if (params.largeCancel.enabled && m.cancelledQty >= params.largeCancelMinQty) {
      let record = pair.largeCancels;
      if (!record) {
        record = this.pairRecord(
          pair,
          'large_cancel',
          params.largeCancel.threshold,
          RULES.large_cancel.message(params.largeCancel),
        );
        record.metrics.largeMinQty = params.largeCancelMinQty;
        if (params.largeCancel.maxOrderQtyShare !== null && inst.maxOrderQty !== null) {
          const byShare = Math.ceil(params.largeCancel.maxOrderQtyShare * inst.maxOrderQty - 1e-9);
          if (byShare === params.largeCancelMinQty) {
            record.metrics.maxOrderQtyShare = params.largeCancel.maxOrderQtyShare;
            record.metrics.maxOrderQty = inst.maxOrderQty;
          }
        }
        pair.largeCancels = record;
      }
      record.note(m.seq, order.accountId);
      this.settle(record);
    }

    if (order.spoofKind !== SPOOF_NONE) this.checkSpoof(order, m);
  }

  /** order_burst: occasions with ≥ N order+cancel submissions within the window, per client and exchange. */
  private submission(acc: AccountRec, inst: InstrumentRec, pair: PairRec, ts: number, seq: number): void {
    const params = inst.params.orderBurst;
    if (!params.enabled) return;
    const subject = acc.subject;
    const key = inst.exchange ?? '';
    // The pair caches its subject's state for its exchange (valid while subject and exchange are the same).
    const cached = pair.subject === subject && pair.burstKey === key;
    let state = cached ? pair.burst : undefined;
    if (!state) state = (subject.bursts ??= new Map()).get(key);
    if (!state) {
      const size = params.minSubmissions;
      state = {
        times: new Float64Array(size),
        seqs: new Float64Array(size),
        insts: new Array<InstrumentRec | null>(size).fill(null),
        accounts: new Array<AccountRec | null>(size).fill(null),
        next: 0,
        filled: 0,
        blockedUntil: Number.NEGATIVE_INFINITY,
        record: null,
        perInstrument: new Map(),
      };
      (subject.bursts ??= new Map()).set(key, state);
    }
    if (!cached && pair.subject === subject) {
      pair.burst = state;
      pair.burstKey = key;
    }
    const size = state.times.length;
    state.times[state.next] = ts;
    state.seqs[state.next] = seq;
    state.insts[state.next] = inst;
    state.accounts[state.next] = acc;
    state.next = state.next + 1 === size ? 0 : state.next + 1;
    if (state.filled < size) {
      state.filled++;
      if (state.filled < size) return;
    }
    const oldest = state.times[state.next] as number;
    if (ts - oldest >= params.windowMs || oldest < state.blockedUntil) return;
    // An occasion: the last N submissions fit in one window. The next must start after this window ends.
    state.blockedUntil = oldest + params.windowMs;
    let record = state.record;
    if (!record) {
      record = new AlertRecord(
        'order_burst',
        subject.type,
        subject.id,
        null,
        inst.exchange,
        key,
        params.minOccasions,
        RULES.order_burst.message(params),
      );
      record.metrics.windowMs = params.windowMs;
      record.metrics.minSubmissions = params.minSubmissions;
      state.record = record;
    }
    record.count++;
    if (record.firstSeq === 0) record.firstSeq = state.seqs[state.next] as number;
    record.lastSeq = seq;
    for (let i = 0; i < size; i++) {
      record.addEvidence(state.seqs[i] as number);
      const member = state.accounts[i];
      if (member) record.addAccount(member.id);
      const busy = state.insts[i];
      if (busy) state.perInstrument.set(busy, (state.perInstrument.get(busy) ?? 0) + 1);
    }
    let busiest: InstrumentRec | null = null;
    let most = 0;
    for (const [candidate, count] of state.perInstrument) {
      if (count > most) {
        most = count;
        busiest = candidate;
      }
    }
    record.instrumentId = busiest?.id ?? null;
    this.settle(record);
  }

  /**
   * spoofing: an order large against the visible depth on its side (or, for layering, at least an average level,
   * on consecutive price levels), cancelled quickly with little filled, while the same client traded the other side
   * during its life. Qualifying cancels close together in time form one episode.
   */
  private checkSpoof(order: OrderRec, m: OrderCancelMessage): void {
    const pair = order.pair;
    const params = pair.inst.params.spoofing;
    const life = m.ts - order.ts;
    if (life > params.maxLifeMs) return;
    if (order.filled > params.maxFillShare * order.qty) return;
    const opposite = order.side === BUY ? SELL : BUY;
    if (pair.tradesBySide[opposite] <= order.oppositeTradesAtEntry) return;

    let episode = pair.spoofEpisode;
    if (!episode || episode.side !== order.side || m.ts - episode.lastTs > params.episodeGapMs) {
      episode = { side: order.side, lastTs: m.ts, prices: [], hasLarge: false, counted: false, layered: false };
      pair.spoofEpisode = episode;
    }
    episode.lastTs = m.ts;
    if (!episode.prices.includes(order.price)) episode.prices.push(order.price);
    if (order.spoofKind === SPOOF_LARGE) episode.hasLarge = true;
    const levels = consecutiveLevels(episode.prices, pair.inst.priceTick);
    const layered = levels >= params.layeringMinLevels;
    if (!episode.hasLarge && !layered) return;

    let record = pair.spoofing;
    if (!record) {
      record = this.pairRecord(pair, 'spoofing', params.minEpisodes, RULES.spoofing.message(params));
      pair.spoofing = record;
    }
    if (!episode.counted) {
      episode.counted = true;
      record.count++;
    }
    if (layered && !episode.layered) {
      episode.layered = true;
      record.metrics.layeredEpisodes = (record.metrics.layeredEpisodes ?? 0) + 1;
    }
    const metrics = record.metrics;
    if (layered) metrics.maxLayerLevels = Math.max(metrics.maxLayerLevels ?? 0, levels);
    metrics.maxOrderQty = Math.max(metrics.maxOrderQty ?? 0, order.qty);
    metrics.maxDepthRatio = Math.max(metrics.maxDepthRatio ?? 0, order.depthRatio);
    metrics.maxLifeMs = Math.max(metrics.maxLifeMs ?? 0, life);
    metrics.maxFillShare = Math.max(metrics.maxFillShare ?? 0, order.filled / order.qty);
    record.addEvidence(order.seq);
    record.addEvidence(m.seq);
    const tradeSeq = pair.lastTradeSeqBySide[opposite];
    if (tradeSeq > order.seq) record.addEvidence(tradeSeq);
    record.addAccount(order.accountId);
    this.settle(record);
  }

  // ------------------------------------------------------------------ trades

  private onTrade(m: TradeMessage): void {
    const inst = this.instrumentOf(m.instrumentId);
    const buyer = m.buyAccountId === null ? null : this.accountOf(m.buyAccountId);
    const seller = m.sellAccountId === null ? null : this.accountOf(m.sellAccountId);
    const buyOrder = m.buyOrderId === null ? undefined : this.orders.get(m.buyOrderId);
    const sellOrder = m.sellOrderId === null ? undefined : this.orders.get(m.sellOrderId);
    const aggressorLevels = (m.aggressor === 'buy' ? buyOrder : sellOrder)?.sweptLevels ?? 0;
    if (buyOrder) this.fill(buyOrder, m.qty);
    if (sellOrder) this.fill(sellOrder, m.qty);

    if (buyer && seller && buyer.subject === seller.subject && inst.params.selfTrade.enabled) {
      const pair = this.pairOf(buyer.subject, inst);
      let record = pair.selfTrades;
      if (!record) {
        const params = inst.params.selfTrade;
        record = this.pairRecord(pair, 'self_trade', params.threshold, RULES.self_trade.message(params));
        pair.selfTrades = record;
      }
      record.note(m.seq, buyer.id);
      record.addAccount(seller.id);
      this.settle(record);
    }
    if (buyer) this.onClientTrade(buyer, inst, BUY, m, m.aggressor === 'buy' ? Math.max(1, aggressorLevels) : 0);
    if (seller) this.onClientTrade(seller, inst, SELL, m, m.aggressor === 'sell' ? Math.max(1, aggressorLevels) : 0);
    if (inst.close) this.pushCloseTrade(inst, inst.close, m, buyer, seller);
  }

  private fill(order: OrderRec, qty: number): void {
    order.filled += qty;
    if (order.filled >= order.qty) this.orders.delete(order.id);
  }

  /** `sweptLevels` > 0 when the client was the aggressor: the book levels its order reached at entry (at least 1). */
  private onClientTrade(
    acc: AccountRec,
    inst: InstrumentRec,
    side: SideIndex,
    m: TradeMessage,
    sweptLevels: number,
  ): void {
    const pair = this.pairOf(acc.subject, inst);
    pair.tradesBySide[side]++;
    pair.lastTradeSeqBySide[side] = m.seq;
    if (inst.params.momentum.enabled) {
      this.checkReversal(pair, side, m, acc);
      if (sweptLevels > 0) this.extendSweep(pair, side, m, sweptLevels);
    }
    this.holdPosition(acc, inst);
    this.checkPositionLimit(acc, inst, m.seq);
    this.checkMargin(acc, m.seq);
  }

  /**
   * momentum_ignition, part 1: the client's aggressive trades on one side filling at successively worse prices, or
   * an aggressive order whose price and size reached that many levels of the book at entry.
   */
  private extendSweep(pair: PairRec, side: SideIndex, m: TradeMessage, bookLevels: number): void {
    const params = pair.inst.params.momentum;
    const direction = side === BUY ? 1 : -1;
    let run = pair.run;
    const continues =
      run !== null &&
      run.side === side &&
      m.ts - run.lastTs <= params.sweepGapMs &&
      (m.price - run.lastPrice) * direction >= 0;
    if (!run || !continues) {
      if (!run) {
        run = {
          side,
          lastTs: m.ts,
          lastPrice: m.price,
          startPrice: m.price,
          levels: 1,
          fillLevels: 1,
          bookLevels: 0,
          qty: 0,
          seqs: [],
        };
        pair.run = run;
      } else {
        run.side = side;
        run.startPrice = m.price;
        run.lastPrice = m.price;
        run.levels = 1;
        run.fillLevels = 1;
        run.bookLevels = 0;
        run.qty = 0;
        run.seqs = [];
      }
    } else if ((m.price - run.lastPrice) * direction > 0) {
      run.fillLevels++;
    }
    if (bookLevels > run.bookLevels) run.bookLevels = bookLevels;
    run.levels = Math.max(run.fillLevels, run.bookLevels);
    run.qty += m.qty;
    run.lastTs = m.ts;
    run.lastPrice = m.price;
    if (run.seqs.length < MAX_SWEEP_SEQS) run.seqs.push(m.seq);
    if (run.levels < params.minLevels || run.qty < params.minSweepQty) return;
    const sweep = pair.sweep;
    if (sweep && sweep.seqs === run.seqs) {
      // The same run grew: the sweep is bigger and ends later.
      sweep.endTs = m.ts;
      sweep.qty = run.qty;
      sweep.levels = run.levels;
      sweep.endPrice = m.price;
    } else {
      pair.sweep = {
        side,
        endTs: m.ts,
        qty: run.qty,
        levels: run.levels,
        startPrice: run.startPrice,
        endPrice: m.price,
        reversalQty: 0,
        fired: false,
        seqs: run.seqs,
      };
    }
  }

  /** momentum_ignition, part 2: the same client trades the other side soon after the sweep. */
  private checkReversal(pair: PairRec, side: SideIndex, m: TradeMessage, acc: AccountRec): void {
    const sweep = pair.sweep;
    if (!sweep || sweep.fired || sweep.side === side) return;
    const params = pair.inst.params.momentum;
    const after = m.ts - sweep.endTs;
    if (after > params.reversalWindowMs) {
      pair.sweep = null;
      return;
    }
    sweep.reversalQty += m.qty;
    if (sweep.reversalQty < params.minReversalShare * sweep.qty) return;
    sweep.fired = true;
    let record = pair.momentum;
    if (!record) {
      record = this.pairRecord(pair, 'momentum_ignition', params.minEvents, RULES.momentum_ignition.message(params));
      pair.momentum = record;
    }
    record.count++;
    for (const seq of sweep.seqs) record.addEvidence(seq);
    record.addEvidence(m.seq);
    record.addAccount(acc.id);
    const metrics = record.metrics;
    if (sweep.levels >= (metrics.levels ?? 0)) {
      metrics.side = sweep.side;
      metrics.levels = sweep.levels;
      metrics.sweepQty = sweep.qty;
      metrics.reversalQty = sweep.reversalQty;
      metrics.reversalMs = Math.max(0, after);
      metrics.sweepTicks = Math.abs(sweep.endPrice - sweep.startPrice) / pair.inst.priceTick;
    }
    this.settle(record);
  }

  // ------------------------------------------------------------------ marking the close

  private onQuote(m: QuoteMessage): void {
    const inst = this.instruments.get(m.instrumentId);
    if (!inst) return;
    if (m.last !== inst.quotedLast) {
      inst.quotedLast = m.last;
      this.marks.touch(inst);
    }
    const bands = inst.bands;
    if (m.last <= bands.tightestLow || m.last >= bands.tightestHigh) this.breakBand(inst, m.last, m.seq);
    const window = inst.close;
    if (!window) return;
    window.quoteVolume = m.volume;
    window.last = m.last;
    this.tick(inst, window, m.ts);
  }

  private pushCloseTrade(
    inst: InstrumentRec,
    window: CloseWindow,
    m: TradeMessage,
    buyer: AccountRec | null,
    seller: AccountRec | null,
  ): void {
    window.tradeVolume += m.qty;
    window.last = m.price;
    if (buyer || seller) {
      window.tradeTs.push(m.ts);
      window.tradeQty.push(m.qty);
      window.tradeSeq.push(m.seq);
      window.tradeBuyer.push(buyer);
      window.tradeSeller.push(seller);
    }
    this.tick(inst, window, m.ts);
  }

  /** Samples the tape (at most one entry per second: the state as of its ts) and drops what left the window. */
  private tick(inst: InstrumentRec, window: CloseWindow, ts: number): void {
    const last = window.tapeTs.length - 1;
    if (last < window.tapeHead || ts >= window.bucketStart + TAPE_BUCKET_MS) {
      window.bucketStart = ts;
      window.tapeTs.push(ts);
      window.tapeQuoteVolume.push(window.quoteVolume);
      window.tapeTradeVolume.push(window.tradeVolume);
      window.tapeLast.push(window.last);
    } else {
      window.tapeTs[last] = ts;
      window.tapeQuoteVolume[last] = window.quoteVolume;
      window.tapeTradeVolume[last] = window.tradeVolume;
      window.tapeLast[last] = window.last;
    }
    trimWindow(window, ts - inst.closeWindowMs);
  }

  private onPhase(m: PhaseMessage): void {
    if (m.phase !== 'closed') return;
    if (m.instrumentId !== undefined) {
      const inst = this.instruments.get(m.instrumentId);
      if (inst) this.evaluateClose(inst, m.ts);
      return;
    }
    for (const inst of this.instruments.values()) if (inst.exchange === m.exchange) this.evaluateClose(inst, m.ts);
  }

  /**
   * marking_close, at the close: a client whose share of the contract's volume in the last minutes is large, who
   * traded mostly one way, while the price moved that way by enough ticks.
   */
  private evaluateClose(inst: InstrumentRec, closeTs: number): void {
    const window = inst.close;
    const params = inst.params.markingClose;
    if (!window || !params.enabled) return;
    trimWindow(window, closeTs - inst.closeWindowMs);
    const tradeEnd = window.tradeTs.length;
    if (window.tradeHead < tradeEnd) {
      // Per client, the strongest qualifying window.
      const best = new Map<
        SubjectRec,
        { share: number; moveTicks: number; agg: CloseAggregate; total: number; windowMs: number }
      >();
      for (const windowMs of params.windowsMs) {
        const from = closeTs - windowMs;
        const { byClient, clientVolume } = aggregateCloseTrades(window, from, tradeEnd);
        if (byClient.size === 0) continue;
        // The state just before the window: the newest tape entry at or before its start.
        let tape = -1;
        for (let i = window.tapeHead; i < window.tapeTs.length && (window.tapeTs[i] as number) <= from; i++) tape = i;
        const useBoundary = tape < 0 && window.hasBoundary;
        const first = tape >= 0 ? tape : window.tapeHead < window.tapeTs.length ? window.tapeHead : -1;
        const baseQuote = useBoundary
          ? window.boundaryQuoteVolume
          : first >= 0
            ? (window.tapeQuoteVolume[first] as number)
            : 0;
        const baseTrade = useBoundary
          ? window.boundaryTradeVolume
          : tape >= 0
            ? (window.tapeTradeVolume[tape] as number)
            : 0;
        const reference = useBoundary
          ? window.boundaryLast
          : first >= 0
            ? (window.tapeLast[first] as number)
            : Number.NaN;
        const total = Math.max(window.quoteVolume - baseQuote, window.tradeVolume - baseTrade, clientVolume);
        const moveTicks = (window.last - reference) / inst.priceTick;
        if (!(total > 0) || !Number.isFinite(moveTicks) || Math.abs(moveTicks) < params.minPriceMoveTicks - 1e-9)
          continue;
        for (const [subject, agg] of byClient) {
          if (agg.traded < params.minClientLots) continue;
          const share = agg.traded / total;
          const net = agg.bought - agg.sold;
          if (share < params.minShare || Math.abs(net) < params.minNetShare * agg.traded) continue;
          if (Math.sign(net) !== Math.sign(moveTicks)) continue;
          const previous = best.get(subject);
          if (!previous || share > previous.share) best.set(subject, { share, moveTicks, agg, total, windowMs });
        }
      }
      for (const [subject, hit] of best) {
        const pair = this.pairOf(subject, inst);
        let record = pair.markingClose;
        if (!record) {
          record = this.pairRecord(pair, 'marking_close', null, RULES.marking_close.message(params));
          record.metrics.minShare = params.minShare;
          pair.markingClose = record;
        }
        record.count++;
        for (const seq of hit.agg.seqs) record.addEvidence(seq);
        for (const id of [...hit.agg.accounts].sort()) record.addAccount(id);
        if (hit.share >= (record.metrics.share ?? 0)) {
          record.metrics.share = hit.share;
          record.metrics.windowMs = hit.windowMs;
          record.metrics.priceMoveTicks = Math.abs(hit.moveTicks);
          record.metrics.clientLots = hit.agg.traded;
          record.metrics.windowVolume = hit.total;
        }
        this.alertBook.raise(record);
      }
    }
    // The window is spent: the next close (another session) starts from the state now.
    for (let i = window.tradeHead; i < tradeEnd; i++) {
      window.tradeBuyer[i] = null;
      window.tradeSeller[i] = null;
    }
    window.tradeHead = tradeEnd;
    window.tapeHead = window.tapeTs.length;
    window.boundaryQuoteVolume = window.quoteVolume;
    window.boundaryTradeVolume = window.tradeVolume;
    window.boundaryLast = window.last;
    window.hasBoundary = true;
    compactWindow(window);
  }
}

interface CloseAggregate {
  bought: number;
  sold: number;
  traded: number;
  seqs: number[];
  accounts: Set<string>;
}

/** The clients' trades after `from` (to `end`), per client. */
function aggregateCloseTrades(
  window: CloseWindow,
  from: number,
  end: number,
): { byClient: Map<SubjectRec, CloseAggregate>; clientVolume: number } {
  const byClient = new Map<SubjectRec, CloseAggregate>();
  const entry = (acc: AccountRec): CloseAggregate => {
    let agg = byClient.get(acc.subject);
    if (!agg) {
      agg = { bought: 0, sold: 0, traded: 0, seqs: [], accounts: new Set() };
      byClient.set(acc.subject, agg);
    }
    return agg;
  };
  let clientVolume = 0;
  for (let i = window.tradeHead; i < end; i++) {
    if ((window.tradeTs[i] as number) <= from) continue;
    const qty = window.tradeQty[i] as number;
    const seq = window.tradeSeq[i] as number;
    clientVolume += qty;
    const buyer = window.tradeBuyer[i] ?? null;
    const seller = window.tradeSeller[i] ?? null;
    if (buyer) {
      const agg = entry(buyer);
      agg.bought += qty;
      agg.traded += qty;
      agg.seqs.push(seq);
      agg.accounts.add(buyer.id);
    }
    if (seller) {
      const agg = entry(seller);
      agg.sold += qty;
      // A trade with itself is one participation, not two.
      if (!buyer || buyer.subject !== seller.subject) {
        agg.traded += qty;
        agg.seqs.push(seq);
      }
      agg.accounts.add(seller.id);
    }
  }
  return { byClient, clientVolume };
}

/** Drops window entries at or before `from` (amortised O(1)); remembers the newest tape entry that left. */
function trimWindow(window: CloseWindow, from: number): void {
  const tradeTs = window.tradeTs;
  let head = window.tradeHead;
  while (head < tradeTs.length && (tradeTs[head] as number) <= from) {
    window.tradeBuyer[head] = null;
    window.tradeSeller[head] = null;
    head++;
  }
  window.tradeHead = head;
  const tapeTs = window.tapeTs;
  let tape = window.tapeHead;
  if (tape < tapeTs.length && (tapeTs[tape] as number) <= from) {
    while (tape < tapeTs.length && (tapeTs[tape] as number) <= from) tape++;
    window.boundaryQuoteVolume = window.tapeQuoteVolume[tape - 1] as number;
    window.boundaryTradeVolume = window.tapeTradeVolume[tape - 1] as number;
    window.boundaryLast = window.tapeLast[tape - 1] as number;
    window.hasBoundary = true;
    window.tapeHead = tape;
  }
  if (window.tradeHead >= COMPACT_AFTER || window.tapeHead >= COMPACT_AFTER) compactWindow(window);
}

function compactWindow(window: CloseWindow): void {
  const t = window.tradeHead;
  if (t > 0 && t * 2 >= window.tradeTs.length) {
    window.tradeTs.splice(0, t);
    window.tradeQty.splice(0, t);
    window.tradeSeq.splice(0, t);
    window.tradeBuyer.splice(0, t);
    window.tradeSeller.splice(0, t);
    window.tradeHead = 0;
  }
  const q = window.tapeHead;
  if (q > 0 && q * 2 >= window.tapeTs.length) {
    window.tapeTs.splice(0, q);
    window.tapeQuoteVolume.splice(0, q);
    window.tapeTradeVolume.splice(0, q);
    window.tapeLast.splice(0, q);
    window.tapeHead = 0;
  }
}

function newAccount(id: string, subject: SubjectRec): AccountRec {
  const acc: AccountRec = {
    id,
    subject,
    bandList: [],
    bandByInstrument: null,
    dirtyBands: [],
    dirtyCount: 0,
    headroom: 0,
    held: 0,
    checkStamp: 0,
    // As resetBandBasis leaves them.
    basisHeadroom: Number.POSITIVE_INFINITY,
    basisHeld: 0,
    margin: null,
    inCall: false,
  };
  return acc;
}

/** The account's band on the contract, if it held it today. */
function bandOf(acc: AccountRec, inst: InstrumentRec): PriceBand | undefined {
  if (acc.bandByInstrument !== null) return acc.bandByInstrument.get(inst);
  const bands = acc.bandList;
  for (let i = 0; i < bands.length; i++) {
    const band = bands[i] as PriceBand;
    if (band.inst === inst) return band;
  }
  return undefined;
}

/** No bands yet: the first check indexes every band afresh. */
function resetBandBasis(acc: AccountRec): void {
  acc.dirtyBands = [];
  acc.dirtyCount = 0;
  acc.headroom = 0;
  acc.held = 0;
  acc.checkStamp = 0;
  acc.basisHeadroom = Number.POSITIVE_INFINITY;
  acc.basisHeld = 0;
}

/** Half-width of a band for the given headroom and held count (unbounded for a band without margin sensitivity). */
function reachOf(band: PriceBand, headroom: number, held: number): number {
  return band.weight > 0 ? headroom / (held * band.weight) : Number.POSITIVE_INFINITY;
}

/** Indexes the band's edges as computed with the given headroom and held count. */
function placeBand(band: PriceBand, headroom: number, held: number): void {
  if (!band.active) {
    band.inst.bands.place(band, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    return;
  }
  const reach = reachOf(band, headroom, held);
  band.inst.bands.place(band, band.mark - reach, band.mark + reach);
}

/**
 * Indexes every band of the account with the given basis: at most the headroom and at least the held count of the
 * last check, so every indexed edge is within (or at) its band's.
 */
function indexBandsAfresh(acc: AccountRec, basisHeadroom: number, basisHeld: number): void {
  acc.basisHeadroom = basisHeadroom;
  acc.basisHeld = basisHeld;
  const bands = acc.bandList;
  for (let b = 0; b < bands.length; b++) placeBand(bands[b] as PriceBand, basisHeadroom, basisHeld);
}

/** The price is outside the band from the account's last check (the edges a full reindex would put in the index). */
function leftBand(band: PriceBand, price: number): boolean {
  if (!band.active) return false;
  const reach = reachOf(band, band.acc.headroom, band.acc.held);
  return price <= band.mark - reach || price >= band.mark + reach;
}

function byOrdinal(a: PriceBand, b: PriceBand): number {
  return a.ordinal - b.ordinal;
}

/** Longest run of prices one tick apart (layers on consecutive levels). */
export function consecutiveLevels(prices: readonly number[], tick: number): number {
  if (prices.length === 0) return 0;
  const sorted = [...prices].sort((a, b) => a - b);
  let best = 1;
  let run = 1;
  for (let i = 1; i < sorted.length; i++) {
    const steps = ((sorted[i] as number) - (sorted[i - 1] as number)) / tick;
    if (Math.abs(steps - 1) < 1e-6) run++;
    else if (steps > 1e-6) run = 1;
    if (run > best) best = run;
  }
  return best;
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
