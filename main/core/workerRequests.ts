// Request/reply bookkeeping over a worker thread: numbered requests, a timeout each, replies settled by id, and every
// outstanding request failed at once when the worker goes away. CoreProcess and ReviewCore both talk this way.
import type { Worker } from 'node:worker_threads';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export class WorkerRequests {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** Posts `build(id)` to `worker`; rejects with "`label` timed out after N ms" when no reply comes in time. */
  send(worker: Worker, build: (id: number) => unknown, timeoutMs: number, label: string): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${label} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage(build(id));
    });
  }

  /** Settles the request a reply answers; a reply to an unknown (timed-out) request is ignored. */
  settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(reply.error));
  }

  /** Fails every outstanding request with `message` (the worker stopped or died). */
  rejectAll(message: string): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(message));
    }
    this.pending.clear();
  }
}
