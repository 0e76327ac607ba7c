// Orders the sequenced stream: applies seq last+1, drops what was already applied, and flags a jump as a gap.
// It never advances past a hole by itself: only `skipTo` (an unrecoverable gap, recorded by the caller) does.

export type SeqVerdict = 'next' | 'duplicate' | 'gap';

export class Sequencer {
  private last: number;
  /** Accept the first seq above `last` as the new baseline (after the server said it cannot resend). */
  private resyncing = false;

  constructor(lastApplied = 0) {
    if (!Number.isInteger(lastApplied) || lastApplied < 0) throw new RangeError('lastApplied must be an integer >= 0');
    this.last = lastApplied;
  }

  /** seq of the last message applied; 0 before any. */
  get lastApplied(): number {
    return this.last;
  }

  /** The seq that must come next. */
  get expected(): number {
    return this.last + 1;
  }

  get isResyncing(): boolean {
    return this.resyncing;
  }

  /**
   * Classifies `seq`; on 'next' the message counts as applied (the caller must then apply it). A 'gap' leaves the
   * state untouched. In resync mode the first seq above the last applied one is 'next' whatever it is; the caller
   * reads the hole it jumped over from `lastApplied` before calling.
   */
  offer(seq: number): SeqVerdict {
    if (seq <= this.last) return 'duplicate';
    if (seq === this.last + 1 || this.resyncing) {
      this.last = seq;
      this.resyncing = false;
      return 'next';
    }
    return 'gap';
  }

  /** Gives up on seqs up to `seq - 1`: the next expected is `seq`. Only for gaps recorded as unrecoverable. */
  skipTo(seq: number): void {
    if (seq - 1 > this.last) this.last = seq - 1;
  }

  /** Next offer above lastApplied is accepted as the baseline (used when the resume point is unknown). */
  resync(): void {
    this.resyncing = true;
  }

  reset(lastApplied = 0): void {
    this.last = lastApplied;
    this.resyncing = false;
  }
}
