// Binary records of sequenced fw-feed/1 messages: the payload of session block codec 2 (sessionFormat.ts).
//
// Why: reading a session back was bound by JSON.parse (~2.5 µs a message on the reference machine, more than the
// engine and the rules together), and the journal thread deflated ~230 bytes of JSON a message. A record is built from the decoded message on the thread that decoded it (no
// parsing), is ~3x smaller before compression, and reads back into the same object with plain property stores.
//
// A record is one kind byte, then the fields of its kind:
//   0 JSON          varint byte length, UTF-8 of the canonical line (JSON.stringify of the message)
//   1 quote         seq, ts, instrumentId, last, volume, openInterest, bids, asks
//   2 trade         seq, ts, tradeId, instrumentId, price, qty, buyOrderId, sellOrderId, buyAccountId,
//                   sellAccountId, aggressor, [commission]
//   3 order new     seq, ts, orderId, accountId, instrumentId, side, offset, price, qty
//   4 order cancel  seq, ts, orderId, cancelledQty
// The binary kinds are used only for a message whose own keys are exactly its kind's keys in that order, with
// values of the expected types; anything else is a JSON record. So JSON.stringify of the decoded record is the
// canonical line byte for byte, and NDJSON export stays lossless.
//
// Field encodings: seq, ts and lot counts are unsigned varints (7 bits a byte, up to 2^53); a string is a varint
// length and its bytes (ASCII only: an id with other characters makes the message a JSON record), a nullable string
// stores length + 1 (0 = null); sides and offsets are one byte; a price is a tagged number (see `writeNumber`)
// that reads back as the identical double. A book side is a varint level count and (price, qty) per level.
import type { SequencedMessage, TradeMessage } from '../../shared/protocol';

export const RECORD_JSON = 0;
export const RECORD_QUOTE = 1;
export const RECORD_TRADE = 2;
export const RECORD_ORDER_NEW = 3;
export const RECORD_ORDER_CANCEL = 4;

const QUOTE_KEYS = ['seq', 'ts', 'type', 'instrumentId', 'last', 'volume', 'openInterest', 'bids', 'asks'];
const TRADE_KEYS = [
  'seq',
  'ts',
  'type',
  'tradeId',
  'instrumentId',
  'price',
  'qty',
  'buyOrderId',
  'sellOrderId',
  'buyAccountId',
  'sellAccountId',
  'aggressor',
  'commission', // optional, last
];
const ORDER_NEW_KEYS = ['seq', 'ts', 'type', 'event', 'orderId', 'accountId', 'instrumentId', 'side', 'offset'];
const ORDER_NEW_TAIL = ['price', 'qty'];
const ORDER_CANCEL_KEYS = ['seq', 'ts', 'type', 'event', 'orderId', 'cancelledQty'];

