// The host's backlog for slow windows: merged updates give the same rows as every held update applied in turn.
import { describe, expect, it } from 'vitest';
import type { PositionRow } from '../../shared/domain/types';
import type { WireTopicUpdate as TopicUpdate } from '../../shared/api/wire';
import { TopicBacklog } from '../../main/host/topicBacklog';

const row = (key: string, mark: number): PositionRow => ({
  key,
  accountId: key.split('|')[0]!,
  instrumentId: key.split('|')[1]!,
  exchange: 'SHFE',
  longQty: 1,
  longAvgPrice: 100,
  shortQty: 0,
  shortAvgPrice: 0,
  mark,
  positionPnl: 0,
  closePnl: 0,
  margin: 0,
});

const update = (
  rows: PositionRow[],
  removed: string[] = [],
  snapshot = false,
  sourceTs = 1,
): TopicUpdate<'positions'> => ({ topic: 'positions', snapshot, rows, removed, at: sourceTs, sourceTs });

/** What a window's store holds after `updates` (the contract: snapshot replaces, delta upserts then removes). */
function applyAll(start: Map<string, number>, updates: TopicUpdate[]): Map<string, number> {
  let rows = new Map(start);
  for (const u of updates) {
    if (u.snapshot) rows = new Map();
    for (const r of u.rows as PositionRow[]) rows.set(r.key, r.mark);
    for (const p of (u.patches ?? []) as Partial<PositionRow>[]) {
      if (rows.has(p.key!) && p.mark !== undefined) rows.set(p.key!, p.mark);
    }
    for (const key of u.removed) rows.delete(key);
  }
  return rows;
}

describe('TopicBacklog', () => {
  it('merges deltas: last row per key wins, a removal after an upsert removes, an upsert after a removal revives', () => {
    const backlog = new TopicBacklog();
    backlog.add(update([row('A|x', 1), row('B|x', 1)], [], false, 10));
    backlog.add(update([row('A|x', 2)], ['C|x'], false, 20));
    backlog.add(update([row('C|x', 3)], ['B|x'], false, 15));
    const [merged, ...rest] = backlog.take();
    expect(rest).toEqual([]);
    expect(backlog.empty).toBe(true);
    expect(merged!.snapshot).toBe(false);
    expect((merged!.rows as PositionRow[]).map((r) => [r.key, r.mark])).toEqual([
      ['A|x', 2],
      ['C|x', 3],
    ]);
    expect(merged!.removed).toEqual(['B|x']);
    expect(merged!.sourceTs).toBe(20);
    expect(backlog.merged).toBe(2);
  });

  it('a snapshot replaces what waited and later deltas fold into it', () => {
    const backlog = new TopicBacklog();
    backlog.add(update([row('A|x', 1)], ['Z|x']));
    backlog.add(update([row('B|x', 1)], [], true));
    backlog.add(update([row('C|x', 2)], ['B|x']));
    const [merged] = backlog.take();
    expect(merged!.snapshot).toBe(true);
    expect((merged!.rows as PositionRow[]).map((r) => r.key)).toEqual(['C|x']);
    expect(merged!.removed).toEqual([]);
  });

  it('random sequences: the merged parts applied to the window give the same rows as every update in turn', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const start = new Map<string, number>([
        ['K0|x', -1],
        ['K1|x', -1],
      ]);
      const updates: TopicUpdate[] = [];
      const backlog = new TopicBacklog();
      for (let i = 0; i < 12; i++) {
        const rows = Array.from({ length: Math.floor(random() * 6) }, () => row(`K${Math.floor(random() * 8)}|x`, i));
        const removed = Array.from({ length: Math.floor(random() * 3) }, () => `K${Math.floor(random() * 8)}|x`);
        const u = update(rows, removed, random() < 0.08, i);
        updates.push(u);
        backlog.add(u);
      }
      const parts = backlog.take(2);
      for (const part of parts) if (!part.snapshot) expect(part.rows.length).toBeLessThanOrEqual(2);
      expect(applyAll(start, parts)).toEqual(applyAll(start, updates));
    }
  });

  it('merges patches into the row or the patch that waits for their key, and a patch after a removal waits alone', () => {
    const backlog = new TopicBacklog();
    backlog.add(update([row('A|x', 1)]));
    backlog.add({
      ...update([]),
      patches: [
        { key: 'A|x', mark: 2 },
        { key: 'B|x', mark: 5 },
      ],
    });
    backlog.add({ ...update([]), patches: [{ key: 'B|x', positionPnl: 9 }] });
    const [merged] = backlog.take();
    expect(merged!.rows).toEqual([row('A|x', 2)]);
    expect(merged!.patches).toEqual([{ key: 'B|x', mark: 5, positionPnl: 9 }]);
    backlog.add({ ...update([]), patches: [{ key: 'B|x', mark: 6 }] });
    backlog.add(update([], ['B|x']));
    const [removed] = backlog.take();
    expect(removed!.patches).toBeUndefined();
    expect(removed!.removed).toEqual(['B|x']);
  });

  it('random sequences with patches: the merged parts give the same rows as every update in turn', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const start = new Map<string, number>([
        ['K0|x', -1],
        ['K1|x', -1],
      ]);
      let window = new Map(start);
      const updates: TopicUpdate[] = [];
      const backlog = new TopicBacklog();
      for (let i = 0; i < 12; i++) {
        const rows = Array.from({ length: Math.floor(random() * 4) }, () => row(`K${Math.floor(random() * 8)}|x`, i));
        const snapshot = random() < 0.08;
        // Patches only for rows the window holds once this update's rows are in, as the hub sends them.
        const afterRows = applyAll(window, [update(rows, [], snapshot)]);
        const patches = [...afterRows.keys()]
          .filter(() => random() < 0.4)
          .map((key) => ({ key, mark: 100 + i }) as Partial<PositionRow>);
        const removed = Array.from({ length: Math.floor(random() * 2) }, () => `K${Math.floor(random() * 8)}|x`);
        const u: TopicUpdate = { ...update(rows, removed, snapshot, i), patches };
        updates.push(u);
        backlog.add(u);
        window = applyAll(window, [u]);
      }
      const parts = backlog.take(2);
      for (const part of parts) {
        if (!part.snapshot) expect(part.rows.length + (part.patches?.length ?? 0)).toBeLessThanOrEqual(2);
      }
      expect(applyAll(start, parts)).toEqual(window);
    }
  });

  it('keeps topics apart, in the order they first waited', () => {
    const backlog = new TopicBacklog();
    backlog.add({ topic: 'market', snapshot: false, rows: [], removed: ['IF2606'], at: 1, sourceTs: 1 });
    backlog.add(update([row('A|x', 1)]));
    expect(backlog.take().map((u) => u.topic)).toEqual(['market', 'positions']);
  });
});
