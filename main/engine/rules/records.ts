// What the rules remember between messages, interned so the hot path does Map lookups and field updates only:
// instruments (with their resolved thresholds), clients (an account, or its actual-control group), one record per
// client × contract, and the rules' own view of each order (B's state forgets an order once it is cancelled).
import type { Exchange } from '../../../shared/protocol';
import type { RuleParams } from '../../../shared/rules/config';
import type { SubjectType } from '../../../shared/rules/types';
import type { AlertRecord } from './alertBook';
import type { BandIndex } from './bandIndex';

export interface InstrumentRec {
  readonly id: string;
  /** null when the feed never described the instrument (rules then use the defaults). */
  exchange: Exchange | null;
  product: string | null;
  priceTick: number;
  /** Contract terms the margin bands need (the engine state does the valuation itself). */
  multiplier: number;
  marginRate: number;
  maxOrderQty: number | null;
  positionLimit: number | null;
  /** Resolved per exchange and product once, when the instrument message arrives. */
  params: InstrumentParams;
  /** marking_close: recent trades and quotes of this contract (null when the rule is off). */
  close: CloseWindow | null;
  /** The longest marking_close window. */
  closeWindowMs: number;
  /** margin_call: the band of each account holding a position here today, in the order they came. */
  holderBands: PriceBand[];
  /**
   * The same bands ordered by their edges: while the last price stays strictly inside the tightest, no holder's
   * risk degree can cross a margin level, so a quote costs two comparisons; outside, it finds the broken bands only.
   */
  bands: BandIndex<PriceBand>;
  /** The last price quoted (NaN before any): a different one moves every holder's mark. */
  quotedLast: number;
  /** margin_call: stamp of the latest mark or contract change, and neighbours by it (see MarkRecency). */
  markStamp: number;
  newer: InstrumentRec | null;
  older: InstrumentRec | null;
}

/**
 * Prices of one contract within which an account's risk degree cannot cross a level (see RuleEngine.rebuildBands):
 * mark ± headroom ÷ (held × weight), from the account's last check. The edges in the index (low, high) lie within
 * those (equal, or tighter while the account's headroom only grew), so every quote that leaves the band is found.
 */
export interface PriceBand {
  readonly inst: InstrumentRec;
  readonly acc: AccountRec;
  /** Position in inst.holderBands (holders are checked in the order they came). */
  readonly ordinal: number;
  /** The account holds lots here (else the band is unbounded). */
  active: boolean;
  /** The position's mark and the price sensitivity of the account's margin levels here, at the last check. */
  mark: number;
  weight: number;
  /** The position's quantities changed since the last check (queued in acc.dirtyBands). */
  dirty: boolean;
  /** The rebuild pass that last refreshed it. */
  refreshed: number;
  /** Edges as indexed. */
  low: number;
  high: number;
  /** Slots in inst.bands (-1 while not indexed), and its visit mark there. */
  lowAt: number;
  highAt: number;
  seen: number;
}

export interface InstrumentParams {
  selfTrade: RuleParams['self_trade'];
  frequentCancel: RuleParams['frequent_cancel'];
  largeCancel: RuleParams['large_cancel'];
  /** Smallest cancelled lots that count as a large cancel here; Infinity = none can. */
  largeCancelMinQty: number;
  positionLimit: RuleParams['position_limit'];
  orderBurst: RuleParams['order_burst'];
  spoofing: RuleParams['spoofing'];
  markingClose: RuleParams['marking_close'];
  momentum: RuleParams['momentum_ignition'];
}

export interface SubjectRec {
  /** The account id, or the control group id. */
  readonly id: string;
  readonly type: SubjectType;
  /** client × contract records, this trading day (null until the client's first one: most clients are idle). */
  pairs: Map<InstrumentRec, PairRec> | null;
  /** order_burst state per exchange, this trading day. */
  bursts: Map<string, BurstState> | null;
}

export interface AccountRec {
  readonly id: string;
  subject: SubjectRec;
  /**
   * Bands of the contracts held today (margin_call), iterated on every valuation; found by contract through
   * bandByInstrument once there are more than a few (a short list is scanned: most accounts hold a few or none).
   */
  bandList: PriceBand[];
  bandByInstrument: Map<InstrumentRec, PriceBand> | null;
  /** Bands whose position's quantities changed since the last check. */
  dirtyBands: PriceBand[];
  /** Entries in use in dirtyBands (the array is reused, never shrunk: no allocation per trade). */
  dirtyCount: number;
  /** At the last check: headroom to the nearest margin level, contracts held, and the mark stamp. */
  headroom: number;
  held: number;
  checkStamp: number;
  /** Headroom and held count the indexed edges were computed with (each band's index edges are within its band while headroom ≥ this and held ≤ this). */
  basisHeadroom: number;
  basisHeld: number;
  margin: AlertRecord | null;
  /** Currently at or above the call level (a new crossing counts once). */
  inCall: boolean;
}

