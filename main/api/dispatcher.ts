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
import { wireUpdate } from './topicHub';

export interface CallerContext {
  transport: 'electron' | 'host' | 'test';
  /** Window or connection id, for the log. */
  connectionId: string;
  /** The peer's IP address (host WebSocket); absent over Electron IPC, which only this machine's desktop reaches. */
  remoteAddress?: string;
  /** The review workspace the window belongs to (set by the transport from the window's URL); absent: live. */
  review?: string;
}

/** Told when a connection opens and closes (review workspaces count their windows with it). */
export interface ConnectionWatcher {
  join(caller: CallerContext): void;
  leave(caller: CallerContext): void;
}

export type MethodHandlers = {
  [M in ApiMethod]: (args: ApiArgs<M>, caller: CallerContext) => Promise<ApiResult<M>> | ApiResult<M>;
};

export interface TopicSource {
  /**
   * Delivers a snapshot to `listener` at once, then deltas. Returns the unsubscribe function. `caller` (the
   * dispatcher passes it) picks the workspace: a review window's topics come from its review.
   */
  subscribe<T extends TopicName>(
    topic: T,
    listener: (update: TopicUpdate<T>) => void,
    caller?: CallerContext,
  ): () => void;
}

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    /** The same call may succeed after this long (a throttled login); the window shows the wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const argCheckers = new Map<string, TypeCheck<TSchema>>(
  Object.entries(apiMethods).map(([name, spec]) => [name, TypeCompiler.Compile(spec.args)]),
);

/** Why `args` are no valid arguments of `method` (or `method` is none), or null when they are. */
export function argumentProblem(
  method: string,
  args: unknown,
): { code: 'unknown_method' | 'bad_arguments'; message: string } | null {
  const checker = argCheckers.get(method);
  if (!checker) return { code: 'unknown_method', message: `unknown API method "${method.slice(0, 80)}"` };
  try {
    if (checker.Check(args)) return null;
    const first = checker.Errors(args).First();
    const where = first?.path ? first.path.replace(/^\//, '').replace(/\//g, '.') : 'arguments';
    return { code: 'bad_arguments', message: `${method}: ${where} ${first?.message ?? 'is invalid'}` };
  } catch {
    // Arguments the checker cannot even walk (an object whose prototype was replaced by an in-process caller; JSON
    // from a socket never is one) are refused like any other bad arguments.
    return { code: 'bad_arguments', message: `${method}: arguments that cannot be checked` };
  }
}

export interface RejectionLog {
  (entry: { method: string; code: ApiErrorShape['code']; message: string; caller: CallerContext }): void;
}

/**
 * Who may do what: asked before every call and every topic subscription. Production passes the AuthService
 * (main/auth); tests that only exercise the transports pass an explicit test gate (tests/support/testGate.ts).
 */
export interface ApiGate {
  /** Throws ApiFailure('forbidden') (and records the refusal) when `caller` may not call `method`. */
  guard(method: string, caller: CallerContext): unknown;
  /** True when `caller` may receive topic data now (logged in, not locked). */
  canSubscribe(caller: CallerContext): boolean;
  /** Records a call refused before the gate (unknown method, bad arguments). */
  recordRejection(entry: { method: string; code: string; message: string; caller: CallerContext }): void;
  /** A connection closed (its session may be resumed by another window for a while). */
  disconnect(connectionId: string): void;
}

export class ApiDispatcher {
  /** Calls refused before reaching a handler (unknown method, bad arguments, forbidden), by code. */
  readonly rejected = new Map<string, number>();
  /** Per connection: callbacks run after each of its calls (a login or lock changes what it may subscribe to). */
  private readonly callWatchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly handlers: MethodHandlers,
    private readonly topics: TopicSource,
    private readonly gate: ApiGate,
    private readonly onRejected: RejectionLog = () => {},
    private readonly connections: ConnectionWatcher | null = null,
  ) {}

  async call(method: string, args: unknown, caller: CallerContext): Promise<unknown> {
    try {
      return await this.run(method, args, caller);
    } finally {
      for (const watcher of this.callWatchers.get(caller.connectionId) ?? []) watcher();
    }
  }

  /** Topic data flows only to a logged-in, unlocked session (serveBridge re-checks after calls and every second). */
  canSubscribe(caller: CallerContext): boolean {
    return this.gate.canSubscribe(caller);
  }

  subscribe<T extends TopicName>(
    topic: T,
    listener: (update: TopicUpdate<T>) => void,
    caller?: CallerContext,
  ): () => void {
    return this.topics.subscribe(topic, listener, caller);
  }

  /** A connection opened (serveBridge calls it once per connection). */
  connect(caller: CallerContext): void {
    this.connections?.join(caller);
  }

  /** Runs `watcher` after every call of `connectionId`; returns the function that stops it. */
  watchCalls(connectionId: string, watcher: () => void): () => void {
    let set = this.callWatchers.get(connectionId);
    if (!set) {
      set = new Set();
      this.callWatchers.set(connectionId, set);
    }
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.callWatchers.get(connectionId) === set) this.callWatchers.delete(connectionId);
    };
  }

  /** The connection is gone: its subscriptions are closed by serveBridge, the gate detaches its session. */
  disconnect(caller: CallerContext): void {
    this.gate.disconnect(caller.connectionId);
    this.connections?.leave(caller);
  }

  private async run(method: string, args: unknown, caller: CallerContext): Promise<unknown> {
    const value = args === undefined ? {} : args;
    const problem = argumentProblem(method, value);
    if (problem) throw this.refuse(method, problem.code, problem.message, caller);
    try {
      // The gate audits its own refusals; here they are only counted and logged.
      this.gate.guard(method, caller);
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure('forbidden', (error as Error).message);
      this.count(failure.code);
      this.onRejected({ method, code: failure.code, message: failure.message, caller });
      throw failure;
    }
    const handler = this.handlers[method as ApiMethod] as (a: unknown, c: CallerContext) => unknown;
    try {
      return await handler(value, caller);
    } catch (error) {
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('failed', `${method} failed: ${(error as Error).message}`);
    }
  }

  private count(code: string): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
  }

  private refuse(method: string, code: ApiErrorShape['code'], message: string, caller: CallerContext): ApiFailure {
    this.count(code);
    this.onRejected({ method, code, message, caller });
    // A refusal that cannot be recorded is still a refusal; the caller gets the clear error either way.
    try {
      this.gate.recordRejection({ method, code, message, caller });
    } catch (error) {
      this.onRejected({ method, code: 'failed', message: `audit: ${(error as Error).message}`, caller });
    }
    return new ApiFailure(code, message);
  }
}

