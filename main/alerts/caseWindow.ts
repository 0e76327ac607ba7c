// Case review data (issue 7 item 3): the slice of a session journal around one alert. One pass over the window's
// stored lines; only the lines of the alert's instrument and of its accounts are parsed (a substring test first),
// quotes are decimated into a bounded price/volume series and depth snapshots, so ten minutes of a busy book open
// well under half a second.
import { ApiFailure } from '../api/dispatcher';
import { integerFieldOfLine } from '../store/sessionFormat';
import type { SessionReader } from '../store/sessionReader';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type {
  CaseDepthSnapshot,
  CaseOrderEvent,
  CasePricePoint,
  CaseTrade,
  CaseWindow,
} from '../../shared/api/methods/cases';
import type { OrderNewMessage, QuoteMessage, SequencedMessage, TradeMessage } from '../../shared/protocol';

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
  // The last quote line of the current bucket is parsed only when the bucket closes.
  let pointBucket = -1;
  let pointLine: string | null = null;
  let depthBucket = -1;
  let depthLine: string | null = null;
  let lastVolume: number | null = null;
  let scanned = 0;

  const instrumentNeedle = instrumentId === null ? null : `"instrumentId":${JSON.stringify(instrumentId)}`;
  const accountNeedles = [...accounts].map((a) => `"accountId":${JSON.stringify(a)}`);

  const closePoint = () => {
    if (pointLine === null) return;
    const q = JSON.parse(pointLine) as QuoteMessage;
    const volume = lastVolume === null ? 0 : Math.max(0, q.volume - lastVolume);
    lastVolume = q.volume;
    series.push({ ts: q.ts, last: q.last, bid: q.bids[0]?.[0] ?? null, ask: q.asks[0]?.[0] ?? null, volume });
    pointLine = null;
  };
  const closeDepth = () => {
    if (depthLine === null) return;
    const q = JSON.parse(depthLine) as QuoteMessage;
    depth.push({ seq: q.seq, ts: q.ts, bids: q.bids, asks: q.asks });
    depthLine = null;
  };
  function remember(m: OrderNewMessage): void {
    orders.set(m.orderId, { accountId: m.accountId, instrumentId: m.instrumentId, side: m.side, price: m.price });
  }
  const pushOrder = (event: CaseOrderEvent) => {
    if (orderEvents.length < o.maxOrders) orderEvents.push(event);
    else truncated.orders = true;
  };

  for (const chunk of reader.lineChunks({ fromSeq, toSeq })) {
    for (const line of chunk) {
      scanned++;
      const ofInstrument = instrumentNeedle !== null && line.includes(instrumentNeedle);
      if (ofInstrument && line.includes('"type":"quote"')) {
        const ts = integerFieldOfLine(line, 'ts');
        if (ts < fromTs || ts > toTs) continue;
        const p = Math.min(o.maxPoints - 1, Math.floor((ts - fromTs) / pointMs));
        if (p !== pointBucket) {
          closePoint();
          pointBucket = p;
        }
        pointLine = line;
        const d = Math.min(o.maxDepth - 1, Math.floor((ts - fromTs) / depthMs));
        if (d !== depthBucket) {
          closeDepth();
          depthBucket = d;
        }
        depthLine = line;
        continue;
      }
      if (ofInstrument && line.includes('"type":"trade"')) {
        const t = JSON.parse(line) as TradeMessage;
        const client =
          (t.buyAccountId !== null && accounts.has(t.buyAccountId)) ||
          (t.sellAccountId !== null && accounts.has(t.sellAccountId));
        if (trades.length < o.maxTrades || client) {
          trades.push({
            seq: t.seq,
            ts: t.ts,
            price: t.price,
            qty: t.qty,
            aggressor: t.aggressor,
            buyAccountId: t.buyAccountId,
            sellAccountId: t.sellAccountId,
            client,
          });
        }
        if (trades.length > o.maxTrades) truncated.trades = true;
        continue;
      }
      if (!line.includes('"type":"order"')) continue;
      if (line.includes('"event":"new"')) {
        if (!(ofInstrument || instrumentId === null) || !accountNeedles.some((n) => line.includes(n))) continue;
        const m = JSON.parse(line) as OrderNewMessage;
        if (!accounts.has(m.accountId)) continue;
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
      } else if (orders.size > 0) {
        // Cancels and rejects carry only the order id: parse just the ones of the client's orders.
        const orderId = stringFieldOfLine(line, 'orderId');
        if (orderId !== null && !orders.has(orderId)) continue;
        const m = JSON.parse(line) as SequencedMessage;
        if (m.type !== 'order' || m.event === 'new') continue;
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
  closePoint();
  closeDepth();

  return {
    alert,
    file: reader.file,
    instrumentId,
    fromTs,
    toTs,
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

/** A plain string field of a JSON line without parsing it; null when absent or escaped (then parse the line). */
function stringFieldOfLine(line: string, key: string): string | null {
  const marker = `"${key}":"`;
  const at = line.indexOf(marker);
  if (at < 0) return null;
  const start = at + marker.length;
  const end = line.indexOf('"', start);
  if (end < 0) return null;
  const value = line.slice(start, end);
  return value.includes('\\') ? null : value;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
