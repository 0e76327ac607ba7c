// The main side of server-side views: the views.* methods and the `views` topic. A view lives where its rows are:
// engine sources (market, positions, accounts) in the core of the caller's workspace (live or review), the alert
// queue (rows with their workflow, merged on this side) in a view table here. Each frame goes to the window that
// opened the view, and to no other.
import type { CallerContext, MethodHandlers, TopicSource } from '../api/dispatcher';
import { ApiFailure } from '../api/dispatcher';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { ViewBlock, ViewFrame, ViewSourceName } from '../../shared/views/spec';
import { ViewTable } from '../../shared/views/viewTable';
import { scopeFilter, type AccountScope } from '../../shared/domain/teamWorkflow';
import { isEngineViewSource, type ViewAnswer, type ViewHost, type ViewRequest } from './viewRequests';

/** A window's views outlive its `views` subscription this long (a lock and unlock, a reconnect), then close. */
const ORPHAN_VIEWS_MS = 120_000;
/** How often a main-side table flushes between its source's updates (a re-sort put off by its cadence). */
const TABLE_FLUSH_MS = 100;

interface OpenView {
  connectionId: string;
  host: ViewHost;
}

export interface ViewServiceOptions {
  /** The core that holds the engine tables for a workspace (undefined: live); null when none runs. */
  engineHost(review: string | undefined): ViewHost | null;
  /** Subscribes a topic of a workspace as its windows get it (the alert queue with its workflow). */
  subscribeTopic<T extends TopicName>(
    topic: T,
    listener: (update: TopicUpdate<T>) => void,
    review: string | undefined,
  ): () => void;
  /** The accounts a caller may see (null: all); absent: no scoping (tools, tests of the views alone). */
  scopeOf?(caller: CallerContext): AccountScope | null;
}

export class ViewService implements TopicSource {
  private readonly views = new Map<string, OpenView>();
  private readonly listeners = new Map<string, (update: TopicUpdate<'views'>) => void>();
  private readonly orphanTimers = new Map<string, NodeJS.Timeout>();
  private readonly hostStops = new Map<ViewHost, () => void>();
  private readonly tableHosts = new Map<string, TopicTableHost>();
  private nextId = 1;

  constructor(private readonly options: ViewServiceOptions) {}

  readonly handlers: Pick<MethodHandlers, 'views.open' | 'views.update' | 'views.rows' | 'views.find' | 'views.close'> =
    {
      'views.open': async (args, caller) => {
        const host = this.hostFor(args.source, caller.review);
        const viewId = `v${this.nextId++}`;
        this.listen(host);
        this.views.set(viewId, { connectionId: caller.connectionId, host });
        try {
          const scope = this.options.scopeOf?.(caller) ?? null;
          return (await this.ask(host, { action: 'open', viewId, ...args, scope })) as ViewFrame;
        } catch (error) {
          this.views.delete(viewId);
          // A busy core may still open it after the caller gave up (the window asks again with a new id): close
          // it behind the open, or each retry would leave the core one more view to keep sorted.
          host.viewRequest({ action: 'close', viewId }).catch(() => null);
          throw error;
        }
      },
      'views.update': async (args, caller) =>
        (await this.ask(this.owned(args.viewId, caller).host, { action: 'update', ...args })) as ViewFrame,
      'views.rows': async (args, caller) =>
        (await this.ask(this.owned(args.viewId, caller).host, { action: 'rows', ...args })) as ViewBlock,
      'views.find': async (args, caller) =>
        (await this.ask(this.owned(args.viewId, caller).host, { action: 'find', ...args })) as { index: number },
      'views.close': async (args, caller) => {
        const view = this.views.get(args.viewId);
        if (!view || view.connectionId !== caller.connectionId) return null;
        this.views.delete(args.viewId);
        await this.ask(view.host, { action: 'close', viewId: args.viewId }).catch(() => null);
        return null;
      },
    };

  /** The `views` topic of one window: its own views' frames only. */
  subscribe<T extends TopicName>(
    topic: T,
    listener: (update: TopicUpdate<T>) => void,
    caller?: CallerContext,
  ): () => void {
    const connectionId = caller?.connectionId ?? 'anonymous';
    const deliver = listener as unknown as (update: TopicUpdate<'views'>) => void;
    this.listeners.set(connectionId, deliver);
    const timer = this.orphanTimers.get(connectionId);
    if (timer) clearTimeout(timer);
    this.orphanTimers.delete(connectionId);
    deliver({ topic: 'views', snapshot: true, rows: [], removed: [], at: Date.now(), sourceTs: 0 });
    return () => {
      if (this.listeners.get(connectionId) !== deliver) return;
      this.listeners.delete(connectionId);
      const orphan = setTimeout(() => this.closeViewsOf(connectionId), ORPHAN_VIEWS_MS);
      orphan.unref?.();
      this.orphanTimers.set(connectionId, orphan);
    };
  }

  /** Views open now (tests, the health log). */
  get openViews(): number {
    return this.views.size;
  }

