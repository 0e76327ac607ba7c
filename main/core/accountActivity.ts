// What the account tools need beyond the engine state, kept incrementally by the core: each account's recent
// fills (the state only counts them), its risk degree sampled once a second for the last hour, and per client ×
// contract the counts the exchange rules compare with their thresholds (orders, cancels, large cancels,
// self-trades). A client is the account's actual-control group when it has one, else the account.
// Feed it with `apply(m)` BEFORE the engine state applies the message: a cancel names only its order, and the
// state forgets the order as it applies the cancel.
import type { ServerMessage, TradeMessage } from '../../shared/protocol';
import { RULE_CATALOGUE, ruleEntry, type RuleId } from '../../shared/rules/catalogue';
import { resolveRuleParams, type RulesConfig } from '../../shared/rules/config';
import {
  TRADES_KEPT,
  type AccountCounters,
  type AccountDetail,
  type AccountOrderRow,
  type AccountTradeRow,
  type ContractCounters,
  type RuleCounter,
} from '../../shared/api/methods/accounts';
import type { AccountValueSource, AccountValueWatch, EngineView } from '../engine/view';
import type { AccountRow } from '../../shared/domain/types';

/** Risk samples kept per account: one an interval (1 s by default), one hour. */
export const RISK_SAMPLES = 3600;

/** What one contract's counters are read from: the subject's tallies there and its one-side position. */
interface CounterFigures {
  counts: PairCounts | undefined;
  held: number;
  largeCancelMinQty: number;
}

/**
 * The value Account Tools shows for each rule whose catalogue entry asks for a counter (the threshold comes from
 * the entry); `applies` false shows the counter without a threshold.
 */
export const ACCOUNT_COUNTER_SOURCES: Partial<
  Record<RuleId, { value(figures: CounterFigures): number; applies?(figures: CounterFigures): boolean }>
> = {
  self_trade: { value: (f) => f.counts?.selfTrades ?? 0 },
  frequent_cancel: { value: (f) => f.counts?.cancels ?? 0 },
  large_cancel: {
    value: (f) => f.counts?.largeCancels ?? 0,
    applies: (f) => Number.isFinite(f.largeCancelMinQty),
  },
  position_limit: { value: (f) => f.held },
};

interface PairCounts {
  instrumentId: string;
  orders: number;
  cancels: number;
  largeCancels: number;
  selfTrades: number;
}

/**
 * One account's risk degree over the sampled hour, as the samples at which it changed (an idle account's day is one
 * entry, not an hour of slots): `at[k]` is a sample number, `value[k]` the degree from that sample on, in steps of
 * 1 / RISK_STEPS_PER_UNIT (NO_DEGREE: not valued). Typed and quantised because a broker's floor revalues tens of thousands of
 * accounts a second: a price tick moving a degree by a thousandth of a point is no change on the chart.
 */
interface RiskChanges {
  at: Int32Array;
  value: Int32Array;
  length: number;
  /** Entries before this index left the hour (the one just before it is the value at the window's start). */
  head: number;
}

/** Risk history resolution: steps per unit of degree (a tenth of a percentage point: finer than the chart draws). */
export const RISK_STEPS_PER_UNIT = 1000;
/** Degrees at or above this (equity gone: infinite) are kept as this, which JSON can carry. */
const RISK_CAP = 99;
const NO_DEGREE = -0x80000000;

function riskStep(degree: number): number {
  if (Number.isNaN(degree)) return NO_DEGREE;
  return Math.round(Math.min(degree, RISK_CAP) * RISK_STEPS_PER_UNIT);
}

interface TradeRing {
  rows: AccountTradeRow[];
  /** Next slot to overwrite once full. */
  head: number;
  total: number;
}

function tradeRow(m: TradeMessage, side: 'buy' | 'sell', selfTrade: boolean): AccountTradeRow {
  return {
    tradeId: m.tradeId,
    instrumentId: m.instrumentId,
    side,
    price: m.price,
    qty: m.qty,
    selfTrade,
    ts: m.ts,
    seq: m.seq,
  };
}

