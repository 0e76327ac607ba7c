// One list of API contract cases, run against both transports:
//  - host: a real WebSocket on 127.0.0.1 through the headless host (startHost → serveBridge),
//  - electron: the real ElectronApiTransport and the real preload API, joined by a fake ipcMain/ipcRenderer pair
//    and real MessageChannels from node:worker_threads standing in for MessageChannelMain.
// The core is faked by a TopicHub the tests publish into, so every case is fast and deterministic.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBackend, type ReviewWorkspaces, type CoreHandle } from '../../main/api/backend';
import { TopicHub } from '../../main/api/topicHub';
import { IPC_CHANNELS as MAIN_CHANNELS } from '../../main/electron/ipcChannels';
import {
  ElectronApiTransport,
  type IpcEventLike,
  type IpcMainLike,
  type MainPortLike,
  type SenderFrameLike,
  type SenderLike,
  type TransportLogEntry,
} from '../../main/electron/ipcTransport';
import { trustedFrameMatcher } from '../../main/electron/trustedPages';
import { hostWindowOpener, startHost, type HostHandle } from '../../main/host/server';
import { TeamServerLink } from '../../main/api/teamServerLink';
import { createPreloadApi, type IpcRendererLike } from '../../preload/api';
import { IPC_CHANNELS as PRELOAD_CHANNELS } from '../../preload/ipcChannels';
import { createBridgeClient } from '../../shared/api/bridgeClient';
import { testGate, type TestGate } from '../support/testGate';
import { ApiFailure } from '../../main/api/dispatcher';
import {
  AppInfoSchema,
  type FloorwatchApi,
  type TopicName,
  type TopicUpdate,
  type WindowKind,
} from '../../shared/api/contract';
import type { BridgeReply, ServerLinkState } from '../../shared/api/wire';
import type { MarketRow } from '../../shared/domain/types';

// ---------------------------------------------------------------------------------------------------- fixtures

class FakeCore implements CoreHandle {
  readonly hub = new TopicHub();
  readonly feedUrl = 'ws://127.0.0.1:9001/';
  readonly simulatorRunning = true;
  readonly mode = 'live' as const;
  reconnects = 0;
  /** While set, reconnect() waits for it (a call the core takes its time over). */
  reconnectHeld: Promise<void> | null = null;

  async reconnect(): Promise<void> {
    this.reconnects++;
    await this.reconnectHeld;
  }

  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    return this.hub.subscribe(topic, listener);
  }
}

function marketRow(instrumentId: string, last: number, seq: number): MarketRow {
  return {
    instrumentId,
    exchange: 'SHFE',
    product: instrumentId.replace(/\d+$/, ''),
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.1,
    preSettlement: 3500,
    upperLimit: 3850,
    lowerLimit: 3150,
    positionLimit: null,
    maxOrderQty: null,
    phase: 'continuous',
    last,
    change: last - 3500,
    changePct: (last - 3500) / 3500,
    bid: last - 1,
    bidQty: 5,
    ask: last + 1,
    askQty: 7,
    volume: seq * 10,
    openInterest: 1000,
    quoteTs: 1_700_000_000_000 + seq,
    seq,
  };
}

function publishMarket(core: FakeCore, snapshot: boolean, rows: MarketRow[]): void {
  const now = Date.now();
  core.hub.publish({ topic: 'market', snapshot, rows, removed: [], at: now, sourceTs: now });
}

interface Harness {
  transport: 'host' | 'electron';
  api: FloorwatchApi;
  core: FakeCore;
  gate: TestGate;
  close(): Promise<void>;
}

/** Resolves with the first update on `topic` that matches, or fails after `ms`. */
function nextUpdate<T extends TopicName>(
  api: FloorwatchApi,
  topic: T,
  matches: (update: TopicUpdate<T>) => boolean = () => true,
  ms = 3000,
): Promise<TopicUpdate<T>> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | null = null;
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      unsubscribe?.();
      reject(new Error(`no matching ${topic} update within ${ms} ms`));
    }, ms);
    unsubscribe = api.subscribe(topic, (update) => {
      if (done || !matches(update)) return;
      done = true;
      clearTimeout(timer);
      // Unsubscribing inside the listener is fine; defer so the subscription exists when we do.
      queueMicrotask(() => unsubscribe?.());
      resolve(update);
    });
  });
}

