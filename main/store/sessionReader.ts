// SessionReader: opens a recorded session read-only and reads it back fast: metadata, counts, seek by seq or
// time (one index lookup + one block), ranges as canonical JSON lines (for export) or parsed messages (for
// replay), and a `verify` that checks every block. Opening never writes; an older schema is migrated in memory.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { SequencedMessage } from '../../shared/protocol';
import { SESSION_SCHEMA_VERSION } from './migrations';
import {
  DecodedBlock,
  SessionFileError,
  integerFieldOfLine,
  type SessionGap,
  type SessionMeta,
  type SessionSeal,
  type StoredBlock,
} from './sessionFormat';
import { openSessionReadOnly, readSessionMeta, readSessionSeal, toSessionFileError } from './sessionOpen';

export interface SeqRange {
  /** First seq wanted (inclusive; default: the session's first). */
  fromSeq?: number;
  /** Last seq wanted (inclusive; default: the session's last). */
  toSeq?: number;
}

export interface VerifyReport {
  ok: boolean;
  blocks: number;
  messages: number;
  /** One line per problem, naming the block or seq. Empty when ok. */
  problems: string[];
}

/** What identifies a block and its extent (a header row without the data). */
type BlockKey = Pick<StoredBlock, 'first_seq' | 'last_seq' | 'count'>;

interface BlockHeader {
  first_seq: number;
  last_seq: number;
  count: number;
  first_ts: number;
  last_ts: number;
  max_ts: number;
}

const BLOCK_COLUMNS = 'first_seq, last_seq, count, first_ts, last_ts, max_ts, raw_bytes, crc32, codec, data';
const HEADER_COLUMNS = 'first_seq, last_seq, count';
const CACHE_BLOCKS = 4;

export class SessionReader {
  readonly file: string;
  private currentMeta: SessionMeta;
  /** Schema version the file had on disk when it was older than this build's (migrated in memory), else null. */
  readonly migratedFrom: number | null;
  private readonly db: Db;
  // Seeks read block headers only; a block's compressed data is read once when it is not in the cache.
  private readonly blockAtOrBefore: Statement;
  private readonly blockAfter: Statement;
  private readonly blockByTime: Statement;
  private readonly blockByKey: Statement;
  private readonly countInRange: Statement;
  private readonly cache = new Map<number, DecodedBlock>();
  /** Opens the file's encrypted blocks and catalog (null: nothing in it is encrypted). */
  private readonly seal: SessionSeal | null;
  private closed = false;

