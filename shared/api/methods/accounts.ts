// API of the account tools (issue 7 item 2): one account at a glance, and how close its client is to each
// exchange rule per contract. Answered by the core worker from live state. Owner: the core work.
import { Type } from '@sinclair/typebox';
import type { Exchange } from '../../protocol/schema';
import type { AccountRow, PositionRow } from '../../domain/types';
import type { RuleId } from '../../rules/catalogue';
import { method } from '../method';

/** A working order of the account. */
export interface AccountOrderRow {
  orderId: string;
  instrumentId: string;
  side: 'buy' | 'sell';
  offset: 'open' | 'close';
  price: number;
  qty: number;
  remaining: number;
  ts: number;
  seq: number;
}

/** One of the account's fills today. */
export interface AccountTradeRow {
  tradeId: string;
  instrumentId: string;
  side: 'buy' | 'sell';
  price: number;
  qty: number;
  /** The other side is an account of the same client (same account or control group). */
  selfTrade: boolean;
  ts: number;
  seq: number;
}

export interface AccountDetail {
  account: AccountRow;
  /** The accounts of its actual-control group (itself alone when it has none). */
  groupAccountIds: string[];
  positions: PositionRow[];
  workingOrders: AccountOrderRow[];
  /** Newest first, at most `TRADES_KEPT`. */
  trades: AccountTradeRow[];
  /** Trades today beyond those listed. */
  tradesOmitted: number;
  /** Risk degree sampled once a second, oldest first, the last hour at most (for a sparkline). */
  riskHistory: { ts: number[]; riskDegree: number[] };
  /** Ids of the surveillance alerts naming this account. */
  alertIds: string[];
}

/** A rule counter of one client on one contract against the exchange threshold. */
export interface RuleCounter {
  /** A rule whose catalogue entry has an Account Tools counter. */
  rule: RuleId;
  value: number;
  /** null: no threshold applies (rule off, or no limit for the contract). */
  threshold: number | null;
  /** value ÷ threshold (1 = the rule fires); null without a threshold. */
  ratio: number | null;
}

export interface ContractCounters {
  instrumentId: string;
  exchange: Exchange | null;
  /** Orders entered today by the client on this contract (no exchange threshold; shown for context). */
  orders: number;
  /** Smallest cancelled lots that count as a large cancel here (null: none can). */
  largeCancelMinQty: number | null;
  counters: RuleCounter[];
}

export interface AccountCounters {
  accountId: string;
  /** The client the counts belong to: the control group when the account has one, else the account. */
  subjectType: 'account' | 'group';
  subjectId: string;
  accountIds: string[];
  tradingDay: string | null;
  /** By contract, closest to a rule first. */
  contracts: ContractCounters[];
}

/** Trades kept per account for `accounts.detail`. */
export const TRADES_KEPT = 200;

const AccountArgs = Type.Object({ accountId: Type.String({ minLength: 1, maxLength: 64 }) });

export const accountApiMethods = {
  'accounts.detail': method(AccountArgs, Type.Unsafe<AccountDetail>(Type.Object({}))),
  'accounts.counters': method(AccountArgs, Type.Unsafe<AccountCounters>(Type.Object({}))),
} as const;

export type AccountApiMethod = keyof typeof accountApiMethods;
