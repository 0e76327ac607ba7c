// A core too busy to answer a window's views.open in time (a broker floor's start of day, a core behind its feed)
// still opens the view when it gets to the request. The window asks again with a new id; the view it gave up on
// must not stay open in the core, where every open view is kept sorted on every change.
import { describe, expect, it } from 'vitest';
import type { CallerContext } from '../../main/api/dispatcher';
import { EngineViews } from '../../main/core/engineViews';
import { EngineState } from '../../main/engine/state';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import type { ViewAnswer, ViewHost, ViewRequest } from '../../main/views/viewRequests';
import { ViewService } from '../../main/views/viewService';
import type { SequencedMessage } from '../../shared/protocol';

/**
 * The core's real view tables behind a worker-like queue: requests are handled in order, one every `stepMs`, and a
 * caller stops waiting after `deadlineMs` (as CoreProcess's requests do) while its request still runs later.
 */
class BusyCore implements ViewHost {
  readonly views: EngineViews;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    engine: EngineState,
    private readonly stepMs: number,
    private readonly deadlineMs: number,
  ) {
    this.views = new EngineViews(engine);
  }

  viewRequest(request: ViewRequest): Promise<ViewAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('core request view timed out')), this.deadlineMs);
      this.queue = this.queue
        .then(() => new Promise((done) => setTimeout(done, this.stepMs)))
        .then(() => {
          try {
            resolve(this.views.handle(request));
          } catch (error) {
            reject(error as Error);
          } finally {
            clearTimeout(timer);
          }
        });
    });
  }

  onViewFrames(): () => void {
    return () => {};
  }

  async settled(): Promise<void> {
    await this.queue;
  }
}

function floor(): EngineState {
  const feed = new FeedBuilder({ tradingDay: null });
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE' });
  for (let i = 0; i < 200; i++) feed.account(`A${String(i).padStart(4, '0')}`, { preBalance: 1_000_000 + i });
  const engine = new EngineState();
  engine.applyBatch(feed.messages as SequencedMessage[]);
  return engine;
}

describe('views.open on a busy core', () => {
  it('closes in the core a view whose open the caller gave up on', async () => {
    const core = new BusyCore(floor(), 40, 20);
    const service = new ViewService({ engineHost: () => core, subscribeTopic: () => () => {} });
    const caller = { connectionId: 'accounts-window', transport: 'test' } as CallerContext;
    const open = () =>
      service.handlers['views.open'](
        { source: 'accounts', spec: { sort: [{ colId: 'accountId', sort: 'asc' }] }, range: { start: 0, end: 50 } },
        caller,
      );
    // Three tries the core answers too late, as a window retrying every second would make them.
    for (let i = 0; i < 3; i++) await expect(open()).rejects.toThrow(/timed out/);
    await core.settled();
    expect(core.views.open).toBe(0);
    expect(service.openViews).toBe(0);

    const patient = new BusyCore(floor(), 5, 1_000);
    const service2 = new ViewService({ engineHost: () => patient, subscribeTopic: () => () => {} });
    const frame = await service2.handlers['views.open'](
      { source: 'accounts', spec: {}, range: { start: 0, end: 50 } },
      caller,
    );
    expect(frame).toMatchObject({ total: 200 });
    expect(patient.views.open).toBe(1);
  });
});
