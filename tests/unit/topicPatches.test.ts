// Field deltas on the bridge: the hub sends rows a window holds as patches (key + changed fields), the bridge
// client merges them, and its subscribers get whole rows: the same rows as the hub's own.
import { describe, expect, it } from 'vitest';
import type { TopicUpdate } from '../../shared/api/contract';
import { createBridgeClient, type BridgeClient } from '../../shared/api/bridgeClient';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { BridgeReply, WireTopicUpdate } from '../../shared/api/wire';
import type { PositionRow } from '../../shared/domain/types';
import { diffRow, TopicHub, wireUpdate } from '../../main/api/topicHub';
import { createTopicStore } from '../../renderer/src/stores/topicStore';

/** A bridge client whose pipe is fed by hand: `deliver` is what the main side would send. */
function fakeBridge(): { api: BridgeClient; deliver(update: WireTopicUpdate): void } {
  let reply: (message: BridgeReply) => void = () => {};
  const api = createBridgeClient({
    send() {},
    onReply(handler) {
      reply = handler;
    },
  });
  // As over both transports: the message is serialised (JSON on the WebSocket, a structured clone over IPC).
  return { api, deliver: (update) => reply(JSON.parse(JSON.stringify({ kind: 'topic', update })) as BridgeReply) };
}

const position = (key: string, mark: number, extra: Partial<PositionRow> = {}): PositionRow => ({
  key,
  accountId: key.split('|')[0]!,
  instrumentId: key.split('|')[1]!,
  exchange: 'SHFE',
  longQty: 10,
  longAvgPrice: 100,
  shortQty: 0,
  shortAvgPrice: 0,
  mark,
  positionPnl: (mark - 100) * 100,
  closePnl: 0,
  margin: 1000,
  ...extra,
});

const delta = <T extends 'positions' | 'health'>(
  topic: T,
  rows: TopicUpdate<T>['rows'],
  removed: string[] = [],
): TopicUpdate<T> => ({ topic, snapshot: false, rows, removed, at: 1, sourceTs: 1 });

describe('diffRow', () => {
  it('keeps the key field and the changed fields only', () => {
    expect(diffRow('key', position('A|x', 101), position('A|x', 103))).toEqual({
      key: 'A|x',
      mark: 103,
      positionPnl: 300,
    });
    expect(diffRow('key', position('A|x', 101), position('A|x', 101))).toEqual({ key: 'A|x' });
  });

  it('asks for the whole row when a field was dropped or most fields changed', () => {
    const withNote = { ...position('A|x', 101), note: 'x' };
    expect(diffRow('key', withNote, position('A|x', 101))).toBeNull();
    expect(diffRow('key', position('A|x', 101), { ...position('A|x', 101), mark: undefined })).toBeNull();
    const everything = position('A|x', 150, { longQty: 2, longAvgPrice: 90, shortQty: 3, closePnl: 7, margin: 9 });
    expect(diffRow('key', position('A|x', 101), everything)).toBeNull();
  });

  it('treats a new array with the same values as unchanged', () => {
    const alert = { id: 'a1', evidence: [1, 2, 3], accountIds: ['A'], count: 1 } as unknown as AlertRow;
    const next = { id: 'a1', evidence: [1, 2, 3], accountIds: ['A'], count: 2 } as unknown as AlertRow;
    expect(diffRow('id', alert, next)).toEqual({ id: 'a1', count: 2 });
    const grown = { ...next, evidence: [1, 2, 3, 4] };
    expect(diffRow('id', alert, grown)).toEqual({ id: 'a1', count: 2, evidence: [1, 2, 3, 4] });
  });
});

