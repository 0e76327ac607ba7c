// The simulator's fw-feed/1 WebSocket server. One SimulatorSession (a SessionGenerator plus the frames already sent)
// is streamed to every client: a timer paces generation at `rate` messages a second and emits the messages as
// JSON-array text frames of up to 1,000 (FrameWriter: encodeFrame's bytes at about half the CPU), stamped with the
// wall clock at send (tick-to-screen latency is measured from `ts`).
// Clients read from the session history at their own pace: `subscribe {fromSeq}` resumes anywhere still held, a
// client whose socket buffer is full is skipped until it drains, and one that falls too far behind is dropped with
// an error (it can resume). A bad client frame gets `error BAD_REQUEST`; nothing a client sends can stop the server.
// Recovery when the history has moved on: the day's start-of-day frames (instruments, accounts, positions) are kept
// for the whole day, so `subscribe` from within them (or without fromSeq) always works: that state, then the live
// edge (the client sees the jump as an unrecoverable gap). A fromSeq past them that is no longer held gets `hello`
// whose nextSeq is the live edge, then `error RESEND_UNAVAILABLE`: a client can record the hole and go on live.
//
// Restarting on the same session (for resume tests): `await sim.stop()` then
// `startSimulatorServer({ port: sim.port, resumeFrom: sim.session })` continues the same session (same sessionId,
// same history, generation picks up where it stopped), so a client resubscribing with fromSeq sees no gap.
import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, encodeFrame, type SequencedMessage, type ServerMessage } from '../../shared/protocol';
import {
  LocalFrameSource,
  PRODUCER_CHUNK,
  ThreadFrameSource,
  type FrameSource,
  type FrameSourceListener,
  type ProducerOptions,
  type UnfillableGap,
} from './frameSource';
import { SessionGenerator, chinaToday, DEFAULT_TRADING_DAY } from './generator';
import { SessionHistory, type HistoryFrame } from './history';
import type { GroundTruth, ScenarioSelection } from './scenarios';

export type { UnfillableGap };

export interface SimulatorServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9001; 0 picks a free port. */
  port?: number;
  seed?: number;
  /** Messages per second (default 20,000; 0 pauses generation, heartbeats continue). */
  rate?: number;
  scenarios?: ScenarioSelection;
  /** Client accounts on the floor (default 50) and instruments (a count or 'all'; default the 10 of the catalogue). */
  accounts?: number;
  instruments?: number | 'all';
  /** NDJSON file for the injected cases' ground truth (truncated at start, one line per case as it completes). */
  truthFile?: string;
  /** Length of the trading day in seconds at `rate` (default 4 h); the day has rate × daySeconds messages. */
  daySeconds?: number;
  /** Length of the day in messages (overrides rate × daySeconds). */
  messages?: number;
  /** Default: today in China, or 20260319 with virtualClock. */
  tradingDay?: string;
  /** Send the generator's simulated `ts` instead of the wall clock (default false). */
  virtualClock?: boolean;
  /** Pacing timer period (default 10 ms). */
  batchIntervalMs?: number;
  /** Largest batch in one frame (default 1,000 messages). */
  maxBatch?: number;
  /**
   * Make frames in a worker thread of their own (default: from 100,000 msg/s on), so generating and encoding do
   * not share a core with the socket writes. Decided when the session is created.
   */
  producerThread?: boolean;
  /** A subscribed client that has had nothing for this long gets a heartbeat (default 500 ms; the protocol asks ≤ 1 s). */
  heartbeatMs?: number;
  /** History bounds (defaults 5,000,000 messages and 512 MiB of JSON). */
  historyMessages?: number;
  historyBytes?: number;
  /** A client further behind than this many messages is dropped with error SLOW_CONSUMER (default 2,000,000). */
  maxLagMessages?: number;
  /** Stop writing to a client while its socket buffer holds more than this (default 8 MiB). */
  highWaterBytes?: number;
  /** Test hook: after `afterSeq` the seqs jump by `length`; the skipped seqs are RESEND_UNAVAILABLE. */
  unfillableGap?: UnfillableGap;
  /** Continue a stopped server's session (same sessionId and history); seed, scenarios and day options are ignored. */
  resumeFrom?: SimulatorSession;
  /** One line per notable event (client connects, drops, bad requests, truth records). */
  log?: (line: string) => void;
}

