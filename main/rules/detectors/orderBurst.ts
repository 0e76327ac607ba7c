// order_burst (短时间大量报撤单): occasions with ≥ N order+cancel submissions within the window, per client and
// exchange; the occasions of a day reach the threshold.
import type { OrderCancelMessage, OrderNewMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import type { AccountRec, InstrumentRec, OrderRec, PairRec } from '../records';

type Params = RuleParams['order_burst'];

interface BurstState {
  /** The exchange this state counts for. */
  readonly key: string;
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

export class OrderBurstDetector implements Detector {
  readonly rule = 'order_burst';

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {}

  /** Per exchange only: an occasion spans every product of the exchange. */
  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange);
  }

  onOrderNew(order: OrderRec, m: OrderNewMessage): void {
    this.submission(order.acc, order.pair, m.ts, m.seq);
  }

  onCancel(order: OrderRec, m: OrderCancelMessage): void {
    this.submission(order.acc, order.pair, m.ts, m.seq);
  }

  private submission(acc: AccountRec, pair: PairRec, ts: number, seq: number): void {
    const inst = pair.inst;
    const params = inst.params[this.slot] as Params;
    if (!params.enabled) return;
    const subject = acc.subject;
    const key = inst.exchange ?? '';
    // The pair caches its client's state for its exchange (the account may have joined a group since the order).
    const cachedState = pair.states[this.slot] as BurstState | null;
    const cached = cachedState !== null && pair.subject === subject && cachedState.key === key;
    let state = cached ? cachedState : undefined;
    let bursts = subject.states[this.slot] as Map<string, BurstState> | null;
    if (!state) state = bursts?.get(key);
    if (!state) {
      const size = params.minSubmissions;
      state = {
        key,
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
      if (!bursts) subject.states[this.slot] = bursts = new Map();
      bursts.set(key, state);
    }
    if (!cached && pair.subject === subject) pair.states[this.slot] = state;
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
        this.rule,
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
    this.context.settle(record);
  }
}
