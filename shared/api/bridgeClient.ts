// The client half of the API bridge: turns any message pipe (a WebSocket in the host's pages, a MessagePort in
// Electron's preload) into a FloorwatchApi. Pure TypeScript so both transports share it.
import type { ApiArgs, ApiErrorShape, ApiMethod, ApiResult, FloorwatchApi, TopicName, TopicUpdate } from './contract';
import type { BridgeReply, BridgeRequest } from './wire';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface BridgePipe {
  send(request: BridgeRequest): void;
  /** Registers the one reply handler. */
  onReply(handler: (reply: BridgeReply) => void): void;
}

export interface BridgeClient extends FloorwatchApi {
  /** Rejects every pending call (the pipe closed). */
  failPending(message: string): void;
  /** Re-sends subscriptions after the pipe was re-established. */
  resubscribe(): void;
}

type Listener = (update: TopicUpdate) => void;

export function createBridgeClient(pipe: BridgePipe): BridgeClient {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Map<TopicName, Set<Listener>>();

  pipe.onReply((reply) => {
    if (reply.kind === 'result') {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new ApiError(reply.error.code, reply.error.message));
      return;
    }
    const set = listeners.get(reply.update.topic);
    if (!set) return;
    for (const listener of set) listener(reply.update);
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
          pipe.send({ kind: 'unsubscribe', topic });
        }
      };
    },
    failPending(message: string) {
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new ApiError('unavailable', message));
      }
    },
    resubscribe() {
      for (const topic of listeners.keys()) pipe.send({ kind: 'subscribe', topic });
    },
  };
}
