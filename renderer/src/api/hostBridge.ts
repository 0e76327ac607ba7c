// The browser half of the headless host's API bridge: a WebSocket to /api on the page's own origin, wrapped by the
// shared bridge client. It reconnects with capped, jittered backoff and re-subscribes every topic, so each store
// starts again from a fresh snapshot after the link comes back. When the host is a workstation of a team server, the
// host's own link to the server is shown the same way (it reconnects and re-subscribes for this window).
import { createBridgeClient, type BridgeClient } from '../../../shared/api/bridgeClient';
import type { BridgeReply, BridgeRequest, ServerLinkState } from '../../../shared/api/wire';

/** The window's link to the main side (the same states as a workstation's link to its team server). */
export type BridgeLinkState = ServerLinkState;

export interface HostBridgeOptions {
  /** ws://host:port/api (with ?token= when the page was opened with one). */
  url: string;
  onState(state: BridgeLinkState, detail: string): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** Failed attempts in a row after which the link is shown as down (it keeps retrying). */
const DOWN_AFTER_FAILURES = 4;
/** Calls made while the socket is still opening wait this long at most. */
const MAX_QUEUED_CALLS = 200;

export interface HostBridge {
  api: BridgeClient;
  /** Closes the socket for good (window unload). */
  close(): void;
}

export function connectHostBridge(options: HostBridgeOptions): HostBridge {
  let socket: WebSocket | null = null;
  let replyHandler: (reply: BridgeReply) => void = () => {};
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closedForGood = false;
  const queuedCalls: string[] = [];

  const api = createBridgeClient({
    send(request: BridgeRequest) {
      const text = JSON.stringify(request);
      if (socket?.readyState === WebSocket.OPEN) {
        socket.send(text);
      } else if (request.kind === 'call') {
        if (queuedCalls.length >= MAX_QUEUED_CALLS) throw new Error('too many calls waiting for the host');
        queuedCalls.push(text);
      }
      // (Un)subscriptions while closed are not queued: resubscribe() sends the current set once the socket opens.
    },
    onReply(handler) {
      replyHandler = handler;
    },
    // A workstation of a team server: its link to the server is what this window shows as its connection.
    onLink(state, detail) {
      options.onState(state, detail);
    },
  });

  const scheduleRetry = () => {
    if (closedForGood) return;
    failures++;
    const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    options.onState(
      failures >= DOWN_AFTER_FAILURES ? 'down' : 'reconnecting',
      `host unreachable; retry ${failures} in ${(delay / 1000).toFixed(1)} s`,
    );
    retryTimer = setTimeout(open, delay);
  };

  function open() {
    retryTimer = null;
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      options.onState('open', 'connected to the host');
      for (const text of queuedCalls.splice(0)) ws.send(text);
      api.resubscribe();
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let reply: BridgeReply;
      try {
        reply = JSON.parse(event.data) as BridgeReply;
      } catch {
        return;
      }
      replyHandler(reply);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      queuedCalls.length = 0;
      api.failPending('could not be confirmed: the connection to the Floorwatch host was lost before it answered');
      scheduleRetry();
    };
  }

  options.onState('connecting', 'connecting to the host');
  open();

  return {
    api,
    close() {
      closedForGood = true;
      if (retryTimer) clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'window closed');
    },
  };
}
