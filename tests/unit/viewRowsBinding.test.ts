// A few rows of a view held outside a grid: frames applied to what is held (whole ranges, changed rows, stale or
// foreign frames), and the binding that opens, follows, reopens and closes its view, run against the real view
// engine (shared/views/viewTable) answering as the views.* methods do.
import { describe, expect, it, vi } from 'vitest';
import type { AccountRow } from '../../shared/domain/types';
import { viewRowKey } from '../../shared/views/sources';
import type { ViewFrame, ViewSpec } from '../../shared/views/spec';
import { ViewTable } from '../../shared/views/viewTable';
import {
  applyViewFrame,
  heldRows,
  VIEW_RETRY_MS,
  ViewRowsBinding,
  viewWish,
  type HeldView,
} from '../../renderer/src/stores/viewRowsBinding';

function account(accountId: string, limitShare: number, name = `Client ${accountId}`): AccountRow {
  return {
    accountId,
    name,
    controlGroup: null,
    preBalance: 1_000_000,
    cash: 0,
    closePnl: 0,
    positionPnl: 0,
    commission: 0,
    equity: 1_000_000,
    margin: 100_000,
    available: 900_000,
    riskDegree: 0.1,
    workingOrders: 0,
    tradesToday: 0,
    limitShare,
    limitInstrument: limitShare > 0 ? 'cu2601' : null,
  };
}

const keyOf = (row: unknown) => viewRowKey('accounts', row);

function frame(partial: Partial<ViewFrame<AccountRow>> & { rows: AccountRow[] }): ViewFrame<AccountRow> {
  return {
    viewId: 'v1',
    source: 'accounts',
    version: 1,
    total: 0,
    start: 0,
    totals: {},
    at: 0,
    sourceTs: 0,
    ...partial,
  };
}

describe('applyViewFrame', () => {
  const whole = frame({ keys: ['a', 'b'], rows: [account('a', 0.9), account('b', 0.85)], total: 7, version: 2 });

  it('a whole range replaces what is held, in the frame order', () => {
    const held = applyViewFrame<AccountRow>(null, whole, keyOf);
    expect(heldRows(held).map((r) => r.accountId)).toEqual(['a', 'b']);
    expect(held?.total).toBe(7);
    const next = applyViewFrame(held, frame({ keys: ['c'], rows: [account('c', 1.2)], total: 8, version: 3 }), keyOf);
    expect(heldRows(next).map((r) => r.accountId)).toEqual(['c']);
    expect(next?.total).toBe(8);
  });

  it('changed rows replace theirs in place; rows the range does not hold are ignored', () => {
    const held = applyViewFrame<AccountRow>(null, whole, keyOf) as HeldView<AccountRow>;
    const next = applyViewFrame(
      held,
      frame({ rows: [account('b', 0.95), account('z', 2)], total: 9, version: 2 }),
      keyOf,
    );
    expect(heldRows(next).map((r) => [r.accountId, r.limitShare])).toEqual([
      ['a', 0.9],
      ['b', 0.95],
    ]);
    expect(next?.total).toBe(9);
    expect(held.rows.get('b')?.limitShare, 'what was held is not mutated').toBe(0.85);
  });

  it('frames of another view, older frames and changes before any whole range change nothing', () => {
    const held = applyViewFrame<AccountRow>(null, whole, keyOf);
    expect(applyViewFrame(held, frame({ viewId: 'v2', keys: [], rows: [], version: 9 }), keyOf)).toBe(held);
    expect(applyViewFrame(held, frame({ keys: [], rows: [], version: 1 }), keyOf)).toBe(held);
    expect(applyViewFrame(held, frame({ rows: [account('a', 0.1)], version: 1 }), keyOf)).toBe(held);
    expect(applyViewFrame<AccountRow>(null, frame({ rows: [account('a', 0.1)] }), keyOf)).toBeNull();
  });
});

/** The engine behind the views.* methods, answering asynchronously; counts requests and the most at once. */
class EngineViews {
  /** The engine's clock: a view puts off re-sorting by a multiple of its last sort's cost, so tests move time. */
  clock = 0;
  readonly table = new ViewTable<AccountRow>('accounts', { now: () => this.clock });
  readonly calls: string[] = [];
  /** Opens refused before the engine answers (a core busy with a broker's start of day). */
  refuseOpens = 0;
  inFlight = 0;
  mostInFlight = 0;

  call = async (method: string, args: unknown): Promise<unknown> => {
    this.calls.push(method);
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    const a = args as { viewId?: string; source?: string; spec?: ViewSpec; range?: { start: number; end: number } };
    switch (method) {
      case 'views.open':
        if (this.refuseOpens-- > 0) throw new Error('accounts: the core is not running');
        return this.table.open(a.spec as ViewSpec, a.range as { start: number; end: number });
      case 'views.update':
        if (!this.table.has(a.viewId as string)) throw new Error(`unknown view "${a.viewId}" (it was closed)`);
        return this.table.update(a.viewId as string, a.spec, a.range);
      case 'views.close':
        this.table.close(a.viewId as string);
        return null;
    }
    throw new Error(`unexpected ${method}`);
  };
}

const NEAR_LIMIT: ViewSpec = {
  filter: { limitShare: { filterType: 'number', type: 'greaterThanOrEqual', filter: 0.8 } },
  sort: [{ colId: 'limitShare', sort: 'desc' }],
};

async function settle(engine: EngineViews): Promise<void> {
  for (let i = 0; i < 50 && engine.inFlight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 2));
  await new Promise((resolve) => setTimeout(resolve, 2));
}

