// The served session's recent past, kept as the encoded frames that went out, so a client can resume with
// `subscribe {fromSeq}` and a slow client can be fed from memory without re-encoding. Bounded by message count and
// by bytes; the oldest frames go first.

export interface HistoryFrame {
  firstSeq: number;
  lastSeq: number;
  count: number;
  /** The frame exactly as sent: UTF-8 JSON of one message or an array of them. */
  data: Buffer;
}

export class SessionHistory {
  private frames: HistoryFrame[] = [];
  private head = 0;
  /** Absolute index of frames[0]; frame indexes handed out stay valid while the frame is held. */
  private base = 0;
  messages = 0;
  bytes = 0;

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {}

  /** Absolute index of the oldest frame held. */
  get startIndex(): number {
    return this.base + this.head;
  }

  /** Absolute index the next appended frame will get. */
  get endIndex(): number {
    return this.base + this.frames.length;
  }

  get oldestSeq(): number | null {
    return this.frames[this.head]?.firstSeq ?? null;
  }

  get newestSeq(): number | null {
    return this.frames.length > this.head ? this.frames[this.frames.length - 1]!.lastSeq : null;
  }

  at(index: number): HistoryFrame | undefined {
    return index >= this.startIndex ? this.frames[index - this.base] : undefined;
  }

  append(frame: HistoryFrame): void {
    this.frames.push(frame);
    this.messages += frame.count;
    this.bytes += frame.data.length;
    while (this.frames.length - this.head > 1 && (this.messages > this.maxMessages || this.bytes > this.maxBytes)) {
      const old = this.frames[this.head]!;
      this.frames[this.head] = undefined as unknown as HistoryFrame;
      this.head++;
      this.messages -= old.count;
      this.bytes -= old.data.length;
    }
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  /** Absolute index of the frame holding `seq`, or -1 when it is not held (too old, in a gap, or not yet sent). */
  find(seq: number): number {
    let lo = this.head;
    let hi = this.frames.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const frame = this.frames[mid]!;
      if (seq < frame.firstSeq) hi = mid - 1;
      else if (seq > frame.lastSeq) lo = mid + 1;
      else return this.base + mid;
    }
    return -1;
  }
}