export const BUY = 0;
export const SELL = 1;
export type SideIndex = typeof BUY | typeof SELL;

/** One client on one contract, one trading day. Tallies are AlertRecords not yet raised. */
export interface PairRec {
  readonly subject: SubjectRec;
  readonly inst: InstrumentRec;
  selfTrades: AlertRecord | null;
  cancels: AlertRecord | null;
  largeCancels: AlertRecord | null;
  positionLimit: AlertRecord | null;
  spoofing: AlertRecord | null;
  momentum: AlertRecord | null;
  markingClose: AlertRecord | null;
  /** Trades of the client by side (count), to see "traded the other side while the order lived". */
  tradesBySide: [number, number];
  /** seq of the latest trade by side (evidence). */
  lastTradeSeqBySide: [number, number];
  spoofEpisode: SpoofEpisode | null;
  run: SweepRun | null;
  sweep: Sweep | null;
  /** order_burst: the subject's state for this contract's exchange (`burstKey`), cached to skip a string lookup. */
  burst: BurstState | null;
  burstKey: string | null;
}

export const SPOOF_NONE = 0;
export const SPOOF_LAYER = 1;
export const SPOOF_LARGE = 2;

export interface OrderRec {
  readonly id: string;
  readonly accountId: string;
  readonly pair: PairRec;
  readonly side: SideIndex;
  readonly price: number;
  readonly qty: number;
  filled: number;
  readonly ts: number;
  readonly seq: number;
  /** Size class at entry, against the visible book on its side. */
  readonly spoofKind: number;
  /** Lots / visible lots on its side at entry (0 when the side was empty). */
  readonly depthRatio: number;
  /** The client's opposite-side trade count at entry. */
  readonly oppositeTradesAtEntry: number;
  /** Opposite book levels its price and size reach at entry (momentum_ignition; 0 when it does not cross). */
  readonly sweptLevels: number;
}

export interface SpoofEpisode {
  side: SideIndex;
  lastTs: number;
  prices: number[];
  hasLarge: boolean;
  counted: boolean;
  layered: boolean;
}

export interface SweepRun {
  side: SideIndex;
  lastTs: number;
  lastPrice: number;
  startPrice: number;
  /** max(fillLevels, bookLevels). */
  levels: number;
  /** Successively worse prices filled. */
  fillLevels: number;
  /** Most book levels one of its orders reached at entry. */
  bookLevels: number;
  qty: number;
  seqs: number[];
}

export interface Sweep {
  side: SideIndex;
  endTs: number;
  qty: number;
  levels: number;
  startPrice: number;
  endPrice: number;
  reversalQty: number;
  fired: boolean;
  seqs: number[];
}

export interface BurstState {
  /** ts and seq of the last `minSubmissions` submissions (a ring). */
  readonly times: Float64Array;
  readonly seqs: Float64Array;
  readonly insts: (InstrumentRec | null)[];
  readonly accounts: (AccountRec | null)[];
  next: number;
  filled: number;
  /** An occasion's window ends here; the next one must start at or after it (occasions do not overlap). */
  blockedUntil: number;
  record: AlertRecord | null;
  /** Submissions per contract inside counted occasions: the alert names the busiest. */
  perInstrument: Map<InstrumentRec, number>;
}

/**
 * The last `windowMs` of one contract: a tape of cumulative volume and last price sampled at most once per second,
 * and the trades of this gateway's clients — parallel arrays with a moving head (amortised O(1)).
 */
export interface CloseWindow {
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

export function newPair(subject: SubjectRec, inst: InstrumentRec): PairRec {
  return {
    subject,
    inst,
    selfTrades: null,
    cancels: null,
    largeCancels: null,
    positionLimit: null,
    spoofing: null,
    momentum: null,
    markingClose: null,
    tradesBySide: [0, 0],
    lastTradeSeqBySide: [0, 0],
    spoofEpisode: null,
    run: null,
    sweep: null,
    burst: null,
    burstKey: null,
  };
}

export function newCloseWindow(): CloseWindow {
  return {
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
