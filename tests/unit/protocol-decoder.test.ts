import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, MAX_FRAME_CHARS, validateMessage, isRejection } from '../../shared/protocol';
import type { ServerMessage } from '../../shared/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { QuoteSchema } from '../../shared/protocol/schema';

// One valid example of every fw-feed/1 server message (docs/protocol.md's own example lines plus the rest).
const valid: Record<string, ServerMessage> = {
  hello: {
    type: 'hello',
    ts: 1795481700000,
    protocol: 'fw-feed/1',
    nextSeq: 1,
    sessionId: 'S1',
    tradingDay: '20261125',
    source: 'sim',
  },
  instrument: {
    seq: 1,
    ts: 1795481701000,
    type: 'instrument',
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    product: 'rb',
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.1,
    upperLimit: 3675,
    lowerLimit: 3325,
    preSettlement: 3500,
    positionLimit: 90000,
    maxOrderQty: 500,
  },
  account: {
    seq: 2,
    ts: 1795481702000,
    type: 'account',
    accountId: 'A001',
    name: 'Client A001',
    preBalance: 5000000,
    controlGroup: 'G1',
  },
  cash: { seq: 3, ts: 1795481702000, type: 'cash', accountId: 'A001', amount: -20000 },
  position: {
    seq: 4,
    ts: 1795481702000,
    type: 'position',
    accountId: 'A001',
    instrumentId: 'rb2605',
    longQty: 20,
    longAvgPrice: 3480,
    shortQty: 0,
    shortAvgPrice: 0,
  },
  phase: { seq: 5, ts: 1795482000000, type: 'phase', exchange: 'SHFE', phase: 'continuous' },
  quote: {
    seq: 6,
    ts: 1795482000120,
    type: 'quote',
    instrumentId: 'rb2605',
    last: 3500,
    volume: 1204,
    openInterest: 10000,
    bids: [
      [3499, 31],
      [3498, 12],
    ],
    asks: [
      [3500, 8],
      [3501, 40],
    ],
  },
  orderNew: {
    seq: 7,
    ts: 1795482000300,
    type: 'order',
    event: 'new',
    orderId: 'O1',
    accountId: 'A001',
    instrumentId: 'rb2605',
    side: 'sell',
    offset: 'close',
    price: 3500,
    qty: 5,
  },
  orderCancel: { seq: 8, ts: 1795482000900, type: 'order', event: 'cancel', orderId: 'O2', cancelledQty: 3 },
  orderReject: {
    seq: 9,
    ts: 1795482000901,
    type: 'order',
    event: 'reject',
    orderId: 'O3',
    reason: 'insufficient margin',
  },
  trade: {
    seq: 10,
    ts: 1795482000301,
    type: 'trade',
    tradeId: 'T1',
    instrumentId: 'rb2605',
    price: 3500,
    qty: 5,
    buyOrderId: null,
    sellOrderId: 'O1',
    buyAccountId: null,
    sellAccountId: 'A001',
    aggressor: 'buy',
    commission: 1.5,
  },
  heartbeat: { type: 'heartbeat', ts: 1795482001000 },
  end: { seq: 11, ts: 1795482002000, type: 'end' },
  error: { type: 'error', ts: 1795482002000, code: 'RESEND_UNAVAILABLE', message: 'seq 1 is no longer held' },
};