/**
 * A barrier on the stream channel: subscribing to `topic` and receiving its snapshot proves that everything sent
 * earlier on the same channel (both directions) has been handled, because each transport keeps order.
 */
async function streamBarrier(api: FloorwatchApi, topic: TopicName): Promise<void> {
  await nextUpdate(api, topic, (update) => update.snapshot);
}

// ------------------------------------------------------------------------------------------- host transport

async function openHost(): Promise<Harness> {
  const core = new FakeCore();
  const gate = testGate();
  const staticDir = await mkdtemp(path.join(os.tmpdir(), 'fw-contract-'));
  const host = await startHost({
    core,
    access: { gate }, // these tests are about the transports, not login
    staticDir,
    port: 0,
    version: '0.0.0-test',
    log: () => {},
  });
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(host.token)}`, {
    origin: host.origin,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const api = createBridgeClient({
    send: (request) => socket.send(JSON.stringify(request)),
    onReply: (handler) => socket.on('message', (data) => handler(JSON.parse(data.toString()) as BridgeReply)),
  });
  return {
    transport: 'host',
    api,
    core,
    gate,
    async close() {
      socket.close();
      await host.stop();
      await rm(staticDir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ a workstation of a team server (forwarding)

/**
 * The team server as `floorwatch server` serves it (startHost without the token) and a workstation's host in front
 * of it that forwards every window's calls and topics through a TeamServerLink; the window talks to the workstation.
 */
async function openTeamWorkstation(): Promise<
  Harness & {
    server: HostHandle;
    staticDir: string;
    links: { state: ServerLinkState; detail: string }[];
    socket: WebSocket;
  }
> {
  const core = new FakeCore();
  const gate = testGate();
  const staticDir = await mkdtemp(path.join(os.tmpdir(), 'fw-contract-team-'));
  const startServer = (port: number) =>
    startHost({ core, access: { gate }, staticDir, port, version: '0.0.0-test', log: () => {}, apiLogin: true });
  const server = await startServer(0);
  let link: TeamServerLink | null = null;
  const workstation = await startHost({
    staticDir,
    port: 0,
    version: '0.0.0-test',
    log: () => {},
    remote: (pageUrl) =>
      (link = new TeamServerLink({
        url: `http://127.0.0.1:${server.port}`,
        openWindow: hostWindowOpener(pageUrl, () => null),
        backoff: { initialMs: 20, maxMs: 100 },
      })),
  });
  const socket = new WebSocket(
    `ws://127.0.0.1:${workstation.port}/api?token=${encodeURIComponent(workstation.token)}`,
    { origin: workstation.origin },
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const links: { state: ServerLinkState; detail: string }[] = [];
  const api = createBridgeClient({
    send: (request) => socket.send(JSON.stringify(request)),
    onReply: (handler) => socket.on('message', (data) => handler(JSON.parse(data.toString()) as BridgeReply)),
    onLink: (state, detail) => links.push({ state, detail }),
  });
  return {
    transport: 'host',
    api,
    core,
    gate,
    server,
    staticDir,
    links,
    socket,
    async close() {
      socket.close();
      await workstation.stop();
      link?.stop();
      await server.stop();
      await rm(staticDir, { recursive: true, force: true });
    },
  };
}

// --------------------------------------------------------------------------------------- electron transport

type Listener = (event: IpcEventLike, ...args: unknown[]) => unknown;

