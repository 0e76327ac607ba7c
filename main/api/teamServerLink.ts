// A workstation of a team server: every window's calls and topic subscriptions go to the server over one WebSocket
// per window (the server's sessions, views and throttling are per connection, as they are for a window of the host),
// with the same contract and the same bridge messages. Only what belongs to this desk stays here: the colour
// channels that link its windows (`link.set`, the `links` topic) and opening a window (`window.open`).
//
// When the server cannot be reached the link says so to its windows (a `link` bridge message), reconnects with
// capped, jittered backoff, resumes the operator's session with its token and subscribes every topic again (each
// starts with a fresh snapshot). A call is answered only by the server: one whose answer was lost, or that could not
// be sent, fails with `unconfirmed`, never as done.
import WebSocket from 'ws';
import type { ApiArgs, TopicName } from '../../shared/api/contract';
import type { BridgeReply, BridgeRequest, ServerLinkState } from '../../shared/api/wire';
import { Backoff } from '../feed/backoff';
import { LinkBoard, type WindowOpener } from './backend';
import { TopicHub } from './topicHub';
import {
  argumentProblem,
  refuseMalformed,
  errorShape,
  ApiFailure,
  type CallerContext,
  type WindowApi,
  type WindowBridge,
} from './dispatcher';

export interface TeamServerLinkOptions {
  /** The team server: http(s)://HOST:PORT as it prints it, or ws(s)://HOST:PORT/api. */
  url: string;
  /** PEM text of the CA that signs the server's certificate (policy `serverCaFile`); default: the system CAs. */
  ca?: string;
  /** Opens a window of this workstation (the host answers with its page URL). */
  openWindow: WindowOpener;
  /** One line per lost or refused link; defaults to nothing. */
  log?: (line: string) => void;
  /** Reconnect delays (tests shorten them). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** A call the server has not answered after this long is given up as unconfirmed. */
  callTimeoutMs?: number;
}

/** Failed attempts in a row after which the link is shown as down (it keeps retrying). */
const DOWN_AFTER_FAILURES = 4;
/** A peer that answered no ping for this long is gone (a sleeping laptop, a cut cable: no close ever comes). */
const PING_INTERVAL_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** A dead link is caught by the ping; this only bounds a server that holds a call for ever (what-if runs are long). */
const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;
/** Calls a window makes while its link is still opening wait for it; more than this many are refused. */
const MAX_QUEUED_CALLS = 200;
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Methods whose result carries the session token (a reconnect resumes the session with it). */
const SESSION_METHODS = new Set(['auth.login', 'auth.setupAdmin', 'auth.resume']);
const LOCAL_TOPICS = new Set<TopicName>(['links']);
const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/i;

/** The server's API endpoint for `url` (http→ws, https→wss, path /api); throws a one-line error when it is none. */
export function teamServerApiUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `the team server URL must be http(s)://HOST:PORT or ws(s)://HOST:PORT (got "${url.slice(0, 200)}")`,
    );
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[parsed.protocol];
  if (!scheme) {
    throw new Error(
      `the team server URL must start with http://, https://, ws:// or wss:// (got ${parsed.protocol}//)`,
    );
  }
  // The server refuses a network address without TLS; a workstation does not send passwords in clear either.
  if (scheme === 'ws:' && !LOOPBACK_HOST.test(parsed.hostname)) {
    throw new Error(
      `the team server ${parsed.host} is not on this machine: use https:// (or wss://), passwords would cross the network in clear`,
    );
  }
  parsed.protocol = scheme;
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/api';
  parsed.hash = '';
  return parsed.toString();
}

interface PendingCall {
  method: string;
  resolve(value: unknown): void;
  reject(error: ApiFailure): void;
  timer: NodeJS.Timeout;
}

/** One window's connection to the team server. */
class ServerConnection {
  private ws: WebSocket | null = null;
  state: ServerLinkState = 'connecting';
  private detail = 'connecting to the team server';
  private readonly backoff: Backoff;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  /** Calls made before the first connection opened. */
  private readonly queued: { id: number; text: string }[] = [];
  private readonly wanted = new Set<TopicName>();
  private opened = false;
  private closed = false;
  /** The operator session this window holds on the server (resumed after a reconnect). */
  sessionToken: string | null = null;
  /** Told of every state change and of every server message that is not an answer to a call. */
  onState: (state: ServerLinkState, detail: string) => void = () => {};
  onReply: (reply: BridgeReply) => void = () => {};

  constructor(
    private readonly url: string,
    private readonly options: TeamServerLinkOptions,
    private readonly connectionId: string,
  ) {
    this.backoff = new Backoff({
      initialMs: options.backoff?.initialMs ?? 250,
      maxMs: options.backoff?.maxMs ?? 5_000,
      jitter: 0.4,
    });
    this.open();
  }

