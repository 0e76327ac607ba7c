// A minimal fw-feed/1 server for the feed and core integration tests: serves a fixed session from memory on
// 127.0.0.1, resumes at `subscribe fromSeq`, and can misbehave on purpose (a hole it cannot resend, a transient
// loss it can, overlapping resends, going silent, being killed and restarted on the same port).
import { createServer, type Server as HttpsServer } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SequencedMessage, ServerMessage } from '../../../shared/protocol';

export interface TestFeedServerOptions {
  /** The session, seq 1..N in order. */
  session: SequencedMessage[];
  sessionId?: string;
  /** Messages per frame. */
  batchSize?: number;
  /** Pause between frames, ms. */
  intervalMs?: number;
  heartbeatMs?: number;
  /** Seqs never sent and never resendable (an unfillable gap). */
  hole?: { from: number; to: number };
  /** Seqs skipped on the first pass only (a transient loss a resend repairs). */
  lostOnce?: { from: number; to: number };
  /** The server no longer holds seqs below this one (as after a restart that lost history). */
  holdsFrom?: number;
  /** Seqs 1..N (the start of day) stay held whatever holdsFrom says; a stream from them jumps to holdsFrom after. */
  startOfDay?: number;
  /** false: the hello before RESEND_UNAVAILABLE echoes fromSeq, naming no seq to go on from (default true). */
  namesResumePoint?: boolean;
  /** On resume, start this many messages before fromSeq (the client must drop the repeats). */
  resendOverlap?: number;
  /** After this many messages on the first link, send nothing at all (no heartbeat either). */
  silentAfter?: number;
  /** Serve wss:// with this certificate (PEM) instead of ws://. */
  tls?: { key: string; cert: string };
}

export class TestFeedServer {
  /** fromSeq of every subscribe received (undefined = absent). */
  readonly subscribes: Array<number | undefined> = [];
  connections = 0;
  private server: WebSocketServer | null = null;
  private https: HttpsServer | null = null;
  private readonly clients = new Set<WebSocket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private lostOnceUsed = false;
  private silenceUsed = false;
  port = 0;

  private constructor(readonly options: TestFeedServerOptions) {}

  static async start(options: TestFeedServerOptions): Promise<TestFeedServer> {
    const server = new TestFeedServer(options);
    await server.listen(0);
    return server;
  }

  get url(): string {
    return `${this.options.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}`;
  }

  /** Listens again on the same port after `kill`. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  /** Drops every link at once (no close handshake) and stops listening, like a crashed gateway. */
  async kill(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    for (const client of this.clients) client.terminate();
    this.clients.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    const https = this.https;
    this.https = null;
    if (https) await new Promise<void>((resolve) => https.close(() => resolve()));
  }

  private listen(port: number): Promise<void> {
    const tls = this.options.tls;
    if (tls) {
      return new Promise((resolve, reject) => {
        const https = createServer({ key: tls.key, cert: tls.cert });
        https.once('error', reject);
        https.listen(port, '127.0.0.1', () => {
          this.https = https;
          this.port = (https.address() as { port: number }).port;
          this.server = new WebSocketServer({ server: https });
          this.server.on('connection', (socket) => this.serve(socket));
          resolve();
        });
      });
    }
    return new Promise((resolve, reject) => {
      const server = new WebSocketServer({ host: '127.0.0.1', port });
      server.once('error', reject);
      server.once('listening', () => {
        this.server = server;
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
      server.on('connection', (socket) => this.serve(socket));
    });
  }

  private serve(socket: WebSocket): void {
    this.connections++;
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => {});
    socket.once('message', (data) => {
      let fromSeq: number | undefined;
      try {
        fromSeq = (JSON.parse(String(data)) as { fromSeq?: number }).fromSeq;
      } catch {
        return socket.close(1002, 'bad subscribe');
      }
      this.subscribes.push(fromSeq);
      this.stream(socket, fromSeq ?? 1);
    });
  }

  private stream(socket: WebSocket, fromSeq: number): void {
    const { session, hole, holdsFrom = 1, startOfDay = 0 } = this.options;
    const now = () => Date.now();
    const send = (messages: ServerMessage[]) =>
      socket.send(JSON.stringify(messages.length === 1 ? messages[0] : messages));
    const lowest = Math.max(holdsFrom, 1);
    const lost = (seq: number) => seq < lowest && seq > startOfDay;
    const unavailable = lost(fromSeq) || (hole !== undefined && fromSeq >= hole.from && fromSeq <= hole.to);
    // Where this server could go on from: the basis of the hello's nextSeq when it cannot serve the request.
    const resumable =
      this.options.namesResumePoint === false
        ? fromSeq
        : lost(fromSeq)
          ? lowest
          : hole && unavailable
            ? hole.to + 1
            : fromSeq;
    send([
      {
        type: 'hello',
        ts: now(),
        protocol: 'fw-feed/1',
        nextSeq: resumable,
        sessionId: this.options.sessionId ?? 'TEST-SESSION',
        tradingDay: '20260520',
        source: 'testFeedServer',
      },
    ]);
    if (unavailable) {
      send([{ type: 'error', ts: now(), code: 'RESEND_UNAVAILABLE', message: `seq ${fromSeq} is no longer held` }]);
      return;
    }
    const lostOnce = this.lostOnceUsed ? undefined : this.options.lostOnce;
    if (lostOnce) this.lostOnceUsed = true;
    const silentAfter = this.silenceUsed ? undefined : this.options.silentAfter;
    if (silentAfter !== undefined) this.silenceUsed = true;
    let next = Math.max(1, fromSeq - (this.subscribes.length > 1 ? (this.options.resendOverlap ?? 0) : 0));
    let sentOnLink = 0;
    let idleSince = now();
    const batchSize = this.options.batchSize ?? 20;
    const timer = setInterval(() => {
      if (socket.readyState !== socket.OPEN) {
        clearInterval(timer);
        this.timers.delete(timer);
        return;
      }
      if (silentAfter !== undefined && sentOnLink >= silentAfter) return;
      const batch: ServerMessage[] = [];
      while (batch.length < batchSize && next <= session.length) {
        const seq = next++;
        if (hole && seq >= hole.from && seq <= hole.to) continue;
        if (lost(seq)) continue;
        if (lostOnce && seq >= lostOnce.from && seq <= lostOnce.to) continue;
        batch.push(session[seq - 1] as SequencedMessage);
      }
      if (batch.length > 0) {
        sentOnLink += batch.length;
        idleSince = now();
        send(batch);
      } else if (now() - idleSince >= (this.options.heartbeatMs ?? 1_000)) {
        idleSince = now();
        send([{ type: 'heartbeat', ts: now() }]);
      }
    }, this.options.intervalMs ?? 2);
    this.timers.add(timer);
  }
}
