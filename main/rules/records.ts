// What the engine interns for the detectors, so the hot path does Map lookups and field updates only: instruments,
// accounts, clients (an account, or its actual-control group), one record per client × contract and trading day,
// and the working orders. Each record carries one slot per detector (its index in the registry) for the detector's
// own state: the engine never looks inside.
import type { Exchange } from '../../shared/protocol';
import type { SubjectType } from '../../shared/rules/types';

export interface InstrumentRec {
  readonly id: string;
  /** null when the feed never described the instrument (rules then use the defaults). */
  exchange: Exchange | null;
  product: string | null;
  priceTick: number;
  multiplier: number;
  marginRate: number;
  maxOrderQty: number | null;
  positionLimit: number | null;
  /** Each detector's parameters resolved for this contract (exchange and product), by slot. */
  readonly params: unknown[];
  /** Each detector's own state for this contract, by slot (null until it keeps one). */
  readonly states: unknown[];
}

export interface SubjectRec {
  /** The account id, or the control group id. */
  readonly id: string;
  readonly type: SubjectType;
  /** client × contract records, this trading day (null until the client's first one: most clients are idle). */
  pairs: Map<InstrumentRec, PairRec> | null;
  /** Each detector's state for this client, this trading day, by slot. */
  readonly states: unknown[];
}

export interface AccountRec {
  readonly id: string;
  subject: SubjectRec;
  /** Each detector's own state for this account, by slot (the detector resets it at a new day). */
  readonly states: unknown[];
}

export const BUY = 0;
export const SELL = 1;
export type SideIndex = typeof BUY | typeof SELL;

/** One client on one contract, one trading day. */
export interface PairRec {
  readonly subject: SubjectRec;
  readonly inst: InstrumentRec;
  /** Each detector's state for this client and contract (its tally, an AlertRecord not yet raised, or more). */
  readonly states: unknown[];
}

/** An order the rules follow, from entry until it is cancelled, replaced, rejected or filled. */
export interface OrderRec {
  readonly id: string;
  readonly acc: AccountRec;
  /** The client and contract at entry. */
  readonly pair: PairRec;
  readonly side: SideIndex;
  readonly price: number;
  readonly qty: number;
  filled: number;
  readonly ts: number;
  readonly seq: number;
  /**
   * Figures detectors note at entry (what the book looked like), at the offsets the engine gave them; null until
   * one notes something (most orders need none: no allocation for them).
   */
  notes: number[] | null;
}

/** A figure noted on the order at entry (0 when none was). */
export function noteOf(order: OrderRec, at: number): number {
  return order.notes === null ? 0 : (order.notes[at] as number);
}

/** A fixed-length slot array, every slot empty. */
export function emptySlots(length: number): unknown[] {
  const slots: unknown[] = [];
  for (let i = 0; i < length; i++) slots.push(null);
  return slots;
}