export class AccountActivity {
  private readonly trades = new Map<string, TradeRing>();
  /** Subject key → instrument → counts (two levels: no key string is built per message). */
  private readonly pairsBySubject = new Map<string, Map<string, PairCounts>>();
  /** Account → its subject key, and the control group it was made for (a changed group makes a new key). */
  private readonly subjectKeys = new Map<string, { group: string | null; key: string }>();
  private readonly sampleTs = new Float64Array(RISK_SAMPLES);
  private readonly riskSamples = new Map<string, RiskChanges>();
  private samples = 0;
  /** The engine's list of accounts whose figures changed (null: a view without one, so every account is valued). */
  private readonly valueWatch: AccountValueWatch | null;
  /** After a reset every account needs its first entry again, changed or not. */
  private sampleEveryAccount = false;

  constructor(
    private readonly view: EngineView & Partial<AccountValueSource>,
    private config: RulesConfig,
  ) {
    this.valueWatch = view.watchAccountValues ? view.watchAccountValues() : null;
  }

  /** New thresholds (a live rules reload): counters are compared with them from now on. */
  useConfig(config: RulesConfig): void {
    this.config = config;
  }

  /** Call before the engine state applies `m`. */
  apply(m: ServerMessage): void {
    switch (m.type) {
      case 'order':
        if (m.event === 'new') {
          this.pair(this.subjectKey(m.accountId), m.instrumentId).orders++;
        } else if (m.event === 'cancel') {
          const order = this.view.order(m.orderId);
          if (!order) return; // unknown to the state too: counted there as an anomaly
          const pair = this.pair(this.subjectKey(order.accountId), order.instrumentId);
          pair.cancels++;
          if (m.cancelledQty >= this.largeCancelMinQty(order.instrumentId)) pair.largeCancels++;
        }
        return;
      case 'trade': {
        const buyer = m.buyAccountId;
        const seller = m.sellAccountId;
        if (buyer === null && seller === null) return; // between other participants: nothing of a client
        const self = buyer !== null && seller !== null && this.subjectKey(buyer) === this.subjectKey(seller);
        if (self) this.pair(this.subjectKey(buyer), m.instrumentId).selfTrades++;
        if (buyer !== null) this.addTrade(buyer, tradeRow(m, 'buy', self));
        if (seller !== null && seller !== buyer) this.addTrade(seller, tradeRow(m, 'sell', self));
        return;
      }
      default:
        return;
    }
  }

  /**
   * Takes one risk-degree sample of every account (call once a second). Only accounts whose figures changed since
   * the last sample are looked at: an unchanged one keeps its last entry, which is what it would record.
   * `includeMarks` false (a live core, whose publisher revalues moved marks at least once a second) records the
   * figures of the last revaluation instead of revaluing the whole floor a second time.
   */
  sample(ts: number, includeMarks = true): void {
    const slot = this.samples % RISK_SAMPLES;
    this.sampleTs[slot] = ts;
    const sample = this.samples;
    const changed = this.valueWatch && !this.sampleEveryAccount ? this.valueWatch.take(includeMarks) : null;
    this.sampleEveryAccount = false;
    if (changed === null) {
      this.valueWatch?.take(includeMarks); // the watch starts over from here
      for (const row of this.view.accounts()) {
        // Valued now (rows are lazy).
        this.record(row.accountId, sample, this.view.accountRiskDegree(row.accountId) ?? Number.NaN);
      }
    } else {
      // Valued by take(): the rows carry their current figures.
      for (let i = 0; i < changed.length; i++) {
        const row = changed[i] as Readonly<AccountRow>;
        this.record(row.accountId, sample, row.riskDegree);
      }
    }
    this.samples++;
  }

  /** One account's sample, in the history's steps: a new entry only when its step changed. */
  private record(accountId: string, sample: number, degree: number): void {
    const step = riskStep(degree);
    let changes = this.riskSamples.get(accountId);
    if (!changes) {
      changes = { at: new Int32Array(2), value: new Int32Array(2), length: 0, head: 0 };
      this.riskSamples.set(accountId, changes);
    }
    if (changes.length === 0 || changes.value[changes.length - 1] !== step) {
      forgetOldChanges(changes, sample - RISK_SAMPLES + 1);
      addChange(changes, sample, step);
    }
  }

  /** Risk-history entries held across all accounts (what its memory grows with: changes, not accounts × hour). */
  get riskEntryCount(): number {
    let entries = 0;
    for (const changes of this.riskSamples.values()) entries += changes.length;
    return entries;
  }

