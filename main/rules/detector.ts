// A detector is one rule's half in main/ (the other half is its catalogue entry in shared/rules/catalogue): its
// state, its handlers per message type and its day reset. The engine interns instruments, accounts, clients and
// orders, keeps the trading day, and calls each handler a detector has, in registry order, right after the engine
// state applied the message. Handlers run on the hot path: no allocation per message beyond the rule's own first
// record of a client or contract, and nothing that scans history.
import type {
  AccountMessage,
  CashMessage,
  InstrumentMessage,
  OrderCancelMessage,
  OrderNewMessage,
  PhaseMessage,
  PositionMessage,
  QuoteMessage,
  TerminalMessage,
  TradeMessage,
} from '../../shared/protocol';
import type { RulesConfig } from '../../shared/rules/config';
import type { RuleId } from '../../shared/rules/types';
import type { EngineView } from '../engine/view';
import type { AlertBook, AlertRecord, AlertRenderer } from './alertBook';
import type { AccountRec, InstrumentRec, OrderRec, PairRec, SideIndex, SubjectRec } from './records';

/** What the engine offers a detector. */
export interface DetectorContext {
  readonly config: RulesConfig;
  /** The engine state (read-only); it has applied the message the detector is handling. */
  readonly view: EngineView;
  readonly alertBook: AlertBook;
  /** Interned records, in the order they came (for a detector's day reset or a close). */
  readonly instruments: ReadonlyMap<string, InstrumentRec>;
  readonly accounts: ReadonlyMap<string, AccountRec>;
  /** The client × contract record of this trading day (made on first use). */
  pairOf(subject: SubjectRec, inst: InstrumentRec): PairRec;
  /** A new tally of `rule` for a client on a contract (an alert once raised). */
  pairRecord(pair: PairRec, rule: RuleId, threshold: number | null, render: AlertRenderer): AlertRecord;
  /** Raises a tally the first time its count reaches its threshold; afterwards marks it changed. */
  settle(record: AlertRecord): void;
  /** Reserves `count` numbers on every order for figures noted at entry; returns the first one's offset. */
  reserveOrderNotes(count: number): number;
  /** Notes a figure on the order (read back with noteOf). */
  note(order: OrderRec, at: number, value: number): void;
}

/** Handlers a detector may have; each is called only for the detectors that define it. */
export interface Detector {
  readonly rule: RuleId;
  /** This rule's parameters for a contract (resolved by its exchange and product), kept in `inst.params[slot]`. */
  paramsFor(inst: InstrumentRec): unknown;
  /** The contract's terms changed (after every detector's parameters were resolved again). */
  onInstrument?(inst: InstrumentRec, m: InstrumentMessage): void;
  onAccount?(acc: AccountRec, m: AccountMessage): void;
  /** Terminal details from a client's login, for an account the engine knows (docs/protocol.md, `terminal`). */
  onTerminal?(acc: AccountRec, m: TerminalMessage): void;
  onOrderNew?(order: OrderRec, m: OrderNewMessage): void;
  /** The order is no longer working (the engine forgot it just before). */
  onCancel?(order: OrderRec, m: OrderCancelMessage): void;
  /** Once per trade, after both orders' fills were counted. */
  onTrade?(m: TradeMessage, inst: InstrumentRec, buyer: AccountRec | null, seller: AccountRec | null): void;
  /**
   * Once per side of a trade with a known account (buyer first), after onTrade: `pair` is the client on the
   * contract, `order` that side's order when the rules saw it entered.
   */
  onClientTrade?(acc: AccountRec, pair: PairRec, side: SideIndex, m: TradeMessage, order: OrderRec | undefined): void;
  /** A quote of a contract the engine knows. */
  onQuote?(inst: InstrumentRec, m: QuoteMessage): void;
  onPosition?(acc: AccountRec, inst: InstrumentRec, m: PositionMessage): void;
  /** Cash of an account the engine knows. */
  onCash?(acc: AccountRec, m: CashMessage): void;
  onPhase?(m: PhaseMessage): void;
  /** The session ended (`end`). */
  onEnd?(ts: number): void;
  /** A new trading day: counts start afresh (raised alerts stay in the book). Per-client states are already gone. */
  resetDay?(): void;
}

/** Makes a rule's detector; `slot` is its index in every record's `params` and `states`. */
export type DetectorFactory = (context: DetectorContext, slot: number) => Detector;