function bind(engine: EngineViews) {
  const seen: { held: HeldView<AccountRow> | null; answers: string }[] = [];
  const binding = new ViewRowsBinding<AccountRow>(
    'accounts',
    (held, answers) => seen.push({ held, answers }),
    engine.call as ConstructorParameters<typeof ViewRowsBinding<AccountRow>>[2],
  );
  const last = () => seen.at(-1)?.held ?? null;
  return { binding, seen, last };
}

describe('ViewRowsBinding against the view engine', () => {
  it('holds the range the engine has, live, through frames of its own view only', async () => {
    const engine = new EngineViews();
    for (let i = 0; i < 50; i++)
      engine.table.upsert(account(`c${String(i).padStart(2, '0')}`, ((i % 10) * 10 + 5) / 100));
    const { binding, last } = bind(engine);
    binding.want(NEAR_LIMIT, { start: 0, end: 3 });
    await settle(engine);
    expect(heldRows(last()).map((r) => r.limitShare)).toEqual([0.95, 0.95, 0.95]);
    expect(last()?.total).toBe(10); // 0.85 and 0.95, five accounts each

    // Another window's view of the same table: its frames are not this binding's.
    const other = engine.table.open({ search: 'c4' }, { start: 0, end: 10 });
    // A client crosses to the top, another's share changes in place below the range, one drops out.
    engine.table.upsert(account('c03', 1.4));
    engine.table.upsert(account('c08', 0.86));
    engine.table.upsert(account('c09', 0.1));
    engine.clock += 2_000;
    for (const f of engine.table.flush()) binding.frame(f as ViewFrame);
    expect(heldRows(last()).map((r) => [r.accountId, r.limitShare])).toEqual(
      engine.table.rows(last()?.viewId as string, { start: 0, end: 3 }).rows.map((r) => [r.accountId, r.limitShare]),
    );
    expect(heldRows(last())[0]).toMatchObject({ accountId: 'c03', limitShare: 1.4 });
    expect(last()?.total).toBe(10);
    expect(last()?.viewId).not.toBe(other.viewId);

    binding.stop();
    await settle(engine);
    expect(engine.table.has(other.viewId)).toBe(true);
    expect(engine.table.viewCount, 'its own view is closed, the other stays').toBe(1);
  });

  it('follows spec changes one request at a time and ends on the newest; a withdrawn spec closes the view', async () => {
    const engine = new EngineViews();
    for (const id of ['ab1', 'ab2', 'abc3', 'xyz4']) engine.table.upsert(account(id, 0));
    const { binding, seen, last } = bind(engine);
    const range = { start: 0, end: 10 };
    for (const search of ['a', 'ab', 'abc', 'x']) binding.want({ search }, range);
    await settle(engine);
    expect(engine.mostInFlight).toBe(1);
    expect(heldRows(last()).map((r) => r.accountId)).toEqual(['xyz4']);
    expect(seen.at(-1)?.answers).toBe(viewWish({ search: 'x' }, range));
    expect(engine.calls.filter((c) => c === 'views.open')).toHaveLength(1);
    expect(engine.calls.length, 'the typed-over searches were skipped').toBeLessThan(4);

    binding.want(null, range);
    await settle(engine);
    expect(last()).toBeNull();
    expect(engine.table.viewCount).toBe(0);
    binding.stop();
  });

  it('after a resubscription asks for its range again, and reopens a view the host closed meanwhile', async () => {
    const engine = new EngineViews();
    engine.table.upsert(account('a1', 0.9));
    const { binding, last } = bind(engine);
    binding.want(NEAR_LIMIT, { start: 0, end: 5 });
    await settle(engine);
    const first = last()?.viewId as string;
    engine.table.close(first); // the host dropped the window's views after a long disconnect
    engine.table.upsert(account('a2', 1.1));
    binding.resubscribed();
    await settle(engine);
    expect(last()?.viewId).not.toBe(first);
    expect(heldRows(last()).map((r) => r.accountId)).toEqual(['a2', 'a1']);
    expect(engine.table.viewCount).toBe(1);
    binding.stop();
    await settle(engine);
    expect(engine.table.viewCount).toBe(0);
  });

  it('stopped while its view is being opened: the view is closed when the answer comes', async () => {
    const engine = new EngineViews();
    const { binding } = bind(engine);
    binding.want(NEAR_LIMIT, { start: 0, end: 5 });
    binding.stop();
    await settle(engine);
    expect(engine.table.viewCount).toBe(0);
  });

  it('asks again, a second later, for a view the core could not open yet', async () => {
    vi.useFakeTimers();
    try {
      const engine = new EngineViews();
      engine.refuseOpens = 2;
      engine.table.upsert(account('a1', 0.9));
      const { binding, last } = bind(engine);
      const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
      binding.want(NEAR_LIMIT, { start: 0, end: 5 });
      await vi.advanceTimersByTimeAsync(10);
      expect(last()).toBeNull();
      await vi.advanceTimersByTimeAsync(VIEW_RETRY_MS);
      expect(engine.table.viewCount).toBe(0);
      await vi.advanceTimersByTimeAsync(VIEW_RETRY_MS);
      expect(heldRows(last()).map((r) => r.accountId)).toEqual(['a1']);
      expect(engine.calls.filter((c) => c === 'views.open')).toHaveLength(3);
      expect(warned, 'one line for the run of failures').toHaveBeenCalledTimes(1);
      warned.mockRestore();
      binding.stop();
      await vi.advanceTimersByTimeAsync(10);
      expect(engine.table.viewCount).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
