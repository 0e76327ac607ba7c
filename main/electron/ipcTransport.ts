// The Electron transport of the API contract. Calls arrive through `ipcMain.handle('floorwatch:call')`, one sender
// check per call; streams (subscribe/unsubscribe/topic) flow over one MessagePort per window, served by the same
// `serveBridge` as the host's WebSocket (on a workstation of a team server: by the link to the server). Electron
// itself is injected (ipcMain-like object, port factory), so this module runs in plain Node tests: it imports
// nothing from 'electron' but types.
import {
  errorShape,
  localWindowApi,
  type ApiDispatcher,
  type CallerContext,
  type WindowApi,
  type WindowBridge,
} from '../api/dispatcher';
import type { ApiErrorShape } from '../../shared/api/contract';
import type { BridgeReply } from '../../shared/api/wire';
import { IPC_CHANNELS } from './ipcChannels';

/** What the transport reads of the frame that sent a message (Electron's WebFrameMain). */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** What the transport uses of the sending WebContents. */
export interface SenderLike {
  readonly id: number;
  postMessage(channel: string, message: unknown, transfer?: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
  isDestroyed(): boolean;
}

/** An IPC event as Electron's IpcMainEvent / IpcMainInvokeEvent delivers it. */
export interface IpcEventLike {
  readonly senderFrame: SenderFrameLike | null;
  readonly sender: SenderLike;
}

/** The parts of Electron's `ipcMain` the transport uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
}

/** The main side's end of a MessageChannelMain. */
export interface MainPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** Makes a channel: the transport keeps port1 and transfers port2 to the window. */
export type PortChannelFactory = () => { port1: MainPortLike; port2: unknown };

/** The reply of `floorwatch:call`; errors travel as values because Electron strips everything but the message. */
export type IpcCallReply = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

export interface TransportLogEntry {
  event: 'sender_refused' | 'stream_opened' | 'stream_closed' | 'port_call_dropped';
  channel?: string;
  url?: string;
  webContentsId?: number;
  reason?: string;
}

export type ElectronTransportOptions = ElectronTransportBase &
  (
    | { dispatcher: ApiDispatcher; api?: undefined }
    /** The windows served by a team server (main/api/teamServerLink.ts) instead of a local dispatcher. */
    | { api: WindowApi; dispatcher?: undefined }
  );

export interface ElectronTransportBase {
  ipcMain: IpcMainLike;
  createChannel: PortChannelFactory;
  /** True only for our own pages (see trustedPages.ts). */
  isTrustedFrame: (frame: SenderFrameLike) => boolean;
  /** The review workspace a window was opened for (main.ts keeps the map); undefined: a live window. */
  reviewOf?: (webContentsId: number) => string | undefined;
  log?: (entry: TransportLogEntry) => void;
}

interface WindowStream {
  port: MainPortLike;
  bridge: WindowBridge;
}

export class ElectronApiTransport {
  /** Messages refused because their sender is not one of our pages. */
  refusedSenders = 0;
  private readonly streams = new Map<number, WindowStream>();
  private readonly watchedSenders = new Set<number>();
  private attached = false;
  private readonly log: (entry: TransportLogEntry) => void;

  private readonly api: WindowApi;

  constructor(private readonly options: ElectronTransportOptions) {
    this.log = options.log ?? (() => {});
    this.api = options.api ?? localWindowApi(options.dispatcher);
  }

  /** Registers the IPC handlers. Call once, before the first window loads. */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.options.ipcMain.handle(IPC_CHANNELS.call, this.onCall);
    this.options.ipcMain.on(IPC_CHANNELS.connect, this.onConnect);
  }

  /** Removes the handlers and closes every window's stream. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.options.ipcMain.removeHandler(IPC_CHANNELS.call);
    this.options.ipcMain.removeListener(IPC_CHANNELS.connect, this.onConnect);
    for (const id of [...this.streams.keys()]) this.closeStream(id, 'transport detached');
  }

  /** Number of windows with an open stream port. */
  get openStreams(): number {
    return this.streams.size;
  }

  private readonly onCall = async (event: IpcEventLike, method?: unknown, args?: unknown): Promise<IpcCallReply> => {
    if (!this.checkSender(event, IPC_CHANNELS.call)) {
      return { ok: false, error: { code: 'forbidden', message: 'this page may not use the Floorwatch API' } };
    }
    try {
      const value = await this.api.call(String(method), args, this.callerOf(event.sender));
      return { ok: true, value: value ?? null };
    } catch (error) {
      return { ok: false, error: errorShape(error) };
    }
  };

  /** A window's preload asks for its stream port (at load, and again after a reload). */
  private readonly onConnect = (event: IpcEventLike): void => {
    if (!this.checkSender(event, IPC_CHANNELS.connect)) return;
    const sender = event.sender;
    // A reload gives the window a new preload; the port of the old page is closed first.
    this.closeStream(sender.id, 'window reconnected');
    const { port1, port2 } = this.options.createChannel();
    const bridge = this.api.serveWindow(this.callerOf(sender), (reply: BridgeReply) => port1.postMessage(reply));
    port1.on('message', (message) => {
      const request = message.data as { kind?: unknown } | null;
      // Calls go through ipcMain.handle only, where each one is checked against its sender frame.
      if (request !== null && typeof request === 'object' && request.kind === 'call') {
        this.log({ event: 'port_call_dropped', webContentsId: sender.id, reason: 'calls use floorwatch:call' });
        return;
      }
      bridge.handle(request);
    });
    port1.on('close', () => this.closeStream(sender.id, 'port closed', port1));
    port1.start();
    this.streams.set(sender.id, { port: port1, bridge });
    if (!this.watchedSenders.has(sender.id)) {
      this.watchedSenders.add(sender.id);
      sender.once('destroyed', () => {
        this.watchedSenders.delete(sender.id);
        this.closeStream(sender.id, 'window destroyed');
      });
    }
    sender.postMessage(IPC_CHANNELS.port, null, [port2]);
    this.log({ event: 'stream_opened', webContentsId: sender.id });
  };

  /** No remoteAddress: only this machine's desktop reaches IPC, and auth counts it as local (see loginThrottle.ts). */
  private callerOf(sender: SenderLike): CallerContext {
    const review = this.options.reviewOf?.(sender.id);
    return { transport: 'electron', connectionId: `window-${sender.id}`, ...(review !== undefined ? { review } : {}) };
  }

  private checkSender(event: IpcEventLike, channel: string): boolean {
    const frame = event.senderFrame;
    if (frame && this.options.isTrustedFrame(frame)) return true;
    this.refusedSenders++;
    this.log({
      event: 'sender_refused',
      channel,
      url: frame ? frame.url.slice(0, 200) : '(frame gone)',
      webContentsId: event.sender.id,
    });
    return false;
  }

  /** Closes a window's stream; `onlyPort` ignores a late close event of a port already replaced. */
  private closeStream(webContentsId: number, reason: string, onlyPort?: MainPortLike): void {
    const stream = this.streams.get(webContentsId);
    if (!stream || (onlyPort && stream.port !== onlyPort)) return;
    this.streams.delete(webContentsId);
    stream.bridge.close();
    stream.port.close();
    this.log({ event: 'stream_closed', webContentsId, reason });
  }
}
