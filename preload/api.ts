// The window side of the Electron transport, without Electron: calls go through `invoke('floorwatch:call')`, streams
// through the MessagePort main sends on 'floorwatch:port' after the preload asks for it on 'floorwatch:connect'.
// preload/index.ts binds it to the real ipcRenderer; tests bind it to a fake one.
import { ApiError, createBridgeClient } from '../shared/api/bridgeClient';
import type { ApiArgs, ApiErrorShape, ApiMethod, ApiResult, FloorwatchApi } from '../shared/api/contract';
import type { BridgeReply, BridgeRequest, ServerLinkState } from '../shared/api/wire';
import { IPC_CHANNELS } from './ipcChannels';

/** The window's end of the stream channel (a DOM MessagePort in the preload). */
export interface RendererPortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
}

/** The parts of Electron's `ipcRenderer` the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: { ports: readonly RendererPortLike[] }, ...args: unknown[]) => void): unknown;
}

type IpcCallReply = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

/** Builds window.floorwatch and asks main for this window's stream port. */
export function createPreloadApi(ipc: IpcRendererLike): FloorwatchApi & Required<Pick<FloorwatchApi, 'onConnection'>> {
  let port: RendererPortLike | null = null;
  // Subscriptions made before the port arrives wait here, in order.
  const queued: BridgeRequest[] = [];
  let replyHandler: (reply: BridgeReply) => void = () => {};
  const connectionListeners = new Set<(state: ServerLinkState, detail: string) => void>();

  const streams = createBridgeClient({
    send(request) {
      if (port) port.postMessage(request);
      else queued.push(request);
    },
    onReply(handler) {
      replyHandler = handler;
    },
    // A workstation of a team server tells each window's stream how its link to the server is.
    onLink(state, detail) {
      for (const listener of connectionListeners) listener(state, detail);
    },
  });

  ipc.on(IPC_CHANNELS.port, (event) => {
    const received = event.ports[0];
    if (!received) return;
    port = received;
    received.addEventListener('message', (message) => replyHandler(message.data as BridgeReply));
    received.start();
    for (const request of queued.splice(0)) received.postMessage(request);
  });
  ipc.send(IPC_CHANNELS.connect);

  return {
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>> {
      let reply: IpcCallReply;
      try {
        reply = (await ipc.invoke(IPC_CHANNELS.call, method, args)) as IpcCallReply;
      } catch (error) {
        throw new ApiError('unavailable', `the Floorwatch core is not reachable: ${(error as Error).message}`);
      }
      if (reply.ok) return reply.value as ApiResult<M>;
      throw ApiError.from(reply.error);
    },
    subscribe: (topic, listener) => streams.subscribe(topic, listener),
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
