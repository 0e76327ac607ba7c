// Topic updates held back for a window that reads slower than they come: merged per topic (last row per key wins,
// removals kept) so that what waits is bounded by the size of the topics, not by time. When the window catches up it
// gets one update per topic that, applied to what it has, gives the same rows as every held update in turn.
import { rowKey, type TopicName, type TopicUpdate } from '../../shared/api/contract';

interface PendingTopic {
  snapshot: boolean;
  rows: Map<string, unknown>;
  /** Keys to delete (deltas only: a pending snapshot simply leaves them out). */
  removed: Set<string>;
  at: number;
  sourceTs: number;
}

export class TopicBacklog {
  private readonly pending = new Map<TopicName, PendingTopic>();
  /** Updates merged into another since start (how much conflation spared the window). */
  merged = 0;

  get empty(): boolean {
    return this.pending.size === 0;
  }

  add(update: TopicUpdate): void {
    const held = this.pending.get(update.topic);
    if (!held || update.snapshot) {
      if (held) this.merged++;
      const rows = new Map<string, unknown>();
      for (const row of update.rows) rows.set(rowKey(update.topic, row), row);
      const removed = new Set<string>(update.snapshot ? [] : update.removed);
      for (const key of update.snapshot ? update.removed : []) rows.delete(key);
      this.pending.set(update.topic, {
        snapshot: update.snapshot,
        rows,
        removed,
        at: update.at,
        sourceTs: update.sourceTs,
      });
      return;
    }
    this.merged++;
    // The store applies a delta's upserts, then its removals: merge in the same order.
    for (const row of update.rows) {
      const key = rowKey(update.topic, row);
      held.removed.delete(key);
      held.rows.set(key, row);
    }
    for (const key of update.removed) {
      held.rows.delete(key);
      if (!held.snapshot) held.removed.add(key);
    }
    held.at = update.at;
    held.sourceTs = Math.max(held.sourceTs, update.sourceTs);
  }

  /**
   * The merged updates in the order the topics first waited, and an empty backlog. A merged delta goes out in parts
   * of at most `maxRows` rows (a key is either upserted or removed, so the parts may come in any order): the window
   * parses and applies each part as its own task instead of one long one. A snapshot cannot be split.
   */
  take(maxRows = Number.POSITIVE_INFINITY): TopicUpdate[] {
    const out: TopicUpdate[] = [];
    for (const [topic, held] of this.pending) {
      const rows = [...held.rows.values()];
      const part = (partRows: unknown[], removed: string[]) =>
        out.push({
          topic,
          snapshot: held.snapshot,
          rows: partRows,
          removed,
          at: held.at,
          sourceTs: held.sourceTs,
        } as TopicUpdate);
      if (held.snapshot || rows.length <= maxRows) {
        part(rows, [...held.removed]);
        continue;
      }
      for (let start = 0; start < rows.length; start += maxRows) {
        const last = start + maxRows >= rows.length;
        part(rows.slice(start, start + maxRows), last ? [...held.removed] : []);
      }
    }
    this.pending.clear();
    return out;
  }
}