  /** Forgets everything (a new session). */
  reset(): void {
    this.trades.clear();
    this.pairsBySubject.clear();
    this.subjectKeys.clear();
    this.riskSamples.clear();
    this.samples = 0;
    this.sampleEveryAccount = true;
  }

  /** The account at a glance; undefined for an account the state does not know. */
  detail(accountId: string, alertIds: string[]): AccountDetail | undefined {
    const account = this.view.valueAccount(accountId);
    if (!account) return undefined;
    const workingOrders: AccountOrderRow[] = [];
    for (const order of this.view.workingOrders(accountId).values()) {
      const { orderId, instrumentId, side, offset, price, qty, remaining, ts, seq } = order;
      workingOrders.push({ orderId, instrumentId, side, offset, price, qty, remaining, ts, seq });
    }
    workingOrders.sort((a, b) => b.seq - a.seq);
    const ring = this.trades.get(accountId);
    const trades: AccountTradeRow[] = [];
    if (ring) {
      const n = ring.rows.length;
      // Newest first: the slot before head, backwards around the ring.
      for (let k = 1; k <= n; k++) trades.push({ ...ring.rows[(ring.head - k + n) % n]! });
    }
    return {
      account: { ...account },
      groupAccountIds: this.groupOf(accountId),
      positions: [...this.view.positionsOf(accountId)].map((p) => ({ ...p })),
      workingOrders,
      trades,
      tradesOmitted: ring ? ring.total - ring.rows.length : 0,
      riskHistory: this.riskHistory(accountId),
      alertIds,
    };
  }

  /** The client's counters per contract against the thresholds; undefined for an unknown account. */
  counters(accountId: string, tradingDay: string | null): AccountCounters | undefined {
    const account = this.view.account(accountId);
    if (!account) return undefined;
    const group = account.controlGroup;
    const key = this.subjectKey(accountId);
    const accountIds = this.groupOf(accountId);
    const instruments = new Set<string>();
    const pairs = this.pairsBySubject.get(key);
    for (const instrumentId of pairs?.keys() ?? []) instruments.add(instrumentId);
    for (const id of accountIds) for (const p of this.view.positionsOf(id)) instruments.add(p.instrumentId);
    const contracts: ContractCounters[] = [];
    for (const instrumentId of instruments) {
      const counts = pairs?.get(instrumentId);
      const inst = this.view.instrument(instrumentId);
      const exchange = inst?.exchange ?? null;
      const product = inst?.product ?? null;
      let longQty = 0;
      let shortQty = 0;
      for (const id of accountIds) {
        const p = this.view.position(id, instrumentId);
        if (p) {
          longQty += p.longQty;
          shortQty += p.shortQty;
        }
      }
      const minQty = this.largeCancelMinQty(instrumentId);
      const figures: CounterFigures = { counts, held: Math.max(longQty, shortQty), largeCancelMinQty: minQty };
      const counters: RuleCounter[] = [];
      for (const entry of RULE_CATALOGUE) {
        const source = entry.accountCounter ? ACCOUNT_COUNTER_SOURCES[entry.id] : undefined;
        if (!source) continue;
        const params = resolveRuleParams(this.config, entry.id, exchange, product);
        const threshold =
          params.enabled && (source.applies?.(figures) ?? true)
            ? ruleEntry(entry.id).threshold(params, { positionLimit: inst?.positionLimit ?? null })
            : null;
        counters.push(counter(entry.id, source.value(figures), threshold));
      }
      contracts.push({
        instrumentId,
        exchange,
        orders: counts?.orders ?? 0,
        largeCancelMinQty: Number.isFinite(minQty) ? minQty : null,
        counters,
      });
    }
    const closest = (c: ContractCounters) => Math.max(0, ...c.counters.map((x) => x.ratio ?? 0));
    contracts.sort((a, b) => closest(b) - closest(a) || a.instrumentId.localeCompare(b.instrumentId));
    return {
      accountId,
      subjectType: group === null ? 'account' : 'group',
      subjectId: group ?? accountId,
      accountIds,
      tradingDay,
      contracts,
    };
  }

  // ------------------------------------------------------------------ internals

  private subjectKey(accountId: string): string {
    const group = this.view.account(accountId)?.controlGroup ?? null;
    const known = this.subjectKeys.get(accountId);
    if (known && known.group === group) return known.key;
    const key = group === null ? `a:${accountId}` : `g:${group}`;
    this.subjectKeys.set(accountId, { group, key });
    return key;
  }

