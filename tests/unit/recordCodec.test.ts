// Binary records (session block codec 2): every message reads back as the same canonical JSON line, binary where
// the message has its kind's exact shape, JSON otherwise; bad bytes are a RecordFormatError, not a wrong message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { generateSessionArray } from '../../main/simulator/generator';
import { SessionJournal, encodeBatch } from '../../main/store/journal';
import {
  RECORD_JSON,
  RECORD_ORDER_CANCEL,
  RECORD_ORDER_NEW,
  RECORD_QUOTE,
  RECORD_TRADE,
  RecordFormatError,
  RecordReader,
  RecordWriter,
} from '../../main/store/recordCodec';
import { CODEC_DEFLATE_RAW_LINES, CODEC_DEFLATE_RAW_RECORDS, encodeBlock } from '../../main/store/sessionFormat';
import { SessionReader } from '../../main/store/sessionReader';

/** Writes each message as one record; returns the kinds and the lines read back. */
function roundTrip(messages: readonly unknown[]): { kinds: number[]; lines: string[]; messages: unknown[] } {
  const writer = new RecordWriter(64); // small on purpose: the buffer must grow
  const kinds = messages.map((message) => writer.write(message as SequencedMessage));
  const bytes = writer.take();
  const lines: string[] = [];
  const reader = new RecordReader(bytes);
  while (!reader.atEnd) lines.push(reader.nextLine());
  const again = new RecordReader(bytes);
  const decoded: unknown[] = [];
  while (!again.atEnd) decoded.push(again.next());
  return { kinds, lines, messages: decoded };
}

const quote = {
  seq: 7,
  ts: 1_773_882_263_608,
  type: 'quote',
  instrumentId: 'sc2606',
  last: 486.8,
  volume: 533,
  openInterest: 44952,
  bids: [
    [486.6, 9],
    [486.3, 15],
  ],
  asks: [[486.8, 2]],
};
const trade = {
  seq: 8,
  ts: 1_773_882_263_869,
  type: 'trade',
  tradeId: 'T2082',
  instrumentId: 'cu2606',
  price: 79390,
  qty: 2,
  buyOrderId: 'O17',
  sellOrderId: null,
  buyAccountId: 'A001',
  sellAccountId: null,
  aggressor: 'sell',
  commission: 39.7,
};
const orderNew = {
  seq: 9,
  ts: 1_773_882_263_870,
  type: 'order',
  event: 'new',
  orderId: 'O18',
  accountId: 'A002',
  instrumentId: 'IF2606',
  side: 'buy',
  offset: 'close',
  price: 3912.4,
  qty: 3,
};
const cancel = { seq: 10, ts: 1_773_882_263_871, type: 'order', event: 'cancel', orderId: 'O18', cancelledQty: 3 };

