// The dispatcher and serveBridge with a gate: argument validation before the gate, refusals reported, topic data
// only while the gate allows it (held back, started after a call, stopped on lock), disconnect on close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiDispatcher, ApiFailure, serveBridge, type MethodHandlers } from '../../main/api/dispatcher';
import { TopicHub } from '../../main/api/topicHub';
import { apiMethods } from '../../shared/api/contract';
import type { BridgeReply } from '../../shared/api/wire';
import { testGate } from '../support/testGate';

const caller = { transport: 'test' as const, connectionId: 'c1' };

function rig(role: 'admin' | 'auditor' = 'admin') {
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    Object.keys(apiMethods).map((name) => [name, () => (calls.push(name), null)]),
  ) as unknown as MethodHandlers;
  const hub = new TopicHub();
  hub.publish({ topic: 'market', snapshot: true, rows: [], removed: [], at: 1, sourceTs: 1 });
  const gate = testGate({ role });
  const dispatcher = new ApiDispatcher(handlers, hub, gate);
  const replies: BridgeReply[] = [];
  const bridge = serveBridge(dispatcher, caller, (reply) => replies.push(reply));
  const topicCount = () => replies.filter((r) => r.kind === 'topic').length;
  return { calls, hub, gate, dispatcher, bridge, replies, topicCount };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('dispatcher gate', () => {
  it('validates arguments before the gate and reports refusals; the gate refuses by role', async () => {
    const { dispatcher, gate, calls } = rig('auditor');
    await expect(dispatcher.call('link.set', { channel: 'purple', context: null }, caller)).rejects.toMatchObject({
      code: 'bad_arguments',
    });
    await expect(dispatcher.call('feed.reconnect', {}, caller)).rejects.toBeInstanceOf(ApiFailure);
    await expect(dispatcher.call('feed.reconnect', {}, caller)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(dispatcher.call('link.set', { channel: 'red', context: null }, caller)).resolves.toBeNull();
    expect(calls).toEqual(['link.set']);
    expect(gate.rejections.map((r) => r.code)).toEqual(['bad_arguments']);
    expect(dispatcher.rejected.get('forbidden')).toBe(2);
  });

  it('holds subscriptions back until the gate allows them, stops them on lock, restarts with a snapshot', async () => {
    vi.useFakeTimers();
    const { bridge, gate, hub, replies, topicCount } = rig();
    gate.subscriptionsAllowed = false;
    bridge.handle({ kind: 'subscribe', topic: 'market' });
    expect(topicCount()).toBe(0);

    gate.subscriptionsAllowed = true; // e.g. logged in by a call on this connection
    bridge.handle({ kind: 'call', id: 1, method: 'link.set', args: { channel: 'red', context: null } });
    await vi.advanceTimersByTimeAsync(0);
    expect(replies.find((r) => r.kind === 'topic' && r.update.snapshot)).toBeTruthy();

    gate.subscriptionsAllowed = false; // locked elsewhere: the periodic check stops the data
    await vi.advanceTimersByTimeAsync(1100);
    const before = topicCount();
    hub.publish({ topic: 'market', snapshot: false, rows: [], removed: [], at: 2, sourceTs: 2 });
    expect(topicCount()).toBe(before);

    gate.subscriptionsAllowed = true;
    await vi.advanceTimersByTimeAsync(1100);
    expect(topicCount()).toBe(before + 1);
    bridge.close();
    expect(gate.disconnected).toEqual(['c1']);
  });
});
