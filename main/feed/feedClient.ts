// fw-feed/1 client (docs/protocol.md): connects over WebSocket, subscribes (resuming at last applied seq + 1), watches
// the link (nothing heard for 5 s = dead), reconnects with capped exponential backoff and jitter, and hands the
// consumer each frame's messages in order, once each. A gap stops delivery and resumes from the hole on a fresh link;
// if the server cannot resend (`error RESEND_UNAVAILABLE`) the hole is recorded as unrecoverable, surfaced, and the
// stream continues from what the server can give: where its hello or the frames after the hole say, else from the start
// of day (subscribe without fromSeq: the day's static data again, duplicates dropped, then whatever seq follows becomes
// the new base). A slow consumer the server dropped (`SLOW_CONSUMER`) resumes the same way, at once. Nothing here asks
// twice for what the server said it cannot give. Decode errors are counted and logged, never thrown.
import WebSocket from 'ws';
import {
  decodeFrame,
  type ErrorMessage,
  type HelloMessage,
  type SequencedMessage,
  type ServerMessage,
  type SubscribeMessage,
} from '../../shared/protocol';
import type { FeedGap, FeedState } from '../../shared/domain/types';
import { shouldLogOccurrence, silentLog, type LogFn } from '../core/log';
import { Backoff, type BackoffOptions } from './backoff';
import { Sequencer } from './sequencer';

export const HEARTBEAT_TIMEOUT_MS = 5_000;
/** Server error codes the client acts on (fw-feed/1 names). */
const RESEND_UNAVAILABLE = 'RESEND_UNAVAILABLE';
const SLOW_CONSUMER = 'SLOW_CONSUMER';
/** Unrecoverable gaps kept in the stats (all are counted). */
const MAX_GAPS_KEPT = 100;

export interface FeedClientHandlers {
  /** One frame's new sequenced messages, in seq order, each delivered exactly once over the client's life. */
  onBatch(messages: SequencedMessage[], receivedAt: number): void;
  /** After every (re)connect. `sessionChanged`: the server serves another session; the consumer must start over. */
  onHello?(hello: HelloMessage, sessionChanged: boolean): void;
  /** A gap was closed: refilled by a resend (`recovered`) or given up as unrecoverable. */
  onGap?(gap: FeedGap): void;
  onState?(state: FeedState, lastError: string | null): void;
}

export interface FeedClientOptions {
  url: string;
  /**
   * Backup gateways of the same feed, tried in turn after `url` when a connection attempt fails before the link is
   * proven (as a CTP front list). Resume points carry over: every gateway serves the same seq space.
   */
  fallbackUrls?: readonly string[];
  /** PEM text of the CA(s) that sign a wss:// gateway's certificate (machine policy `feedCaFile`). */
  ca?: string;
  handlers: FeedClientHandlers;
  heartbeatTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** seq already applied by the consumer (resume a session it holds); 0 = from the start. */
  lastApplied?: number;
  log?: LogFn;
  now?: () => number;
}

export interface FeedStats {
  state: FeedState;
  url: string;
  sessionId: string | null;
  tradingDay: string | null;
  source: string | null;
  lastSeq: number;
  /** Sequenced messages delivered. */
  messages: number;
  bytes: number;
  frames: number;
  rejects: number;
  rejectsByReason: Record<string, number>;
  duplicates: number;
  /** Gaps detected (recovered or not). */
  gaps: number;
  recoveredGaps: number;
  unrecoverableGapCount: number;
  /** Most recent unrecoverable gaps (at most 100). */
  unrecoverableGaps: FeedGap[];
  /** The gap being recovered now, if any. */
  pendingGap: FeedGap | null;
  /** Connection attempts after the first. */
  reconnects: number;
  serverErrors: number;
  /** Receive time − source ts of the newest message heard, ms. */
  lagMs: number;
  lastMessageAt: number;
  lastError: string | null;
}

export class FeedClient {
  /** The gateway in use now (`url`, or a fallback after failed attempts). */
  url: string;
  private readonly urls: readonly string[];
  private urlIndex = 0;
  private readonly ca: string | undefined;
  private readonly handlers: FeedClientHandlers;
  private readonly heartbeatTimeoutMs: number;
  private readonly backoff: Backoff;
  private readonly sequencer: Sequencer;
  private readonly log: LogFn;
  private readonly now: () => number;

