// 100,000 accounts through the core's own work (CoreRuntime: engine, rules, publisher with its view tables): a view
// gets its range, sorted where the data is, and afterwards only the changed rows of its range; nothing of the
// accounts table goes out whole while no one takes it whole.
import { describe, expect, it } from 'vitest';
import type { AccountRow, PositionRow } from '../../shared/domain/types';
import type { ViewFrame } from '../../shared/views/spec';
import type { CoreEvent } from '../../main/core/messages';
import { CoreRuntime } from '../../main/core/runtime';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import type { ServerMessage } from '../../shared/protocol';

const ACCOUNTS = 100_000;
const INSTRUMENTS = ['rb2605', 'cu2606', 'IF2606', 'm2609'];

function brokerFloor(): ServerMessage[] {
  const feed = new FeedBuilder({ tradingDay: null });
  for (const id of INSTRUMENTS) feed.instrument({ instrumentId: id, exchange: id === 'IF2606' ? 'CFFEX' : 'SHFE' });
  for (let i = 0; i < ACCOUNTS; i++) {
    const id = `A${String(i).padStart(6, '0')}`;
    // Funding decides the risk degree: account i holds the same position with less money as i grows.
    feed.account(id, { preBalance: 2_000_000 - i * 15 });
    feed.position(id, INSTRUMENTS[i % INSTRUMENTS.length]!, 1 + (i % 3), 0, 3_000);
  }
  return feed.messages as ServerMessage[];
}

describe('views on a 100k-account floor through the core', () => {
  it('a view gets its range, then only changed rows of its range; accounts never go out whole', () => {
    const events: CoreEvent[] = [];
    const runtime = new CoreRuntime(
      { rules: null, wholeTopics: ['market'] },
      (event) => events.push(event),
      () => {},
    );
    runtime.applyBatch(brokerFloor() as never);
    const views = runtime.publisher.views;

    const frame = views.handle({
      action: 'open',
      viewId: 'risk',
      source: 'accounts',
      spec: { sort: [{ colId: 'riskDegree', sort: 'desc' }] },
      range: { start: 0, end: 50 },
    }) as ViewFrame<AccountRow>;
    expect(frame.total).toBe(ACCOUNTS);
    expect(frame.keys).toHaveLength(50);
    // The 50 nearest a margin call, by brute force over every account.
    const all = [...runtime.engine.accounts()].map((row) => ({ ...row }));
    const expected = all
      .sort((a, b) => b.riskDegree - a.riskDegree || a.accountId.localeCompare(b.accountId))
      .slice(0, 50)
      .map((row) => row.accountId);
    expect(new Set(frame.keys)).toEqual(new Set(expected));

    // A positions view scoped to one account (the Account window's way) and a quick search.
    const scoped = views.handle({
      action: 'open',
      viewId: 'positions-of',
      source: 'positions',
      spec: { filter: { accountId: { filterType: 'text', type: 'equals', filter: 'A000007' } } },
      range: { start: 0, end: 10 },
    }) as ViewFrame<PositionRow>;
    expect(scoped.total).toBe(1);
    expect((scoped.rows[0] as PositionRow).instrumentId).toBe(INSTRUMENTS[7 % INSTRUMENTS.length]);
    const found = views.handle({
      action: 'update',
      viewId: 'risk',
      spec: { search: 'a077777', sort: [{ colId: 'riskDegree', sort: 'desc' }] },
      range: { start: 0, end: 50 },
    }) as ViewFrame<AccountRow>;
    expect(found.keys).toEqual(['A077777']);
    views.handle({
      action: 'update',
      viewId: 'risk',
      spec: { sort: [{ colId: 'accountId', sort: 'asc' }] },
      range: { start: 0, end: 20 },
    });
    events.length = 0;
    runtime.publisher.flush();

    // Cash to one account inside the range and one outside it: only the one inside comes back.
    const feed = new FeedBuilder({ tradingDay: null });
    feed.cash('A000003', 1_000).cash('A090000', 1_000);
    let seq = runtime.engine.lastSeq;
    runtime.applyBatch(feed.messages.map((m) => ({ ...m, seq: ++seq })) as never);
    events.length = 0;
    runtime.publisher.flush();
    const frames = events.flatMap((event) => (event.type === 'views' ? event.frames : []));
    const riskFrames = frames.filter((f) => f.viewId === 'risk');
    expect(riskFrames).toHaveLength(1);
    expect(riskFrames[0]!.keys).toBeUndefined();
    expect(riskFrames[0]!.rows.map((row) => (row as AccountRow).accountId)).toEqual(['A000003']);
    expect((riskFrames[0]!.rows[0] as AccountRow).cash).toBe(1_000);
    // The scoped positions view saw nothing of its account: no frame for it.
    expect(frames.some((f) => f.viewId === 'positions-of')).toBe(false);
    // Accounts and positions were not published whole.
    const whole = events.flatMap((event) => (event.type === 'topic' ? [event.update.topic] : []));
    expect(whole).not.toContain('accounts');
    expect(whole).not.toContain('positions');
  });
});