/** ipcMain as far as the transport uses it: handle/removeHandler for invoke, on/removeListener for send. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  readonly listeners = new Map<string, Set<Listener>>();

  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Listener): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }
  removeListener(channel: string, listener: Listener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
}

/** Electron's MessagePortMain emits { data } events; a Node MessagePort emits the data itself. */
function mainPort(port: MessagePort): MainPortLike {
  return {
    on(event: 'message' | 'close', listener: ((event: { data: unknown }) => void) | (() => void)) {
      if (event === 'message')
        port.on('message', (data: unknown) => (listener as (e: { data: unknown }) => void)({ data }));
      else port.on('close', listener as () => void);
      return this;
    },
    postMessage: (message) => port.postMessage(message),
    start: () => port.start(),
    close: () => port.close(),
  } as MainPortLike;
}

const RENDERER_INDEX = path.join(os.tmpdir(), 'floorwatch-contract', 'dist', 'renderer', 'index.html');
const OUR_PAGE = `${pathToFileURL(RENDERER_INDEX).href}?window=marketWatch`;

/** One renderer: a WebContents with its frame on the main side, and the preload's ipcRenderer on the window side. */
class FakeWindow {
  private static nextId = 1;
  readonly id = FakeWindow.nextId++;
  readonly frame: { url: string; parent: SenderFrameLike | null };
  private readonly rendererListeners = new Map<
    string,
    Set<(event: { ports: MessagePort[] }, ...a: unknown[]) => void>
  >();
  private readonly destroyedListeners: Array<() => void> = [];
  destroyed = false;
  readonly receivedPorts: MessagePort[] = [];
  /** While set, ports main sends wait here (a slow window load) until releasePorts(). */
  heldPorts: Array<() => void> | null = null;

  constructor(
    private readonly ipcMain: FakeIpcMain,
    url: string,
    parent: SenderFrameLike | null = null,
  ) {
    this.frame = { url, parent };
  }

  /** The WebContents as main sees it. */
  readonly sender: SenderLike = {
    id: this.id,
    postMessage: (channel: string, _message: unknown, transfer?: unknown[]) => {
      const ports = (transfer ?? []) as unknown as MessagePort[];
      this.receivedPorts.push(...ports);
      const deliver = () => {
        for (const listener of this.rendererListeners.get(channel) ?? []) listener({ ports });
      };
      if (this.heldPorts) this.heldPorts.push(deliver);
      else deliver();
    },
    once: (_event: 'destroyed', listener: () => void) => this.destroyedListeners.push(listener),
    isDestroyed: () => this.destroyed,
  };

  private event(): IpcEventLike {
    return { senderFrame: this.frame, sender: this.sender };
  }

  /** ipcRenderer as the preload sees it; arguments and replies are structured-cloned like real IPC. */
  readonly ipcRenderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = this.ipcMain.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handler(this.event(), ...structuredClone(args)));
    },
    send: (channel, ...args) => {
      for (const listener of this.ipcMain.listeners.get(channel) ?? [])
        listener(this.event(), ...structuredClone(args));
    },
    on: (channel, listener) => {
      let set = this.rendererListeners.get(channel);
      if (!set) this.rendererListeners.set(channel, (set = new Set()));
      set.add(listener as unknown as (event: { ports: MessagePort[] }) => void);
      return this.ipcRenderer;
    },
  };

  releasePorts(): void {
    const held = this.heldPorts ?? [];
    this.heldPorts = null;
    for (const deliver of held) deliver();
  }

  /** A reload: a fresh preload in the same WebContents asks for a new port. */
  reload(): FloorwatchApi {
    this.rendererListeners.clear();
    return createPreloadApi(this.ipcRenderer);
  }

  destroy(): void {
    this.destroyed = true;
    for (const listener of this.destroyedListeners.splice(0)) listener();
  }

  closePorts(): void {
    for (const port of this.receivedPorts) port.close();
  }
}

interface ElectronRig {
  core: FakeCore;
  gate: TestGate;
  ipcMain: FakeIpcMain;
  transport: ElectronApiTransport;
  log: TransportLogEntry[];
  openedWindows: WindowKind[];
  window(
    url?: string,
    parent?: SenderFrameLike | null,
    holdPorts?: boolean,
  ): { api: FloorwatchApi; window: FakeWindow };
  close(): void;
}