  private groupOf(accountId: string): string[] {
    const group = this.view.account(accountId)?.controlGroup ?? null;
    return group === null ? [accountId] : [...this.view.accountsInGroup(group)];
  }

  private pair(subjectKey: string, instrumentId: string): PairCounts {
    let pairs = this.pairsBySubject.get(subjectKey);
    if (!pairs) {
      pairs = new Map();
      this.pairsBySubject.set(subjectKey, pairs);
    }
    let pair = pairs.get(instrumentId);
    if (!pair) {
      pair = { instrumentId, orders: 0, cancels: 0, largeCancels: 0, selfTrades: 0 };
      pairs.set(instrumentId, pair);
    }
    return pair;
  }

  /** As the large_cancel rule reads it: a fixed lot size, or a share of the contract's maxOrderQty. */
  private largeCancelMinQty(instrumentId: string): number {
    const inst = this.view.instrument(instrumentId);
    const params = resolveRuleParams(this.config, 'large_cancel', inst?.exchange ?? null, inst?.product ?? null);
    let min = Number.POSITIVE_INFINITY;
    if (params.minQty !== null) min = params.minQty;
    const maxOrderQty = inst?.maxOrderQty ?? null;
    if (params.maxOrderQtyShare !== null && maxOrderQty !== null) {
      min = Math.min(min, Math.max(1, Math.ceil(params.maxOrderQtyShare * maxOrderQty - 1e-9)));
    }
    return min;
  }

  private addTrade(accountId: string, row: AccountTradeRow): void {
    let ring = this.trades.get(accountId);
    if (!ring) {
      ring = { rows: [], head: 0, total: 0 };
      this.trades.set(accountId, ring);
    }
    ring.total++;
    if (ring.rows.length < TRADES_KEPT) {
      ring.rows.push(row);
      ring.head = ring.rows.length % TRADES_KEPT;
    } else {
      ring.rows[ring.head] = row;
      ring.head = (ring.head + 1) % TRADES_KEPT;
    }
  }

  private riskHistory(accountId: string): AccountDetail['riskHistory'] {
    const changes = this.riskSamples.get(accountId);
    const ts: number[] = [];
    const riskDegree: number[] = [];
    if (!changes) return { ts, riskDegree };
    const n = Math.min(this.samples, RISK_SAMPLES);
    const start = this.samples - n;
    // The entry in force at `start`: the newest at or before it (before the account's first sample: none, NaN).
    let k = changes.head;
    while (k + 1 < changes.length && changes.at[k + 1]! <= start) k++;
    for (let i = start; i < this.samples; i++) {
      while (k + 1 < changes.length && changes.at[k + 1]! <= i) k++;
      const step = changes.at[k]! <= i ? changes.value[k]! : NO_DEGREE;
      if (step === NO_DEGREE) continue;
      ts.push(this.sampleTs[i % RISK_SAMPLES]!);
      riskDegree.push(step / RISK_STEPS_PER_UNIT);
    }
    return { ts, riskDegree };
  }
}

/** Drops the changes that no sample from `from` on needs (keeps the one in force at `from`); compacts now and then. */
function forgetOldChanges(changes: RiskChanges, from: number): void {
  let head = changes.head;
  while (head + 1 < changes.length && changes.at[head + 1]! <= from) head++;
  changes.head = head;
  if (head >= 64 && head * 2 >= changes.length) {
    changes.at.copyWithin(0, head, changes.length);
    changes.value.copyWithin(0, head, changes.length);
    changes.length -= head;
    changes.head = 0;
  }
}

function addChange(changes: RiskChanges, sample: number, step: number): void {
  if (changes.length === changes.at.length) {
    const at = new Int32Array(changes.at.length * 2);
    const value = new Int32Array(at.length);
    at.set(changes.at);
    value.set(changes.value);
    changes.at = at;
    changes.value = value;
  }
  changes.at[changes.length] = sample;
  changes.value[changes.length] = step;
  changes.length++;
}

function counter(rule: RuleId, value: number, threshold: number | null): RuleCounter {
  return {
    rule,
    value,
    threshold,
    ratio: threshold === null || threshold <= 0 ? null : Math.round((value / threshold) * 1e4) / 1e4,
  };
}
