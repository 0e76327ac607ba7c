import { describe, expect, it } from 'vitest';
import { encodeFrame, type SequencedMessage } from '../../shared/protocol';
import { FrameWriter } from '../../main/simulator/frameWriter';
import { generateSession } from '../../main/simulator/generator';

describe('FrameWriter', () => {
  it('writes exactly the bytes of encodeFrame for whole sessions (every message type, scenarios included)', () => {
    const writer = new FrameWriter();
    for (const [seed, scenarios] of [
      [1, 'all'],
      [2, 'none'],
    ] as const) {
      const session = generateSession({ seed, messages: scenarios === 'all' ? 50_000 : 20_000, scenarios });
      let frames = 0;
      while (!session.done) {
        const batch = session.take(frames % 7 === 0 ? 1 : 997);
        // Same ts across a batch, as the server stamps it, exercises the cached ts digits.
        if (frames % 3 === 0) for (const m of batch) m.ts = 1_795_481_702_000 + frames;
        const mine = writer.write(batch);
        const reference = Buffer.from(encodeFrame(batch), 'utf8');
        if (!mine.equals(reference)) expect(mine.toString('utf8')).toBe(reference.toString('utf8'));
        frames++;
      }
      expect(frames).toBeGreaterThan(20);
    }
  });

  it('falls back to JSON for values it does not write itself', () => {
    const writer = new FrameWriter();
    const odd: SequencedMessage[] = [
      {
        seq: 1,
        ts: 5,
        type: 'quote',
        instrumentId: 'x"y',
        last: 0.1 + 0.2,
        volume: 1,
        openInterest: 2,
        bids: [[1e-7, 1]],
        asks: [],
      },
      {
        seq: 2,
        ts: 5,
        type: 'trade',
        tradeId: 'T1',
        instrumentId: 'rb2605',
        price: -12.5,
        qty: 3,
        buyOrderId: null,
        sellOrderId: 'O1',
        buyAccountId: null,
        sellAccountId: '客户',
        aggressor: 'sell',
        commission: 1234567.8912,
      },
      { seq: 3, ts: 5, type: 'account', accountId: 'A1', name: '张伟 "Zhang"', preBalance: 1e21 },
      {
        seq: 4,
        ts: 5,
        type: 'order',
        event: 'new',
        orderId: 'O9',
        accountId: 'A1',
        instrumentId: 'IF2606',
        side: 'buy',
        offset: 'open',
        price: 3946.02,
        qty: 1,
      },
    ];
    expect(writer.write(odd).toString('utf8')).toBe(encodeFrame(odd));
    expect(writer.write([odd[3]!]).toString('utf8')).toBe(encodeFrame([odd[3]!]));
  });
});