/** `reviews`: review workspaces, and a window whose page URL has ?review= is a window of that review. */
function electronRig(workspaces: { reviews?: ReviewWorkspaces } = {}): ElectronRig {
  const core = new FakeCore();
  const ipcMain = new FakeIpcMain();
  const log: TransportLogEntry[] = [];
  const openedWindows: WindowKind[] = [];
  const gate = testGate();
  const { dispatcher } = createBackend({
    core,
    gate, // these tests are about the transports, not login
    transport: 'electron',
    version: '0.0.0-test',
    openWindow: async (kind) => {
      openedWindows.push(kind);
      return { opened: true };
    },
    ...(workspaces.reviews ? { reviews: workspaces.reviews } : {}),
  });
  const transport = new ElectronApiTransport({
    reviewOf: (id) => {
      const url = windows.find((window) => window.id === id)?.frame.url;
      return (url && new URL(url).searchParams.get('review')) || undefined;
    },
    ipcMain,
    createChannel: () => {
      const channel = new MessageChannel();
      return { port1: mainPort(channel.port1), port2: channel.port2 };
    },
    dispatcher,
    isTrustedFrame: trustedFrameMatcher({ files: [RENDERER_INDEX] }),
    log: (entry) => log.push(entry),
  });
  transport.attach();
  const windows: FakeWindow[] = [];
  return {
    core,
    gate,
    ipcMain,
    transport,
    log,
    openedWindows,
    window(url = OUR_PAGE, parent = null, holdPorts = false) {
      const window = new FakeWindow(ipcMain, url, parent);
      if (holdPorts) window.heldPorts = [];
      windows.push(window);
      return { api: createPreloadApi(window.ipcRenderer), window };
    },
    close() {
      transport.detach();
      for (const window of windows) window.closePorts();
    },
  };
}

async function openElectron(): Promise<Harness> {
  const rig = electronRig();
  const { api } = rig.window();
  return {
    transport: 'electron',
    api,
    core: rig.core,
    gate: rig.gate,
    async close() {
      rig.close();
    },
  };
}

// ------------------------------------------------------------------------------------------ the contract cases

const transports: Array<{ name: string; open: () => Promise<Harness> }> = [
  { name: 'host (WebSocket bridge)', open: openHost },
  { name: 'electron (ipcMain.handle + MessagePort)', open: openElectron },
  { name: 'a team server through a workstation (host → TeamServerLink → server)', open: openTeamWorkstation },
];