  call(method: string, args: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(unconfirmed(method, 'the window closed'));
    const ws = this.ws;
    const connected = ws !== null && ws.readyState === WebSocket.OPEN;
    if (!connected && (this.opened || this.queued.length >= MAX_QUEUED_CALLS)) {
      return Promise.reject(
        unconfirmed(method, `the team server is not reachable (${this.detail}), so it was not sent; nothing changed`),
      );
    }
    const id = this.nextId++;
    const text = JSON.stringify({ kind: 'call', id, method, args } satisfies BridgeRequest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(unconfirmed(method, 'the team server did not answer in time'));
      }, this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, { method, resolve, reject, timer });
      if (connected) ws.send(text);
      else this.queued.push({ id, text });
    });
  }

  subscribe(topic: TopicName): void {
    this.wanted.add(topic);
    this.sendNow({ kind: 'subscribe', topic });
  }

  unsubscribe(topic: TopicName): void {
    this.wanted.delete(topic);
    this.sendNow({ kind: 'unsubscribe', topic });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopPing();
    this.failPending('the window closed');
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws?.close(1000, 'window closed');
  }

  private sendNow(request: BridgeRequest): void {
    // While the link is down nothing is queued: every wanted topic is subscribed again once it is back.
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(request));
  }

  private setState(state: ServerLinkState, detail: string): void {
    this.state = state;
    this.detail = detail;
    this.onState(state, detail);
  }

  private open(): void {
    this.retryTimer = null;
    if (this.closed) return;
    const ws = new WebSocket(this.url, {
      maxPayload: MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    this.ws = ws;
    let lastError = '';
    ws.on('open', () => {
      if (this.ws !== ws) return;
      const resumed = this.opened;
      this.opened = true;
      this.failures = 0;
      this.backoff.reset();
      this.startPing(ws);
      if (resumed && this.sessionToken !== null) this.resumeSession(this.sessionToken);
      for (const topic of this.wanted) ws.send(JSON.stringify({ kind: 'subscribe', topic } satisfies BridgeRequest));
      for (const call of this.queued.splice(0)) if (this.pending.has(call.id)) ws.send(call.text);
      this.setState('open', `connected to the team server ${displayUrl(this.url)}`);
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws || isBinary) return;
      let reply: BridgeReply;
      try {
        reply = JSON.parse(data.toString()) as BridgeReply;
      } catch {
        this.options.log?.(`${this.connectionId}: the team server sent a message that is not JSON; ignored`);
        return;
      }
      this.take(reply);
    });
    ws.on('pong', () => (this.awaitingPong = false));
    ws.on('error', (error) => (lastError = error.message));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPing();
      const why = lastError || reason.toString() || `closed (${code})`;
      this.failPending(
        `the connection to the team server was lost before it answered (${why})`,
        `the team server is not reachable (${why}), so it was not sent; nothing changed`,
      );
      if (this.closed) return;
      this.failures++;
      const delay = this.backoff.next();
      if (this.failures === 1) this.options.log?.(`${this.connectionId}: team server ${displayUrl(this.url)}: ${why}`);
      this.setState(
        this.failures >= DOWN_AFTER_FAILURES ? 'down' : 'reconnecting',
        `team server ${displayUrl(this.url)} unreachable (${why}); retry ${this.failures} in ${(delay / 1000).toFixed(1)} s`,
      );
      this.retryTimer = setTimeout(() => this.open(), delay);
      this.retryTimer.unref?.();
    });
  }

  /** Joins the new connection to the operator's session; when the server no longer knows it, the window logs in again. */
  private resumeSession(token: string): void {
    this.call('auth.resume', { token }).then(
      (value) => (this.sessionToken = (value as { token?: string }).token ?? token),
      (error: ApiFailure) => {
        if (error.code === 'unconfirmed') return; // lost again: the next reconnect tries again
        this.sessionToken = null;
        this.options.log?.(
          `${this.connectionId}: the operator's session did not survive on the server (${error.message})`,
        );
      },
    );
  }

  private take(reply: BridgeReply): void {
    if (reply.kind === 'result' && reply.id !== null) {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      clearTimeout(call.timer);
      if (reply.ok) {
        if (SESSION_METHODS.has(call.method)) {
          const token = (reply.value as { token?: unknown } | null)?.token;
          if (typeof token === 'string') this.sessionToken = token;
        } else if (call.method === 'auth.logout') {
          this.sessionToken = null;
        }
        call.resolve(reply.value);
      } else {
        call.reject(new ApiFailure(reply.error.code, reply.error.message, reply.error.retryAfterMs));
      }
      return;
    }
    if (reply.kind === 'topic' && LOCAL_TOPICS.has(reply.update.topic)) return;
    this.onReply(reply);
  }

  /** Rejects every unanswered call as unconfirmed; `whyNotSent` for those still waiting for the first connection. */
  private failPending(why: string, whyNotSent = why): void {
    const notSent = new Set(this.queued.splice(0).map((call) => call.id));
    for (const [id, call] of this.pending) {
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(unconfirmed(call.method, notSent.has(id) ? whyNotSent : why));
    }
  }

  private startPing(ws: WebSocket): void {
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        ws.terminate();
        return;
      }
      this.awaitingPong = true;
      ws.ping();
    }, PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}

