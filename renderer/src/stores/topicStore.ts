// One zustand store per row topic. A TopicUpdate is applied as the contract says: a snapshot replaces every row, a
// delta upserts its rows, `removed` deletes keys. The row map is mutated in place (10k positions at 20 Hz must not
// be copied per update); `version` changes on every update for the few components that re-render on it. Grids do
// not re-render at all: they take each applied batch as an AG Grid transaction (see grid/liveGrid.ts).
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { rowKey, type TopicRows, type TopicUpdate } from '../../../shared/api/contract';

export type RowTopic = 'market' | 'positions' | 'accounts' | 'alerts';

export interface RowBatch<R> {
  snapshot: boolean;
  /** Rows added or changed (all rows for a snapshot). */
  upserts: readonly R[];
  /** Keys deleted (empty for a snapshot). */
  removed: readonly string[];
  sourceTs: number;
}

export interface TopicState<R> {
  rows: Map<string, R>;
  version: number;
  /** A snapshot has arrived since the window opened. */
  ready: boolean;
  /** Newest source timestamp folded into the last update, epoch ms. */
  sourceTs: number;
}

export interface TopicStore<T extends RowTopic> {
  readonly topic: T;
  readonly use: UseBoundStore<StoreApi<TopicState<TopicRows[T]>>>;
  keyOf(row: TopicRows[T]): string;
  apply(update: TopicUpdate<T>): void;
  /** Called after each applied update with what changed; returns the unsubscribe function. */
  onBatch(listener: (batch: RowBatch<TopicRows[T]>) => void): () => void;
}

export function createTopicStore<T extends RowTopic>(topic: T): TopicStore<T> {
  type Row = TopicRows[T];
  const use = create<TopicState<Row>>()(() => ({ rows: new Map(), version: 0, ready: false, sourceTs: 0 }));
  const listeners = new Set<(batch: RowBatch<Row>) => void>();
  const keyOf = (row: Row) => rowKey(topic, row);

  return {
    topic,
    use,
    keyOf,
    apply(update) {
      const previous = use.getState();
      const rows = update.snapshot ? new Map<string, Row>() : previous.rows;
      for (const row of update.rows) rows.set(keyOf(row), row);
      for (const key of update.removed) rows.delete(key);
      use.setState({ rows, version: previous.version + 1, ready: true, sourceTs: update.sourceTs });
      const batch: RowBatch<Row> = {
        snapshot: update.snapshot,
        upserts: update.rows,
        removed: update.snapshot ? [] : update.removed,
        sourceTs: update.sourceTs,
      };
      for (const listener of listeners) listener(batch);
    },
    onBatch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
