// marking_close (尾市拉抬打压): at the close, a client whose share of the contract's volume in the last minutes is
// large, who traded mostly one way, while the price moved that way by enough ticks.
import type { PhaseMessage, QuoteMessage, TradeMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import type { AccountRec, InstrumentRec, SubjectRec } from '../records';

type Params = RuleParams['marking_close'];

/** Compact a window's arrays once this many entries have expired. */
const COMPACT_AFTER = 4096;
/** The tape keeps at most one entry per this long. */
const TAPE_BUCKET_MS = 1000;

/**
 * The last `windowMs` of one contract: a tape of cumulative volume and last price sampled at most once per second,
 * and the trades of this gateway's clients — parallel arrays with a moving head (amortised O(1)).
 */
interface CloseWindow {
  /** The longest configured window. */
  windowMs: number;
  tapeTs: number[];
  /** Cumulative volume from quotes, and from trades seen (a gateway may see only its clients' trades). */
  tapeQuoteVolume: number[];
  tapeTradeVolume: number[];
  tapeLast: number[];
  tapeHead: number;
  /** ts the newest tape entry's second began. */
  bucketStart: number;
  quoteVolume: number;
  tradeVolume: number;
  last: number;
  /** The newest entry that left the window (the state just before it), when one did. */
  boundaryQuoteVolume: number;
  boundaryTradeVolume: number;
  boundaryLast: number;
  hasBoundary: boolean;
  tradeTs: number[];
  tradeQty: number[];
  tradeSeq: number[];
  tradeBuyer: (AccountRec | null)[];
  tradeSeller: (AccountRec | null)[];
  tradeHead: number;
}

export class MarkingCloseDetector implements Detector {
  readonly rule = 'marking_close';

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {}

  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
  }

  /** A contract's window exists once the rule is on there (from its instrument message), with its longest span. */
  onInstrument(inst: InstrumentRec): void {
    const params = inst.params[this.slot] as Params;
    let window = inst.states[this.slot] as CloseWindow | null;
    if (!window && params.enabled) {
      window = newCloseWindow();
      inst.states[this.slot] = window;
    }
    if (window) window.windowMs = Math.max(...params.windowsMs);
  }

  onQuote(inst: InstrumentRec, m: QuoteMessage): void {
    const window = inst.states[this.slot] as CloseWindow | null;
    if (!window) return;
    window.quoteVolume = m.volume;
    window.last = m.last;
    tick(window, m.ts);
  }

  onTrade(m: TradeMessage, inst: InstrumentRec, buyer: AccountRec | null, seller: AccountRec | null): void {
    const window = inst.states[this.slot] as CloseWindow | null;
    if (!window) return;
    window.tradeVolume += m.qty;
    window.last = m.price;
    if (buyer || seller) {
      window.tradeTs.push(m.ts);
      window.tradeQty.push(m.qty);
      window.tradeSeq.push(m.seq);
      window.tradeBuyer.push(buyer);
      window.tradeSeller.push(seller);
    }
    tick(window, m.ts);
  }

  onPhase(m: PhaseMessage): void {
    if (m.phase !== 'closed') return;
    if (m.instrumentId !== undefined) {
      const inst = this.context.instruments.get(m.instrumentId);
      if (inst) this.evaluateClose(inst, m.ts);
      return;
    }
    for (const inst of this.context.instruments.values()) {
      if (inst.exchange === m.exchange) this.evaluateClose(inst, m.ts);
    }
  }

  /** A session that ends without a `closed` phase still closes: judge what the windows hold. */
  onEnd(ts: number): void {
    for (const inst of this.context.instruments.values()) {
      const window = inst.states[this.slot] as CloseWindow | null;
      if (window && window.tradeHead < window.tradeTs.length) this.evaluateClose(inst, ts);
    }
  }

  resetDay(): void {
    for (const inst of this.context.instruments.values()) {
      const window = inst.states[this.slot] as CloseWindow | null;
      if (window) inst.states[this.slot] = newCloseWindow(window.windowMs);
    }
  }

  private evaluateClose(inst: InstrumentRec, closeTs: number): void {
    const window = inst.states[this.slot] as CloseWindow | null;
    const params = inst.params[this.slot] as Params;
    if (!window || !params.enabled) return;
    trimWindow(window, closeTs - window.windowMs);
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
        const pair = this.context.pairOf(subject, inst);
        let record = pair.states[this.slot] as AlertRecord | null;
        if (!record) {
          record = this.context.pairRecord(pair, this.rule, null, RULES.marking_close.message(params));
          record.metrics.minShare = params.minShare;
          pair.states[this.slot] = record;
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
        this.context.alertBook.raise(record);
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

function newCloseWindow(windowMs = 0): CloseWindow {
  return {
    windowMs,
    tapeTs: [],
    tapeQuoteVolume: [],
    tapeTradeVolume: [],
    tapeLast: [],
    tapeHead: 0,
    bucketStart: Number.NEGATIVE_INFINITY,
    quoteVolume: 0,
    tradeVolume: 0,
    last: Number.NaN,
    boundaryQuoteVolume: 0,
    boundaryTradeVolume: 0,
    boundaryLast: Number.NaN,
    hasBoundary: false,
    tradeTs: [],
    tradeQty: [],
    tradeSeq: [],
    tradeBuyer: [],
    tradeSeller: [],
    tradeHead: 0,
  };
}

/** Samples the tape (at most one entry per second: the state as of its ts) and drops what left the window. */
function tick(window: CloseWindow, ts: number): void {
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
  trimWindow(window, ts - window.windowMs);
}
