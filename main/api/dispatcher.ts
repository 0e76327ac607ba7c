// Main-side half of the API contract: validates every call's arguments against the contract's schema, routes it
// to its handler, and serves the bridge protocol over any pipe. Both transports (host WebSocket, Electron IPC)
// go through here, so they cannot drift apart.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import {
  apiMethods,
  TOPICS,
  type ApiArgs,
  type ApiErrorShape,
  type ApiMethod,
  type ApiResult,
  type TopicName,
  type TopicUpdate,
} from '../../shared/api/contract';
import type { BridgeReply, BridgeRequest } from '../../shared/api/wire';

export interface CallerContext {
  transport: 'electron' | 'host' | 'test';
  /** Window or connection id, for the log. */
  connectionId: string;
}

export type MethodHandlers = {
  [M in ApiMethod]: (args: ApiArgs<M>, caller: CallerContext) => Promise<ApiResult<M>> | ApiResult<M>;
};

export interface TopicSource {
  /** Delivers a snapshot to `listener` at once, then deltas. Returns the unsubscribe function. */
  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void;
}

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
  ) {
    super(message);
  }
}

const argCheckers = new Map<string, TypeCheck<TSchema>>(
  Object.entries(apiMethods).map(([name, spec]) => [name, TypeCompiler.Compile(spec.args)]),
);

export interface RejectionLog {
  (entry: { method: string; code: ApiErrorShape['code']; message: string; caller: CallerContext }): void;
}

export class ApiDispatcher {
  /** Calls refused before reaching a handler (unknown method, bad arguments), by code. */
  readonly rejected = new Map<string, number>();

  constructor(
    private readonly handlers: MethodHandlers,
    private readonly topics: TopicSource,
    private readonly onRejected: RejectionLog = () => {},
  ) {}

  async call(method: string, args: unknown, caller: CallerContext): Promise<unknown> {
    const checker = argCheckers.get(method);
    if (!checker) throw this.refuse(method, 'unknown_method', `unknown API method "${method.slice(0, 80)}"`, caller);
    const value = args === undefined ? {} : args;
    if (!checker.Check(value)) {
      const first = checker.Errors(value).First();
      const where = first?.path ? first.path.replace(/^\//, '').replace(/\//g, '.') : 'arguments';
      throw this.refuse(method, 'bad_arguments', `${method}: ${where} ${first?.message ?? 'is invalid'}`, caller);
    }
    const handler = this.handlers[method as ApiMethod] as (a: unknown, c: CallerContext) => unknown;
    try {
      return await handler(value, caller);
    } catch (error) {
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('failed', `${method} failed: ${(error as Error).message}`);
    }
  }

  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    return this.topics.subscribe(topic, listener);
  }

  private refuse(method: string, code: ApiErrorShape['code'], message: string, caller: CallerContext): ApiFailure {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
    this.onRejected({ method, code, message, caller });
    return new ApiFailure(code, message);
  }
}

export function errorShape(error: unknown): ApiErrorShape {
  if (error instanceof ApiFailure) return { code: error.code, message: error.message };
  return { code: 'failed', message: (error as Error)?.message ?? String(error) };
}

/** Serves the bridge protocol for one connection; `send` writes a reply to that connection's pipe. */
export function serveBridge(dispatcher: ApiDispatcher, caller: CallerContext, send: (reply: BridgeReply) => void) {
  const subscriptions = new Map<TopicName, () => void>();
  let closed = false;
  const safeSend = (reply: BridgeReply) => {
    if (!closed) send(reply);
  };
  return {
    handle(request: unknown): void {
      if (closed || request === null || typeof request !== 'object') return;
      const message = request as BridgeRequest;
      if (message.kind === 'call' && typeof message.id === 'number' && typeof message.method === 'string') {
        dispatcher.call(message.method, message.args, caller).then(
          (value) => safeSend({ kind: 'result', id: message.id, ok: true, value: value ?? null }),
          (error: unknown) => safeSend({ kind: 'result', id: message.id, ok: false, error: errorShape(error) }),
        );
      } else if (message.kind === 'subscribe' && TOPICS.includes(message.topic)) {
        subscriptions.get(message.topic)?.();
        subscriptions.set(
          message.topic,
          dispatcher.subscribe(message.topic, (update) => safeSend({ kind: 'topic', update })),
        );
      } else if (message.kind === 'unsubscribe' && subscriptions.has(message.topic)) {
        subscriptions.get(message.topic)?.();
        subscriptions.delete(message.topic);
      }
    },
    close(): void {
      closed = true;
      for (const stop of subscriptions.values()) stop();
      subscriptions.clear();
    },
  };
}