describe('decodeFrame', () => {
  it.each(Object.entries(valid))('accepts a valid %s message', (_name, message) => {
    const frame = decodeFrame(JSON.stringify(message));
    expect(frame.rejects).toEqual([]);
    expect(frame.messages).toEqual([message]);
  });

  it('accepts a batch and keeps the order', () => {
    const batch = Object.values(valid);
    const frame = decodeFrame(JSON.stringify(batch));
    expect(frame.rejects).toEqual([]);
    expect(frame.messages).toEqual(batch);
  });

  it('keeps the good messages of a batch and rejects the bad one with its index and seq', () => {
    const bad = { ...valid.trade, qty: 0 };
    const frame = decodeFrame(JSON.stringify([valid.quote, bad, valid.end]));
    expect(frame.messages).toEqual([valid.quote, valid.end]);
    expect(frame.rejects).toHaveLength(1);
    expect(frame.rejects[0]).toMatchObject({ reason: 'invalid_field', index: 1, seq: 10 });
    expect(frame.rejects[0]?.detail).toContain('qty');
  });

  it('rejects malformed JSON without throwing', () => {
    const frame = decodeFrame('{"type":"quote",');
    expect(frame.messages).toEqual([]);
    expect(frame.rejects).toMatchObject([{ reason: 'malformed_json', index: -1 }]);
  });

  it('rejects a frame over the size limit before parsing it', () => {
    const frame = decodeFrame(' '.repeat(MAX_FRAME_CHARS + 1));
    expect(frame.rejects).toMatchObject([{ reason: 'frame_too_large' }]);
    expect(frame.rejects[0]?.sample.length).toBeLessThanOrEqual(201);
  });

  it.each([['42'], ['"text"'], ['null'], ['[[1,2]]']])('rejects %s as not an object', (text) => {
    expect(decodeFrame(text).rejects[0]?.reason).toBe('not_an_object');
  });

  it('rejects an unknown type and an unknown order event', () => {
    expect(decodeFrame('{"type":"news","seq":1,"ts":1}').rejects[0]).toMatchObject({ reason: 'unknown_type', seq: 1 });
    expect(decodeFrame('{"type":"order","event":"amend","seq":1,"ts":1,"orderId":"O1"}').rejects[0]?.reason).toBe(
      'unknown_order_event',
    );
  });

  it.each([
    ['a missing seq', { ...valid.quote, seq: undefined }, 'seq'],
    ['a zero seq', { ...valid.quote, seq: 0 }, 'seq'],
    ['a fractional ts', { ...valid.quote, ts: 1.5 }, 'ts'],
    ['an unknown exchange', { ...valid.instrument, exchange: 'NYSE' }, 'exchange'],
    ['a bad trading day', { ...valid.hello, tradingDay: '2026-11-25' }, 'tradingDay'],
    ['another protocol', { ...valid.hello, protocol: 'fw-feed/2' }, 'protocol'],
    ['a bad side', { ...valid.orderNew, side: 'short' }, 'side'],
    ['a fractional qty', { ...valid.orderNew, qty: 1.5 }, 'qty'],
    ['a string price', { ...valid.trade, price: '3500' }, 'price'],
    ['a bad book level', { ...valid.quote, bids: [[3499]] }, 'bids'],
    ['a negative cancelled qty', { ...valid.orderCancel, cancelledQty: -1 }, 'cancelledQty'],
    ['an empty account id', { ...valid.cash, accountId: '' }, 'accountId'],
    ['a bad phase', { ...valid.phase, phase: 'lunch' }, 'phase'],
    ['a numeric buy account', { ...valid.trade, buyAccountId: 7 }, 'buyAccountId'],
  ])('rejects %s naming the field', (_name, message, field) => {
    const frame = decodeFrame(JSON.stringify(message));
    expect(frame.messages).toEqual([]);
    expect(frame.rejects[0]?.reason).toBe('invalid_field');
    expect(frame.rejects[0]?.detail).toContain(field);
  });

  it('tolerates unknown extra fields (forward compatibility)', () => {
    const frame = decodeFrame(JSON.stringify({ ...valid.quote, settlement: 3490 }));
    expect(frame.messages).toHaveLength(1);
  });

  it('never throws on random input', () => {
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const text = JSON.stringify(Object.values(valid));
    for (let i = 0; i < 2000; i++) {
      const chars = text.split('');
      for (let m = 0; m < 3; m++)
        chars[Math.floor(random() * chars.length)] = String.fromCharCode(32 + Math.floor(random() * 94));
      const frame = decodeFrame(chars.join(''));
      expect(frame.messages.length + frame.rejects.length).toBeGreaterThan(0);
    }
  });
});

describe('validateMessage and encodeFrame', () => {
  it('returns a rejection rather than throwing', () => {
    const result = validateMessage({ type: 'quote' });
    expect(isRejection(result)).toBe(true);
  });

  it('encodes one message as an object and several as a batch that decodes back', () => {
    expect(encodeFrame([valid.end!])).toBe(JSON.stringify(valid.end));
    const batch = [valid.quote!, valid.trade!];
    expect(decodeFrame(encodeFrame(batch)).messages).toEqual(batch);
  });
});

describe('the written-out quote check', () => {
  it('accepts exactly what the compiled QuoteSchema accepts', () => {
    const schemaCheck = TypeCompiler.Compile(QuoteSchema);
    const base = valid.quote! as unknown as Record<string, unknown>;
    const bad: unknown[] = ['', 'x'.repeat(65), 1.5, -1, 0, null, '1', [], {}, Number.NaN, Infinity, true];
    const variants: Record<string, unknown>[] = [base];
    for (const key of ['seq', 'ts', 'instrumentId', 'last', 'volume', 'openInterest', 'bids', 'asks']) {
      for (const value of bad) variants.push({ ...base, [key]: value });
      variants.push(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)));
    }
    const level = (price: unknown, qty: unknown) => ({ ...base, bids: [[price, qty]] });
    variants.push(
      level(1, 0),
      level(-5.5, 3),
      level(1, -1),
      level(1, 1.5),
      level('1', 1),
      level(Infinity, 1),
      { ...base, asks: [[1, 2, 3]] },
      { ...base, asks: [[1]] },
      { ...base, asks: [{ 0: 1, 1: 2 }] },
      { ...base, bids: Array.from({ length: 20 }, () => [1, 1]) },
      { ...base, bids: Array.from({ length: 21 }, () => [1, 1]) },
      { ...base, extra: 'forward compatible' },
    );
    for (const variant of variants) {
      expect(isRejection(validateMessage(variant)), JSON.stringify(variant)).toBe(!schemaCheck.Check(variant));
    }
  });
});
