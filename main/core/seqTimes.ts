// Source ts of every sequenced message of the session, by seq, so an alert raised long after its first counted
// message still gets that message's time (AlertRow.firstTs). 4 bytes a message (ms offsets from the session's first
// ts, exact for ±24 days), in chunks allocated as seqs arrive; seqs past MAX_SEQ are not kept.
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MISSING = -0x80000000;
/** 32M messages (128 MB) at most: far above a trading day of the simulator or one exchange gateway. */
export const MAX_SEQ = 32 * 1024 * 1024;

export class SeqTimes {
  private readonly chunks: Int32Array[] = [];
  private base: number | null = null;

  note(seq: number, ts: number): void {
    if (!(seq >= 1 && seq <= MAX_SEQ)) return;
    const base = (this.base ??= ts);
    const index = seq >>> CHUNK_BITS;
    let chunk = this.chunks[index];
    if (!chunk) {
      chunk = new Int32Array(CHUNK).fill(MISSING);
      this.chunks[index] = chunk;
    }
    chunk[seq & (CHUNK - 1)] = Math.max(-0x7fffffff, Math.min(0x7fffffff, ts - base));
  }

  /** ts of `seq`, undefined when it was never noted. */
  get(seq: number): number | undefined {
    if (this.base === null || !(seq >= 1 && seq <= MAX_SEQ)) return undefined;
    const value = this.chunks[seq >>> CHUNK_BITS]?.[seq & (CHUNK - 1)];
    return value === undefined || value === MISSING ? undefined : this.base + value;
  }

  clear(): void {
    this.chunks.length = 0;
    this.base = null;
  }
}
