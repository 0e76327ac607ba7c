// Writes to an asynchronous store, one at a time in the order they were asked for: each checks the state the write
// before it left (an operator's move is validated against what is durable, never against a write still in flight).
export class WriteQueue {
  private last: Promise<unknown> = Promise.resolve();

  /** Runs `work` after every write queued before it; a failed write does not stop the ones after it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.last.then(work, work);
    this.last = next.catch(() => {});
    return next;
  }

  /** Resolves when every write queued so far has finished (succeeded or failed). */
  async idle(): Promise<void> {
    await this.last;
  }
}