describe('wireUpdate', () => {
  it('sends held rows as patches and new rows whole, once per update', () => {
    const hub = new TopicHub();
    hub.publish({ topic: 'positions', snapshot: true, rows: [position('A|x', 101)], removed: [], at: 0, sourceTs: 0 });
    hub.subscribe('positions', () => {});
    const update = delta('positions', [position('A|x', 102), position('B|x', 100)], ['C|x']);
    hub.publish(update);
    const wire = wireUpdate(update);
    expect(wire.rows).toEqual([position('B|x', 100)]);
    expect(wire.patches).toEqual([{ key: 'A|x', mark: 102, positionPnl: 200 }]);
    expect(wire.removed).toEqual(['C|x']);
    expect(wireUpdate(update)).toBe(wire); // every window's bridge gets the same object (serialised once)
    // The hub's own subscribers and its rows keep whole rows.
    expect(update.rows).toHaveLength(2);
    expect(hub.current('positions')).toEqual([position('A|x', 102), position('B|x', 100)]);
  });

  it('leaves snapshots, topics without patches and updates nobody listened to as they are', () => {
    const hub = new TopicHub();
    const snapshot: TopicUpdate<'positions'> = {
      topic: 'positions',
      snapshot: true,
      rows: [position('A|x', 101)],
      removed: [],
      at: 0,
      sourceTs: 0,
    };
    hub.publish(snapshot);
    const unheard = delta('positions', [position('A|x', 102)]);
    hub.publish(unheard);
    expect(wireUpdate(unheard)).toBe(unheard);
    hub.subscribe('positions', () => {});
    hub.subscribe('health', () => {});
    expect(wireUpdate(snapshot)).toBe(snapshot);
    const health = delta('health', [{ feedState: 'live' } as never]);
    hub.publish(health);
    expect(wireUpdate(health)).toBe(health);
  });

  it('sends a delta whole once a second hub published the same object (it replaced other rows there)', () => {
    const first = new TopicHub();
    const second = new TopicHub();
    for (const hub of [first, second]) {
      hub.publish({
        topic: 'positions',
        snapshot: true,
        rows: [position('A|x', 101)],
        removed: [],
        at: 0,
        sourceTs: 0,
      });
      hub.subscribe('positions', () => {});
    }
    second.publish(delta('positions', [position('A|x', 150)]));
    const update = delta('positions', [position('A|x', 102)]);
    first.publish(update);
    expect(wireUpdate(update).patches).toEqual([{ key: 'A|x', mark: 102, positionPnl: 200 }]);
    second.publish(update); // its held row had mark 150: a patch made against the first hub would be wrong there
    expect(wireUpdate(update)).toBe(update);
  });

  it('gives a window the same rows as the hub, through the bridge client into its store', () => {
    const hub = new TopicHub();
    const { api, deliver } = fakeBridge();
    const store = createTopicStore('positions');
    api.subscribe('positions', store.apply);
    const keys = Array.from({ length: 40 }, (_, i) => `A${i % 8}|x${i}`);
    hub.publish({
      topic: 'positions',
      snapshot: true,
      rows: keys.slice(0, 20).map((k) => position(k, 100)),
      removed: [],
      at: 0,
      sourceTs: 0,
    });
    let patched = 0;
    hub.subscribe('positions', (update) => {
      const wire = wireUpdate(update);
      patched += wire.patches?.length ?? 0;
      deliver(wire);
    });
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let step = 0; step < 200; step++) {
      const rows = [];
      for (let i = 0; i < 6; i++) {
        const key = keys[Math.floor(random() * keys.length)]!;
        // Now and then a row changes almost everything, so it goes whole although held.
        const extra = random() < 0.1 ? { longQty: step, shortQty: 1, closePnl: 2, margin: 3, longAvgPrice: 4 } : {};
        rows.push(position(key, 100 + Math.floor(random() * 10), extra));
      }
      const removed = random() < 0.2 ? [keys[Math.floor(random() * keys.length)]!] : [];
      hub.publish(delta('positions', rows, removed));
    }
    expect(patched).toBeGreaterThan(500);
    expect(api.orphanPatches).toBe(0);
    const held = [...store.use.getState().rows.values()].sort((a, b) => a.key.localeCompare(b.key));
    expect(held).toEqual(hub.current('positions').sort((a, b) => a.key.localeCompare(b.key)));
  });
});

describe('bridge client patches', () => {
  it('hands subscribers whole rows, merged as new objects, and skips (and counts) a patch for a row not held', () => {
    const { api, deliver } = fakeBridge();
    const seen: TopicUpdate<'positions'>[] = [];
    api.subscribe('positions', (update) => seen.push(update));
    const first = position('A|x', 101);
    deliver({ topic: 'positions', snapshot: true, rows: [first], removed: [], at: 0, sourceTs: 0 });
    const warn = console.warn;
    console.warn = () => {};
    try {
      deliver({
        ...delta('positions', [position('B|x', 100)], ['B|x']),
        patches: [
          { key: 'A|x', mark: 105 },
          { key: 'Z|x', mark: 1 },
        ],
      });
    } finally {
      console.warn = warn;
    }
    const update = seen[1]!;
    expect(update).toEqual({
      topic: 'positions',
      snapshot: false,
      rows: [position('B|x', 100), { ...first, mark: 105 }],
      removed: ['B|x'],
      at: 1,
      sourceTs: 1,
    });
    expect('patches' in update).toBe(false);
    expect(api.orphanPatches).toBe(1);
    // The next patch merges into the merged row; a removed row takes no patch.
    deliver({
      ...delta('positions', []),
      patches: [
        { key: 'A|x', positionPnl: 7 },
        { key: 'B|x', mark: 2 },
      ],
    });
    expect(seen[2]!.rows).toEqual([{ ...first, mark: 105, positionPnl: 7 }]);
    expect(api.orphanPatches).toBe(2);
    // Topics without patches pass as they come.
    const health: TopicUpdate[] = [];
    api.subscribe('health', (u) => health.push(u));
    const row = { feedState: 'live' } as never;
    deliver({ topic: 'health', snapshot: false, rows: [row], removed: [], at: 3, sourceTs: 3 });
    expect(health[0]!.rows).toEqual([row]);
  });
});
