// Case review data (issue 7 item 3): the slice of a session journal around one alert. One pass over the window's
// stored messages (binary records read back without JSON); only the alert's instrument and accounts are kept,
// quotes are decimated into a bounded price/volume series and depth snapshots, so ten minutes of a busy book open
// well under half a second.
import { ApiFailure } from '../api/dispatcher';
import type { SessionReader } from '../store/sessionReader';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type {
  CaseDepthSnapshot,
  CaseOrderEvent,
  CasePricePoint,
  CaseTrade,
  CaseWindow,
} from '../../shared/api/methods/cases';
import type { OrderNewMessage, QuoteMessage, SequencedMessage } from '../../shared/protocol';

export const CASE_DEFAULTS = {
  beforeMs: 5 * 60_000,
  afterMs: 5 * 60_000,
  /** Points of the price/volume series (one per time bucket). */
  maxPoints: 1200,
  /** Depth ladder snapshots (one per time bucket). */
  maxDepth: 300,
  maxTrades: 5000,
  maxOrders: 5000,
} as const;

export interface CaseWindowOptions {
  beforeMs?: number;
  afterMs?: number;
  atSeq?: number;
  maxPoints?: number;
  maxDepth?: number;
  maxTrades?: number;
  maxOrders?: number;
}

interface KnownOrder {
  accountId: string;
  instrumentId: string;
  side: 'buy' | 'sell';
  price: number;
}

