// spoofing (幌骗): an order large against the visible depth on its side (or, for layering, at least an average
// level, on consecutive price levels), cancelled quickly with little filled, while the same client traded the other
// side during its life. Qualifying cancels close together in time form one episode; episodes reach the threshold.
import type { OrderCancelMessage, OrderNewMessage, TradeMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import {
  BUY,
  noteOf,
  SELL,
  type AccountRec,
  type InstrumentRec,
  type OrderRec,
  type PairRec,
  type SideIndex,
} from '../records';

type Params = RuleParams['spoofing'];

const SPOOF_NONE = 0;
const SPOOF_LAYER = 1;
const SPOOF_LARGE = 2;

/** Order notes (offsets after the reserved base): size class, depth ratio, the client's opposite trades at entry. */
const KIND = 0;
const DEPTH_RATIO = 1;
const OPPOSITE_TRADES = 2;
const NOTES = 3;

interface Episode {
  side: SideIndex;
  lastTs: number;
  prices: number[];
  hasLarge: boolean;
  counted: boolean;
  layered: boolean;
}

/** One client on one contract today. */
interface SpoofPair {
  record: AlertRecord | null;
  episode: Episode | null;
  /** Trades of the client by side (count), to see "traded the other side while the order lived". */
  readonly tradesBySide: [number, number];
  /** seq of the latest trade by side (evidence). */
  readonly lastTradeSeqBySide: [number, number];
}

export class SpoofingDetector implements Detector {
  readonly rule = 'spoofing';
  private readonly notes: number;

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {
    this.notes = context.reserveOrderNotes(NOTES);
  }

  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
  }

  /** Classifies the order's size against the visible book on its side. */
  onOrderNew(order: OrderRec, m: OrderNewMessage): void {
    const pair = order.pair;
    const params = pair.inst.params[this.slot] as Params;
    if (!params.enabled || m.qty < params.minQty) return;
    const book = this.context.view.book(pair.inst.id);
    if (!book) return;
    const levels = order.side === BUY ? book.bids : book.asks;
    let depth = 0;
    for (let i = 0; i < levels.length; i++) depth += (levels[i] as [number, number])[1];
    if (depth <= 0) return;
    const depthRatio = m.qty / depth;
    let kind = SPOOF_NONE;
    if (depthRatio >= params.depthRatio) kind = SPOOF_LARGE;
    else if (m.qty * levels.length >= params.layerLevelRatio * depth) kind = SPOOF_LAYER;
    if (kind === SPOOF_NONE) return;
    const state = pair.states[this.slot] as SpoofPair | null;
    this.context.note(order, this.notes + KIND, kind);
    this.context.note(order, this.notes + DEPTH_RATIO, depthRatio);
    const opposite = state ? state.tradesBySide[order.side === BUY ? SELL : BUY] : 0;
    this.context.note(order, this.notes + OPPOSITE_TRADES, opposite);
  }

  onClientTrade(_acc: AccountRec, pair: PairRec, side: SideIndex, m: TradeMessage): void {
    const state = this.stateOf(pair);
    state.tradesBySide[side]++;
    state.lastTradeSeqBySide[side] = m.seq;
  }

  onCancel(order: OrderRec, m: OrderCancelMessage): void {
    const kind = noteOf(order, this.notes + KIND);
    if (kind === SPOOF_NONE) return;
    const pair = order.pair;
    const params = pair.inst.params[this.slot] as Params;
    const life = m.ts - order.ts;
    if (life > params.maxLifeMs) return;
    if (order.filled > params.maxFillShare * order.qty) return;
    const opposite = order.side === BUY ? SELL : BUY;
    const state = this.stateOf(pair);
    if (state.tradesBySide[opposite] <= noteOf(order, this.notes + OPPOSITE_TRADES)) return;

    let episode = state.episode;
    if (!episode || episode.side !== order.side || m.ts - episode.lastTs > params.episodeGapMs) {
      episode = { side: order.side, lastTs: m.ts, prices: [], hasLarge: false, counted: false, layered: false };
      state.episode = episode;
    }
    episode.lastTs = m.ts;
    if (!episode.prices.includes(order.price)) episode.prices.push(order.price);
    if (kind === SPOOF_LARGE) episode.hasLarge = true;
    const levels = consecutiveLevels(episode.prices, pair.inst.priceTick);
    const layered = levels >= params.layeringMinLevels;
    if (!episode.hasLarge && !layered) return;

    let record = state.record;
    if (!record) {
      record = this.context.pairRecord(pair, this.rule, params.minEpisodes, RULES.spoofing.message(params));
      state.record = record;
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
    metrics.maxDepthRatio = Math.max(metrics.maxDepthRatio ?? 0, noteOf(order, this.notes + DEPTH_RATIO));
    metrics.maxLifeMs = Math.max(metrics.maxLifeMs ?? 0, life);
    metrics.maxFillShare = Math.max(metrics.maxFillShare ?? 0, order.filled / order.qty);
    record.addEvidence(order.seq);
    record.addEvidence(m.seq);
    const tradeSeq = state.lastTradeSeqBySide[opposite];
    if (tradeSeq > order.seq) record.addEvidence(tradeSeq);
    record.addAccount(order.acc.id);
    this.context.settle(record);
  }

  private stateOf(pair: PairRec): SpoofPair {
    let state = pair.states[this.slot] as SpoofPair | null;
    if (!state) {
      state = { record: null, episode: null, tradesBySide: [0, 0], lastTradeSeqBySide: [0, 0] };
      pair.states[this.slot] = state;
    }
    return state;
  }
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
