// Keeps the merged rows of every topic on the main side and fans updates out to subscribers. A new subscriber
// gets the merged rows as a snapshot at once; the core never re-sends a snapshot per window.
import { rowKey, type TopicName, type TopicRows, type TopicUpdate } from '../../shared/api/contract';
import type { TopicSource } from './dispatcher';

type AnyListener = (update: TopicUpdate) => void;

export class TopicHub implements TopicSource {
  private readonly rows = new Map<TopicName, Map<string, unknown>>();
  private readonly listeners = new Map<TopicName, Set<AnyListener>>();
  private readonly lastSourceTs = new Map<TopicName, number>();

  /** Applies an update from the producer (the core worker, or the main side's own link state). */
  publish<T extends TopicName>(update: TopicUpdate<T>): void {
    let rows = this.rows.get(update.topic);
    if (!rows || update.snapshot) {
      rows = new Map();
      this.rows.set(update.topic, rows);
    }
    for (const row of update.rows) rows.set(rowKey(update.topic, row), row);
    for (const key of update.removed) rows.delete(key);
    this.lastSourceTs.set(update.topic, update.sourceTs);
    const set = this.listeners.get(update.topic);
    if (!set) return;
    for (const listener of set) listener(update as TopicUpdate);
  }

  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    const rows = this.rows.get(topic);
    listener({
      topic,
      snapshot: true,
      rows: rows ? ([...rows.values()] as TopicRows[T][]) : [],
      removed: [],
      at: Date.now(),
      sourceTs: this.lastSourceTs.get(topic) ?? 0,
    });
    set.add(listener as AnyListener);
    return () => {
      set.delete(listener as AnyListener);
    };
  }

  /** Current merged rows of a topic (for tests and for the main side's own use). */
  current<T extends TopicName>(topic: T): TopicRows[T][] {
    return [...(this.rows.get(topic)?.values() ?? [])] as TopicRows[T][];
  }
}
