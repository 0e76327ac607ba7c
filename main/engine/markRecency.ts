// Instruments in order of their latest mark change, newest first, each with the stamp of that change. Whoever
// valued something at stamp s finds what moved since by walking from the head while the stamp is newer than s:
// O(instruments moved), however many an account holds. Touching moves a node to the head in O(1).

export interface MarkNode<T> {
  /** Stamp of the node's latest change (0: never changed). */
  markStamp: number;
  newer: T | null;
  older: T | null;
}

export class MarkRecency<T extends MarkNode<T>> {
  /** Changes so far (the newest node's markStamp). */
  stamp = 0;
  newest: T | null = null;

  /** The node's mark (or contract) changed: stamp it and move it to the head. */
  touch(node: T): void {
    node.markStamp = ++this.stamp;
    if (this.newest === node) return;
    if (node.newer) node.newer.older = node.older;
    if (node.older) node.older.newer = node.newer;
    node.newer = null;
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    this.newest = node;
  }

  /** True when at most `limit` nodes changed after stamp `since` (walking them is then no dearer than `limit`). */
  movedWithin(since: number, limit: number): boolean {
    let node = this.newest;
    for (let steps = 0; node !== null && node.markStamp > since; steps++) {
      if (steps === limit) return false;
      node = node.older;
    }
    return true;
  }

  /** Forgets the order (the nodes themselves are dropped by their owner). */
  clear(): void {
    this.stamp = 0;
    this.newest = null;
  }
}
