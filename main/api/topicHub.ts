// Keeps the merged rows of every topic on the main side and fans updates out to subscribers. A new subscriber
// gets the merged rows as a snapshot at once; the core never re-sends a snapshot per window.
import { rowKey, type TopicName, type TopicRows, type TopicUpdate } from '../../shared/api/contract';
import { PATCH_KEY_FIELDS, type WireTopicUpdate } from '../../shared/api/wire';
import type { TopicSource } from './dispatcher';

type AnyListener = (update: TopicUpdate) => void;
type Fields = Record<string, unknown>;

/** For a delta a hub published: the row each of its rows replaced (undefined: new key), in the same order. */
const replacedRows = new WeakMap<TopicUpdate, (unknown | undefined)[]>();
/** Deltas published through more than one hub: the rows they replaced differ per hub, so they go whole. */
const publishedTwice = new WeakSet<TopicUpdate>();
/** The bridge form of a delta, made once however many windows take it. */
const wireForms = new WeakMap<TopicUpdate, WireTopicUpdate>();

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Arrays of plain values (alert evidence, account ids) arrive as new arrays on every publication.
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `next` as a patch over `previous`: its key field and the fields whose value changed. Null when the whole row must
 * go (a field was dropped, which a merge cannot express, or most fields changed anyway).
 */
export function diffRow(keyField: string, previous: unknown, next: unknown): Fields | null {
  const before = previous as Fields;
  const after = next as Fields;
  const patch: Fields = {};
  patch[keyField] = after[keyField];
  let changed = 0;
  let fields = 0;
  for (const field in after) {
    fields++;
    const value = after[field];
    const old = before[field];
    if (value === old || sameValue(old, value)) continue;
    if (value === undefined) return null;
    patch[field] = value;
    changed++;
  }
  // A field of the held row that the new one lacks cannot be expressed by a merge (same count: same fields, as
  // every field of the new row was compared above and one missing from the held row counted as changed).
  let held = 0;
  for (const field in before) if (field in after || before[field] !== undefined) held++;
  if (held !== fields) return null;
  return changed * 2 > fields ? null : patch;
}

/**
 * What goes over a bridge (host WebSocket and Electron IPC alike) for `update`: a delta of a PATCH_KEY_FIELDS topic
 * published by a TopicHub sends the rows the windows already hold as `patches` (see WireTopicUpdate); anything else
 * goes as it is.
 */
export function wireUpdate<T extends TopicName>(update: TopicUpdate<T>): WireTopicUpdate<T> {
  const replaced = replacedRows.get(update);
  if (!replaced || publishedTwice.has(update)) return update;
  const cached = wireForms.get(update);
  if (cached) return cached as WireTopicUpdate<T>;
  const keyField = PATCH_KEY_FIELDS[update.topic as keyof typeof PATCH_KEY_FIELDS];
  const rows: TopicRows[T][] = [];
  const patches: Partial<TopicRows[T]>[] = [];
  update.rows.forEach((row, i) => {
    const previous = replaced[i];
    const patch = previous === undefined ? null : diffRow(keyField, previous, row);
    if (patch) patches.push(patch as Partial<TopicRows[T]>);
    else rows.push(row);
  });
  const wire = patches.length > 0 ? { ...update, rows, patches } : update;
  wireForms.set(update, wire);
  return wire;
}

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
    // A delta of a patchable topic remembers the rows it replaces, so wireUpdate can send only what changed.
    const replaced =
      !update.snapshot && update.topic in PATCH_KEY_FIELDS && this.listeners.get(update.topic)?.size
        ? new Array<unknown>(update.rows.length)
        : null;
    for (let i = 0; i < update.rows.length; i++) {
      const row = update.rows[i];
      const key = rowKey(update.topic, row);
      if (replaced) replaced[i] = rows.get(key);
      rows.set(key, row);
    }
    if (replaced) {
      if (replacedRows.has(update as TopicUpdate)) publishedTwice.add(update as TopicUpdate);
      else replacedRows.set(update as TopicUpdate, replaced);
    }
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

  /** Drops a topic's rows (its producer stopped publishing it: a later subscriber must not get stale rows). */
  forget(topic: TopicName): void {
    this.rows.delete(topic);
  }

  /** Current merged rows of a topic (for tests and for the main side's own use). */
  current<T extends TopicName>(topic: T): TopicRows[T][] {
    return [...(this.rows.get(topic)?.values() ?? [])] as TopicRows[T][];
  }
}