  private constructor(file: string, db: Db, migratedFrom: number | null) {
    this.file = file;
    this.db = db;
    this.migratedFrom = migratedFrom;
    this.seal = readSessionSeal(file, db);
    this.seal?.check();
    this.currentMeta = this.readMeta();
    this.blockAtOrBefore = db.prepare(
      `SELECT ${HEADER_COLUMNS} FROM blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`,
    );
    this.blockAfter = db.prepare(`SELECT ${HEADER_COLUMNS} FROM blocks WHERE first_seq > ? ORDER BY first_seq LIMIT 1`);
    this.blockByTime = db.prepare(
      `SELECT ${HEADER_COLUMNS} FROM blocks WHERE max_ts >= ? ORDER BY max_ts, first_seq LIMIT 1`,
    );
    this.blockByKey = db.prepare(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE first_seq = ?`);
    this.countInRange = db.prepare(
      `SELECT coalesce(sum(min(last_seq, ?) - max(first_seq, ?) + 1), 0) AS n
       FROM blocks WHERE first_seq <= ? AND last_seq >= ?`,
    );
  }

  /** What the file says about itself (as of open or the last refresh). */
  get meta(): SessionMeta {
    return this.currentMeta;
  }

  /** Re-reads the metadata: a session still being recorded (WAL) grows while it is open. */
  refresh(): SessionMeta {
    this.currentMeta = this.readMeta();
    return this.currentMeta;
  }

  /** Opens `file` read-only. Throws SessionFileError (naming the file and the problem) for a missing or bad file. */
  static open(file: string): SessionReader {
    const { db, migratedFrom } = openSessionReadOnly(file);
    try {
      return new SessionReader(file, db, migratedFrom);
    } catch (error) {
      db.close();
      throw toSessionFileError(file, error);
    }
  }

  /** The schema version this build writes. */
  static get schemaVersion(): number {
    return SESSION_SCHEMA_VERSION;
  }

  /** Messages recorded in [fromSeq, toSeq] (the whole session by default). */
  count(range: SeqRange = {}): number {
    const { fromSeq, toSeq } = this.bounds(range);
    if (toSeq < fromSeq) return 0;
    return (this.countInRange.get(toSeq, fromSeq, toSeq, fromSeq) as { n: number }).n;
  }

  /** Gaps recorded in the file (feed-reported losses, jumps, messages that could not be written). */
  gaps(): SessionGap[] {
    return this.meta.gaps;
  }

  /** First recorded seq at or after `seq` (skips recorded gaps), or null past the end. */
  seekBySeq(seq: number): number | null {
    const at = this.blockAtOrBefore.get(seq) as BlockKey | undefined;
    if (at && at.last_seq >= seq) return Math.max(seq, at.first_seq);
    const next = this.blockAfter.get(seq) as BlockKey | undefined;
    return next ? next.first_seq : null;
  }

  /** First seq whose ts is at or after `ts` (epoch ms), or null when every message is earlier. */
  seekByTime(ts: number): number | null {
    const block = this.blockByTime.get(ts) as BlockKey | undefined;
    if (!block) return null;
    const times = this.decoded(block).timestamps();
    for (let i = 0; i < times.length; i++) {
      if (times[i]! >= ts) return block.first_seq + i;
    }
    // Unreachable for a sound file: the block's running max reached `ts` inside it.
    throw new SessionFileError(this.file, 'corrupt', `block at seq ${block.first_seq} has no message at ts ${ts}`);
  }

  /** The message with this seq, or undefined when it is not recorded. */
  get(seq: number): SequencedMessage | undefined {
    const at = this.blockAtOrBefore.get(seq) as BlockKey | undefined;
    if (!at || at.last_seq < seq) return undefined;
    return this.decoded(at).messages(seq - at.first_seq, seq - at.first_seq + 1)[0];
  }

  /** Canonical JSON lines of [fromSeq, toSeq], one array per stored block (sliced to the range): for export. */
  *lineChunks(range: SeqRange = {}): Generator<string[]> {
    for (const { block, start, end } of this.blocksIn(range)) {
      const lines = block.lines();
      yield start === 0 && end === lines.length ? lines : lines.slice(start, end);
    }
  }

  /**
   * Messages of [fromSeq, toSeq] (new objects), one array per stored block: for bulk reads that filter by field
   * (a binary block reads back ~5x faster as messages than as JSON lines).
   */
  *messageChunks(range: SeqRange = {}): Generator<SequencedMessage[]> {
    for (const { block, start, end } of this.blocksIn(range)) yield block.messages(start, end);
  }

  /** Each stored block overlapping the range, decoded (not cached), with the range's part of it. */
  private *blocksIn(range: SeqRange): Generator<{ block: DecodedBlock; start: number; end: number }> {
    const { fromSeq, toSeq } = this.bounds(range);
    if (toSeq < fromSeq) return;
    // Headers first (no blobs), then each block by key: the iterator must not stay open across yields.
    const headers = this.db
      .prepare(
        'SELECT first_seq, last_seq, count FROM blocks WHERE first_seq <= ? AND last_seq >= ? ORDER BY first_seq',
      )
      .all(toSeq, fromSeq) as BlockKey[];
    for (const header of headers) {
      const block = this.decoded(this.blockByKey.get(header.first_seq) as StoredBlock, false);
      const start = Math.max(0, fromSeq - header.first_seq);
      const end = Math.min(header.count, toSeq - header.first_seq + 1);
      yield { block, start, end };
    }
  }

  /** Canonical JSON lines of the range, one at a time. */
  *lines(range: SeqRange = {}): Generator<string> {
    for (const chunk of this.lineChunks(range)) yield* chunk;
  }

  /** Parsed messages of the range, one at a time. */
  *messages(range: SeqRange = {}): Generator<SequencedMessage> {
    for (const chunk of this.messageChunks(range)) yield* chunk;
  }

  /** Up to `maxCount` messages from the first recorded seq at or after `fromSeq` (for a replay driver). */
  readMessages(fromSeq: number, maxCount: number): SequencedMessage[] {
    const out: SequencedMessage[] = [];
    for (const { block, start, end } of this.blocksFrom(fromSeq, maxCount)) out.push(...block.messages(start, end));
    return out;
  }

  /** Up to `maxCount` canonical lines from the first recorded seq at or after `fromSeq`. */
  readLines(fromSeq: number, maxCount: number): string[] {
    const out: string[] = [];
    for (const { block, start, end } of this.blocksFrom(fromSeq, maxCount))
      out.push(...block.lines().slice(start, end));
    return out;
  }

  /** The blocks holding the first `maxCount` recorded messages from `fromSeq` on (cached), with their part of each. */
  private *blocksFrom(
    fromSeq: number,
    maxCount: number,
  ): Generator<{ block: DecodedBlock; start: number; end: number }> {
    let left = maxCount;
    let seq = this.seekBySeq(fromSeq);
    while (seq !== null && left > 0) {
      const key = this.blockAtOrBefore.get(seq) as BlockKey;
      const start = seq - key.first_seq;
      const end = Math.min(key.count, start + left);
      yield { block: this.decoded(key), start, end };
      left -= end - start;
      seq = this.seekBySeq(key.last_seq + 1);
    }
  }

  /**
   * Checks the whole file: every block decompresses, matches its checksum and count, holds the seqs its header says
   * in order with a ts range that matches; blocks do not overlap; every hole between blocks is a recorded gap; the
   * time index is monotonic. `deep` also parses every message and runs SQLite's quick_check.
   */
  verify(options: { deep?: boolean } = {}): VerifyReport {
    const problems: string[] = [];
    const note = (problem: string) => {
      if (problems.length < 100) problems.push(problem);
    };
    if (options.deep) {
      const result = this.db.pragma('quick_check', { simple: true }) as string;
      if (result !== 'ok') note(`SQLite quick_check: ${result}`);
    }
    const gaps = this.meta.gaps;
    const covered = (from: number, to: number) => {
      // every seq in [from, to] inside some recorded gap
      let next = from;
      for (const gap of gaps) {
        if (gap.fromSeq <= next && gap.toSeq >= next) next = gap.toSeq + 1;
        if (next > to) return true;
      }
      return next > to;
    };
    const headers = this.db
      .prepare('SELECT first_seq, last_seq, count, first_ts, last_ts, max_ts FROM blocks ORDER BY first_seq')
      .all() as BlockHeader[];
    const byKey = this.db.prepare(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE first_seq = ?`);
    let previous: BlockHeader | undefined;
    let messages = 0;
    let runningMax = -Infinity;
    for (const header of headers) {
      const where = `block at seq ${header.first_seq}..${header.last_seq}`;
      if (previous) {
        if (header.first_seq <= previous.last_seq)
          note(`${where} overlaps the block ending at seq ${previous.last_seq}`);
        else if (header.first_seq > previous.last_seq + 1 && !covered(previous.last_seq + 1, header.first_seq - 1)) {
          note(`seqs ${previous.last_seq + 1}..${header.first_seq - 1} are missing and not recorded as a gap`);
        }
        if (header.max_ts < previous.max_ts) note(`${where}: time index goes backwards`);
      }
      previous = header;
      let lines: string[];
      try {
        lines = DecodedBlock.of(this.file, byKey.get(header.first_seq) as StoredBlock, this.seal).lines();
      } catch (error) {
        note((error as Error).message.replace(`${this.file}: `, ''));
        continue;
      }
      messages += lines.length;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (options.deep) {
          try {
            JSON.parse(line);
          } catch {
            note(`${where}: message ${i + 1} is not valid JSON`);
            break;
          }
        }
        const seq = integerFieldOfLine(line, 'seq');
        if (seq !== header.first_seq + i) {
          note(`${where}: message ${i + 1} has seq ${seq}, expected ${header.first_seq + i}`);
          break;
        }
        const ts = integerFieldOfLine(line, 'ts');
        if (!(ts >= 0)) {
          note(`${where}: message ${i + 1} (seq ${seq}) has no readable ts`);
          break;
        }
        if (ts > runningMax) runningMax = ts;
        if ((i === 0 && ts !== header.first_ts) || (i === lines.length - 1 && ts !== header.last_ts)) {
          note(`${where}: ts range does not match its messages`);
        }
      }
      if (runningMax !== header.max_ts) note(`${where}: time index says ${header.max_ts}, messages say ${runningMax}`);
    }
    return { ok: problems.length === 0, blocks: headers.length, messages, problems };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.db.close();
  }

  private readMeta(): SessionMeta {
    const meta = readSessionMeta(this.file, this.db, this.seal);
    if (this.migratedFrom !== null) meta.schemaVersion = this.migratedFrom;
    return meta;
  }

  private bounds(range: SeqRange): { fromSeq: number; toSeq: number } {
    return {
      fromSeq: Math.max(range.fromSeq ?? 1, 1),
      toSeq: Math.min(range.toSeq ?? Number.MAX_SAFE_INTEGER, this.meta.lastSeq ?? 0),
    };
  }

  /** A block decompressed, through a small cache (seeks and steps tend to hit the same blocks). */
  private decoded(key: BlockKey, useCache = true): DecodedBlock {
    const cached = this.cache.get(key.first_seq);
    if (cached && cached.count === key.count) return cached;
    const block = 'data' in key ? (key as StoredBlock) : (this.blockByKey.get(key.first_seq) as StoredBlock);
    const decoded = DecodedBlock.of(this.file, block, this.seal);
    if (useCache) {
      if (this.cache.size >= CACHE_BLOCKS) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(block.first_seq, decoded);
    }
    return decoded;
  }
}

/** Opens, verifies and closes a session file (for tests and tools). */
export function verifySessionFile(
  file: string,
  options: { deep?: boolean } = {},
): VerifyReport & { meta: SessionMeta } {
  const reader = SessionReader.open(file);
  try {
    return { ...reader.verify(options), meta: reader.meta };
  } finally {
    reader.close();
  }
}