export interface SimulatorCounters {
  sessionId: string;
  /** The seq the next message will carry. */
  nextSeq: number;
  messagesProduced: number;
  framesProduced: number;
  framesSent: number;
  bytesSent: number;
  clients: number;
  connections: number;
  subscribes: number;
  badRequests: number;
  resendUnavailable: number;
  slowConsumersDropped: number;
  heartbeatsSent: number;
  historyMessages: number;
  historyBytes: number;
  oldestSeq: number | null;
  /** Configured and measured (last second) messages per second. */
  targetRate: number;
  measuredRate: number;
  ended: boolean;
  truthRecords: number;
}

export interface RunningSimulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly session: SimulatorSession;
  counters(): SimulatorCounters;
  /** Changes the pace (messages per second; 0 pauses). */
  setRate(rate: number): void;
  /**
   * Closes every client (1001) and the listening socket. The session stays open for `resumeFrom`; close it with
   * `session.close()` when done (that ends its producer thread, if it has one).
   */
  stop(): Promise<void>;
}

export const DEFAULT_RATE = 20_000;
export const DEFAULT_DAY_SECONDS = 4 * 3600;

/** One simulated trading day being served: where its frames come from, the frames made so far, the truth sink. */
export class SimulatorSession {
  readonly sessionId: string;
  readonly source: string;
  readonly history: SessionHistory;
  framesProduced = 0;
  truthRecords = 0;
  /** Messages of the day's static data (instruments, accounts, start-of-day positions). */
  staticMessages = 0;
  /** The frames holding the static data, kept all day (the history's bound does not apply to them). */
  readonly startOfDay: HistoryFrame[] = [];
  /** A server is currently serving this session. */
  attached = false;
  /** Told when frames arrive (the attached server pumps its clients). */
  onFrames: (() => void) | null = null;
  log: (line: string) => void = () => {};
  private frameSource: FrameSource | null = null;
  /** Generator seq of the last message made into a frame (= messages produced so far). */
  private taken = 0;
  private done = false;
  private closed = false;

  private constructor(
    readonly seed: number,
    readonly tradingDay: string,
    readonly virtualClock: boolean,
    readonly gap: UnfillableGap | undefined,
    history: { messages: number; bytes: number },
    private readonly truthFile: string | undefined,
    /** Frames come from a worker thread (high rates) rather than the server's own thread. */
    readonly threaded: boolean,
  ) {
    this.sessionId = `sim-${tradingDay}-${seed}-${randomBytes(4).toString('hex')}`;
    this.source = `floorwatch-sim seed=${seed}`;
    this.history = new SessionHistory(history.messages, history.bytes);
  }

  static async create(
    producer: ProducerOptions,
    history: { messages: number; bytes: number },
    truthFile: string | undefined,
    threaded: boolean,
  ): Promise<SimulatorSession> {
    const session = new SimulatorSession(
      producer.seed,
      producer.tradingDay,
      producer.virtualClock,
      producer.gap,
      history,
      truthFile,
      threaded,
    );
    if (truthFile) writeFileSync(truthFile, '');
    const listener = (): FrameSourceListener => session.listener;
    session.frameSource = threaded
      ? await ThreadFrameSource.start(producer, listener)
      : new LocalFrameSource(producer, listener);
    return session;
  }