describe('record codec', () => {
  it('reads a simulator day back as the same canonical lines, nearly all of it binary', () => {
    const { messages } = generateSessionArray({ seed: 7, messages: 50_000, scenarios: 'all' });
    const { kinds, lines, messages: decoded } = roundTrip(messages);
    expect(lines).toEqual(messages.map((m) => JSON.stringify(m)));
    expect(decoded).toEqual(messages);
    const binary = kinds.filter((kind) => kind !== RECORD_JSON).length;
    expect(binary / kinds.length).toBeGreaterThan(0.99);
    for (const kind of [RECORD_QUOTE, RECORD_TRADE, RECORD_ORDER_NEW, RECORD_ORDER_CANCEL]) {
      expect(kinds).toContain(kind);
    }
  });

  it('uses the binary kinds only for the exact shape, and JSON for anything else, losslessly either way', () => {
    const { seq: _seq, ts: _ts, ...quoteBody } = quote;
    const { commission: _commission, ...tradeWithoutCommission } = trade;
    const cases: [unknown, number][] = [
      [quote, RECORD_QUOTE],
      [trade, RECORD_TRADE],
      [tradeWithoutCommission, RECORD_TRADE],
      [orderNew, RECORD_ORDER_NEW],
      [cancel, RECORD_ORDER_CANCEL],
      [{ ts: quote.ts, seq: quote.seq, ...quoteBody }, RECORD_JSON], // keys in another order
      [{ ...quote, venue: 'x' }, RECORD_JSON], // an extra key
      [{ ...quote, instrumentId: '铜2606' }, RECORD_JSON], // not ASCII
      [{ ...quote, bids: [[486.6, 9, 1]] }, RECORD_JSON], // a level with three numbers
      [{ ...quote, volume: 1.5 }, RECORD_JSON], // a fractional lot count
      [{ ...trade, aggressor: 'both' }, RECORD_JSON],
      [{ ...orderNew, offset: 'closeToday' }, RECORD_JSON],
      [{ seq: 11, ts: 1, type: 'order', event: 'reject', orderId: 'O18', reason: '价格超出涨跌停板' }, RECORD_JSON],
      [{ seq: 12, ts: 1, type: 'phase', exchange: 'SHFE', phase: 'continuous' }, RECORD_JSON],
    ];
    const { kinds, lines, messages } = roundTrip(cases.map(([message]) => message));
    expect(kinds).toEqual(cases.map(([, kind]) => kind));
    expect(lines).toEqual(cases.map(([message]) => JSON.stringify(message)));
    expect(messages).toEqual(cases.map(([message]) => message));
  });

  it('reads every number back as the identical double', () => {
    const prices = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.1 + 0.2,
      -12.5,
      486.8,
      1e21,
      1.5e-7,
      2 ** 53,
      -(2 ** 53),
      2 ** 53 + 2,
      123456.7891,
      -0.0001,
      99999999.99,
      Math.PI,
      5e-324,
      1.7976931348623157e308,
    ];
    const messages = prices.map((price, i) => ({ ...orderNew, seq: i + 1, price }));
    const { kinds, messages: decoded } = roundTrip(messages);
    expect(kinds.every((kind) => kind === RECORD_ORDER_NEW)).toBe(true);
    // The identical double, except -0, which JSON cannot tell from 0 (JSON.stringify(-0) is "0").
    decoded.forEach((message, i) => expect((message as { price: number }).price).toBe(prices[i] === 0 ? 0 : prices[i]));
    expect(roundTrip(messages).lines).toEqual(messages.map((m) => JSON.stringify(m)));
  });

  it('throws RecordFormatError for truncated or unknown records', () => {
    const writer = new RecordWriter();
    writer.write(quote as unknown as SequencedMessage);
    const bytes = writer.take();
    expect(() => new RecordReader(bytes.subarray(0, bytes.length - 3)).next()).toThrow(RecordFormatError);
    expect(() => new RecordReader(Uint8Array.of(99, 1, 2)).next()).toThrow(RecordFormatError);
    expect(() => new RecordReader(Uint8Array.of(RECORD_JSON, 3, 0x7b, 0x7b, 0x7b)).next()).toThrow(RecordFormatError);
  });

  it('encodeBatch keeps seqs, ts and catalog entries beside the records, and leaves heartbeats out', () => {
    const instrument = {
      seq: 1,
      ts: 5,
      type: 'instrument',
      instrumentId: 'cu2606',
      exchange: 'SHFE',
      product: 'cu',
      multiplier: 5,
      priceTick: 10,
      marginRate: 0.1,
      upperLimit: 80000,
      lowerLimit: 70000,
      preSettlement: 75000,
    };
    const batch = encodeBatch([
      instrument as SequencedMessage,
      { type: 'heartbeat', ts: 6 },
      { ...quote, seq: 2 } as SequencedMessage,
    ]);
    expect([...batch.seqs]).toEqual([1, 2]);
    expect([...batch.ts]).toEqual([5, quote.ts]);
    expect(batch.ends.length).toBe(2);
    expect(batch.ends[1]).toBe(batch.records.length);
    expect(batch.catalog).toEqual([{ index: 0, kind: 'instrument', id: 'cu2606' }]);
    expect(batch.events).toEqual([]);
  });
});

describe('session files across codecs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fw-codec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a schema-v2 file (codec-1 blocks) in place, and continues it with codec-2 blocks', () => {
    const { messages } = generateSessionArray({ seed: 3, messages: 3000 });
    const file = path.join(dir, 'v2.fwsession');
    const session = { sessionId: 'S', tradingDay: '20260105', source: 'test' };
    const first = new SessionJournal(file, { session, blockSize: 500 });
    first.append(messages.slice(0, 2000));
    first.close();
    // Make it what a v2 build wrote: every block codec 1 (JSON lines), user_version 2.
    const db = new Database(file);
    const blocks = db.prepare('SELECT first_seq, last_seq FROM blocks').all() as {
      first_seq: number;
      last_seq: number;
    }[];
    const rewrite = db.prepare('UPDATE blocks SET codec = ?, raw_bytes = ?, crc32 = ?, data = ? WHERE first_seq = ?');
    for (const block of blocks) {
      const lines = messages.slice(block.first_seq - 1, block.last_seq).map((m) => JSON.stringify(m));
      const encoded = encodeBlock(lines);
      rewrite.run(CODEC_DEFLATE_RAW_LINES, encoded.rawBytes, encoded.crc, encoded.data, block.first_seq);
    }
    db.pragma('user_version = 2');
    db.close();

    const old = SessionReader.open(file);
    expect(old.migratedFrom).toBe(2);
    expect([...old.lines()]).toEqual(messages.slice(0, 2000).map((m) => JSON.stringify(m)));
    expect(old.verify({ deep: true }).ok).toBe(true);
    old.close();

    const more = new SessionJournal(file, { session, mode: 'append', blockSize: 500 });
    more.append(messages.slice(2000));
    more.close();
    const reader = SessionReader.open(file);
    try {
      expect(reader.migratedFrom).toBeNull();
      expect([...reader.lines()]).toEqual(messages.map((m) => JSON.stringify(m)));
      expect(reader.readMessages(1990, 20)).toEqual(messages.slice(1989, 2009));
      expect(reader.verify({ deep: true })).toMatchObject({ ok: true, messages: messages.length });
      const codecs = new Database(file, { readonly: true })
        .prepare('SELECT DISTINCT codec FROM blocks ORDER BY codec')
        .pluck()
        .all();
      expect(codecs).toEqual([CODEC_DEFLATE_RAW_LINES, CODEC_DEFLATE_RAW_RECORDS]);
    } finally {
      reader.close();
    }
  });
});