export function errorShape(error: unknown): ApiErrorShape {
  if (error instanceof ApiFailure) {
    return {
      code: error.code,
      message: error.message,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  return { code: 'failed', message: (error as Error)?.message ?? String(error) };
}

/** How often a bridge re-checks whether its session may still receive data (idle lock, lock in another window). */
const SESSION_CHECK_MS = 1000;

/**
 * Serves the bridge protocol for one connection; `send` writes a reply to that connection's pipe. Subscriptions
 * asked for before login (or while locked) are remembered and start once the session may see data; a lock or
 * logout stops them, and unlocking starts them again from a fresh snapshot.
 */
export function serveBridge(dispatcher: ApiDispatcher, caller: CallerContext, send: (reply: BridgeReply) => void) {
  /** Topics the window asked for. */
  const wanted = new Set<TopicName>();
  /** Topics flowing now. */
  const subscriptions = new Map<TopicName, () => void>();
  let closed = false;
  const safeSend = (reply: BridgeReply) => {
    if (!closed) send(reply);
  };
  const start = (topic: TopicName) => {
    subscriptions.get(topic)?.();
    subscriptions.set(
      topic,
      // Both transports send the same form: deltas of held rows as patches (TopicUpdate.patches).
      dispatcher.subscribe(topic, (update) => safeSend({ kind: 'topic', update: wireUpdate(update) }), caller),
    );
  };
  const stopAll = () => {
    for (const stop of subscriptions.values()) stop();
    subscriptions.clear();
  };
  const sync = () => {
    if (closed) return;
    if (!dispatcher.canSubscribe(caller)) {
      stopAll();
      return;
    }
    for (const topic of wanted) if (!subscriptions.has(topic)) start(topic);
  };
  dispatcher.connect(caller);
  const stopWatching = dispatcher.watchCalls(caller.connectionId, sync);
  const checkTimer = setInterval(sync, SESSION_CHECK_MS);
  checkTimer.unref?.();
  return {
    /**
     * Serves one request. A request of no known form is answered with a `bad_arguments` refusal (carrying its id
     * when it has a numeric one) and the reason is returned, for the transport to count and log; null when served.
     */
    handle(request: unknown): string | null {
      if (closed) return null;
      const problem = refuseMalformed(request, safeSend);
      if (problem) return problem;
      const message = request as BridgeRequest;
      if (message.kind === 'call') {
        dispatcher.call(message.method, message.args, caller).then(
          (value) => safeSend({ kind: 'result', id: message.id, ok: true, value: value ?? null }),
          (error: unknown) => safeSend({ kind: 'result', id: message.id, ok: false, error: errorShape(error) }),
        );
      } else if (message.kind === 'subscribe') {
        wanted.add(message.topic);
        // A repeated subscribe asks for a fresh snapshot.
        if (dispatcher.canSubscribe(caller)) start(message.topic);
      } else {
        wanted.delete(message.topic);
        subscriptions.get(message.topic)?.();
        subscriptions.delete(message.topic);
      }
      return null;
    },
    close(): void {
      if (closed) return;
      closed = true;
      clearInterval(checkTimer);
      stopWatching();
      stopAll();
      wanted.clear();
      dispatcher.disconnect(caller);
    },
  };
}

/** One window's stream: its requests in, replies and topic updates out through the `send` it was served with. */
export type WindowBridge = ReturnType<typeof serveBridge>;

/**
 * What a transport serves its windows with: their calls and their streams. Locally the dispatcher; on a workstation
 * of a team server, the link that forwards both to the server (main/api/teamServerLink.ts).
 */
export interface WindowApi {
  call(method: string, args: unknown, caller: CallerContext): Promise<unknown>;
  serveWindow(caller: CallerContext, send: (reply: BridgeReply) => void): WindowBridge;
}

/** The dispatcher as a WindowApi. */
export function localWindowApi(dispatcher: ApiDispatcher): WindowApi {
  return {
    call: (method, args, caller) => dispatcher.call(method, args, caller),
    serveWindow: (caller, send) => serveBridge(dispatcher, caller, send),
  };
}

/** Why `request` is no bridge request (a call with a numeric id and a method name, or a (un)subscribe of a known topic), or null. */
export function malformedRequest(request: unknown): string | null {
  if (request === null || typeof request !== 'object' || Array.isArray(request))
    return 'a request must be a JSON object';
  const message = request as Record<string, unknown>;
  switch (message.kind) {
    case 'call':
      if (typeof message.id !== 'number' || !Number.isFinite(message.id)) return 'a call needs a numeric "id"';
      if (typeof message.method !== 'string') return 'a call needs a "method" name';
      return null;
    case 'subscribe':
    case 'unsubscribe':
      return TOPICS.includes(message.topic as TopicName)
        ? null
        : `unknown topic ${JSON.stringify(String(message.topic)).slice(0, 80)}`;
    default:
      return `unknown request kind ${JSON.stringify(String(message.kind)).slice(0, 40)} (call, subscribe, unsubscribe)`;
  }
}

/**
 * Refuses `request` through `send` when it is malformed (with its id when it has a numeric one); returns the reason
 * for the transport to count and log, or null when the request is well-formed.
 */
export function refuseMalformed(request: unknown, send: (reply: BridgeReply) => void): string | null {
  const problem = malformedRequest(request);
  if (problem) {
    const id = (request as { id?: unknown } | null)?.id;
    send(bridgeRefusal(typeof id === 'number' && Number.isFinite(id) ? id : null, problem));
  }
  return problem;
}

/** The reply to a request refused before it reached a method (malformed message). */
export function bridgeRefusal(id: number | null, message: string): BridgeReply {
  return { kind: 'result', id, ok: false, error: { code: 'bad_arguments', message: `malformed request: ${message}` } };
}
