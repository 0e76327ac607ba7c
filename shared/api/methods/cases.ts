// API of case review (issue 7 item 3): the slice of the session journal around one alert that the case-review
// window draws — price/volume series, depth ladder snapshots, the instrument's trades, the client's orders and
// cancels, and the evidence messages. Owner: the alerts work.
import { Type } from '@sinclair/typebox';
import type { BookLevel, SequencedMessage } from '../../protocol';
import { method } from '../method';
import type { AlertRow } from './alerts';

export type Side = 'buy' | 'sell';

export interface CasePricePoint {
  ts: number;
  /** Last price, best bid and ask of the last quote in the bucket (null when a side is empty). */
  last: number;
  bid: number | null;
  ask: number | null;
  /** Lots traded in the bucket (from the trades). */
  volume: number;
}

export interface CaseDepthSnapshot {
  seq: number;
  ts: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export interface CaseTrade {
  seq: number;
  ts: number;
  price: number;
  qty: number;
  aggressor: Side;
  buyAccountId: string | null;
  sellAccountId: string | null;
  /** One of the alert's accounts is on a side. */
  client: boolean;
}

export interface CaseOrderEvent {
  seq: number;
  ts: number;
  event: 'new' | 'cancel' | 'reject';
  orderId: string;
  accountId: string;
  instrumentId: string;
  side: Side;
  price: number;
  /** Lots entered (new) or cancelled (cancel). */
  qty: number;
}

export interface CaseWindow {
  alert: AlertRow;
  file: string;
  instrumentId: string | null;
  /** The window, epoch ms and seq; the times are those of the recorded messages (a session may start or end inside
   * the asked window), so the chart's axis and the window's title show the same span. */
  fromTs: number;
  toTs: number;
  /** The message that raised the alert, when known and recorded in this session. */
  firedSeq: number | null;
  firedTs: number | null;
  fromSeq: number;
  toSeq: number;
  /** The moment the window is centred on (the alert's latest counted message unless `atSeq` was given). */
  anchorSeq: number;
  anchorTs: number;
  series: CasePricePoint[];
  depth: CaseDepthSnapshot[];
  trades: CaseTrade[];
  orders: CaseOrderEvent[];
  /** The messages whose seqs the alert keeps as evidence, in seq order. */
  evidence: SequencedMessage[];
  /** Messages read from the journal. */
  scanned: number;
  /** Lists cut to their bound (the series and depth are decimated, never cut). */
  truncated: { trades: boolean; orders: boolean };
  elapsedMs: number;
}

const WindowMs = Type.Integer({ minimum: 0, maximum: 3_600_000 });

export const caseApiMethods = {
  'cases.window': method(
    Type.Object({
      alertId: Type.String({ minLength: 1, maxLength: 256 }),
      /** A saved session to read (default: the session being recorded or reviewed). */
      file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
      /** Centre the window on this seq instead of the alert's latest message. */
      atSeq: Type.Optional(Type.Integer({ minimum: 1 })),
      beforeMs: Type.Optional(WindowMs),
      afterMs: Type.Optional(WindowMs),
    }),
    Type.Unsafe<CaseWindow>(Type.Object({})),
  ),
} as const;