  private readonly listener: FrameSourceListener = {
    frames: (frames, taken, ended) => {
      for (const frame of frames) {
        this.framesProduced++;
        this.history.append(frame);
        if (frame.firstSeq <= this.staticMessages) this.startOfDay.push(frame);
      }
      if (frames.length > 0) this.taken = taken;
      if (ended) this.done = true;
      this.onFrames?.();
    },
    truth: (truth) => {
      const served = this.recordTruth(truth);
      this.log(
        `truth: ${served.rule} ${served.subjectId} ${served.instrumentId ?? ''} seq ${served.firstSeq}..${served.lastSeq}`,
      );
    },
    note: (note) => this.log(`scenario: ${note}`),
    error: (message) => this.log(`frame producer: ${message}`),
  };

  /** Seq as served: shifted past the test gap. */
  served(seq: number): number {
    return this.gap && seq > this.gap.afterSeq ? seq + this.gap.length : seq;
  }

  inGap(seq: number): boolean {
    return !!this.gap && seq > this.gap.afterSeq && seq <= this.gap.afterSeq + this.gap.length;
  }

  /** The seq the next message will carry. */
  get nextSeq(): number {
    return this.served(this.taken + 1);
  }

  get ended(): boolean {
    return this.done;
  }

  /** Messages made into frames so far. */
  get produced(): number {
    return this.taken;
  }

  /** Messages asked of the producer thread and not delivered yet (0 in-thread). */
  get inFlight(): number {
    return this.frameSource?.inFlight ?? 0;
  }

  /** Asks for `count` more messages; in-thread they are made (and appended to history) before this returns. */
  request(count: number): void {
    if (this.closed) throw new Error(`session ${this.sessionId} is closed`);
    if (!this.done && count > 0) this.frameSource!.request(count);
  }

  /** Ends the producer thread, if any; the session cannot produce any more. Stopping a server does not close it. */
  async close(): Promise<void> {
    this.closed = true;
    await this.frameSource?.close();
  }

  /** Writes a ground-truth record (seqs as served) to the truth file. */
  recordTruth(truth: GroundTruth): GroundTruth {
    const served = { ...truth, firstSeq: this.served(truth.firstSeq), lastSeq: this.served(truth.lastSeq) };
    this.truthRecords++;
    if (this.truthFile) appendFileSync(this.truthFile, `${JSON.stringify(served)}\n`);
    return served;
  }
}

interface Client {
  readonly id: number;
  readonly ws: WebSocket;
  readonly remote: string;
  subscribed: boolean;
  /** Next seq this client should get. */
  nextSeq: number;
  /** Absolute history index of the next frame to send. */
  frameIndex: number;
  /** Index in session.startOfDay of the next frame to send while replaying the start of day; -1 otherwise. */
  startOfDayIndex: number;
  lastSentAt: number;
}

const HISTORY_MESSAGES = 5_000_000;
const HISTORY_BYTES = 512 * 1024 * 1024;
const MAX_CLIENT_FRAME = 64 * 1024;
/** Messages generated between two looks at the clock and the clients (keeps each step of a tick short). */
const PRODUCE_CHUNK = PRODUCER_CHUNK;
/** Largest frame. */
const MAX_BATCH = 1000;
/** From this rate on, frames are made in a producer thread unless producerThread says otherwise. */
export const PRODUCER_THREAD_RATE = 100_000;