  private socket: WebSocket | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;
  private ended = false;
  private connections = 0;
  private lastHeardAt = 0;
  /** When the watchdog last ran; a late run means this thread was busy, not that the link went quiet. */
  private lastCheckAt = 0;
  private checkEveryMs = 0;
  /** fromSeq sent on the current link. */
  private requestedFrom = 1;
  private helloNextSeq = 0;
  /** The link has proven itself (a message after hello): the backoff may start over. */
  private linkProven = false;
  /** Ignore the rest of the current link's frames (a gap or an error is being handled). */
  private discarding = false;
  /** First seq seen after a hole: the server holds it, so it is where to resume if the hole cannot be filled. */
  private resumeHint = 0;
  /** lastApplied at the last immediate reconnect; no progress since means the next one waits its backoff. */
  private lastImmediateAt = -1;
  /** lastApplied when the start of day was last asked for after RESEND_UNAVAILABLE (-1: not asked). */
  private startOfDayAskedAt = -1;

  private readonly stats: FeedStats;

  constructor(options: FeedClientOptions) {
    this.url = options.url;
    this.urls = [options.url, ...(options.fallbackUrls ?? []).filter((url) => url !== options.url)];
    this.ca = options.ca;
    this.handlers = options.handlers;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    this.backoff = new Backoff(options.backoff);
    this.sequencer = new Sequencer(options.lastApplied ?? 0);
    this.log = options.log ?? silentLog;
    this.now = options.now ?? Date.now;
    this.stats = {
      state: 'connecting',
      url: this.url,
      sessionId: null,
      tradingDay: null,
      source: null,
      lastSeq: this.sequencer.lastApplied,
      messages: 0,
      bytes: 0,
      frames: 0,
      rejects: 0,
      rejectsByReason: {},
      duplicates: 0,
      gaps: 0,
      recoveredGaps: 0,
      unrecoverableGapCount: 0,
      unrecoverableGaps: [],
      pendingGap: null,
      reconnects: 0,
      serverErrors: 0,
      lagMs: 0,
      lastMessageAt: 0,
      lastError: null,
    };
  }

  get state(): FeedState {
    return this.stats.state;
  }

  get lastApplied(): number {
    return this.sequencer.lastApplied;
  }