  /** Closes every view and stops every table (the app stops). */
  stop(): void {
    for (const timer of this.orphanTimers.values()) clearTimeout(timer);
    this.orphanTimers.clear();
    for (const stop of this.hostStops.values()) stop();
    this.hostStops.clear();
    for (const host of this.tableHosts.values()) host.stop();
    this.tableHosts.clear();
    this.views.clear();
  }

  private closeViewsOf(connectionId: string): void {
    this.orphanTimers.delete(connectionId);
    for (const [viewId, view] of this.views) {
      if (view.connectionId !== connectionId) continue;
      this.views.delete(viewId);
      view.host.viewRequest({ action: 'close', viewId }).catch(() => null);
    }
  }

  private hostFor(source: ViewSourceName, review: string | undefined): ViewHost {
    if (isEngineViewSource(source)) {
      const host = this.options.engineHost(review);
      if (!host) throw new ApiFailure('unavailable', `${source}: the core is not running`);
      return host;
    }
    const key = `${review ?? ''}\u0000${source}`;
    let host = this.tableHosts.get(key);
    if (!host) {
      host = new TopicTableHost(source, (listener) => this.options.subscribeTopic('alerts', listener, review));
      this.tableHosts.set(key, host);
    }
    return host;
  }

  private listen(host: ViewHost): void {
    if (this.hostStops.has(host)) return;
    this.hostStops.set(
      host,
      host.onViewFrames((frames) => this.route(frames)),
    );
  }

  private owned(viewId: string, caller: CallerContext): OpenView {
    const view = this.views.get(viewId);
    if (!view || view.connectionId !== caller.connectionId) {
      throw new ApiFailure('bad_arguments', `unknown view ${JSON.stringify(viewId.slice(0, 64))} (it was closed)`);
    }
    return view;
  }

  private async ask(host: ViewHost, request: ViewRequest): Promise<ViewAnswer> {
    try {
      return await host.viewRequest(request);
    } catch (error) {
      if (error instanceof ApiFailure) throw error;
      // What the view engine refuses (a field it cannot group by, a closed view) is the caller's to fix.
      throw new ApiFailure('bad_arguments', (error as Error)?.message ?? String(error));
    }
  }

  /** Hands each window the frames of its own views, one update per window. */
  private route(frames: readonly ViewFrame[]): void {
    const byConnection = new Map<string, ViewFrame[]>();
    for (const frame of frames) {
      const view = this.views.get(frame.viewId);
      if (!view) continue;
      let list = byConnection.get(view.connectionId);
      if (!list) byConnection.set(view.connectionId, (list = []));
      list.push(frame);
    }
    const at = Date.now();
    for (const [connectionId, list] of byConnection) {
      const listener = this.listeners.get(connectionId);
      if (!listener) continue; // not subscribed now: it asks for whole ranges again when it is
      const sourceTs = list.reduce((newest, frame) => Math.max(newest, frame.sourceTs), 0);
      listener({ topic: 'views', snapshot: false, rows: list, removed: [], at, sourceTs });
    }
  }
}

/**
 * A view table on this side, fed by a topic (the alert queue): subscribed while it has views, flushed on each of
 * the topic's updates and on a short timer (a re-sort its cadence put off).
 */
export class TopicTableHost implements ViewHost {
  private readonly table: ViewTable<object>;
  private readonly listeners = new Set<(frames: ViewFrame[]) => void>();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    source: ViewSourceName,
    private readonly subscribe: (listener: (update: TopicUpdate<'alerts'>) => void) => () => void,
  ) {
    this.table = new ViewTable<object>(source);
  }

  async viewRequest(request: ViewRequest): Promise<ViewAnswer> {
    switch (request.action) {
      case 'open': {
        this.start();
        return this.table.open(request.spec, request.range, request.viewId, scopeFilter(request.source, request.scope));
      }
      case 'update':
        return this.table.update(request.viewId, request.spec, request.range);
      case 'rows':
        return this.table.rows(request.viewId, request.range);
      case 'find':
        return { index: this.table.indexOf(request.viewId, request.key) };
      case 'close':
        this.table.close(request.viewId);
        if (this.table.viewCount === 0) this.stop();
        return null;
    }
  }

  onViewFrames(listener: (frames: ViewFrame[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.table.clear();
  }

  private start(): void {
    if (this.unsubscribe) return;
    // The snapshot arrives synchronously: the first view opens on the whole queue.
    this.unsubscribe = this.subscribe((update) => {
      if (update.snapshot) this.table.clear();
      for (const row of update.rows) this.table.upsert(row, update.sourceTs);
      for (const key of update.removed) this.table.remove(key);
      this.flush();
    });
    this.timer = setInterval(() => this.flush(), TABLE_FLUSH_MS);
    this.timer.unref?.();
  }

  private flush(): void {
    const frames = this.table.flush();
    if (frames.length === 0) return;
    for (const listener of this.listeners) listener(frames);
  }
}
