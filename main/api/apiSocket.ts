// One API connection over the host's (or the team server's) WebSocket, as a window or a workstation holds it: calls
// with their replies, and the topic updates that arrive (as whole rows: patches merged as a window's client does).
import WebSocket from 'ws';
import { PatchedTopic } from '../../shared/api/bridgeClient';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { BridgeReply, ServerLinkState } from '../../shared/api/wire';

type CallReply = Extract<BridgeReply, { kind: 'result' }>;

export class ApiSocket {
  private nextId = 1;
  readonly updates: TopicUpdate[] = [];
  /** What a workstation of a team server said about its link to the server, in order. */
  readonly links: { state: ServerLinkState; detail: string }[] = [];
  private readonly waiting = new Map<number, (reply: CallReply) => void>();
  private readonly patched = new Map<TopicName, PatchedTopic>();
  private readonly listeners: ((update: TopicUpdate, receivedAt: number) => void)[] = [];

  private constructor(
    private readonly ws: WebSocket,
    private readonly keepUpdates: boolean,
  ) {
    ws.on('message', (data) => {
      const receivedAt = Date.now();
      const reply = JSON.parse(String(data)) as BridgeReply;
      if (reply.kind === 'topic') {
        const topic = reply.update.topic;
        if (!this.patched.has(topic)) this.patched.set(topic, new PatchedTopic(topic));
        const update = this.patched.get(topic)!.apply(reply.update);
        if (this.keepUpdates) this.updates.push(update);
        for (const listener of this.listeners) listener(update, receivedAt);
      } else if (reply.kind === 'link') this.links.push({ state: reply.state, detail: reply.detail });
      else if (reply.id !== null) this.waiting.get(reply.id)?.(reply);
    });
  }

  /**
   * Connects to `url` (ws://…/api, with its token when the host wants one); `origin` as a page would send it.
   * `keepUpdates: false` (a long-running client) hands updates to onUpdate listeners only, so memory stays flat.
   */
  static open(url: string, origin?: string, options: { keepUpdates?: boolean } = {}): Promise<ApiSocket> {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ApiSocket(ws, options.keepUpdates ?? true)));
      ws.once('error', reject);
    });
  }

  /** Calls `listener` with each topic update (whole rows) and the epoch ms its frame arrived at this socket. */
  onUpdate(listener: (update: TopicUpdate, receivedAt: number) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the value, or rejects with { code, message }. */
  call(method: string, args: unknown = {}): Promise<unknown> {
    const id = this.nextId++;
    const reply = new Promise<CallReply>((resolve) => this.waiting.set(id, resolve));
    this.ws.send(JSON.stringify({ kind: 'call', id, method, args }));
    return reply.then((r) => (r.ok ? r.value : Promise.reject(r.error)));
  }

  subscribe(topic: string): void {
    this.ws.send(JSON.stringify({ kind: 'subscribe', topic }));
  }

  /** The first update (received so far or later) that matches, polled every `pollMs`. */
  async waitFor(match: (update: TopicUpdate) => boolean, timeoutMs = 3000, pollMs = 10): Promise<TopicUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.updates.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no matching topic update in time');
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