async function createSession(options: SimulatorServerOptions): Promise<SimulatorSession> {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`seed ${seed} must be an integer`);
  const rate = options.rate ?? DEFAULT_RATE;
  const daySeconds = options.daySeconds ?? DEFAULT_DAY_SECONDS;
  if (!(daySeconds > 0)) throw new RangeError(`daySeconds must be positive (got ${daySeconds})`);
  const messages = options.messages ?? Math.max(Math.round(Math.max(rate, 1) * daySeconds), 60_000);
  const virtualClock = options.virtualClock ?? false;
  const gap = options.unfillableGap;
  if (
    gap &&
    (!Number.isSafeInteger(gap.afterSeq) || gap.afterSeq < 1 || !Number.isSafeInteger(gap.length) || gap.length < 1)
  ) {
    throw new RangeError('unfillableGap needs whole numbers afterSeq ≥ 1 and length ≥ 1');
  }
  const scenarios = options.scenarios ?? 'none';
  const producer: ProducerOptions = {
    seed,
    messages,
    scenarios,
    ...(options.accounts !== undefined ? { accounts: options.accounts } : {}),
    ...(options.instruments !== undefined ? { instruments: options.instruments } : {}),
    tradingDay: options.tradingDay ?? (virtualClock ? DEFAULT_TRADING_DAY : chinaToday()),
    virtualClock,
    ...(gap ? { gap } : {}),
    maxBatch: options.maxBatch ?? MAX_BATCH,
  };
  // Check the options here, where a mistake is a plain error, before any thread starts.
  const { staticMessages } = new SessionGenerator({
    seed,
    messages,
    scenarios,
    accounts: producer.accounts,
    instruments: producer.instruments,
    tradingDay: producer.tradingDay,
  });
  const threaded = options.producerThread ?? rate >= PRODUCER_THREAD_RATE;
  const session = await SimulatorSession.create(
    producer,
    { messages: options.historyMessages ?? HISTORY_MESSAGES, bytes: options.historyBytes ?? HISTORY_BYTES },
    options.truthFile,
    threaded,
  );
  session.staticMessages = staticMessages;
  return session;
}

function listen(wss: WebSocketServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      wss.off('listening', onListening);
      const reason =
        error.code === 'EADDRINUSE'
          ? 'is already in use'
          : error.code === 'EACCES'
            ? 'needs privileges'
            : `failed: ${error.message}`;
      reject(new Error(`cannot listen on ${host}:${port}: the port ${reason}`));
    };
    const onListening = () => {
      wss.off('error', onError);
      const address = wss.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    wss.once('error', onError);
    wss.once('listening', onListening);
  });
}

