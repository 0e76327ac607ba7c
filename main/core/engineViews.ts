// The core's view tables: views of the engine's market, positions and accounts, computed on the engine's own rows
// (no copy of a 100k-row table per tick); only the rows of each view's range are copied out. A table exists while
// it has views.
import type { ViewFrame } from '../../shared/views/spec';
import { ViewError, ViewTable } from '../../shared/views/viewTable';
import { scopeFilter } from '../../shared/domain/teamWorkflow';
import type { EngineChanges, EngineState } from '../engine/state';
import { isEngineViewSource, type EngineViewSource, type ViewAnswer, type ViewRequest } from '../views/viewRequests';

type AnyRow = object;

export class EngineViews {
  private readonly tables = new Map<EngineViewSource, ViewTable<AnyRow>>();
  private readonly sourceOf = new Map<string, EngineViewSource>();

  constructor(private readonly engine: EngineState) {}

  get open(): number {
    return this.sourceOf.size;
  }

  /** Answers one views request; throws ViewError for an unknown view or a spec the source cannot do. */
  handle(request: ViewRequest): ViewAnswer {
    if (request.action === 'open') {
      if (!isEngineViewSource(request.source)) throw new ViewError(`the core has no ${request.source} table`);
      if (this.sourceOf.has(request.viewId)) throw new ViewError(`view ${request.viewId} is already open`);
      const frame = this.table(request.source).open(
        request.spec,
        request.range,
        request.viewId,
        scopeFilter(request.source, request.scope),
      );
      this.sourceOf.set(request.viewId, request.source);
      return copyRows(frame);
    }
    const source = this.sourceOf.get(request.viewId);
    const table = source ? this.tables.get(source) : undefined;
    if (!source || !table) {
      if (request.action === 'close') return null;
      throw new ViewError(`unknown view ${JSON.stringify(request.viewId.slice(0, 64))} (it was closed)`);
    }
    switch (request.action) {
      case 'update':
        return copyRows(table.update(request.viewId, request.spec, request.range));
      case 'rows':
        return copyRows(table.rows(request.viewId, request.range));
      case 'find':
        return { index: table.indexOf(request.viewId, request.key) };
      case 'close':
        table.close(request.viewId);
        this.sourceOf.delete(request.viewId);
        if (table.viewCount === 0) this.tables.delete(source); // nobody looks: stop keeping it current
        return null;
    }
  }

  /** Folds the engine's changed rows (live references) into the tables that have views. */
  fold(changes: EngineChanges): void {
    const market = this.tables.get('market');
    if (market) for (const row of changes.market) market.upsert(row, changes.marketTs);
    const positions = this.tables.get('positions');
    if (positions) for (const row of changes.positions) positions.upsert(row, changes.positionsTs);
    const accounts = this.tables.get('accounts');
    if (accounts) for (const row of changes.accounts) accounts.upsert(row, changes.accountsTs);
  }

  /** Frames of every view whose range changed since the last flush (rows copied: the engine's keep changing). */
  flush(): ViewFrame[] {
    const frames: ViewFrame[] = [];
    for (const table of this.tables.values()) for (const frame of table.flush()) frames.push(copyRows(frame));
    return frames;
  }

  /** A new session: every table is refilled from the engine and its views start over. */
  reset(): void {
    for (const [source, table] of this.tables) {
      table.clear();
      this.fill(source, table);
    }
  }

  private table(source: EngineViewSource): ViewTable<AnyRow> {
    let table = this.tables.get(source);
    if (!table) {
      table = new ViewTable<AnyRow>(source);
      this.fill(source, table);
      table.flush(); // the fill is the starting point, not a change
      this.tables.set(source, table);
    }
    return table;
  }

  private fill(source: EngineViewSource, table: ViewTable<AnyRow>): void {
    this.engine.revalue(); // rows are valued lazily: bring them to current marks first
    const ts = this.engine.sourceTs[source];
    const rows: Iterable<AnyRow> =
      source === 'market'
        ? this.engine.instruments()
        : source === 'accounts'
          ? this.engine.accounts()
          : this.engine.livePositions();
    for (const row of rows) table.upsert(row, ts);
  }
}

function copyRows<F extends { rows: unknown[] }>(frame: F): F {
  return { ...frame, rows: frame.rows.map((row) => ({ ...(row as object) })) };
}

/** Answers a core `view` request through `reply`/`fail` (a bad request is the window's error, never the core's). */
export function answerViewRequest(
  views: EngineViews,
  request: ViewRequest | undefined,
  reply: (value: unknown) => void,
  fail: (error: unknown) => void,
): void {
  if (!request) return fail(new Error('view request without a view'));
  try {
    reply(views.handle(request));
  } catch (error) {
    fail(error);
  }
}
