// The simulator's WebSocket server on 127.0.0.1 (port 0): subscribe, resume, RESEND_UNAVAILABLE, heartbeats, bad
// client frames, the unfillable-gap hook, restarting on the same session, slow consumers, and the worker entry.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, type ServerMessage } from '../../shared/protocol';
import { startSimulatorServer, type RunningSimulator } from '../../main/simulator/server';
import { startWorker } from '../../main/util/workers';
import { SIM_ACCOUNTS_ENV, SIM_INSTRUMENTS_ENV } from '../../main/simulator/floor';
import { futuresUniverse } from '../../main/simulator/universe';

/** A test client: collects decoded messages and waits for conditions with a deadline. */
class TestClient {
  readonly messages: ServerMessage[] = [];
  rejects = 0;
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const { messages, rejects } = decodeFrame(data.toString());
      this.messages.push(...messages);
      this.rejects += rejects.length;
      this.wake();
    });
    ws.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    await once(ws, 'open');
    return new TestClient(ws);
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  ofType<T extends ServerMessage['type']>(type: T): Array<Extract<ServerMessage, { type: T }>> {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  seqs(): number[] {
    return this.messages.flatMap((m) => ('seq' in m ? [m.seq] : []));
  }

  close(): void {
    this.ws.terminate();
  }
}

const running: RunningSimulator[] = [];
const clients: TestClient[] = [];

async function start(options: Parameters<typeof startSimulatorServer>[0]): Promise<RunningSimulator> {
  const sim = await startSimulatorServer({ host: '127.0.0.1', port: 0, ...options });
  running.push(sim);
  return sim;
}

async function connect(sim: RunningSimulator): Promise<TestClient> {
  const client = await TestClient.connect(sim.url);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(
    running.splice(0).map(async (s) => {
      await s.stop();
      await s.session.close();
    }),
  );
});

function expectContiguous(seqs: number[], from: number): void {
  expect(seqs[0]).toBe(from);
  const broken = seqs.findIndex((s, i) => s !== from + i);
  expect(broken).toBe(-1);
}

