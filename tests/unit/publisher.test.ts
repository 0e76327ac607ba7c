import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TopicUpdate } from '../../shared/api/contract';
import type { HealthSnapshot, MarketRow, PositionRow } from '../../shared/domain/types';
import { EngineState } from '../../main/engine/state';
import { TopicPublisher } from '../../main/core/publisher';
import { account, instrument, position, quote, sequence, T0 } from '../integration/support/feedMessages';

function setup(options: { health?: boolean } = {}) {
  const engine = new EngineState();
  engine.applyBatch(
    sequence([
      instrument(),
      instrument({ instrumentId: 'cu2606', product: 'cu', multiplier: 5, preSettlement: 80_000 }),
      account(),
      position({ longQty: 20, longAvgPrice: 3480 }),
    ]),
  );
  const updates: TopicUpdate[] = [];
  let now = 1_000;
  const publisher = new TopicPublisher({
    engine,
    emit: (update) => updates.push(update),
    now: () => now,
    ...(options.health ? { health: () => ({ feedState: 'live', lastSeq: engine.lastSeq }) as HealthSnapshot } : {}),
    healthIntervalMs: 250,
  });
  return { engine, publisher, updates, advance: (ms: number) => (now += ms) };
}

describe('TopicPublisher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a full snapshot of every topic first', () => {
    const { publisher, updates } = setup();
    expect(publisher.flush()).toBe(3);
    expect(updates.map((u) => [u.topic, u.snapshot, u.rows.length])).toEqual([
      ['market', true, 2],
      ['positions', true, 1],
      ['accounts', true, 1],
    ]);
    expect(updates[0]!.sourceTs).toBe(T0 + 1); // the second instrument: newest source ts on the market topic
  });

  it('conflates: many quotes between ticks become one row per instrument with the newest values', () => {
    const { engine, publisher, updates } = setup();
    publisher.flush();
    updates.length = 0;
    for (let i = 0; i < 500; i++)
      engine.apply(quote({ seq: 5 + i, ts: T0 + 100 + i, instrumentId: 'cu2606', last: 80_000 + i }));
    expect(publisher.flush()).toBe(1); // nobody holds cu: only the market topic moves
    const [update] = updates;
    expect(update).toMatchObject({ topic: 'market', snapshot: false, sourceTs: T0 + 599 });
    expect(update!.rows).toHaveLength(1);
    expect(update!.rows[0] as MarketRow).toMatchObject({ instrumentId: 'cu2606', last: 80_499, seq: 504 });
  });

  it('sends only changed rows, and the positions and accounts a mark moved', () => {
    const { engine, publisher, updates } = setup();
    publisher.flush();
    updates.length = 0;
    engine.apply(quote({ seq: 5, ts: T0 + 50, last: 3510 }));
    publisher.flush();
    expect(updates.map((u) => [u.topic, u.snapshot, u.rows.length])).toEqual([
      ['market', false, 1],
      ['positions', false, 1],
      ['accounts', false, 1],
    ]);
    // (3510 − 3480) × 20 × 10 = 6,000
    expect((updates[1]!.rows[0] as PositionRow).positionPnl).toBe(6_000);
    updates.length = 0;
    expect(publisher.flush()).toBe(0);
    expect(updates).toEqual([]);
  });

  it('re-snapshots after the engine is reset (a new session)', () => {
    const { engine, publisher, updates } = setup();
    publisher.flush();
    updates.length = 0;
    engine.reset();
    engine.apply(instrument({ seq: 1, instrumentId: 'm2609', exchange: 'DCE', product: 'm' }));
    publisher.flush();
    expect(updates.map((u) => [u.topic, u.snapshot, u.rows.length])).toEqual([
      ['market', true, 1],
      ['positions', true, 0],
      ['accounts', true, 0],
    ]);
  });

  it('publishes health no more often than its interval, a snapshot first', () => {
    const { publisher, updates, advance } = setup({ health: true });
    publisher.flush();
    publisher.flush();
    advance(100);
    publisher.flush();
    let health = updates.filter((u) => u.topic === 'health');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatchObject({ snapshot: true, rows: [{ feedState: 'live', lastSeq: 4 }] });
    advance(150);
    publisher.flush();
    health = updates.filter((u) => u.topic === 'health');
    expect(health.map((u) => u.snapshot)).toEqual([true, false]);
  });

  it('on its timer publishes a busy topic at most 20 times a second, even if asked for a faster tick', () => {
    vi.useFakeTimers();
    const { engine, publisher, updates } = setup();
    publisher.start(5); // clamped to 50 ms
    let seq = 5;
    for (let ms = 0; ms < 1_000; ms++) {
      engine.apply(quote({ seq: seq++, ts: T0 + ms, last: 3500 + (ms % 3) }));
      vi.advanceTimersByTime(1);
    }
    publisher.stop();
    const market = updates.filter((u) => u.topic === 'market');
    expect(market.length).toBeGreaterThanOrEqual(18);
    expect(market.length).toBeLessThanOrEqual(20);
  });
});
