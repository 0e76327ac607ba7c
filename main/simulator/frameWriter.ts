// Writes a batch of the simulator's messages straight into UTF-8 bytes: the same bytes as
// Buffer.from(encodeFrame(messages)) (a test compares whole sessions), at roughly half the CPU. On Node 20,
// JSON.stringify is the largest cost of serving 200k messages a second (quotes nest ten small arrays), so the
// server writes the shapes market.ts builds (quote, trade, order new/cancel) field by field, in the order
// market.ts creates them; every other message, and any value outside the simple cases below, goes through
// JSON.stringify.
import type { BookLevel, SequencedMessage } from '../../shared/protocol';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

const K = {
  seq: ascii('{"seq":'),
  ts: ascii(',"ts":'),
  quote: ascii(',"type":"quote","instrumentId":"'),
  last: ascii('","last":'),
  volume: ascii(',"volume":'),
  openInterest: ascii(',"openInterest":'),
  bids: ascii(',"bids":'),
  asks: ascii(',"asks":'),
  trade: ascii(',"type":"trade","tradeId":"'),
  tradeInstrument: ascii('","instrumentId":"'),
  price: ascii('","price":'),
  qty: ascii(',"qty":'),
  buyOrderId: ascii(',"buyOrderId":'),
  sellOrderId: ascii(',"sellOrderId":'),
  buyAccountId: ascii(',"buyAccountId":'),
  sellAccountId: ascii(',"sellAccountId":'),
  aggressorBuy: ascii(',"aggressor":"buy","commission":'),
  aggressorSell: ascii(',"aggressor":"sell","commission":'),
  orderNew: ascii(',"type":"order","event":"new","orderId":"'),
  accountId: ascii('","accountId":"'),
  orderInstrument: ascii('","instrumentId":"'),
  sideBuy: ascii('","side":"buy","offset":"'),
  sideSell: ascii('","side":"sell","offset":"'),
  offsetPrice: ascii('","price":'),
  orderCancel: ascii(',"type":"order","event":"cancel","orderId":"'),
  cancelledQty: ascii('","cancelledQty":'),
  null: ascii('null'),
};