describe.each(transports)('API contract over $name', ({ open }) => {
  let harness: Harness | null = null;
  const start = async () => (harness = await open());
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('app.info returns the AppInfo shape, naming the transport and the core', async () => {
    const { api, core, transport } = await start();
    const info = await api.call('app.info', {});
    expect(Value.Check(AppInfoSchema, info)).toBe(true);
    expect(info).toMatchObject({
      product: 'Floorwatch',
      transport,
      feedUrl: core.feedUrl,
      simulator: true,
      mode: 'live',
    });
  });

  it('refuses an unknown method with unknown_method', async () => {
    const { api } = await start();
    const call = api.call as (method: string, args: unknown) => Promise<unknown>;
    await expect(call('orders.deleteAll', {})).rejects.toMatchObject({
      code: 'unknown_method',
      message: expect.stringContaining('orders.deleteAll'),
    });
  });

  it('a refusal that says "try again later" reaches the window with its retryAfterMs', async () => {
    const { api, gate } = await start();
    gate.refuseNext = new ApiFailure('forbidden', 'too many failed attempts in this window: try again in 2 s', 1500);
    await expect(api.call('feed.reconnect', {})).rejects.toMatchObject({
      code: 'forbidden',
      retryAfterMs: 1500,
      message: expect.stringContaining('try again in 2 s'),
    });
    const plain = await api.call('no.such' as 'app.info', {}).catch((error: unknown) => error);
    expect(plain).toMatchObject({ code: 'unknown_method' });
    expect((plain as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  });

  it('refuses bad arguments with bad_arguments, naming the field', async () => {
    const { api } = await start();
    const call = api.call as (method: string, args: unknown) => Promise<unknown>;
    await expect(call('link.set', { channel: 'purple', context: null })).rejects.toMatchObject({
      code: 'bad_arguments',
      message: expect.stringContaining('channel'),
    });
    await expect(call('window.open', { kind: 'orders' })).rejects.toMatchObject({
      code: 'bad_arguments',
      message: expect.stringContaining('kind'),
    });
  });

  it('link.set publishes the new link state on the links topic', async () => {
    const { api } = await start();
    const initial = await nextUpdate(api, 'links');
    expect(initial.rows[0]?.red).toEqual({ instrument: null, account: null });
    const changed = nextUpdate(api, 'links', (u) => u.rows[0]?.red.instrument === 'rb2510');
    await expect(
      api.call('link.set', { channel: 'red', context: { type: 'fdc3.instrument', id: { ticker: 'rb2510' } } }),
    ).resolves.toBeNull();
    const update = await changed;
    expect(update.rows[0]?.red).toEqual({ instrument: 'rb2510', account: null });
    expect(update.rows[0]?.blue).toEqual({ instrument: null, account: null });
  });

  it('subscribe delivers a snapshot of the current rows, then deltas', async () => {
    const { api, core } = await start();
    publishMarket(core, true, [marketRow('rb2510', 3510, 1), marketRow('cu2509', 3520, 2)]);
    const updates: TopicUpdate<'market'>[] = [];
    let arrived: () => void = () => {};
    const unsubscribe = api.subscribe('market', (update) => {
      updates.push(update);
      arrived();
    });
    const waitFor = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${updates.length} of ${count} updates arrived`)), 3000);
        arrived = () => {
          if (updates.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        arrived();
      });
    await waitFor(1);
    expect(updates[0]).toMatchObject({ topic: 'market', snapshot: true });
    expect(updates[0]?.rows.map((r) => r.instrumentId).sort()).toEqual(['cu2509', 'rb2510']);

    publishMarket(core, false, [marketRow('rb2510', 3512, 3)]);
    await waitFor(2);
    expect(updates[1]).toMatchObject({ topic: 'market', snapshot: false });
    expect(updates[1]?.rows).toEqual([marketRow('rb2510', 3512, 3)]);
    unsubscribe();
  });

  it('unsubscribe stops deliveries', async () => {
    const { api, core } = await start();
    publishMarket(core, true, [marketRow('rb2510', 3510, 1)]);
    const seen: number[] = [];
    let first: () => void = () => {};
    const snapshot = new Promise<void>((resolve) => (first = resolve));
    const unsubscribe = api.subscribe('market', (update) => {
      seen.push(update.rows[0]?.seq ?? -1);
      first();
    });
    await snapshot;
    publishMarket(core, false, [marketRow('rb2510', 3511, 2)]);
    await streamBarrier(api, 'health');
    expect(seen).toEqual([1, 2]);

    unsubscribe();
    await streamBarrier(api, 'accounts'); // the unsubscribe has reached the main side
    publishMarket(core, false, [marketRow('rb2510', 3512, 3)]);
    await streamBarrier(api, 'positions'); // a delivery of seq 3 would have arrived before this snapshot
    expect(seen).toEqual([1, 2]);
  });
});

// ------------------------------------------------------------------ team-workstation-only parts of the contract

describe('a workstation of a team server when the server goes away', () => {
  let team: Awaited<ReturnType<typeof openTeamWorkstation>> | null = null;
  afterEach(async () => {
    await team?.close();
    team = null;
  });

  it('answers a malformed request on the workstation, as the server would', async () => {
    team = await openTeamWorkstation();
    const { socket } = team;
    const reply = new Promise<BridgeReply>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    socket.send(JSON.stringify({ kind: 'call', id: 42 }));
    expect(await reply).toMatchObject({
      kind: 'result',
      id: 42,
      ok: false,
      error: { code: 'bad_arguments', message: expect.stringContaining('"method"') },
    });
  });

  it('a call whose answer is lost is unconfirmed, the window hears the link, and topics resume after a restart', async () => {
    team = await openTeamWorkstation();
    const { api, core, links } = team;
    publishMarket(core, true, [marketRow('rb2510', 3510, 1)]);
    const snapshots: number[] = [];
    api.subscribe('market', (update) => {
      if (update.snapshot) snapshots.push(update.rows[0]?.seq ?? -1);
    });
    await nextUpdate(api, 'market', (u) => u.snapshot);
    expect(snapshots).toEqual([1]);

    // The server takes the call, then goes away before it answers.
    let release: () => void = () => {};
    core.reconnectHeld = new Promise<void>((resolve) => (release = resolve));
    const inFlight = api.call('feed.reconnect', {}).catch((error: unknown) => error);
    for (let i = 0; core.reconnects === 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    expect(core.reconnects).toBe(1);
    const port = team.server.port;
    const stopping = team.server.stop();
    expect(await inFlight).toMatchObject({
      code: 'unconfirmed',
      message: expect.stringMatching(/^feed\.reconnect could not be confirmed: .*lost before it answered/),
    });
    release();
    await stopping;
    for (let i = 0; !links.some((l) => l.state === 'reconnecting') && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(links.at(-1)).toMatchObject({ state: 'reconnecting', detail: expect.stringContaining('unreachable') });
    // Made while it is unreachable: refused at once, not queued for later.
    await expect(api.call('feed.reconnect', {})).rejects.toMatchObject({
      code: 'unconfirmed',
      message: expect.stringMatching(/not reachable .*not sent; nothing changed/),
    });
    expect(core.reconnects).toBe(1);

    // Back on the same port: the link reconnects and subscribes again; the window gets a fresh snapshot.
    core.reconnectHeld = null;
    publishMarket(core, true, [marketRow('rb2510', 3520, 7)]);
    const restarted = await startHost({
      core,
      access: { gate: team.gate },
      staticDir: team.staticDir,
      port,
      version: '0.0.0-test',
      log: () => {},
      apiLogin: true,
    });
    try {
      for (let i = 0; snapshots.length < 2 && i < 300; i++) await new Promise((r) => setTimeout(r, 10));
      expect(snapshots).toEqual([1, 7]);
      expect(links.at(-1)?.state).toBe('open');
      await expect(api.call('feed.reconnect', {})).resolves.toBeNull();
      expect(core.reconnects).toBe(2);
    } finally {
      await restarted.stop();
    }
  });
});

describe('Electron windows of a workstation on a team server', () => {
  it('their calls and topics go to the server, and the link state reaches window.floorwatch.onConnection', async () => {
    const core = new FakeCore();
    const staticDir = await mkdtemp(path.join(os.tmpdir(), 'fw-contract-team-electron-'));
    const server = await startHost({
      core,
      access: { gate: testGate() },
      staticDir,
      port: 0,
      version: '0.0.0-team',
      log: () => {},
      apiLogin: true,
    });
    const link = new TeamServerLink({
      url: `http://127.0.0.1:${server.port}`,
      openWindow: async () => ({ opened: true }),
      backoff: { initialMs: 20, maxMs: 100 },
    });
    const ipcMain = new FakeIpcMain();
    const transport = new ElectronApiTransport({
      ipcMain,
      createChannel: () => {
        const channel = new MessageChannel();
        return { port1: mainPort(channel.port1), port2: channel.port2 };
      },
      api: link,
      isTrustedFrame: trustedFrameMatcher({ files: [RENDERER_INDEX] }),
    });
    transport.attach();
    const window = new FakeWindow(ipcMain, OUR_PAGE);
    const api = createPreloadApi(window.ipcRenderer);
    const states: ServerLinkState[] = [];
    api.onConnection((state) => states.push(state));
    try {
      // The server answers (its version), and its topics reach the window over the stream port.
      await expect(api.call('app.info', {})).resolves.toMatchObject({ version: '0.0.0-team' });
      publishMarket(core, true, [marketRow('rb2510', 3510, 1)]);
      const snapshot = await nextUpdate(api, 'market', (u) => u.snapshot);
      expect(snapshot.rows.map((row) => row.instrumentId)).toEqual(['rb2510']);
      await server.stop();
      for (let i = 0; !states.includes('reconnecting') && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
      expect(states).toContain('reconnecting');
      await expect(api.call('app.info', {})).rejects.toMatchObject({ code: 'unconfirmed' });
    } finally {
      transport.detach();
      window.closePorts();
      link.stop();
      await server.stop();
      await rm(staticDir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------- electron-only contract parts

describe('Electron transport sender checks', () => {
  let rig: ElectronRig | null = null;
  afterEach(() => {
    rig?.close();
    rig = null;
  });

  it('uses the same channel names in main and preload', () => {
    expect(PRELOAD_CHANNELS).toEqual(MAIN_CHANNELS);
  });

  it('refuses calls and stream ports to a foreign sender frame, and logs them', async () => {
    rig = electronRig();
    const { api, window } = rig.window('https://evil.example/page.html');
    await expect(api.call('app.info', {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(api.call('link.set', { channel: 'red', context: null })).rejects.toMatchObject({ code: 'forbidden' });
    expect(window.receivedPorts).toHaveLength(0); // its connect request was refused too
    expect(rig.transport.openStreams).toBe(0);
    expect(rig.transport.refusedSenders).toBe(3);
    expect(rig.log.filter((e) => e.event === 'sender_refused').map((e) => e.url)).toEqual([
      'https://evil.example/page.html',
      'https://evil.example/page.html',
      'https://evil.example/page.html',
    ]);

    // Meanwhile our own page is served normally.
    const ours = rig.window();
    await expect(ours.api.call('app.info', {})).resolves.toMatchObject({ transport: 'electron' });
    expect(rig.transport.openStreams).toBe(1);
  });

  it('refuses another file, a sub-frame of our page, and a frame that is gone', async () => {
    rig = electronRig();
    const otherFile = `${pathToFileURL(path.join(path.dirname(RENDERER_INDEX), 'other.html')).href}`;
    const probes = [rig.window(otherFile), rig.window(OUR_PAGE, { url: OUR_PAGE, parent: null })];
    for (const { api } of probes) await expect(api.call('app.info', {})).rejects.toMatchObject({ code: 'forbidden' });

    const gone = rig.window();
    const handler = rig.ipcMain.handlers.get(MAIN_CHANNELS.call);
    const reply = await handler?.({ senderFrame: null, sender: gone.window.sender }, 'app.info', {});
    expect(reply).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    expect(rig.log.at(-1)).toMatchObject({ event: 'sender_refused', url: '(frame gone)' });
  });

  it('a refused call never reaches a handler (window.open is not run)', async () => {
    rig = electronRig();
    const { api } = rig.window('file:///tmp/evil.html');
    await expect(api.call('window.open', { kind: 'positions' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(rig.openedWindows).toEqual([]);
    const ours = rig.window();
    await expect(ours.api.call('window.open', { kind: 'positions' })).resolves.toEqual({ opened: true });
    expect(rig.openedWindows).toEqual(['positions']);
  });
});

describe('Electron transport stream lifecycle', () => {
  let rig: ElectronRig | null = null;
  afterEach(() => {
    rig?.close();
    rig = null;
  });

  it('queues subscriptions made before the port arrives and sends them in order', async () => {
    rig = electronRig();
    publishMarket(rig.core, true, [marketRow('rb2510', 3510, 1)]);
    const { api, window } = rig.window(OUR_PAGE, null, true);
    const market = nextUpdate(api, 'market');
    const links = nextUpdate(api, 'links');
    expect(window.receivedPorts).toHaveLength(1); // sent by main, not yet delivered to the preload
    window.releasePorts();
    await expect(market).resolves.toMatchObject({ snapshot: true, rows: [marketRow('rb2510', 3510, 1)] });
    await expect(links).resolves.toMatchObject({ topic: 'links', snapshot: true });
  });

  it('a reload replaces the window stream; destroying the window closes it', async () => {
    rig = electronRig();
    const { api, window } = rig.window();
    await streamBarrier(api, 'market');
    expect(rig.transport.openStreams).toBe(1);

    const reloaded = window.reload();
    await streamBarrier(reloaded, 'market');
    expect(rig.transport.openStreams).toBe(1);
    expect(window.receivedPorts).toHaveLength(2);
    expect(rig.log.filter((e) => e.event === 'stream_closed').map((e) => e.reason)).toEqual(['window reconnected']);

    // The old port was closed by main: the old page's subscriptions get nothing more.
    const oldSeen: number[] = [];
    api.subscribe('market', (u) => oldSeen.push(u.rows.length));
    publishMarket(rig.core, false, [marketRow('rb2510', 3511, 2)]);
    await streamBarrier(reloaded, 'health');
    expect(oldSeen).toEqual([]);

    window.destroy();
    expect(rig.transport.openStreams).toBe(0);
    expect(rig.log.at(-1)).toMatchObject({ event: 'stream_closed', reason: 'window destroyed' });
  });

  it('drops API calls sent over the stream port (calls go through the sender-checked invoke)', async () => {
    rig = electronRig();
    const { api, window } = rig.window();
    await streamBarrier(api, 'links');
    const port = window.receivedPorts[0] as MessagePort;
    const replies: unknown[] = [];
    port.on('message', (reply: unknown) => replies.push(reply));
    port.postMessage({ kind: 'call', id: 99, method: 'link.set', args: { channel: 'red', context: null } });
    await streamBarrier(api, 'health');
    expect(replies.filter((r) => (r as BridgeReply).kind === 'result')).toEqual([]);
    expect(rig.log.some((e) => e.event === 'port_call_dropped')).toBe(true);
  });

  it("a review window's calls and topics are its review's; live windows keep the live core", async () => {
    const reviewCore = new FakeCore();
    const joined: string[] = [];
    const left: string[] = [];
    const reviews: ReviewWorkspaces = {
      reviewTopic: (id, topic) => (id === 'R1' && topic === 'market' ? reviewCore : null),
      reviewFile: (id) => (id === 'R1' ? '/sessions/day.fwsession' : null),
      join: (caller) => joined.push(`${caller.connectionId}:${caller.review ?? 'live'}`),
      leave: (caller) => left.push(`${caller.connectionId}:${caller.review ?? 'live'}`),
    };
    rig = electronRig({ reviews });
    publishMarket(rig.core, true, [marketRow('LIVE1', 3500, 1)]);
    publishMarket(reviewCore, true, [marketRow('rb2510', 3510, 1)]);
    const live = rig.window();
    const review = rig.window(`${OUR_PAGE}&review=R1`);
    await expect(nextUpdate(live.api, 'market')).resolves.toMatchObject({ rows: [{ instrumentId: 'LIVE1' }] });
    await expect(nextUpdate(review.api, 'market')).resolves.toMatchObject({ rows: [{ instrumentId: 'rb2510' }] });
    expect(await review.api.call('app.info', {})).toMatchObject({ mode: 'review', reviewId: 'R1' });
    expect(await live.api.call('app.info', {})).toMatchObject({ mode: 'live' });
    expect(joined).toEqual([`window-${live.window.id}:live`, `window-${review.window.id}:R1`]);
    review.window.destroy();
    expect(left).toEqual([`window-${review.window.id}:R1`]);
  });

  it('detach removes the handlers and closes every stream', async () => {
    rig = electronRig();
    const first = rig.window();
    const second = rig.window();
    await streamBarrier(first.api, 'links');
    await streamBarrier(second.api, 'links');
    expect(rig.transport.openStreams).toBe(2);
    rig.transport.detach();
    expect(rig.transport.openStreams).toBe(0);
    expect(rig.ipcMain.handlers.size).toBe(0);
    expect([...rig.ipcMain.listeners.values()].every((set) => set.size === 0)).toBe(true);
    await expect(first.api.call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});
