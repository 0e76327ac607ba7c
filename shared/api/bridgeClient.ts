// The client half of the API bridge: turns any message pipe (a WebSocket in the host's pages, a MessagePort in
// Electron's preload) into a FloorwatchApi. Pure TypeScript so both transports share it.
import {
  rowKey,
  type ApiArgs,
  type ApiErrorShape,
  type ApiMethod,
  type ApiResult,
  type FloorwatchApi,
  type TopicName,
  type TopicUpdate,
} from './contract';
import {
  PATCH_KEY_FIELDS,
  type BridgeReply,
  type BridgeRequest,
  type ServerLinkState,
  type WireTopicUpdate,
} from './wire';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    /** See ApiErrorShape.retryAfterMs. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.retryAfterMs);
  }
}

export interface BridgePipe {
  send(request: BridgeRequest): void;
  /** Registers the one reply handler. */
  onReply(handler: (reply: BridgeReply) => void): void;
  /** The workstation's link to its team server changed (team mode); a pipe without it ignores the news. */
  onLink?(state: ServerLinkState, detail: string): void;
}

export interface BridgeClient extends FloorwatchApi {
  /** Rejects every pending call as `unconfirmed` (the pipe closed before they were answered). */
  failPending(message: string): void;
  /** Re-sends subscriptions after the pipe was re-established. */
  resubscribe(): void;
  /** Patches that arrived for a row this client did not hold (skipped: a patch is not a whole row); should stay 0. */
  readonly orphanPatches: number;
}

type Listener = (update: TopicUpdate) => void;
type Fields = Record<string, unknown>;

/**
 * Turns the wire form of a topic's updates back into whole rows: holds the topic's rows by key (references only; a
 * snapshot replaces them) and merges each patch into the row held under its key, as a new object.
 */
export class PatchedTopic {
  private rows = new Map<string, unknown>();
  orphans = 0;

  constructor(private readonly topic: TopicName) {}

  apply(update: WireTopicUpdate): TopicUpdate {
    const { topic } = this;
    if (update.snapshot) this.rows = new Map();
    const rows = this.rows;
    for (const row of update.rows) rows.set(rowKey(topic, row), row);
    const patches = update.patches;
    let whole: unknown[] = update.rows;
    if (patches && patches.length > 0) {
      whole = update.rows.slice();
      for (const patch of patches) {
        const key = rowKey(topic, patch);
        const held = rows.get(key);
        if (held === undefined) {
          if (this.orphans++ === 0) console.warn(`[floorwatch] ${topic}: a patch for ${key}, a row not held; skipped`);
          continue;
        }
        const row = { ...(held as Fields), ...(patch as Fields) };
        rows.set(key, row);
        whole.push(row);
      }
    }
    for (const key of update.removed) rows.delete(key);
    return {
      topic,
      snapshot: update.snapshot,
      rows: whole,
      removed: update.removed,
      at: update.at,
      sourceTs: update.sourceTs,
    } as TopicUpdate;
  }
}

export function createBridgeClient(pipe: BridgePipe): BridgeClient {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Map<TopicName, Set<Listener>>();
  const patched = new Map<TopicName, PatchedTopic>();
  let orphansOfDropped = 0;

  pipe.onReply((reply) => {
    if (reply.kind === 'result') {
      if (reply.id === null) return; // a refusal of a message this client did not send as a call
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(ApiError.from(reply.error));
      return;
    }
    if (reply.kind === 'link') {
      pipe.onLink?.(reply.state, reply.detail);
      return;
    }
    const topic = reply.update.topic;
    const set = listeners.get(topic);
    if (!set) return;
    let update: TopicUpdate = reply.update;
    if (topic in PATCH_KEY_FIELDS) {
      let rows = patched.get(topic);
      if (!rows) patched.set(topic, (rows = new PatchedTopic(topic)));
      update = rows.apply(reply.update);
    }
    for (const listener of set) listener(update);
  });

  return {
    call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>> {
      const id = nextId++;
      return new Promise<ApiResult<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        try {
          pipe.send({ kind: 'call', id, method, args });
        } catch (error) {
          pending.delete(id);
          reject(new ApiError('unavailable', `the Floorwatch core is not reachable: ${(error as Error).message}`));
        }
      });
    },
    subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
      }
      set.add(listener as Listener);
      // Every subscription asks for a fresh snapshot, so a second listener also starts from a full picture.
      pipe.send({ kind: 'subscribe', topic });
      return () => {
        const current = listeners.get(topic);
        if (!current) return;
        current.delete(listener as Listener);
        if (current.size === 0) {
          listeners.delete(topic);
          orphansOfDropped += patched.get(topic)?.orphans ?? 0;
          patched.delete(topic);
          pipe.send({ kind: 'unsubscribe', topic });
        }
      };
    },
    failPending(message: string) {
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new ApiError('unconfirmed', message));
      }
    },
    resubscribe() {
      for (const topic of listeners.keys()) pipe.send({ kind: 'subscribe', topic });
    },
    get orphanPatches() {
      let count = orphansOfDropped;
      for (const rows of patched.values()) count += rows.orphans;
      return count;
    },
  };
}