function unconfirmed(method: string, why: string): ApiFailure {
  return new ApiFailure('unconfirmed', `${method} could not be confirmed: ${why}`);
}

/** The URL without credentials, for messages and the log. */
function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.origin;
}

/**
 * The workstation's side of a team server: a WindowApi whose windows are served by the server. A window's calls
 * (Electron's IPC) and its stream share one server connection, by the caller's connection id.
 */
export class TeamServerLink implements WindowApi {
  readonly url: string;
  private readonly connections = new Map<string, ServerConnection>();
  private readonly linksHub = new TopicHub();
  private readonly links = new LinkBoard(this.linksHub);

  constructor(private readonly options: TeamServerLinkOptions) {
    this.url = teamServerApiUrl(options.url);
  }

  /** The session token a window holds on the server (a window it opens joins the same session). */
  sessionToken(connectionId: string): string | null {
    return this.connections.get(connectionId)?.sessionToken ?? null;
  }

  /** Open server connections, one per window. */
  get openConnections(): number {
    return this.connections.size;
  }

  async call(method: string, args: unknown, caller: CallerContext): Promise<unknown> {
    try {
      return await this.callOf(method, args, caller);
    } catch (error) {
      throw error instanceof ApiFailure
        ? error
        : new ApiFailure('failed', `${method} failed: ${(error as Error).message}`);
    }
  }

  serveWindow(caller: CallerContext, send: (reply: BridgeReply) => void): WindowBridge {
    const connection = this.connectionOf(caller);
    let closed = false;
    let stopLinks: (() => void) | null = null;
    const safeSend = (reply: BridgeReply) => {
      if (!closed) send(reply);
    };
    connection.onReply = safeSend;
    connection.onState = (state, detail) => safeSend({ kind: 'link', state, detail });
    return {
      handle: (request: unknown) => {
        if (closed) return null;
        // Refused here as the server would refuse it, so a malformed message is answered and counted on this desk.
        const problem = refuseMalformed(request, safeSend);
        if (problem) return problem;
        const message = request as BridgeRequest;
        if (message.kind === 'call') {
          const id = message.id;
          this.call(String(message.method), message.args, caller).then(
            (value) => safeSend({ kind: 'result', id, ok: true, value: value ?? null }),
            (error: unknown) => safeSend({ kind: 'result', id, ok: false, error: errorShape(error) }),
          );
          return null;
        }
        if (LOCAL_TOPICS.has(message.topic)) {
          stopLinks?.();
          stopLinks =
            message.kind === 'subscribe'
              ? this.linksHub.subscribe('links', (update) => safeSend({ kind: 'topic', update }))
              : null;
          return null;
        }
        if (message.kind === 'subscribe') connection.subscribe(message.topic);
        else connection.unsubscribe(message.topic);
        return null;
      },
      close: () => {
        if (closed) return;
        closed = true;
        stopLinks?.();
        this.connections.delete(caller.connectionId);
        connection.close();
      },
    };
  }

  /** Closes every window's server connection. */
  stop(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private callOf(method: string, args: unknown, caller: CallerContext): unknown {
    // The colour channels and windows are this desk's, not the team's.
    if (method === 'link.set' || method === 'window.open') {
      const problem = argumentProblem(method, args ?? {});
      if (problem) throw new ApiFailure(problem.code, problem.message);
    }
    if (method === 'link.set') {
      const { channel, context } = args as ApiArgs<'link.set'>;
      this.links.set(channel, context);
      return null;
    }
    if (method === 'window.open') {
      const open = args as ApiArgs<'window.open'>;
      return this.options.openWindow(open.kind, open.channel, caller, open.review, {
        focusExisting: open.focusExisting === true,
      });
    }
    return this.connectionOf(caller).call(method, args);
  }

  private connectionOf(caller: CallerContext): ServerConnection {
    let connection = this.connections.get(caller.connectionId);
    if (!connection) {
      connection = new ServerConnection(this.url, this.options, caller.connectionId);
      this.connections.set(caller.connectionId, connection);
    }
    return connection;
  }
}