describe('simulator server', () => {
  it('streams the whole session in order after hello, ending with `end`', async () => {
    const sim = await start({ seed: 4, rate: 60_000, messages: 6000 });
    const client = await connect(sim);
    client.send({ type: 'subscribe' });
    await client.until('end', () => client.ofType('end').length > 0);
    const [hello] = client.messages;
    expect(hello).toMatchObject({ type: 'hello', protocol: 'fw-feed/1', nextSeq: 1, sessionId: sim.session.sessionId });
    expect(hello?.type === 'hello' && /^\d{8}$/.test(hello.tradingDay)).toBe(true);
    expect(client.rejects).toBe(0);
    const seqs = client.seqs();
    expectContiguous(seqs, 1);
    expect(seqs.length).toBe(sim.counters().messagesProduced);
    // Live mode stamps the wall clock at send.
    const trade = client.ofType('trade')[0]!;
    expect(Math.abs(trade.ts - Date.now())).toBeLessThan(60_000);
    expect(sim.counters().framesSent).toBeLessThan(seqs.length / 5);
  });

  it('resumes from any held seq, including the middle of a batch, and refuses seqs beyond the session', async () => {
    // High rates make frames in a producer thread; the stream is the same.
    const sim = await start({ seed: 4, rate: 100_000, messages: 6000, producerThread: true });
    expect(sim.session.threaded).toBe(true);
    const first = await connect(sim);
    first.send({ type: 'subscribe' });
    await first.until('end', () => first.ofType('end').length > 0);
    const all = first.messages.filter((m) => 'seq' in m);

    const resumed = await connect(sim);
    resumed.send({ type: 'subscribe', fromSeq: 2345 });
    await resumed.until('end', () => resumed.ofType('end').length > 0);
    expect(resumed.messages[0]).toMatchObject({ type: 'hello', nextSeq: 2345 });
    expectContiguous(resumed.seqs(), 2345);
    // The resent messages are the very same messages.
    expect(JSON.stringify(resumed.messages.slice(1))).toBe(JSON.stringify(all.slice(2344)));

    const future = await connect(sim);
    future.send({ type: 'subscribe', fromSeq: sim.counters().nextSeq + 10 });
    await future.until('error', () => future.ofType('error').length > 0);
    expect(future.ofType('error')[0]).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers RESEND_UNAVAILABLE for seqs no longer held, and still serves the ones it holds', async () => {
    const sim = await start({ seed: 2, rate: 60_000, messages: 8000, historyMessages: 2000 });
    const deadline = Date.now() + 15_000;
    while (!sim.counters().ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const oldest = sim.counters().oldestSeq!;
    const afterStartOfDay = sim.session.startOfDay.at(-1)!.lastSeq + 1;
    expect(oldest).toBeGreaterThan(afterStartOfDay);
    expect(sim.counters().historyMessages).toBeLessThanOrEqual(2000 + 1000);

    const late = await connect(sim);
    late.send({ type: 'subscribe', fromSeq: afterStartOfDay });
    await late.until('error', () => late.ofType('error').length > 0);
    expect(late.ofType('error')[0]).toMatchObject({ code: 'RESEND_UNAVAILABLE' });
    expect(late.ofType('error')[0]!.message).toContain(String(oldest));
    // The hello before the error names where the server can go on: its live edge.
    expect(late.messages[0]).toMatchObject({ type: 'hello', nextSeq: sim.counters().nextSeq });
    // The same connection can subscribe again from what is held.
    late.send({ type: 'subscribe', fromSeq: oldest });
    await late.until('end', () => late.ofType('end').length > 0);
    expectContiguous(late.seqs(), oldest);
    expect(sim.counters().resendUnavailable).toBe(1);
  });

  it('keeps the start of day all day: a subscribe without fromSeq gets it, then goes on live', async () => {
    const sim = await start({ seed: 4, rate: 50_000, messages: 2_000_000, historyMessages: 5_000 });
    const staticMessages = sim.session.staticMessages;
    const deadline = Date.now() + 15_000;
    while ((sim.counters().oldestSeq ?? 0) < 20_000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(sim.counters().oldestSeq).toBeGreaterThan(20_000); // seq 1 has long left the history

    const late = await connect(sim);
    late.send({ type: 'subscribe' });
    await late.until('live messages', () => late.seqs().length >= staticMessages + 5_000);
    const seqs = late.seqs();
    const jump = seqs.findIndex((seq, i) => i > 0 && seq !== seqs[i - 1]! + 1);
    // The day's static data from seq 1, then one jump to the live edge, then every seq in order.
    expect(jump).toBeGreaterThanOrEqual(staticMessages);
    expectContiguous(seqs.slice(0, jump), 1);
    expect(seqs[jump]).toBeGreaterThan(20_000);
    expectContiguous(seqs.slice(jump), seqs[jump]!);
    const types = new Set(late.messages.slice(1, staticMessages + 1).map((m) => m.type));
    expect([...types].sort()).toEqual(['account', 'instrument', 'position', 'terminal']);
    expect(sim.counters().resendUnavailable).toBe(0);
  });

  it('sends heartbeats at least once a second when idle', async () => {
    const sim = await start({ seed: 1, rate: 0 });
    const client = await connect(sim);
    client.send({ type: 'subscribe' });
    await client.until('hello', () => client.ofType('hello').length > 0);
    const started = Date.now();
    await client.until('3 heartbeats', () => client.ofType('heartbeat').length >= 3, 4000);
    const beats = client.ofType('heartbeat');
    expect(Date.now() - started).toBeLessThan(3000);
    for (let i = 1; i < beats.length; i++) expect(beats[i]!.ts - beats[i - 1]!.ts).toBeLessThanOrEqual(1000);
    expect(client.seqs()).toEqual([]);
  });

  it('answers bad client frames with BAD_REQUEST and keeps serving', async () => {
    const sim = await start({ seed: 1, rate: 50_000, messages: 3000 });
    const client = await connect(sim);
    client.send('not json {');
    client.send({ type: 'unsubscribe' });
    client.send({ type: 'subscribe', fromSeq: -3 });
    client.send({ type: 'subscribe', fromSeq: 1.5 });
    client.send([1, 2, 3]);
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.until('6 errors', () => client.ofType('error').length >= 6);
    expect(client.ofType('error').every((e) => e.code === 'BAD_REQUEST')).toBe(true);
    expect(sim.counters().badRequests).toBe(6);
    client.send({ type: 'subscribe', fromSeq: 1 });
    await client.until('end', () => client.ofType('end').length > 0);
    expectContiguous(client.seqs(), 1);
    // An oversized frame closes that client only.
    const rude = await connect(sim);
    rude.send({ type: 'subscribe', padding: 'x'.repeat(100_000) });
    await rude.until('close', () => rude.closed);
    const polite = await connect(sim);
    polite.send({ type: 'subscribe', fromSeq: 2990 });
    await polite.until('end', () => polite.ofType('end').length > 0);
  });

  it('skips an unfillable gap when asked (test hook) and reports it as RESEND_UNAVAILABLE', async () => {
    const sim = await start({ seed: 3, rate: 100_000, messages: 4000, unfillableGap: { afterSeq: 1000, length: 50 } });
    const client = await connect(sim);
    client.send({ type: 'subscribe' });
    await client.until('end', () => client.ofType('end').length > 0);
    const seqs = client.seqs();
    const at = seqs.indexOf(1000);
    expect(seqs[at + 1]).toBe(1051);
    expectContiguous(seqs.slice(0, at + 1), 1);
    expectContiguous(seqs.slice(at + 1), 1051);

    const gap = await connect(sim);
    gap.send({ type: 'subscribe', fromSeq: 1001 });
    await gap.until('error', () => gap.ofType('error').length > 0);
    expect(gap.ofType('error')[0]).toMatchObject({ code: 'RESEND_UNAVAILABLE' });
    gap.send({ type: 'subscribe', fromSeq: 1051 });
    await gap.until('end', () => gap.ofType('end').length > 0);
    expectContiguous(gap.seqs(), 1051);
  });

  it('continues the same session after stop() and a restart on the same port', async () => {
    const first = await start({ seed: 9, rate: 20_000, messages: 400_000 });
    const client = await connect(first);
    client.send({ type: 'subscribe' });
    await client.until('some messages', () => client.seqs().length >= 3000);
    await first.stop();
    await client.until('close', () => client.closed);
    const lastSeq = Math.max(...client.seqs());

    const second = await start({ port: first.port, resumeFrom: first.session });
    expect(second.port).toBe(first.port);
    const again = await connect(second);
    again.send({ type: 'subscribe', fromSeq: lastSeq + 1 });
    await again.until('more messages', () => again.seqs().length >= 3000);
    expect(again.messages[0]).toMatchObject({
      type: 'hello',
      sessionId: first.session.sessionId,
      nextSeq: lastSeq + 1,
    });
    expectContiguous(again.seqs(), lastSeq + 1);
  });

  it('drops a client that stops reading once it is too far behind, without holding its backlog', async () => {
    const sim = await start({
      seed: 1,
      rate: 30_000,
      messages: 2_000_000,
      maxLagMessages: 5_000,
      highWaterBytes: 64 * 1024,
    });
    // A raw client (no decoding): it only needs to notice the SLOW_CONSUMER error and the close.
    const ws = new WebSocket(sim.url);
    await once(ws, 'open');
    let sawError = false;
    let frames = 0;
    ws.on('message', (data) => {
      frames++;
      if (!sawError && data.toString().includes('"code":"SLOW_CONSUMER"')) sawError = true;
    });
    const closed = once(ws, 'close');
    ws.send(JSON.stringify({ type: 'subscribe' }));
    while (frames === 0) await new Promise((r) => setTimeout(r, 10));
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const deadline = Date.now() + 20_000;
    while (sim.counters().slowConsumersDropped === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(sim.counters().slowConsumersDropped).toBe(1);
    expect(sim.counters().clients).toBe(0);
    socket.resume();
    await closed;
    expect(sawError).toBe(true);
  }, 40_000);

  it('writes injected ground truth to the truth file, not to the feed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fw-sim-'));
    try {
      const truthFile = path.join(dir, 'truth.ndjson');
      const sim = await start({
        seed: 5,
        rate: 500_000,
        messages: 60_000,
        scenarios: ['self_trade', 'order_burst'],
        truthFile,
      });
      const client = await connect(sim);
      client.send({ type: 'subscribe' });
      await client.until('end', () => client.ofType('end').length > 0, 25_000);
      const truth = readFileSync(truthFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(truth.map((t) => t.rule).sort()).toEqual(['order_burst', 'self_trade', 'self_trade']);
      const bySeq = new Map(client.messages.flatMap((m) => ('seq' in m ? [[m.seq, m] as const] : [])));
      for (const t of truth.filter((r) => r.rule === 'self_trade')) expect(bySeq.get(t.firstSeq)?.type).toBe('trade');
      expect(client.messages.some((m) => 'rule' in m)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('says clearly when the port is taken', async () => {
    const sim = await start({ seed: 1, rate: 0 });
    await expect(startSimulatorServer({ host: '127.0.0.1', port: sim.port, rate: 0 })).rejects.toThrow(
      /already in use/,
    );
  });
});

describe('simulator worker', () => {
  it('starts from workerData, reports its URL, serves, and stops on request', async () => {
    const worker = startWorker('simulator', { host: '127.0.0.1', port: 0, seed: 2, rate: 2000, scenarios: 'none' });
    try {
      const [listening] = (await once(worker, 'message')) as [{ type: string; url: string; port: number }];
      expect(listening.type).toBe('listening');
      expect(listening.url).toBe(`ws://127.0.0.1:${listening.port}`);
      const client = await TestClient.connect(listening.url);
      clients.push(client);
      client.send({ type: 'subscribe' });
      await client.until('messages', () => client.seqs().length > 10);
      worker.postMessage({ type: 'stop' });
      const [stopped] = (await once(worker, 'message')) as [{ type: string }];
      expect(stopped.type).toBe('stopped');
      const [code] = (await once(worker, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      await worker.terminate();
    }
  }, 30_000);

  it('sizes its floor from the environment, as the host and the app start it', async () => {
    const saved = { accounts: process.env[SIM_ACCOUNTS_ENV], instruments: process.env[SIM_INSTRUMENTS_ENV] };
    process.env[SIM_ACCOUNTS_ENV] = '2000';
    process.env[SIM_INSTRUMENTS_ENV] = 'all';
    // At 500 msg/s the ~5,000 messages of static data would take 10 s; they go out at once, as a gateway sends them.
    const worker = startWorker('simulator', { host: '127.0.0.1', port: 0, seed: 3, rate: 500 });
    try {
      const [listening] = (await once(worker, 'message')) as [{ type: string; url: string }];
      expect(listening.type).toBe('listening');
      const client = await TestClient.connect(listening.url);
      clients.push(client);
      client.send({ type: 'subscribe' });
      await client.until('the static data', () => client.ofType('phase').length > 0, 6_000);
      expect(client.ofType('instrument')).toHaveLength(futuresUniverse().length);
      expect(client.ofType('account')).toHaveLength(2000);
      worker.postMessage({ type: 'stop' });
      await once(worker, 'exit');
    } finally {
      for (const [name, value] of [
        [SIM_ACCOUNTS_ENV, saved.accounts],
        [SIM_INSTRUMENTS_ENV, saved.instruments],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await worker.terminate();
    }
  }, 30_000);

  it('reports a bad floor size in the environment as an error message', async () => {
    const saved = process.env[SIM_ACCOUNTS_ENV];
    process.env[SIM_ACCOUNTS_ENV] = '12';
    const worker = startWorker('simulator', { port: 0 });
    try {
      const [event] = (await once(worker, 'message')) as [{ type: string; message: string }];
      expect(event.type).toBe('error');
      expect(event.message).toMatch(/accounts must be a whole number from 50/);
    } finally {
      if (saved === undefined) delete process.env[SIM_ACCOUNTS_ENV];
      else process.env[SIM_ACCOUNTS_ENV] = saved;
      await worker.terminate();
    }
  }, 30_000);

  it('reports a start failure as an error message', async () => {
    const worker = startWorker('simulator', { port: 0, scenarios: 'bogus' });
    try {
      const [event] = (await once(worker, 'message')) as [{ type: string; message: string }];
      expect(event.type).toBe('error');
      expect(event.message).toMatch(/unknown scenario "bogus"/);
    } finally {
      await worker.terminate();
    }
  }, 30_000);
});
