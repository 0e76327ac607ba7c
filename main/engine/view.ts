// What the rest of the core (surveillance and risk rules, tools) may read of the engine's state. Everything here
// is read-only and returns live objects: read what you need while handling a message, do not keep references
// across messages (copy instead) — the engine mutates them in place for speed.
import type { BookLevel, Phase } from '../../shared/protocol';
import type { AccountRow, ClientProfile, DeliveryTerms, MarketRow, PositionRow } from '../../shared/domain/types';

/** An order that is still working (accepted, not fully filled, not cancelled or rejected). */
export interface WorkingOrder {
  readonly orderId: string;
  readonly accountId: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  /** open or close: decides whether its fills open or close a position. */
  readonly offset: 'open' | 'close';
  readonly price: number;
  /** Original quantity. */
  readonly qty: number;
  /** Lots not yet filled. */
  readonly remaining: number;
  /** Source ts and seq of the `order new` message. */
  readonly ts: number;
  readonly seq: number;
}

/** Top of the book from the last quote (best first, at most 5 levels per side). */
export interface BookView {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Source ts and seq of the quote. */
  readonly ts: number;
  readonly seq: number;
}

/** Accounts whose money figures changed since the watcher last took them (see `AccountValueSource`). */
export interface AccountValueWatch {
  /**
   * Values what changed now, then returns the rows of the accounts whose figures changed since the last call.
   * `includeMarks` false leaves accounts whose only change is a moved mark to the next full revaluation (a live
   * core's publisher runs one at least once a second): their rows carry the figures of that last revaluation.
   */
  take(includeMarks?: boolean): Readonly<AccountRow>[];
}

/** An engine that can tell a sampler which accounts' figures changed, so it need not value the whole floor. */
export interface AccountValueSource {
  /** A new watch: its first `take` returns every account, later ones only those whose figures changed. */
  watchAccountValues(): AccountValueWatch;
}

export interface EngineView {
  /** seq and source ts of the last message applied (0 before any). */
  readonly lastSeq: number;
  readonly lastTs: number;
  /** True once `end` was applied. */
  readonly ended: boolean;

  /** Static data + last quote of an instrument (multiplier, marginRate, limits, positionLimit, maxOrderQty, phase…). */
  instrument(instrumentId: string): Readonly<MarketRow> | undefined;
  instruments(): Iterable<Readonly<MarketRow>>;
  /** Current top 5 levels. */
  book(instrumentId: string): BookView | undefined;
  /** Price positions are valued at: last, else preSettlement. */
  mark(instrumentId: string): number | undefined;
  /** Trading phase of an instrument (its own, else its exchange's). */
  phase(instrumentId: string): Phase | undefined;

  /**
   * An account row (controlGroup, preBalance, cash, workingOrders, tradesToday are always current; the money
   * figures are as of the last valuation — use `valueAccount` when a rule needs them now).
   */
  account(accountId: string): Readonly<AccountRow> | undefined;
  accounts(): Iterable<Readonly<AccountRow>>;
  /** Values the account at current marks now (O(positions whose mark or quantities changed)) and returns its row. */
  valueAccount(accountId: string): Readonly<AccountRow> | undefined;
  /** margin ÷ equity at current marks (valued now); undefined for an unknown account. */
  accountRiskDegree(accountId: string): number | undefined;
  /** Account ids of one actual-control group (实际控制关系账户组), in order of first appearance. */
  accountsInGroup(controlGroup: string): readonly string[];
  /** Client type, programmatic-trading report, KYC persons and terminals; undefined when the feed gave none. */
  clientProfile(accountId: string): Readonly<ClientProfile> | undefined;
  /** Delivery month, last trading day and delivery unit of a contract; undefined when the feed gave none. */
  deliveryTerms(instrumentId: string): Readonly<DeliveryTerms> | undefined;

  /** Position of an account on an instrument (quantities and averages are always current). */
  position(accountId: string, instrumentId: string): Readonly<PositionRow> | undefined;
  /** Every position an account holds a row for. */
  positionsOf(accountId: string): Iterable<Readonly<PositionRow>>;

  order(orderId: string): WorkingOrder | undefined;
  /** Working orders of an account, by order id. */
  workingOrders(accountId: string): ReadonlyMap<string, WorkingOrder>;
}