/** Starts a simulator WebSocket server; resolves once it listens. */
export async function startSimulatorServer(options: SimulatorServerOptions = {}): Promise<RunningSimulator> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  let rate = options.rate ?? DEFAULT_RATE;
  if (!(rate >= 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be ≥ 0 (got ${rate})`);
  const intervalMs = options.batchIntervalMs ?? 10;
  const heartbeatMs = options.heartbeatMs ?? 500;
  const maxLag = options.maxLagMessages ?? 2_000_000;
  const highWater = options.highWaterBytes ?? 8 * 1024 * 1024;
  const session = options.resumeFrom ?? (await createSession(options));
  if (session.attached) throw new Error(`session ${session.sessionId} is still being served; stop that server first`);
  session.log = log;

  const wss = new WebSocketServer({
    host,
    port: options.port ?? 9001,
    maxPayload: MAX_CLIENT_FRAME,
    perMessageDeflate: false,
  });
  let port: number;
  try {
    port = await listen(wss, host, options.port ?? 9001);
  } catch (error) {
    if (!options.resumeFrom) await session.close();
    throw error;
  }
  session.attached = true;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const clients = new Set<Client>();
  let nextClientId = 1;
  const counters = {
    framesSent: 0,
    bytesSent: 0,
    connections: 0,
    subscribes: 0,
    badRequests: 0,
    resendUnavailable: 0,
    slowConsumersDropped: 0,
    heartbeatsSent: 0,
  };

  // Pacing: produce rate × elapsed messages, never more than a quarter second of debt after a stall.
  let paceStart = performance.now();
  let pacedProduced = 0;
  const rateWindow: Array<[number, number]> = [];
  let producedTotal = 0;

  const send = (client: Client, frame: string | Buffer) => {
    // Text frames always (the protocol is JSON text); history frames are already UTF-8 bytes.
    client.ws.send(frame, { binary: false });
    client.lastSentAt = performance.now();
    counters.framesSent++;
    counters.bytesSent += frame.length;
  };
  const sendMessage = (client: Client, message: ServerMessage) => send(client, JSON.stringify(message));
  const sendError = (client: Client, code: string, message: string) =>
    sendMessage(client, { type: 'error', ts: Date.now(), code, message });

  const drop = (client: Client, code: string, message: string) => {
    log(`client ${client.id} (${client.remote}) dropped: ${message}`);
    sendError(client, code, message);
    client.ws.close(4008, code);
    clients.delete(client);
  };

  const pump = (client: Client) => {
    if (!client.subscribed || client.ws.readyState !== client.ws.OPEN) return;
    const history = session.history;
    if (client.startOfDayIndex >= 0 && !pumpStartOfDay(client)) return;
    while (client.frameIndex < history.endIndex) {
      if (client.ws.bufferedAmount > highWater) break;
      const frame = history.at(client.frameIndex);
      if (!frame) {
        counters.slowConsumersDropped++;
        drop(
          client,
          'SLOW_CONSUMER',
          `fell behind the history (oldest held seq ${history.oldestSeq}); resubscribe with fromSeq=${client.nextSeq}`,
        );
        return;
      }
      send(client, frame.data);
      client.nextSeq = frame.lastSeq + 1;
      client.frameIndex++;
    }
    const lag = session.nextSeq - client.nextSeq;
    if (lag > maxLag) {
      counters.slowConsumersDropped++;
      drop(client, 'SLOW_CONSUMER', `fell ${lag} messages behind; resubscribe with fromSeq=${client.nextSeq}`);
    }
  };

  /** Sends the start-of-day frames, then points the client at what follows them or else the live edge. */
  const pumpStartOfDay = (client: Client): boolean => {
    const frames = session.startOfDay;
    while (client.startOfDayIndex < frames.length) {
      if (client.ws.bufferedAmount > highWater) return false;
      const frame = frames[client.startOfDayIndex++]!;
      send(client, frame.data);
      client.nextSeq = frame.lastSeq + 1;
    }
    client.startOfDayIndex = -1;
    const following = session.history.find(client.nextSeq);
    if (following >= 0) {
      client.frameIndex = following;
    } else {
      log(
        `client ${client.id}: start of day sent; seqs ${client.nextSeq}..${session.nextSeq - 1} are no longer held, going on live`,
      );
      client.frameIndex = session.history.endIndex;
      client.nextSeq = session.nextSeq;
    }
    return true;
  };

  /** Index in session.startOfDay of the frame holding `seq`, or -1. */
  const findStartOfDay = (seq: number): number =>
    session.startOfDay.findIndex((frame) => frame.firstSeq <= seq && seq <= frame.lastSeq);

  const sendHello = (client: Client, nextSeq: number) =>
    sendMessage(client, {
      type: 'hello',
      ts: Date.now(),
      protocol: PROTOCOL_VERSION,
      nextSeq,
      sessionId: session.sessionId,
      tradingDay: session.tradingDay,
      source: session.source,
    });

  const subscribe = (client: Client, fromSeq: number) => {
    counters.subscribes++;
    const next = session.nextSeq;
    if (fromSeq > next) {
      counters.badRequests++;
      sendError(client, 'BAD_REQUEST', `fromSeq ${fromSeq} is beyond this session's next seq ${next}`);
      return;
    }
    let frameIndex: number;
    let startOfDayIndex = -1;
    let partial: string | null = null;
    if (fromSeq === next) {
      frameIndex = session.history.endIndex;
    } else {
      frameIndex = session.inGap(fromSeq) ? -1 : session.history.find(fromSeq);
      startOfDayIndex = frameIndex < 0 ? findStartOfDay(fromSeq) : -1;
      if (frameIndex < 0 && startOfDayIndex < 0) {
        counters.resendUnavailable++;
        const oldest = session.history.oldestSeq;
        const why = session.inGap(fromSeq)
          ? `seq ${fromSeq} was never available (seqs ${session.gap!.afterSeq + 1}..${session.gap!.afterSeq + session.gap!.length} are missing)`
          : `seq ${fromSeq} is no longer held (oldest held seq is ${oldest ?? next})`;
        log(`client ${client.id}: RESEND_UNAVAILABLE ${why}`);
        // The hello names where this server can go on (the live edge), so the client need not guess.
        sendHello(client, next);
        sendError(client, 'RESEND_UNAVAILABLE', `${why}; resubscribe with fromSeq=${next} to go on live`);
        return;
      }
      const frame = frameIndex >= 0 ? session.history.at(frameIndex)! : session.startOfDay[startOfDayIndex]!;
      if (frame.firstSeq < fromSeq) {
        // Resume inside a frame: resend its tail only.
        const parsed = JSON.parse(frame.data.toString('utf8')) as SequencedMessage | SequencedMessage[];
        const tail = (Array.isArray(parsed) ? parsed : [parsed]).filter((m) => m.seq >= fromSeq);
        partial = encodeFrame(tail);
        if (frameIndex >= 0) frameIndex++;
        else startOfDayIndex++;
      }
    }
    client.subscribed = true;
    client.nextSeq = fromSeq;
    client.frameIndex = frameIndex;
    client.startOfDayIndex = startOfDayIndex;
    sendHello(client, fromSeq);
    if (partial) send(client, partial);
    pump(client);
  };

  const onClientFrame = (client: Client, data: RawData, isBinary: boolean) => {
    const reject = (why: string) => {
      counters.badRequests++;
      log(`client ${client.id}: BAD_REQUEST ${why}`);
      sendError(client, 'BAD_REQUEST', why);
    };
    if (isBinary) return reject('binary frames are not accepted; send JSON text');
    let request: unknown;
    try {
      request = JSON.parse(data.toString());
    } catch {
      return reject('the frame is not valid JSON');
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request))
      return reject('a request must be a JSON object');
    const { type, fromSeq } = request as { type?: unknown; fromSeq?: unknown };
    if (type !== 'subscribe')
      return reject(`unknown request type ${JSON.stringify(type) ?? 'undefined'}; only "subscribe" is accepted`);
    if (fromSeq !== undefined && (typeof fromSeq !== 'number' || !Number.isSafeInteger(fromSeq) || fromSeq < 1)) {
      return reject(`fromSeq must be a whole number ≥ 1 (got ${JSON.stringify(fromSeq)})`);
    }
    subscribe(client, (fromSeq as number | undefined) ?? 1);
  };

  wss.on('connection', (ws, request) => {
    counters.connections++;
    const client: Client = {
      id: nextClientId++,
      ws,
      remote: `${request.socket.remoteAddress}:${request.socket.remotePort}`,
      subscribed: false,
      nextSeq: 1,
      frameIndex: 0,
      startOfDayIndex: -1,
      lastSentAt: performance.now(),
    };
    clients.add(client);
    log(`client ${client.id} connected from ${client.remote}`);
    ws.on('message', (data, isBinary) => {
      try {
        onClientFrame(client, data, isBinary);
      } catch (error) {
        // Never let one client's request take the server down.
        log(`client ${client.id}: request failed: ${(error as Error).message}`);
      }
    });
    ws.on('close', () => {
      clients.delete(client);
      log(`client ${client.id} disconnected`);
    });
    ws.on('error', (error) => log(`client ${client.id} socket error: ${error.message}`));
  });
  wss.on('error', (error) => log(`server error: ${error.message}`));

  // Each tick asks for what the pace calls for. In-thread, frames are made right away in chunks, pumping clients
  // after each, and the tick gives the event loop back after ~25 ms even if behind; with a producer thread the
  // frames arrive as messages and clients are pumped as they land. Debt beyond a quarter second is dropped.
  // The start-of-day static data goes out at once, as a gateway sends it: on a broker-sized floor it is 10^5
  // messages, minutes at a live rate. The day's pace starts after it.
  let headStart = Math.max(0, session.staticMessages - session.produced);
  const tick = () => {
    const now = performance.now();
    if (headStart > 0 && rate > 0 && !session.ended) {
      if (session.threaded) {
        session.request(headStart);
        headStart = 0;
      } else {
        const deadline = now + 25;
        while (headStart > 0 && performance.now() < deadline) {
          const before = session.produced;
          session.request(Math.min(headStart, PRODUCE_CHUNK));
          const produced = session.produced - before;
          if (produced === 0) break;
          headStart -= produced;
        }
      }
      if (headStart <= 0) {
        headStart = 0;
        paceStart = performance.now();
        pacedProduced = 0;
      }
    } else if (!session.ended && rate > 0) {
      let due = Math.floor(((now - paceStart) * rate) / 1000) - pacedProduced;
      const maxDebt = Math.max(1, Math.ceil(rate / 4));
      if (due > maxDebt) {
        pacedProduced += due - maxDebt;
        due = maxDebt;
      }
      if (session.threaded) {
        const ask = due - session.inFlight;
        if (ask > 0) {
          session.request(ask);
          pacedProduced += ask;
        }
      } else {
        const deadline = now + 25;
        while (due > 0 && !session.ended) {
          const before = session.produced;
          session.request(Math.min(due, PRODUCE_CHUNK));
          const produced = session.produced - before;
          if (produced === 0) break;
          due -= produced;
          pacedProduced += produced;
          if (performance.now() > deadline) break;
        }
      }
    }
    producedTotal = session.produced;
    rateWindow.push([now, producedTotal]);
    while (rateWindow.length > 2 && now - rateWindow[0]![0] > 1000) rateWindow.shift();
    for (const client of clients) {
      pump(client);
      // hello comes first after a connect, so heartbeats start with the subscription.
      if (client.subscribed && client.ws.readyState === client.ws.OPEN && now - client.lastSentAt >= heartbeatMs) {
        counters.heartbeatsSent++;
        sendMessage(client, { type: 'heartbeat', ts: Date.now() });
      }
    }
  };
  const timer = setInterval(tick, intervalMs);
  session.onFrames = () => {
    for (const client of clients) pump(client);
  };

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      clearInterval(timer);
      for (const client of clients) client.ws.close(1001, 'simulator stopping');
      const force = setTimeout(() => {
        for (const client of clients) client.ws.terminate();
      }, 500);
      session.onFrames = null;
      wss.close(() => {
        clearTimeout(force);
        clients.clear();
        session.attached = false;
        log('simulator stopped');
        resolve();
      });
    });
    return stopping;
  };

  log(`serving ${session.sessionId} on ${url} at ${rate} msg/s`);
  return {
    url,
    host,
    port,
    session,
    setRate(next: number) {
      if (!(next >= 0) || !Number.isFinite(next)) throw new RangeError(`rate must be ≥ 0 (got ${next})`);
      rate = next;
      paceStart = performance.now();
      pacedProduced = 0;
    },
    stop,
    counters(): SimulatorCounters {
      const first = rateWindow[0];
      const last = rateWindow[rateWindow.length - 1];
      const span = first && last ? last[0] - first[0] : 0;
      return {
        sessionId: session.sessionId,
        nextSeq: session.nextSeq,
        messagesProduced: session.produced,
        framesProduced: session.framesProduced,
        framesSent: counters.framesSent,
        bytesSent: counters.bytesSent,
        clients: clients.size,
        connections: counters.connections,
        subscribes: counters.subscribes,
        badRequests: counters.badRequests,
        resendUnavailable: counters.resendUnavailable,
        slowConsumersDropped: counters.slowConsumersDropped,
        heartbeatsSent: counters.heartbeatsSent,
        historyMessages: session.history.messages,
        historyBytes: session.history.bytes,
        oldestSeq: session.history.oldestSeq,
        targetRate: rate,
        measuredRate: span > 0 ? Math.round(((last![1] - first![1]) * 1000) / span) : 0,
        ended: session.ended,
        truthRecords: session.truthRecords,
      };
    },
  };
}