/** Reads the case window of `alert` from an open session. */
export function readCaseWindow(reader: SessionReader, alert: AlertRow, options: CaseWindowOptions = {}): CaseWindow {
  const started = performance.now();
  const o = { ...CASE_DEFAULTS, ...stripUndefined(options) };
  const anchor = anchorOf(reader, options.atSeq ?? alert.lastSeq);
  const fromTs = anchor.ts - o.beforeMs;
  const toTs = anchor.ts + o.afterMs;
  const lastSeq = reader.meta.lastSeq ?? anchor.seq;
  const fromSeq = reader.seekByTime(fromTs) ?? anchor.seq;
  const after = reader.seekByTime(toTs + 1);
  const toSeq = after === null ? lastSeq : Math.max(anchor.seq, after - 1);

  const accounts = new Set(alert.accountIds);
  const instrumentId = alert.instrumentId;
  const orders = new Map<string, KnownOrder>();

  // Evidence first: it names orders entered before the window whose cancels fall inside it.
  const evidence: SequencedMessage[] = [];
  for (const seq of [...alert.evidence].sort((a, b) => a - b)) {
    const message = reader.get(seq);
    if (!message) continue;
    evidence.push(message);
    if (message.type === 'order' && message.event === 'new' && accounts.has(message.accountId)) remember(message);
  }

  const span = Math.max(1, toTs - fromTs);
  const pointMs = Math.max(1, Math.ceil(span / o.maxPoints));
  const depthMs = Math.max(1, Math.ceil(span / o.maxDepth));
  const series: CasePricePoint[] = [];
  const depth: CaseDepthSnapshot[] = [];
  const trades: CaseTrade[] = [];
  const orderEvents: CaseOrderEvent[] = [];
  const truncated = { trades: false, orders: false };
  // The last quote of the current bucket becomes a point (and a depth snapshot) when the bucket closes.
  let pointBucket = -1;
  let pointQuote: QuoteMessage | null = null;
  let depthBucket = -1;
  let depthQuote: QuoteMessage | null = null;
  let lastVolume: number | null = null;
  let scanned = 0;
  // The times the journal actually holds in the window (a session may start or end inside it).
  let firstScannedTs = Number.POSITIVE_INFINITY;
  let lastScannedTs = Number.NEGATIVE_INFINITY;

  const closePoint = () => {
    if (pointQuote === null) return;
    const q = pointQuote;
    const volume = lastVolume === null ? 0 : Math.max(0, q.volume - lastVolume);
    lastVolume = q.volume;
    series.push({ ts: q.ts, last: q.last, bid: q.bids[0]?.[0] ?? null, ask: q.asks[0]?.[0] ?? null, volume });
    pointQuote = null;
  };
  const closeDepth = () => {
    if (depthQuote === null) return;
    depth.push({ seq: depthQuote.seq, ts: depthQuote.ts, bids: depthQuote.bids, asks: depthQuote.asks });
    depthQuote = null;
  };
  function remember(m: OrderNewMessage): void {
    orders.set(m.orderId, { accountId: m.accountId, instrumentId: m.instrumentId, side: m.side, price: m.price });
  }
  const pushOrder = (event: CaseOrderEvent) => {
    if (orderEvents.length < o.maxOrders) orderEvents.push(event);
    else truncated.orders = true;
  };

  for (const chunk of reader.messageChunks({ fromSeq, toSeq })) {
    for (const m of chunk) {
      scanned++;
      if (m.ts >= fromTs && m.ts < firstScannedTs) firstScannedTs = m.ts;
      if (m.ts <= toTs && m.ts > lastScannedTs) lastScannedTs = m.ts;
      if (m.type === 'quote') {
        if (instrumentId === null || m.instrumentId !== instrumentId || m.ts < fromTs || m.ts > toTs) continue;
        const p = Math.min(o.maxPoints - 1, Math.floor((m.ts - fromTs) / pointMs));
        if (p !== pointBucket) {
          closePoint();
          pointBucket = p;
        }
        pointQuote = m;
        const d = Math.min(o.maxDepth - 1, Math.floor((m.ts - fromTs) / depthMs));
        if (d !== depthBucket) {
          closeDepth();
          depthBucket = d;
        }
        depthQuote = m;
      } else if (m.type === 'trade') {
        if (instrumentId === null || m.instrumentId !== instrumentId) continue;
        const client =
          (m.buyAccountId !== null && accounts.has(m.buyAccountId)) ||
          (m.sellAccountId !== null && accounts.has(m.sellAccountId));
        if (trades.length < o.maxTrades || client) {
          trades.push({
            seq: m.seq,
            ts: m.ts,
            price: m.price,
            qty: m.qty,
            aggressor: m.aggressor,
            buyAccountId: m.buyAccountId,
            sellAccountId: m.sellAccountId,
            client,
          });
        }
        if (trades.length > o.maxTrades) truncated.trades = true;
      } else if (m.type === 'order') {
        if (m.event === 'new') {
          if ((instrumentId !== null && m.instrumentId !== instrumentId) || !accounts.has(m.accountId)) continue;
          remember(m);
          pushOrder({
            seq: m.seq,
            ts: m.ts,
            event: 'new',
            orderId: m.orderId,
            accountId: m.accountId,
            instrumentId: m.instrumentId,
            side: m.side,
            price: m.price,
            qty: m.qty,
          });
        } else {
          // Cancels and rejects carry only the order id: the client's orders were remembered from their `new`.
          const known = orders.get(m.orderId);
          if (!known) continue;
          pushOrder({
            seq: m.seq,
            ts: m.ts,
            event: m.event,
            orderId: m.orderId,
            ...known,
            qty: m.event === 'cancel' ? m.cancelledQty : 0,
          });
        }
      }
    }
  }
  closePoint();
  closeDepth();
  const fired = firedMoment(reader, alert);

  return {
    alert,
    file: reader.file,
    instrumentId,
    fromTs: Number.isFinite(firstScannedTs) ? Math.max(fromTs, Math.min(firstScannedTs, anchor.ts)) : fromTs,
    toTs: Number.isFinite(lastScannedTs) ? Math.min(toTs, Math.max(lastScannedTs, anchor.ts)) : toTs,
    firedSeq: fired?.seq ?? null,
    firedTs: fired?.ts ?? null,
    fromSeq,
    toSeq,
    anchorSeq: anchor.seq,
    anchorTs: anchor.ts,
    series,
    depth,
    trades,
    orders: orderEvents,
    evidence,
    scanned,
    truncated,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

/** Where the alert was raised, when the row knows it and the session holds that message. */
function firedMoment(reader: SessionReader, alert: AlertRow): { seq: number; ts: number } | null {
  if (alert.firedSeq === undefined || alert.firedSeq < 1) return null;
  const message = reader.get(alert.firedSeq);
  return message ? { seq: message.seq, ts: message.ts } : null;
}

/** The recorded message at `seq` (or the first one after it). */
function anchorOf(reader: SessionReader, seq: number): { seq: number; ts: number } {
  const found = reader.seekBySeq(Math.max(1, seq));
  const message = found === null ? undefined : reader.get(found);
  if (!message) {
    throw new ApiFailure(
      'bad_arguments',
      `seq ${seq} is not in session ${reader.file} (it ends at ${reader.meta.lastSeq})`,
    );
  }
  return { seq: message.seq, ts: message.ts };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