/** Number tags: 0 float64; 1/2 non-negative/negative integer; 3..6 / 7..10 positive/negative decimal of 1..4 places. */
const NUMBER_F64 = 0;
const NUMBER_INT = 1;
const NUMBER_NEG_INT = 2;
const NUMBER_DECIMAL = 2; // + places (1..4); + 4 more when negative
const DECIMAL_SCALES = [1, 10, 100, 1000, 10000];
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SAFE;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Writes records into one growing buffer (one per batch of messages). */
export class RecordWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private position = 0;
  private readonly textEncoder = new TextEncoder();

  constructor(capacity = 16 * 1024) {
    this.buffer = new Uint8Array(capacity);
    this.view = new DataView(this.buffer.buffer);
  }

  get length(): number {
    return this.position;
  }

  /** The records written so far (a copy of exactly that size, whose buffer can be transferred); starts over. */
  take(): Uint8Array {
    const records = this.buffer.slice(0, this.position);
    this.position = 0;
    return records;
  }

  /** Appends one message's record; returns its kind. */
  write(message: SequencedMessage): number {
    const start = this.position;
    this.reserve(64);
    let kind = RECORD_JSON;
    switch (message.type) {
      case 'quote':
        kind = this.quote(message as unknown as Record<string, unknown>) ? RECORD_QUOTE : RECORD_JSON;
        break;
      case 'trade':
        kind = this.trade(message as unknown as Record<string, unknown>) ? RECORD_TRADE : RECORD_JSON;
        break;
      case 'order': {
        const fields = message as unknown as Record<string, unknown>;
        if (fields.event === 'new') kind = this.orderNew(fields) ? RECORD_ORDER_NEW : RECORD_JSON;
        else if (fields.event === 'cancel') kind = this.orderCancel(fields) ? RECORD_ORDER_CANCEL : RECORD_JSON;
        break;
      }
      default:
        break;
    }
    if (kind === RECORD_JSON) {
      this.position = start;
      this.json(JSON.stringify(message));
    }
    return kind;
  }

  /** Appends a JSON record holding `line` (a canonical JSON line). */
  json(line: string): void {
    this.reserve(line.length * 3 + 11);
    this.buffer[this.position++] = RECORD_JSON;
    // Length first: reserve the varint's widest form for the UTF-8 length, then write the bytes after it.
    const at = this.position;
    const lengthBytes = varintSize(line.length * 3);
    const { written } = this.textEncoder.encodeInto(line, this.buffer.subarray(at + lengthBytes));
    this.position = at;
    this.paddedVarint(written, lengthBytes);
    this.position += written;
  }

  private quote(m: Record<string, unknown>): boolean {
    if (!hasKeys(m, QUOTE_KEYS, 0)) return false;
    const { seq, ts, instrumentId, last, volume, openInterest, bids, asks } = m;
    if (!isCount(seq) || !isCount(ts) || !isFiniteNumber(last) || !isCount(volume) || !isCount(openInterest)) {
      return false;
    }
    this.buffer[this.position++] = RECORD_QUOTE;
    this.varint(seq);
    this.varint(ts);
    if (!this.string(instrumentId)) return false;
    this.number(last);
    this.varint(volume);
    this.varint(openInterest);
    return this.bookSide(bids) && this.bookSide(asks);
  }

  private trade(m: Record<string, unknown>): boolean {
    const withCommission = hasKeys(m, TRADE_KEYS, 0);
    if (!withCommission && !hasKeys(m, TRADE_KEYS, 1)) return false;
    const { seq, ts, price, qty, aggressor, commission } = m;
    if (!isCount(seq) || !isCount(ts) || !isFiniteNumber(price) || !isCount(qty)) return false;
    if (aggressor !== 'buy' && aggressor !== 'sell') return false;
    if (withCommission && !isFiniteNumber(commission)) return false;
    this.buffer[this.position++] = RECORD_TRADE;
    this.varint(seq);
    this.varint(ts);
    if (!this.string(m.tradeId) || !this.string(m.instrumentId)) return false;
    this.number(price);
    this.varint(qty);
    this.reserve(8);
    if (!this.nullableString(m.buyOrderId) || !this.nullableString(m.sellOrderId)) return false;
    if (!this.nullableString(m.buyAccountId) || !this.nullableString(m.sellAccountId)) return false;
    this.reserve(12);
    this.buffer[this.position++] = (aggressor === 'sell' ? 1 : 0) | (withCommission ? 2 : 0);
    if (withCommission) this.number(commission as number);
    return true;
  }

  private orderNew(m: Record<string, unknown>): boolean {
    if (!hasKeys(m, ORDER_NEW_KEYS.concat(ORDER_NEW_TAIL), 0)) return false;
    const { seq, ts, side, offset, price, qty } = m;
    if (!isCount(seq) || !isCount(ts) || !isFiniteNumber(price) || !isCount(qty)) return false;
    if ((side !== 'buy' && side !== 'sell') || (offset !== 'open' && offset !== 'close')) return false;
    this.buffer[this.position++] = RECORD_ORDER_NEW;
    this.varint(seq);
    this.varint(ts);
    if (!this.string(m.orderId) || !this.string(m.accountId) || !this.string(m.instrumentId)) return false;
    this.reserve(12);
    this.buffer[this.position++] = (side === 'sell' ? 1 : 0) | (offset === 'close' ? 2 : 0);
    this.number(price);
    this.varint(qty);
    return true;
  }

  private orderCancel(m: Record<string, unknown>): boolean {
    if (!hasKeys(m, ORDER_CANCEL_KEYS, 0)) return false;
    const { seq, ts, cancelledQty } = m;
    if (!isCount(seq) || !isCount(ts) || !isCount(cancelledQty)) return false;
    this.buffer[this.position++] = RECORD_ORDER_CANCEL;
    this.varint(seq);
    this.varint(ts);
    if (!this.string(m.orderId)) return false;
    this.reserve(8);
    this.varint(cancelledQty);
    return true;
  }

  private bookSide(levels: unknown): boolean {
    if (!Array.isArray(levels)) return false;
    const count = levels.length;
    this.reserve(8 + count * 20);
    this.varint(count);
    for (let i = 0; i < count; i++) {
      const level: unknown = levels[i];
      if (!Array.isArray(level) || level.length !== 2) return false;
      const price: unknown = level[0];
      const qty: unknown = level[1];
      if (typeof price !== 'number' || !isCount(qty)) return false;
      if (!this.number(price)) return false;
      this.varint(qty);
    }
    return true;
  }

  /** ASCII strings only (ids in practice); false for anything else, and the message goes as JSON. */
  private string(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    return this.ascii(value, 0);
  }

  private nullableString(value: unknown): boolean {
    if (value === null) {
      this.reserve(1);
      this.buffer[this.position++] = 0;
      return true;
    }
    if (typeof value !== 'string') return false;
    return this.ascii(value, 1);
  }

  private ascii(text: string, lengthOffset: number): boolean {
    const length = text.length;
    this.reserve(length + 10);
    this.varint(length + lengthOffset);
    const buffer = this.buffer;
    let p = this.position;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c > 127) return false;
      buffer[p++] = c;
    }
    this.position = p;
    return true;
  }

  /**
   * A finite number in the fewest bytes that read back as the identical double: an integer as a varint, a decimal
   * of up to 4 places as its scaled integer (kept only when dividing it back gives exactly the same double),
   * anything else as float64.
   */
  private number(value: number): boolean {
    const buffer = this.buffer;
    if (Number.isInteger(value)) {
      if (value >= 0 && value <= MAX_SAFE) {
        buffer[this.position++] = NUMBER_INT;
        this.varint(value);
        return true;
      }
      if (value < 0 && value >= -MAX_SAFE) {
        buffer[this.position++] = NUMBER_NEG_INT;
        this.varint(-value);
        return true;
      }
    } else if (Number.isFinite(value)) {
      const magnitude = Math.abs(value);
      for (let places = 1; places <= 4; places++) {
        const scale = DECIMAL_SCALES[places]!;
        const scaled = Math.round(magnitude * scale);
        if (scaled > MAX_SAFE) break;
        if (scaled / scale === magnitude) {
          buffer[this.position++] = NUMBER_DECIMAL + places + (value < 0 ? 4 : 0);
          this.varint(scaled);
          return true;
        }
      }
    } else {
      return false; // NaN or an infinity: not JSON
    }
    buffer[this.position++] = NUMBER_F64;
    this.view.setFloat64(this.position, value, true);
    this.position += 8;
    return true;
  }

  private varint(value: number): void {
    const buffer = this.buffer;
    let p = this.position;
    if (value < 0x80000000) {
      while (value >= 0x80) {
        buffer[p++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
    } else {
      while (value >= 0x80) {
        buffer[p++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
    }
    buffer[p++] = value;
    this.position = p;
  }

  /** A varint written in exactly `size` bytes (continuation bits on leading zero groups), for back-patching. */
  private paddedVarint(value: number, size: number): void {
    for (let i = 0; i < size - 1; i++) {
      this.buffer[this.position++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.position++] = value;
  }

  /** Room for `bytes` more (plus slack for the fixed-size fields of a record). */
  private reserve(bytes: number): void {
    const needed = this.position + bytes + 32;
    if (needed <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.position));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/**
 * True when the object's own enumerable keys are exactly `keys` minus the last `omitTail` of them, in that order
 * (JSON.stringify writes keys in that order, so only then is a binary record's read-back the same line).
 */
function hasKeys(object: Record<string, unknown>, keys: readonly string[], omitTail: number): boolean {
  const expected = keys.length - omitTail;
  let i = 0;
  for (const key in object) {
    if (i >= expected || key !== keys[i]) return false;
    i++;
  }
  return i === expected;
}

/** Thrown by RecordReader for bytes that are not a valid record (a corrupt block). */
export class RecordFormatError extends Error {}

/** Reads records back into messages. Every call to `next` returns a new object. */
export class RecordReader {
  private position = 0;
  private readonly view: DataView;
  private readonly textDecoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get atEnd(): boolean {
    return this.position >= this.bytes.length;
  }

  /** Decodes the next record; `line` receives the JSON text of a JSON record (for callers that want lines). */
  next(): SequencedMessage {
    const kind = this.bytes[this.position++];
    switch (kind) {
      case RECORD_QUOTE:
        return this.quote();
      case RECORD_TRADE:
        return this.trade();
      case RECORD_ORDER_NEW:
        return this.orderNew();
      case RECORD_ORDER_CANCEL:
        return this.orderCancel();
      case RECORD_JSON: {
        const text = this.jsonText();
        try {
          return JSON.parse(text) as SequencedMessage;
        } catch {
          throw new RecordFormatError(`a JSON record at byte ${this.position} is not valid JSON`);
        }
      }
      default:
        throw new RecordFormatError(`unknown record kind ${String(kind)} at byte ${this.position - 1}`);
    }
  }

  /** The next record as its canonical JSON line. */
  nextLine(): string {
    if (this.bytes[this.position] === RECORD_JSON) {
      this.position++;
      return this.jsonText();
    }
    return JSON.stringify(this.next());
  }

  private quote(): SequencedMessage {
    const seq = this.varint();
    const ts = this.varint();
    const instrumentId = this.string();
    const last = this.number();
    const volume = this.varint();
    const openInterest = this.varint();
    const bids = this.bookSide();
    const asks = this.bookSide();
    return { seq, ts, type: 'quote', instrumentId, last, volume, openInterest, bids, asks };
  }

  private trade(): SequencedMessage {
    const seq = this.varint();
    const ts = this.varint();
    const tradeId = this.string();
    const instrumentId = this.string();
    const price = this.number();
    const qty = this.varint();
    const buyOrderId = this.nullableString();
    const sellOrderId = this.nullableString();
    const buyAccountId = this.nullableString();
    const sellAccountId = this.nullableString();
    const flags = this.byte();
    const trade: TradeMessage = {
      seq,
      ts,
      type: 'trade',
      tradeId,
      instrumentId,
      price,
      qty,
      buyOrderId,
      sellOrderId,
      buyAccountId,
      sellAccountId,
      aggressor: flags & 1 ? 'sell' : 'buy',
    };
    if (flags & 2) trade.commission = this.number(); // the last key, as in the template
    return trade;
  }

  private orderNew(): SequencedMessage {
    const seq = this.varint();
    const ts = this.varint();
    const orderId = this.string();
    const accountId = this.string();
    const instrumentId = this.string();
    const flags = this.byte();
    const price = this.number();
    const qty = this.varint();
    return {
      seq,
      ts,
      type: 'order',
      event: 'new',
      orderId,
      accountId,
      instrumentId,
      side: flags & 1 ? 'sell' : 'buy',
      offset: flags & 2 ? 'close' : 'open',
      price,
      qty,
    };
  }

  private orderCancel(): SequencedMessage {
    const seq = this.varint();
    const ts = this.varint();
    const orderId = this.string();
    const cancelledQty = this.varint();
    return { seq, ts, type: 'order', event: 'cancel', orderId, cancelledQty };
  }

  private bookSide(): [number, number][] {
    const count = this.varint();
    if (count > 1000) throw new RecordFormatError(`a book side of ${count} levels at byte ${this.position}`);
    const levels: [number, number][] = new Array(count);
    for (let i = 0; i < count; i++) {
      const price = this.number();
      levels[i] = [price, this.varint()];
    }
    return levels;
  }

  private byte(): number {
    if (this.position >= this.bytes.length) throw new RecordFormatError('a record ends past the end of its block');
    return this.bytes[this.position++]!;
  }

  private varint(): number {
    const bytes = this.bytes;
    let b = bytes[this.position++];
    if (b === undefined) throw new RecordFormatError('a record ends past the end of its block');
    if (b < 0x80) return b;
    let value = b & 0x7f;
    let scale = 0x80;
    for (;;) {
      b = bytes[this.position++];
      if (b === undefined || scale > 2 ** 49) throw new RecordFormatError(`a bad varint at byte ${this.position}`);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  private number(): number {
    const tag = this.byte();
    if (tag === NUMBER_INT) return this.varint();
    if (tag > NUMBER_DECIMAL && tag <= NUMBER_DECIMAL + 8) {
      const places = tag - NUMBER_DECIMAL;
      const magnitude = this.varint() / DECIMAL_SCALES[places > 4 ? places - 4 : places]!;
      return places > 4 ? -magnitude : magnitude;
    }
    if (tag === NUMBER_NEG_INT) return -this.varint();
    if (tag === NUMBER_F64) {
      if (this.position + 8 > this.bytes.length) throw new RecordFormatError('a record ends past the end of its block');
      const value = this.view.getFloat64(this.position, true);
      this.position += 8;
      return value;
    }
    throw new RecordFormatError(`unknown number tag ${tag} at byte ${this.position - 1}`);
  }

  private string(): string {
    const length = this.varint();
    return this.ascii(length);
  }

  private nullableString(): string | null {
    const length = this.varint();
    return length === 0 ? null : this.ascii(length - 1);
  }

  private ascii(length: number): string {
    const start = this.position;
    const end = start + length;
    if (end > this.bytes.length) throw new RecordFormatError('a record ends past the end of its block');
    this.position = end;
    const bytes = this.bytes;
    // Ids are short: building the string from char codes beats a decoder call for them.
    if (length <= 16) {
      let text = '';
      for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
      return text;
    }
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }

  private jsonText(): string {
    const length = this.varint();
    const end = this.position + length;
    if (end > this.bytes.length) throw new RecordFormatError('a record ends past the end of its block');
    let text: string;
    try {
      text = this.textDecoder.decode(this.bytes.subarray(this.position, end));
    } catch {
      throw new RecordFormatError(`a JSON record at byte ${this.position} is not valid UTF-8`);
    }
    this.position = end;
    return text;
  }
}

/**
 * A batch of messages as records, shaped for postMessage to a journal in another thread: one byte array and typed
 * arrays (all transferable), the few catalog entries, and the unsequenced messages worth keeping.
 */
export interface RecordBatch {
  /** The records back to back. */
  records: Uint8Array;
  /** End offset of each record in `records` (record i starts where record i-1 ends). */
  ends: Uint32Array;
  seqs: Float64Array;
  ts: Float64Array;
  /** Instrument and account definitions in the batch (the file's catalog), by record index. */
  catalog: { index: number; kind: 'instrument' | 'account'; id: string }[];
  /** Canonical JSON of unsequenced messages worth keeping (hello, error). */
  events: { line: string; type: string; ts: number }[];
}

/** The transferable buffers of a batch (for postMessage's transfer list). */
export function transferablesOf(batch: RecordBatch): ArrayBuffer[] {
  return [batch.records.buffer, batch.ends.buffer, batch.seqs.buffer, batch.ts.buffer] as ArrayBuffer[];
}
