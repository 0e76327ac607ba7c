import { describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { FeedClient } from '../../main/feed/feedClient';
import { ingestFrames } from '../../main/core/ingest';
import type { LogFn } from '../../main/core/log';
import { account, end, instrument, quote, sequence, T0 } from '../integration/support/feedMessages';

const hello = (nextSeq = 1) =>
  ({
    type: 'hello',
    ts: T0,
    protocol: 'fw-feed/1',
    nextSeq,
    sessionId: 'S1',
    tradingDay: '20260520',
    source: 'test',
  }) as const;

/** A client driven frame by frame, without a socket (it is never started). */
function offline() {
  const batches: number[][] = [];
  const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const log: LogFn = (_level, message, fields) => logged.push({ message, fields });
  const client = new FeedClient({
    url: 'ws://127.0.0.1:1/unused',
    log,
    handlers: { onBatch: (messages: SequencedMessage[]) => batches.push(messages.map((m) => m.seq)) },
  });
  const frame = (payload: unknown, receivedAt = T0 + 1_000) => {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    client.handleFrame(text, Buffer.byteLength(text), receivedAt);
  };
  return { client, batches, logged, frame };
}

describe('FeedClient frame handling', () => {
  it('delivers each frame as one batch in seq order and reads the session from hello', () => {
    const { client, batches, frame } = offline();
    frame(hello());
    frame(sequence([instrument(), account(), quote()]));
    frame(quote({ seq: 4 }));
    expect(batches).toEqual([[1, 2, 3], [4]]);
    const stats = client.snapshot();
    expect(stats).toMatchObject({ sessionId: 'S1', tradingDay: '20260520', source: 'test', messages: 4, frames: 3 });
    expect(stats.lastSeq).toBe(4);
    expect(stats.bytes).toBeGreaterThan(200);
  });

  it('drops duplicates by seq and counts them', () => {
    const { client, batches, frame } = offline();
    frame(sequence([instrument(), account(), quote()]));
    frame(sequence([account(), quote(), quote(), quote()], 2)); // 2, 3 again, then 4, 5
    frame(quote({ seq: 3 }));
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(client.snapshot().duplicates).toBe(3);
  });

  it('counts and logs bad messages by reason with their seq, and keeps the good ones of the batch', () => {
    const { client, batches, frame, logged } = offline();
    frame('{not json');
    frame([instrument({ seq: 1 }), { ...quote({ seq: 2 }), last: 'high' }, { type: 'gossip', seq: 3 }]);
    frame(quote({ seq: 2 }));
    const stats = client.snapshot();
    expect(batches).toEqual([[1], [2]]);
    expect(stats.rejects).toBe(3);
    expect(stats.rejectsByReason).toEqual({ malformed_json: 1, invalid_field: 1, unknown_type: 1 });
    const invalid = logged.find((entry) => entry.fields?.reason === 'invalid_field');
    expect(invalid?.fields?.seq).toBe(2);
    expect(invalid?.message).toContain('last');
  });

  it('measures lag as receive time minus the newest source ts', () => {
    const { client, frame } = offline();
    frame(sequence([instrument(), quote()], 1, T0), T0 + 250);
    expect(client.snapshot().lagMs).toBe(249); // newest ts is T0 + 1
    frame({ type: 'heartbeat', ts: T0 + 300 }, T0 + 310);
    expect(client.snapshot().lagMs).toBe(10);
  });

  it('stops at a gap: delivers what came before it and nothing after, and records the hole', () => {
    const { client, batches, frame } = offline();
    frame(sequence([instrument(), account()]));
    frame([quote({ seq: 3 }), quote({ seq: 6 }), quote({ seq: 7 })]);
    frame(quote({ seq: 8 }));
    expect(batches).toEqual([[1, 2], [3]]);
    const stats = client.snapshot();
    expect(stats.gaps).toBe(1);
    expect(stats.pendingGap).toMatchObject({ fromSeq: 4, toSeq: 5, recovered: false });
    expect(stats.lastSeq).toBe(3);
  });

  it('ends the session on end and ignores whatever follows', () => {
    const { client, batches, frame } = offline();
    frame([instrument({ seq: 1 }), end({ seq: 2 }), quote({ seq: 3 })]);
    expect(batches).toEqual([[1, 2]]);
    expect(client.state).toBe('ended');
  });
});

describe('ingestFrames', () => {
  it('runs frames through decode, sequencer and engine synchronously', () => {
    const frames = [
      JSON.stringify(sequence([instrument(), account()])),
      JSON.stringify([quote({ seq: 3, last: 3510 }), quote({ seq: 3, last: 9999 }), quote({ seq: 4, last: 3520 })]),
      '{"broken"',
    ];
    const result = ingestFrames(frames);
    expect(result.messages).toBe(4);
    expect(result.feed.duplicates).toBe(1);
    expect(result.feed.rejects).toBe(1);
    expect(result.engine.instrument('rb2605')!.last).toBe(3520);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
  });
});
