// A client of the host's WebSocket bridge for tests, as a window uses it: sends requests, collects replies.
import WebSocket from 'ws';
import type { TopicUpdate } from '../../../shared/api/contract';
import type { BridgeReply, BridgeRequest } from '../../../shared/api/wire';

/** A bridge client for tests: sends requests, collects replies. */
export class TestBridge {
  readonly replies: BridgeReply[] = [];
  private waiters: Array<() => void> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.replies.push(JSON.parse(data.toString()) as BridgeReply);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, originHeader: string): Promise<TestBridge> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { Origin: originHeader } });
      const bridge = new TestBridge(ws);
      ws.once('open', () => resolve(bridge));
      ws.once('error', reject);
    });
  }

  send(request: BridgeRequest | string): void {
    this.ws.send(typeof request === 'string' ? request : JSON.stringify(request));
  }

  async next<R extends BridgeReply>(match: (reply: BridgeReply) => reply is R, timeoutMs = 3000): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.replies.findIndex(match);
      if (index >= 0) return this.replies.splice(index, 1)[0] as R;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching bridge reply in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async call(id: number, method: string, args: unknown) {
    this.send({ kind: 'call', id, method, args });
    return this.next((r): r is Extract<BridgeReply, { kind: 'result' }> => r.kind === 'result' && r.id === id);
  }

  topic<T extends TopicUpdate['topic']>(topic: T) {
    return this.next(
      (r): r is { kind: 'topic'; update: TopicUpdate<T> } => r.kind === 'topic' && r.update.topic === topic,
    ).then((r) => r.update);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
