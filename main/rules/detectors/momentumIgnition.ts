// momentum_ignition (拉抬打压后反向): a client's aggressive trades sweep several price levels one way, and the same
// client trades the other side soon after; such events reach the threshold.
import type { OrderNewMessage, TradeMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import {
  BUY,
  noteOf,
  type AccountRec,
  type InstrumentRec,
  type OrderRec,
  type PairRec,
  type SideIndex,
} from '../records';

type Params = RuleParams['momentum_ignition'];

/** Sweep seqs kept per momentum event (evidence is bounded anyway). */
const MAX_SWEEP_SEQS = 64;

interface SweepRun {
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

interface Sweep {
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

/** One client on one contract today. */
interface MomentumPair {
  record: AlertRecord | null;
  run: SweepRun | null;
  sweep: Sweep | null;
}

export class MomentumIgnitionDetector implements Detector {
  readonly rule = 'momentum_ignition';
  /** Order note: the opposite book levels its price and size reach at entry (0 when it does not cross). */
  private readonly sweptLevels: number;

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {
    this.sweptLevels = context.reserveOrderNotes(1);
  }

  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
  }

  onOrderNew(order: OrderRec, m: OrderNewMessage): void {
    const inst = order.pair.inst;
    if (!(inst.params[this.slot] as Params).enabled) return;
    const book = this.context.view.book(inst.id);
    const buy = order.side === BUY;
    const opposite = book ? (buy ? book.asks : book.bids) : undefined;
    const best = opposite?.[0];
    if (!opposite || !best || (buy ? m.price < best[0] : m.price > best[0])) return;
    // Levels within the limit price, until the order's size is used up.
    let swept = 0;
    let reached = 0;
    for (let i = 0; i < opposite.length && reached < m.qty; i++) {
      const level = opposite[i] as [number, number];
      if (buy ? level[0] > m.price : level[0] < m.price) break;
      swept++;
      reached += level[1];
    }
    if (swept > 0) this.context.note(order, this.sweptLevels, swept);
  }

  onClientTrade(acc: AccountRec, pair: PairRec, side: SideIndex, m: TradeMessage, order?: OrderRec): void {
    if (!(pair.inst.params[this.slot] as Params).enabled) return;
    let state = pair.states[this.slot] as MomentumPair | null;
    if (!state) {
      state = { record: null, run: null, sweep: null };
      pair.states[this.slot] = state;
    }
    this.checkReversal(pair, state, side, m, acc);
    // The aggressor's side: the book levels its order reached at entry (at least 1).
    if (m.aggressor === (side === BUY ? 'buy' : 'sell')) {
      const levels = order ? noteOf(order, this.sweptLevels) : 0;
      this.extendSweep(state, pair.inst, side, m, Math.max(1, levels));
    }
  }

  /**
   * Part 1: the client's aggressive trades on one side filling at successively worse prices, or an aggressive order
   * whose price and size reached that many levels of the book at entry.
   */
  private extendSweep(state: MomentumPair, inst: InstrumentRec, side: SideIndex, m: TradeMessage, bookLevels: number) {
    const params = inst.params[this.slot] as Params;
    const direction = side === BUY ? 1 : -1;
    let run = state.run;
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
        state.run = run;
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
    const sweep = state.sweep;
    if (sweep && sweep.seqs === run.seqs) {
      // The same run grew: the sweep is bigger and ends later.
      sweep.endTs = m.ts;
      sweep.qty = run.qty;
      sweep.levels = run.levels;
      sweep.endPrice = m.price;
    } else {
      state.sweep = {
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

  /** Part 2: the same client trades the other side soon after the sweep. */
  private checkReversal(pair: PairRec, state: MomentumPair, side: SideIndex, m: TradeMessage, acc: AccountRec) {
    const sweep = state.sweep;
    if (!sweep || sweep.fired || sweep.side === side) return;
    const params = pair.inst.params[this.slot] as Params;
    const after = m.ts - sweep.endTs;
    if (after > params.reversalWindowMs) {
      state.sweep = null;
      return;
    }
    sweep.reversalQty += m.qty;
    if (sweep.reversalQty < params.minReversalShare * sweep.qty) return;
    sweep.fired = true;
    let record = state.record;
    if (!record) {
      record = this.context.pairRecord(pair, this.rule, params.minEvents, RULES.momentum_ignition.message(params));
      state.record = record;
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
    this.context.settle(record);
  }
}
