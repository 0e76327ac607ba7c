// Topic updates held back for a window that reads slower than they come: merged per topic (last row per key wins,
// patches merged into what is held for their key, removals kept) so that what waits is bounded by the size of the
// topics, not by time. When the window catches up it gets one update per topic that, applied to what it has, gives
// the same rows as every held update in turn.
import { rowKey, type TopicName } from '../../shared/api/contract';
import type { WireTopicUpdate } from '../../shared/api/wire';
import { mergeViewFrames, type ViewFrame } from '../../shared/views/spec';
import { viewRowKey } from '../../shared/views/sources';

type Fields = Record<string, unknown>;

interface PendingTopic {
  snapshot: boolean;
  /** Whole rows by key. */
  rows: Map<string, unknown>;
  /** Patches by key, for rows the window already holds (deltas only: a snapshot's patches merge into its rows). */
  patches: Map<string, Fields>;
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

  add(update: WireTopicUpdate): void {
    if (update.topic === 'views') return this.addViewFrames(update as WireTopicUpdate<'views'>);
    const held = this.held(update, update.snapshot);
    // The store applies a delta's rows, then its patches, then its removals: merge in the same order.
    for (const row of update.rows) {
      const key = rowKey(update.topic, row);
      held.removed.delete(key);
      held.patches.delete(key);
      held.rows.set(key, row);
    }
    for (const patch of update.patches ?? []) {
      const key = rowKey(update.topic, patch);
      const row = held.rows.get(key);
      if (row !== undefined) {
        held.rows.set(key, { ...(row as Fields), ...(patch as Fields) });
      } else {
        const earlier = held.patches.get(key);
        held.patches.set(key, earlier ? { ...earlier, ...(patch as Fields) } : (patch as Fields));
      }
    }
    for (const key of update.removed) {
      held.rows.delete(key);
      held.patches.delete(key);
      if (!held.snapshot) held.removed.add(key);
    }
  }

  /** What waits for `update`'s topic, merged into (`fresh`: started anew, a snapshot replaces what waited). */
  private held(update: WireTopicUpdate, fresh: boolean): PendingTopic {
    let held = this.pending.get(update.topic);
    if (!held || fresh) {
      if (held) this.merged++;
      held = {
        snapshot: update.snapshot,
        rows: new Map(),
        patches: new Map(),
        removed: new Set(),
        at: update.at,
        sourceTs: update.sourceTs,
      };
      this.pending.set(update.topic, held);
    } else {
      this.merged++;
      held.at = update.at;
      held.sourceTs = Math.max(held.sourceTs, update.sourceTs);
    }
    return held;
  }

  /** View frames merge per view (a frame's changed rows must not be lost to a later frame of other rows). */
  private addViewFrames(update: WireTopicUpdate<'views'>): void {
    const held = this.held(update, false);
    for (const frame of update.rows) {
      const earlier = held.rows.get(frame.viewId) as ViewFrame | undefined;
      held.rows.set(
        frame.viewId,
        earlier ? mergeViewFrames(earlier, frame, (row) => viewRowKey(frame.source, row)) : frame,
      );
    }
  }

  /**
   * The merged updates in the order the topics first waited, and an empty backlog. A merged delta goes out in parts
   * of at most `maxRows` rows and patches (a key is either upserted, patched or removed, so the parts may come in any
   * order): the window parses and applies each part as its own task instead of one long one. A snapshot cannot be
   * split.
   */
  take(maxRows = Number.POSITIVE_INFINITY): WireTopicUpdate[] {
    const out: WireTopicUpdate[] = [];
    for (const [topic, held] of this.pending) {
      const rows = [...held.rows.values()];
      const patches = [...held.patches.values()];
      const part = (partRows: unknown[], partPatches: Fields[], removed: string[]) => {
        const update = {
          topic,
          snapshot: held.snapshot,
          rows: partRows,
          removed,
          at: held.at,
          sourceTs: held.sourceTs,
        } as WireTopicUpdate;
        if (partPatches.length > 0) update.patches = partPatches as WireTopicUpdate['patches'];
        out.push(update);
      };
      if (held.snapshot || rows.length + patches.length <= maxRows) {
        part(rows, patches, [...held.removed]);
        continue;
      }
      // Rows first, then patches, in parts of at most maxRows entries; the removals ride with the last part.
      const entries = rows.length + patches.length;
      for (let start = 0; start < entries; start += maxRows) {
        const end = Math.min(start + maxRows, entries);
        part(
          rows.slice(Math.min(start, rows.length), Math.min(end, rows.length)),
          patches.slice(Math.max(0, start - rows.length), Math.max(0, end - rows.length)),
          end === entries ? [...held.removed] : [],
        );
      }
    }
    this.pending.clear();
    return out;
  }
}