/** Ids the simulator makes are short printable ASCII without quotes or backslashes. */
function plain(value: string): boolean {
  if (value.length > 64) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

export class FrameWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private readonly digits = new Uint8Array(24);

  /** The bytes of one frame: the message alone, or a JSON array of them. */
  write(messages: readonly SequencedMessage[]): Buffer {
    this.pos = 0;
    if (messages.length !== 1) this.byte(0x5b);
    for (let i = 0; i < messages.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.message(messages[i]!);
    }
    if (messages.length !== 1) this.byte(0x5d);
    // An unpooled copy: the frame owns its memory (it may be kept in history or transferred to another thread).
    const frame = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(frame, 0, 0, this.pos);
    return frame;
  }

  private message(m: SequencedMessage): void {
    // A fast-path message is at most ~1 KB (ids ≤ 64 chars, ≤ 10 book levels, numbers ≤ 24 chars).
    this.ensure(2048);
    const start = this.pos;
    if (this.fast(m)) return;
    this.pos = start;
    this.text(JSON.stringify(m));
  }

  /** Writes the message if its shape and values are the simple ones; false to fall back to JSON.stringify. */
  private fast(m: SequencedMessage): boolean {
    switch (m.type) {
      case 'quote': {
        const prefix = this.fragment(this.quotePrefix, m.instrumentId, K.quote, K.last);
        if (!prefix) return false;
        this.head(m.seq, m.ts);
        this.raw(prefix);
        if (!this.number(m.last)) return false;
        this.raw(K.volume);
        if (!this.number(m.volume)) return false;
        this.raw(K.openInterest);
        if (!this.number(m.openInterest)) return false;
        this.raw(K.bids);
        if (!this.levels(m.bids)) return false;
        this.raw(K.asks);
        if (!this.levels(m.asks)) return false;
        this.byte(0x7d);
        return true;
      }
      case 'trade':
        if (m.commission === undefined || !plain(m.tradeId) || !plain(m.instrumentId)) return false;
        this.head(m.seq, m.ts);
        this.raw(K.trade);
        this.ascii(m.tradeId);
        this.raw(K.tradeInstrument);
        this.ascii(m.instrumentId);
        this.raw(K.price);
        if (!this.number(m.price)) return false;
        this.raw(K.qty);
        if (!this.number(m.qty)) return false;
        this.raw(K.buyOrderId);
        if (!this.idOrNull(m.buyOrderId)) return false;
        this.raw(K.sellOrderId);
        if (!this.idOrNull(m.sellOrderId)) return false;
        this.raw(K.buyAccountId);
        if (!this.idOrNull(m.buyAccountId)) return false;
        this.raw(K.sellAccountId);
        if (!this.idOrNull(m.sellAccountId)) return false;
        this.raw(m.aggressor === 'buy' ? K.aggressorBuy : K.aggressorSell);
        if (!this.number(m.commission)) return false;
        this.byte(0x7d);
        return true;
      case 'order':
        if (m.event === 'new') {
          if (!plain(m.orderId) || !plain(m.accountId) || !plain(m.instrumentId)) return false;
          // The optional order terms (time condition, hedge flag) go out as JSON, exactly as given.
          if (m.timeCondition !== undefined || m.hedgeFlag !== undefined) return false;
          this.head(m.seq, m.ts);
          this.raw(K.orderNew);
          this.ascii(m.orderId);
          this.raw(K.accountId);
          this.ascii(m.accountId);
          this.raw(K.orderInstrument);
          this.ascii(m.instrumentId);
          this.raw(m.side === 'buy' ? K.sideBuy : K.sideSell);
          this.ascii(m.offset);
          this.raw(K.offsetPrice);
          if (!this.number(m.price)) return false;
          this.raw(K.qty);
          if (!this.number(m.qty)) return false;
          this.byte(0x7d);
          return true;
        }
        if (m.event === 'cancel') {
          if (!plain(m.orderId)) return false;
          this.head(m.seq, m.ts);
          this.raw(K.orderCancel);
          this.ascii(m.orderId);
          this.raw(K.cancelledQty);
          if (!this.number(m.cancelledQty)) return false;
          this.byte(0x7d);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  private lastTs = -1;
  private lastTsBytes = new Uint8Array(0);

  private head(seq: number, ts: number): void {
    this.raw(K.seq);
    this.number(seq);
    this.raw(K.ts);
    // A batch shares one ts: write its digits once.
    if (ts !== this.lastTs) {
      const start = this.pos;
      this.number(ts);
      this.lastTs = ts;
      this.lastTsBytes = new Uint8Array(this.buf.subarray(start, this.pos));
    } else {
      this.raw(this.lastTsBytes);
    }
  }

  /** Quote prefixes per instrument: `,"type":"quote","instrumentId":"<id>","last":`. */
  private readonly quotePrefix = new Map<string, Uint8Array | null>();
  /** before + id + after as bytes, cached per id; null when the id needs JSON escaping. */
  private fragment(
    cache: Map<string, Uint8Array | null>,
    id: string,
    before: Uint8Array,
    after: Uint8Array,
  ): Uint8Array | null {
    let bytes = cache.get(id);
    if (bytes === undefined) {
      bytes = plain(id) ? Uint8Array.from([...before, ...ascii(id), ...after]) : null;
      if (cache.size > 10_000) cache.clear();
      cache.set(id, bytes);
    }
    return bytes;
  }

  private levels(levels: BookLevel[]): boolean {
    this.ensure(levels.length * 56 + 2);
    this.byte(0x5b);
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (i > 0) this.byte(0x2c);
      this.byte(0x5b);
      if (!this.number(level[0])) return false;
      this.byte(0x2c);
      if (!this.number(level[1])) return false;
      this.byte(0x5d);
    }
    this.byte(0x5d);
    return true;
  }

  private idOrNull(value: string | null): boolean {
    if (value === null) {
      this.raw(K.null);
      return true;
    }
    if (!plain(value)) return false;
    this.byte(0x22);
    this.ascii(value);
    this.byte(0x22);
    return true;
  }

  /**
   * Writes a number as JSON (= Number#toString) when it is an integer below 2^53 or has at most 4 decimals and an
   * integer part below 1e11 (then the shortest round-trip form is the plain decimal). Returns false otherwise.
   */
  private number(value: number): boolean {
    let v = value;
    if (v < 0) {
      this.buf[this.pos++] = 0x2d;
      v = -v;
    }
    if (Number.isSafeInteger(v)) {
      this.uint(v);
      return true;
    }
    if (!(v < 1e11)) return false;
    let scale = 10;
    let decimals = 1;
    while (decimals <= 4 && Math.round(v * scale) / scale !== v) {
      scale *= 10;
      decimals++;
    }
    if (decimals > 4) return false;
    const scaled = Math.round(v * scale);
    const whole = Math.floor(scaled / scale);
    this.uint(whole);
    this.buf[this.pos++] = 0x2e;
    const fraction = scaled - whole * scale;
    // Leading zeros of the fraction, then its digits (the loop above stopped at the shortest exact scale, so the
    // last digit is not 0).
    for (let s = scale / 10; s > 1 && fraction < s; s /= 10) this.buf[this.pos++] = 0x30;
    this.uint(fraction);
    return true;
  }

  private uint(value: number): void {
    const buf = this.buf;
    let v = value;
    if (v < 10) {
      buf[this.pos++] = 0x30 + v;
      return;
    }
    const digits = this.digits;
    let n = 0;
    if (v < 0x7fffffff) {
      // Small integers: integer division stays in int32.
      let i = v | 0;
      while (i >= 10) {
        const q = (i / 10) | 0;
        digits[n++] = i - q * 10;
        i = q;
      }
      v = i;
    } else {
      while (v >= 10) {
        const q = Math.floor(v / 10);
        digits[n++] = v - q * 10;
        v = q;
      }
    }
    let pos = this.pos;
    buf[pos++] = 0x30 + v;
    while (n > 0) buf[pos++] = 0x30 + digits[--n]!;
    this.pos = pos;
  }

  private ascii(text: string): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  private text(text: string): void {
    this.ensure(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  private raw(bytes: Uint8Array): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < bytes.length; i++) buf[pos++] = bytes[i]!;
    this.pos = pos;
  }

  private byte(value: number): void {
    this.buf[this.pos++] = value;
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