  /** A copy of the counters. */
  snapshot(): FeedStats {
    return {
      ...this.stats,
      lastSeq: this.sequencer.lastApplied,
      rejectsByReason: { ...this.stats.rejectsByReason },
      unrecoverableGaps: this.stats.unrecoverableGaps.map((gap) => ({ ...gap })),
      pendingGap: this.stats.pendingGap ? { ...this.stats.pendingGap } : null,
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const every = (this.checkEveryMs = Math.max(10, Math.min(1_000, Math.floor(this.heartbeatTimeoutMs / 4))));
    this.lastCheckAt = this.now();
    this.watchdog = setInterval(() => this.checkLink(), every);
    this.watchdog.unref();
    this.connect();
  }

  /** Operator request: drop the link and connect again now (also after `end`). */
  reconnect(): void {
    if (this.stopped || !this.started) return;
    this.ended = false;
    this.backoff.reset();
    this.dropLink('reconnect requested', 0);
  }

  /** Closes the link and all timers. Resolves once the socket is closed (or cut after 250 ms). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.watchdog = this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (!this.ended) this.setState('down');
    if (socket) await closeSocket(socket, 250);
  }

  // ---------------------------------------------------------------- link

  private connect(): void {
    if (this.stopped) return;
    this.reconnectTimer = null;
    if (this.connections++ > 0) this.stats.reconnects++;
    this.setState(this.connections === 1 ? 'connecting' : 'reconnecting');
    this.discarding = false;
    this.linkProven = false;
    this.helloNextSeq = 0;
    this.lastHeardAt = this.now();
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, {
        perMessageDeflate: false,
        handshakeTimeout: this.heartbeatTimeoutMs,
        ...(this.ca && this.url.startsWith('wss:') ? { ca: this.ca } : {}),
      });
    } catch (error) {
      // A malformed URL: retrying cannot help, but keep the state visible rather than throwing into the caller.
      this.stats.lastError = `cannot connect to ${this.url}: ${(error as Error).message}`;
      this.log('error', `feed: ${this.stats.lastError}`);
      this.setState('down');
      return;
    }
    this.socket = socket;
    socket.on('open', () => {
      if (socket !== this.socket) return;
      // Resyncing (the resume point is unknown) asks for the whole stream; duplicates are then dropped by seq.
      const resyncing = this.sequencer.isResyncing;
      this.requestedFrom = resyncing ? 1 : this.sequencer.expected;
      const subscribe: SubscribeMessage = resyncing
        ? { type: 'subscribe' }
        : { type: 'subscribe', fromSeq: this.requestedFrom };
      socket.send(JSON.stringify(subscribe));
      this.log('info', `feed: connected to ${this.url}, subscribing from seq ${this.requestedFrom}`);
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (socket !== this.socket) return;
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) {
        this.stats.frames++;
        this.stats.bytes += buffer.length;
        this.countReject('binary_frame', -1, 'binary frames are not part of fw-feed/1');
        return;
      }
      this.handleFrame(buffer.toString('utf8'), buffer.length, this.now());
    });
    let linkError: string | null = null;
    socket.on('error', (error: Error) => {
      linkError = error.message;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (this.stopped || this.ended) return;
      const why = linkError ?? `closed by the server (code ${code}${reason.length ? `: ${reason.toString()}` : ''})`;
      this.stats.lastError = `feed link to ${this.url} lost: ${why}`;
      this.log('warn', `feed: ${this.stats.lastError}; reconnecting`, { lastSeq: this.sequencer.lastApplied });
      if (!this.linkProven) this.nextGateway();
      this.scheduleReconnect(this.backoff.next());
    });
  }

  private checkLink(): void {
    const now = this.now();
    const late = now - this.lastCheckAt > 2 * this.checkEveryMs;
    this.lastCheckAt = now;
    if (!this.socket || this.stopped || this.ended) return;
    if (late) {
      // This thread was busy (a consumer's long batch): frames may be waiting unread in the socket. Judge the
      // link from now on, or a busy core would drop a live link and lose its place in the gateway's buffer.
      this.lastHeardAt = Math.max(this.lastHeardAt, now - this.checkEveryMs);
      return;
    }
    const silent = now - this.lastHeardAt;
    if (silent > this.heartbeatTimeoutMs) {
      this.stats.lastError = `no message from the feed for ${Math.round(silent / 1000)} s: link treated as dead`;
      this.log('warn', `feed: ${this.stats.lastError}`, { lastSeq: this.sequencer.lastApplied });
      if (!this.linkProven) this.nextGateway();
      this.dropLink(this.stats.lastError, this.backoff.next());
    }
  }

  /** Closes the current link (its late frames are ignored) and connects again after `delayMs`. */
  private dropLink(reason: string, delayMs: number): void {
    const socket = this.socket;
    this.socket = null;
    this.discarding = true;
    if (socket) {
      socket.removeAllListeners('message');
      socket.on('error', () => {}); // a failing close must not become an unhandled 'error'
      socket.terminate();
    }
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    this.log('info', `feed: dropping link (${reason})`, { lastSeq: this.sequencer.lastApplied });
    this.scheduleReconnect(delayMs);
  }

  /** Reconnects at once when the last immediate reconnect made progress, else after the backoff delay. */
  private reconnectSoon(reason: string): void {
    const progress = this.sequencer.lastApplied !== this.lastImmediateAt;
    this.lastImmediateAt = this.sequencer.lastApplied;
    this.dropLink(reason, progress ? 0 : this.backoff.next());
  }

  /** After a failed attempt on this gateway, the next one of the list (round robin) gets the next attempt. */
  private nextGateway(): void {
    if (this.urls.length < 2) return;
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.url = this.stats.url = this.urls[this.urlIndex] ?? this.url;
    this.log('info', `feed: next attempt on gateway ${this.url}`);
  }

  private scheduleReconnect(delayMs: number): void {
    // A client that was never started (driven through handleFrame by a replay or a benchmark) has no link to redo.
    if (this.stopped || !this.started || this.reconnectTimer) return;
    this.setState('reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private setState(state: FeedState): void {
    if (this.stats.state === state) return;
    this.stats.state = state;
    this.handlers.onState?.(state, this.stats.lastError);
  }

  // ---------------------------------------------------------------- frames

  /**
   * Decodes one text frame and delivers its new messages. Public so a recorded stream (or a benchmark) can drive
   * the exact live path without a socket.
   */
  handleFrame(text: string, byteLength: number, receivedAt: number): void {
    const stats = this.stats;
    stats.frames++;
    stats.bytes += byteLength;
    stats.lastMessageAt = receivedAt;
    this.lastHeardAt = receivedAt;
    if (this.discarding) return;
    const { messages, rejects } = decodeFrame(text);
    for (let i = 0; i < rejects.length; i++) {
      const reject = rejects[i]!;
      this.countReject(reject.reason, reject.seq ?? -1, reject.detail, reject.sample);
    }
    const count = messages.length;
    if (count === 0) return;
    stats.lagMs = receivedAt - (messages[count - 1] as ServerMessage).ts;
    let batch: SequencedMessage[] = [];
    const sequencer = this.sequencer;
    for (let i = 0; i < count; i++) {
      const message = messages[i] as ServerMessage;
      switch (message.type) {
        case 'heartbeat':
          if (!this.linkProven) this.proveLink();
          continue;
        case 'hello':
          if (batch.length > 0) batch = this.deliver(batch, receivedAt);
          this.onHello(message);
          if (this.discarding) return;
          continue;
        case 'error':
          if (batch.length > 0) batch = this.deliver(batch, receivedAt);
          this.onServerError(message);
          return;
        default: {
          const seq = message.seq;
          const resyncing = sequencer.isResyncing;
          const from = sequencer.expected;
          const verdict = sequencer.offer(seq);
          if (verdict === 'next') {
            if (resyncing && seq > from)
              this.recordUnrecoverable(from, seq - 1, 'server could not resend; resumed where it could');
            if (stats.pendingGap !== null && seq >= stats.pendingGap.fromSeq) this.gapRecovered();
            batch.push(message);
            if (message.type === 'end') {
              this.deliver(batch, receivedAt);
              this.onEnd();
              return;
            }
          } else if (verdict === 'duplicate') {
            stats.duplicates++;
          } else {
            if (batch.length > 0) this.deliver(batch, receivedAt);
            this.onGap(seq);
            return;
          }
        }
      }
    }
    if (batch.length > 0) this.deliver(batch, receivedAt);
  }

  private deliver(batch: SequencedMessage[], receivedAt: number): SequencedMessage[] {
    this.stats.messages += batch.length;
    if (!this.linkProven) this.proveLink();
    this.handlers.onBatch(batch, receivedAt);
    return [];
  }

  private proveLink(): void {
    this.linkProven = true;
    this.backoff.reset();
  }

  private onHello(hello: HelloMessage): void {
    const stats = this.stats;
    const sessionChanged = stats.sessionId !== null && stats.sessionId !== hello.sessionId;
    stats.sessionId = hello.sessionId;
    stats.tradingDay = hello.tradingDay;
    stats.source = hello.source;
    this.helloNextSeq = hello.nextSeq;
    if (sessionChanged) {
      // Another session: its seqs mean other messages. Start over from seq 1 on a fresh link.
      this.log('warn', `feed: server now serves session ${hello.sessionId}; starting over from seq 1`, {
        lastSeq: this.sequencer.lastApplied,
      });
      this.sequencer.reset(0);
      stats.pendingGap = null;
      this.resumeHint = 0;
      this.lastImmediateAt = -1;
      this.startOfDayAskedAt = -1;
      this.handlers.onHello?.(hello, true);
      this.reconnectSoon('session changed');
      return;
    }
    this.setState('live');
    this.handlers.onHello?.(hello, false);
  }

  private onServerError(error: ErrorMessage): void {
    const stats = this.stats;
    stats.serverErrors++;
    stats.lastError = `feed server error ${error.code}: ${error.message}`;
    if (error.code === SLOW_CONSUMER) {
      // This side fell behind the server's buffer: ask again at once; what it no longer holds is handled below.
      this.log('warn', `feed: ${stats.lastError}; resubscribing`, { lastSeq: this.sequencer.lastApplied });
      this.reconnectSoon('slow consumer');
      return;
    }
    if (error.code !== RESEND_UNAVAILABLE) {
      this.log('error', `feed: ${stats.lastError}`, { lastSeq: this.sequencer.lastApplied });
      this.dropLink(stats.lastError, this.backoff.next());
      return;
    }
    const from = this.sequencer.expected;
    // Where the server can go on from: best, the first seq it sent after the hole (it holds that one); else a
    // hello whose nextSeq points past what was asked for.
    const hint = this.resumeHint > 0 ? this.resumeHint : this.helloNextSeq > this.requestedFrom ? this.helloNextSeq : 0;
    this.log('warn', `feed: server cannot resend from seq ${from} (${error.message})`, { fromSeq: from, hint });
    if (hint > from) {
      this.recordUnrecoverable(from, hint - 1, `server cannot resend: ${error.message}`);
      this.sequencer.skipTo(hint);
      this.resumeHint = 0;
      this.reconnectSoon('resend unavailable');
      return;
    }
    if (this.startOfDayAskedAt !== this.sequencer.lastApplied) {
      // No idea where the server can resume: ask for the start of day (the protocol's subscribe without fromSeq),
      // drop what was applied already, and take the first message above it as the new base (the hole is recorded
      // when it is seen).
      this.startOfDayAskedAt = this.sequencer.lastApplied;
      this.sequencer.resync();
      this.reconnectSoon('resend unavailable');
      return;
    }
    // Neither the hole nor the start of day is held, and the server names no seq to go on from: nothing can be
    // resumed on this link. Wait the backoff (growing to its cap) rather than hammer the server, and say why.
    stats.lastError = `feed gateway ${this.url} holds neither seq ${from} nor the start of day and names no seq to resume from (${error.message}); retrying`;
    this.log('error', `feed: ${stats.lastError}`, { fromSeq: from });
    this.sequencer.resync();
    this.dropLink(stats.lastError, this.backoff.next());
  }

  private onGap(seenSeq: number): void {
    const stats = this.stats;
    const from = this.sequencer.expected;
    if (stats.pendingGap === null) {
      stats.gaps++;
      stats.pendingGap = {
        fromSeq: from,
        toSeq: seenSeq - 1,
        detectedAt: this.now(),
        recovered: false,
        reason: `seq jumped from ${from - 1} to ${seenSeq}`,
      };
      this.log('warn', `feed: gap: missing seq ${from}..${seenSeq - 1}; resubscribing from ${from}`, {
        fromSeq: from,
        toSeq: seenSeq - 1,
      });
    } else {
      stats.pendingGap.toSeq = seenSeq - 1; // the hole as the latest link shows it
    }
    this.resumeHint = this.resumeHint > 0 ? Math.min(this.resumeHint, seenSeq) : seenSeq;
    this.reconnectSoon(`gap at seq ${from}`);
  }

  private gapRecovered(): void {
    const gap = this.stats.pendingGap!;
    gap.recovered = true;
    this.stats.pendingGap = null;
    this.stats.recoveredGaps++;
    this.resumeHint = 0;
    this.log('info', `feed: gap ${gap.fromSeq}..${gap.toSeq} refilled by resend`);
    this.handlers.onGap?.({ ...gap });
  }

  private recordUnrecoverable(fromSeq: number, toSeq: number, reason: string): void {
    const stats = this.stats;
    const pending = stats.pendingGap;
    const gap: FeedGap = {
      fromSeq,
      toSeq,
      detectedAt: pending?.detectedAt ?? this.now(),
      recovered: false,
      reason: pending ? `${pending.reason}; ${reason}` : reason,
    };
    if (pending === null) stats.gaps++;
    stats.pendingGap = null;
    stats.unrecoverableGapCount++;
    stats.unrecoverableGaps.push(gap);
    if (stats.unrecoverableGaps.length > MAX_GAPS_KEPT) stats.unrecoverableGaps.shift();
    stats.lastError = `unrecoverable gap: seq ${fromSeq}..${toSeq} (${toSeq - fromSeq + 1} messages) missing`;
    this.log('error', `feed: ${stats.lastError}: ${reason}`, { fromSeq, toSeq });
    this.handlers.onGap?.({ ...gap });
  }

  private onEnd(): void {
    this.ended = true;
    this.log('info', `feed: session ended at seq ${this.sequencer.lastApplied}`);
    const socket = this.socket;
    this.socket = null;
    this.setState('ended');
    if (socket) void closeSocket(socket, 1_000);
  }

  private countReject(reason: string, seq: number, detail: string, sample?: string): void {
    const stats = this.stats;
    stats.rejects++;
    const count = (stats.rejectsByReason[reason] = (stats.rejectsByReason[reason] ?? 0) + 1);
    if (shouldLogOccurrence(count)) {
      this.log('warn', `feed: rejected message: ${reason}: ${detail}`, { reason, seq, count, sample });
    }
  }
}

/** Closes a socket politely, terminating it if the close handshake does not finish in `timeoutMs`. */
function closeSocket(socket: WebSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => {}); // errors while closing are expected and irrelevant
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close(1000, 'client closing');
  });
}
