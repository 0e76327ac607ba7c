// SessionReader: opens a recorded session read-only and reads it back fast: metadata, counts, seek by seq or
// time (one index lookup + one block), ranges as canonical JSON lines (for export) or parsed messages (for
// replay), and a `verify` that checks every block. Opening never writes; an older schema is migrated in memory.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { SequencedMessage } from '../../shared/protocol';
import { SESSION_SCHEMA_VERSION } from './migrations';
import {
  DEFAULT_BLOCK_SIZE,
  DecodedBlock,
  FORMAT_NAME,
  META_KEYS,
  SessionFileError,
  integerFieldOfLine,
  type SessionGap,
  type SessionMeta,
  type SessionSeal,
  type StoredBlock,
} from './sessionFormat';
import {
  describedByMeta,
  isDamage,
  openSessionReadOnly,
  readSessionMeta,
  readSessionSeal,
  toSessionFileError,
} from './sessionOpen';

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

/** Seqs that cannot be read back, and why. */
export interface DamagedRange {
  fromSeq: number;
  /** null: to the end of the session (the rest of the block index cannot be read). */
  toSeq: number | null;
  /** Blocks lost, when the block index still names them (null when the index itself is damaged there). */
  blocks: number | null;
  why: string;
}

/** What a scan of a session file found readable and damaged (over a seq range). */
export interface SessionDamage {
  file: string;
  /** Damaged seq ranges, in seq order (empty for a sound file). */
  damaged: DamagedRange[];
  /** Parts other than messages that cannot be read: 'metadata', 'catalog', 'gaps'. */
  damagedParts: string[];
  readableMessages: number;
  readableBlocks: number;
  /** Readable seq runs (consecutive readable blocks merged). */
  readable: { fromSeq: number; toSeq: number }[];
  /** Seq holes between readable blocks that no gap record explains (derived from seq continuity). */
  unexplainedHoles: { fromSeq: number; toSeq: number }[];
}

/**
 * A damaged session file (SQLite corruption, an I/O error, a block that fails its checksum). The message is one line:
 * the file, what is damaged (seq ranges) and what can still be read. `hit` is the range the failed read needed.
 */
export class SessionDamageError extends SessionFileError {
  constructor(
    readonly damage: SessionDamage,
    readonly hit: DamagedRange | null,
  ) {
    super(damage.file, 'corrupt', describeDamage(damage));
    this.name = 'SessionDamageError';
  }
}

const seqText = (from: number, to: number | null) =>
  to === null ? `${from}..(end)` : from === to ? `${from}` : `${from}..${to}`;
const countText = (n: number) => n.toLocaleString('en-US');

function listText(ranges: readonly { fromSeq: number; toSeq: number | null }[], most = 5): string {
  const shown = ranges.slice(0, most).map((r) => seqText(r.fromSeq, r.toSeq));
  return ranges.length > most ? `${shown.join(', ')} and ${ranges.length - most} more` : shown.join(', ');
}

/** One line: what is damaged, and what can still be read (without the file name, which SessionFileError adds). */
export function describeDamage(damage: SessionDamage): string {
  const parts: string[] = [];
  if (damage.damaged.length > 0) {
    const blocks = damage.damaged.reduce((n, d) => n + (d.blocks ?? 0), 0);
    const unknown = damage.damaged.some((d) => d.blocks === null);
    const blockText = unknown ? '' : ` (${blocks} block${blocks === 1 ? '' : 's'})`;
    parts.push(`damaged: seq ${listText(damage.damaged)}${blockText} cannot be read (${damage.damaged[0]!.why})`);
  }
  if (damage.damagedParts.length > 0) parts.push(`its ${damage.damagedParts.join(', ')} cannot be read`);
  if (parts.length === 0) return 'no damage found';
  const readable =
    damage.readableMessages > 0
      ? `${countText(damage.readableMessages)} messages can still be read (seq ${listText(damage.readable)}); ` +
        '"floorwatch export --salvage FILE" exports them'
      : 'no message can be read';
  return `${parts.join('; ')}; ${readable}`;
}

/** What identifies a block and its extent (a header row without the data). */
type BlockKey = Pick<StoredBlock, 'first_seq' | 'last_seq' | 'count'>;
/** A block header as the index walk reads it. */
type WalkHeader = BlockKey & { first_ts: number; last_ts: number; max_ts: number };
type WalkItem = { header: WalkHeader } | { damaged: DamagedRange };

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
const WALK_COLUMNS = 'first_seq, last_seq, count, first_ts, last_ts, max_ts';
const CACHE_BLOCKS = 4;
/** Doubling probes past a damaged part of the block index (2^53 covers every seq). */
const MAX_PROBES = 53;

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
  private readonly walkAfter: Statement;
  private readonly walkAtOrBefore: Statement;
  private readonly cache = new Map<number, DecodedBlock>();
  /** Opens the file's encrypted blocks and catalog (null: nothing in it is encrypted). */
  private readonly seal: SessionSeal | null;
  private closed = false;
  /** Parts the metadata could not read (the file is damaged there). */
  private damagedParts: string[] = [];
  private openedAroundDamage = false;
  /** Scan of the whole file, made once when a read finds damage. */
  private wholeScan: SessionDamage | null = null;

  private constructor(file: string, db: Db, migratedFrom: number | null) {
    this.file = file;
    this.db = db;
    this.migratedFrom = migratedFrom;
    this.seal = readSessionSeal(file, db);
    this.seal?.check();
    this.walkAfter = db.prepare(`SELECT ${WALK_COLUMNS} FROM blocks WHERE first_seq > ? ORDER BY first_seq LIMIT 1`);
    this.walkAtOrBefore = db.prepare(
      `SELECT ${WALK_COLUMNS} FROM blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`,
    );
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
    return this.guard(fromSeq, () => (this.countInRange.get(toSeq, fromSeq, toSeq, fromSeq) as { n: number }).n);
  }

  /** Gaps recorded in the file (feed-reported losses, jumps, messages that could not be written). */
  gaps(): SessionGap[] {
    return this.meta.gaps;
  }

  /** True when opening already found damage (metadata read around unreadable parts of the file). */
  get damagedOnOpen(): boolean {
    return this.openedAroundDamage;
  }

  /** First recorded seq at or after `seq` (skips recorded gaps), or null past the end. */
  seekBySeq(seq: number): number | null {
    return this.guard(seq, () => {
      const at = this.blockAtOrBefore.get(seq) as BlockKey | undefined;
      if (at && at.last_seq >= seq) return Math.max(seq, at.first_seq);
      const next = this.blockAfter.get(seq) as BlockKey | undefined;
      return next ? next.first_seq : null;
    });
  }

  /** First seq whose ts is at or after `ts` (epoch ms), or null when every message is earlier. */
  seekByTime(ts: number): number | null {
    let found: BlockKey | undefined;
    return this.guard(
      null,
      () => {
        const block = this.blockByTime.get(ts) as BlockKey | undefined;
        if (!block) return null;
        found = block;
        const times = this.decoded(block).timestamps();
        for (let i = 0; i < times.length; i++) {
          if (times[i]! >= ts) return block.first_seq + i;
        }
        // Unreachable for a sound file: the block's running max reached `ts` inside it.
        throw new SessionFileError(this.file, 'corrupt', `block at seq ${block.first_seq} has no message at ts ${ts}`);
      },
      () => found?.first_seq ?? null,
    );
  }

  /** The message with this seq, or undefined when it is not recorded. */
  get(seq: number): SequencedMessage | undefined {
    return this.guard(seq, () => {
      const at = this.blockAtOrBefore.get(seq) as BlockKey | undefined;
      if (!at || at.last_seq < seq) return undefined;
      return this.decoded(at).messages(seq - at.first_seq, seq - at.first_seq + 1)[0];
    });
  }

  /**
   * Canonical JSON lines of [fromSeq, toSeq], one array per stored block (sliced to the range): for export.
   * `skipDamaged` leaves out blocks that cannot be read instead of throwing (salvage; `scan` says which).
   */
  *lineChunks(range: SeqRange = {}, options: { skipDamaged?: boolean } = {}): Generator<string[]> {
    for (const { block, start, end } of this.blocksIn(range, options.skipDamaged === true)) {
      const lines = this.guard(block.firstSeq, () => block.lines());
      yield start === 0 && end === lines.length ? lines : lines.slice(start, end);
    }
  }

  /**
   * Messages of [fromSeq, toSeq] (new objects), one array per stored block: for bulk reads that filter by field
   * (a binary block reads back ~5x faster as messages than as JSON lines).
   */
  *messageChunks(range: SeqRange = {}): Generator<SequencedMessage[]> {
    for (const { block, start, end } of this.blocksIn(range, false)) {
      yield this.guard(block.firstSeq, () => block.messages(start, end));
    }
  }

  /** Each stored block overlapping the range, decoded (not cached), with the range's part of it. */
  private *blocksIn(
    range: SeqRange,
    skipDamaged: boolean,
  ): Generator<{ block: DecodedBlock; start: number; end: number }> {
    const { fromSeq, toSeq } = this.bounds(range);
    if (toSeq < fromSeq) return;
    // Headers one at a time through the walk (it steps around a damaged index); the data is read per block.
    for (const item of this.walk(fromSeq, toSeq)) {
      if ('damaged' in item) {
        if (skipDamaged) continue;
        throw this.damageError(new SessionFileError(this.file, 'corrupt', item.damaged.why), item.damaged.fromSeq);
      }
      const header = item.header;
      let block: DecodedBlock;
      try {
        block = this.decoded(this.blockByKey.get(header.first_seq) as StoredBlock, false);
      } catch (error) {
        if (skipDamaged && isDamage(error)) continue;
        throw this.damageError(error, header.first_seq);
      }
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

  /**
   * Up to `maxCount` messages from the first recorded seq at or after `fromSeq` (for a replay driver). Stops before
   * a damaged block when it already has messages; throws SessionDamageError when the first block it needs is damaged.
   */
  readMessages(fromSeq: number, maxCount: number): SequencedMessage[] {
    const out: SequencedMessage[] = [];
    this.readFrom(fromSeq, maxCount, (block, start, end) => out.push(...block.messages(start, end)));
    return out;
  }

  /** Up to `maxCount` canonical lines from the first recorded seq at or after `fromSeq` (damage as readMessages). */
  readLines(fromSeq: number, maxCount: number): string[] {
    const out: string[] = [];
    this.readFrom(fromSeq, maxCount, (block, start, end) => out.push(...block.lines().slice(start, end)));
    return out;
  }

  private readFrom(
    fromSeq: number,
    maxCount: number,
    take: (block: DecodedBlock, start: number, end: number) => void,
  ): void {
    let taken = 0;
    try {
      for (const { block, start, end } of this.blocksFrom(fromSeq, maxCount)) {
        take(block, start, end);
        taken += end - start;
      }
    } catch (error) {
      if (taken > 0 && error instanceof SessionDamageError) return; // the caller gets the damage on its next read
      throw error;
    }
  }

  /** The blocks holding the first `maxCount` recorded messages from `fromSeq` on (cached), with their part of each. */
  private *blocksFrom(
    fromSeq: number,
    maxCount: number,
  ): Generator<{ block: DecodedBlock; start: number; end: number }> {
    let left = maxCount;
    let seq = this.seekBySeq(fromSeq);
    while (seq !== null && left > 0) {
      const at = seq;
      const key = this.guard(at, () => this.blockAtOrBefore.get(at) as BlockKey);
      const start = seq - key.first_seq;
      const end = Math.min(key.count, start + left);
      yield { block: this.guard(at, () => this.decoded(key)), start, end };
      left -= end - start;
      seq = this.seekBySeq(key.last_seq + 1);
    }
  }

  /**
   * Reads every block of the range (the whole session by default) and says which seqs are damaged and which can be
   * read, without throwing for damage: what `export` checks before it writes a line, and what `--salvage` reports.
   * The block index is walked around damaged pages; each block is read and checked (inflate, size, CRC-32).
   */
  scan(range: SeqRange = {}): SessionDamage {
    const whole = range.fromSeq === undefined && range.toSeq === undefined;
    if (whole && this.wholeScan) return this.wholeScan;
    const { fromSeq } = this.bounds(range);
    // Past the last readable block too: a damaged index may hide the end of the session.
    const toSeq = range.toSeq ?? Number.MAX_SAFE_INTEGER;
    const damage: SessionDamage = {
      file: this.file,
      damaged: [],
      damagedParts: [...this.damagedParts],
      readableMessages: 0,
      readableBlocks: 0,
      readable: [],
      unexplainedHoles: [],
    };
    const addDamaged = (range: DamagedRange) => {
      const last = damage.damaged[damage.damaged.length - 1];
      if (last && last.toSeq !== null && last.toSeq + 1 >= range.fromSeq) {
        last.toSeq = range.toSeq === null ? null : Math.max(last.toSeq, range.toSeq);
        last.blocks = last.blocks === null || range.blocks === null ? null : last.blocks + range.blocks;
      } else damage.damaged.push({ ...range });
    };
    let previous: WalkHeader | null = null;
    const gaps = this.meta.gaps;
    for (const item of this.walk(fromSeq, toSeq)) {
      if ('damaged' in item) {
        addDamaged(item.damaged);
        previous = null;
        continue;
      }
      const header = item.header;
      try {
        DecodedBlock.of(this.file, this.blockByKey.get(header.first_seq) as StoredBlock, this.seal);
      } catch (error) {
        if (!isDamage(error)) throw toSessionFileError(this.file, error);
        addDamaged({ fromSeq: header.first_seq, toSeq: header.last_seq, blocks: 1, why: reasonOf(this.file, error) });
        previous = null;
        continue;
      }
      const from = Math.max(fromSeq, header.first_seq);
      const to = Math.min(toSeq, header.last_seq);
      damage.readableBlocks++;
      damage.readableMessages += to - from + 1;
      const run = damage.readable[damage.readable.length - 1];
      if (previous && run && run.toSeq === previous.last_seq) {
        if (header.first_seq > previous.last_seq + 1) {
          const hole = { fromSeq: previous.last_seq + 1, toSeq: header.first_seq - 1 };
          if (!coveredByGaps(gaps, hole.fromSeq, hole.toSeq)) damage.unexplainedHoles.push(hole);
          damage.readable.push({ fromSeq: from, toSeq: to });
        } else run.toSeq = to;
      } else damage.readable.push({ fromSeq: from, toSeq: to });
      previous = header;
    }
    if (whole) this.wholeScan = damage;
    return damage;
  }

  /**
   * Block headers of [fromSeq, toSeq] in seq order, one query each (so no iterator stays open across yields). Where
   * the block index itself cannot be read (a damaged b-tree page), probes further on for the next readable header
   * and yields the seqs in between as damaged.
   */
  private *walk(fromSeq: number, toSeq: number): Generator<WalkItem> {
    let after = fromSeq - 1;
    try {
      const first = this.walkAtOrBefore.get(fromSeq) as WalkHeader | undefined;
      if (first && first.last_seq >= fromSeq) {
        yield { header: first };
        after = first.last_seq;
      }
    } catch (error) {
      if (!isDamage(error)) throw toSessionFileError(this.file, error);
      // the next step probes from here
    }
    while (after < toSeq) {
      let next: WalkHeader | undefined;
      try {
        next = this.walkAfter.get(after) as WalkHeader | undefined;
      } catch (error) {
        if (!isDamage(error)) throw toSessionFileError(this.file, error);
        const resume = this.probeAfter(after);
        const why = `the block index is damaged (${reasonOf(this.file, error)})`;
        const endOfDamage = resume === undefined ? null : Math.min(resume.first_seq - 1, toSeq);
        yield { damaged: { fromSeq: after + 1, toSeq: endOfDamage, blocks: null, why } };
        if (resume === undefined) return;
        next = resume;
      }
      if (!next || next.first_seq > toSeq) return;
      yield { header: next };
      after = next.last_seq;
    }
  }

  /**
   * The first block header readable after a damaged part of the index that starts after seq `after`: doubling
   * probes find a seq past the damage, then a binary search the first readable header. undefined: none (or none
   * readable) to the end.
   */
  private probeAfter(after: number): WalkHeader | undefined {
    const probe = (seq: number): { ok: boolean; header: WalkHeader | undefined } => {
      try {
        return { ok: true, header: this.walkAfter.get(seq) as WalkHeader | undefined };
      } catch {
        return { ok: false, header: undefined };
      }
    };
    let failing = after;
    let found: { at: number; header: WalkHeader | undefined } | null = null;
    for (
      let i = 0, step = DEFAULT_BLOCK_SIZE;
      i < MAX_PROBES && after + step <= Number.MAX_SAFE_INTEGER;
      i++, step *= 2
    ) {
      const result = probe(after + step);
      if (result.ok) {
        found = { at: after + step, header: result.header };
        break;
      }
      failing = after + step;
    }
    if (!found) return undefined;
    while (found.at - failing > 1) {
      const middle: number = failing + Math.floor((found.at - failing) / 2);
      const result = probe(middle);
      if (result.ok) found = { at: middle, header: result.header };
      else failing = middle;
    }
    return found.header;
  }

  /**
   * The one place a read failure becomes a user's error: damage (SQLite corruption, I/O error, a bad block) turns
   * into a SessionDamageError naming the damaged seqs and what can still be read; anything else a SessionFileError.
   */
  private damageError(error: unknown, seq: number | null): SessionFileError {
    if (error instanceof SessionDamageError) return error;
    if (!isDamage(error)) return toSessionFileError(this.file, error);
    let damage: SessionDamage;
    try {
      damage = this.scan();
    } catch {
      return toSessionFileError(this.file, error);
    }
    if (damage.damaged.length === 0) {
      // Nothing the scan can name (e.g. the time index): report the read that failed, as it is.
      damage = {
        ...damage,
        damaged: [{ fromSeq: seq ?? 0, toSeq: seq, blocks: null, why: reasonOf(this.file, error) }],
      };
      if (seq === null) return toSessionFileError(this.file, error);
    }
    const hit =
      damage.damaged.find((d) => seq !== null && d.fromSeq <= seq && (d.toSeq === null || d.toSeq >= seq)) ??
      damage.damaged.find((d) => seq !== null && d.fromSeq >= seq) ??
      damage.damaged[0] ??
      null;
    return new SessionDamageError(damage, hit);
  }

  /** Runs a read, turning a failure into a clear SessionFileError (damage: SessionDamageError). */
  private guard<T>(seq: number | null, read: () => T, seqOfFailure?: () => number | null): T {
    try {
      return read();
    } catch (error) {
      throw this.damageError(error, seqOfFailure?.() ?? seq);
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
    for (const part of this.damagedParts) note(`its ${part} cannot be read`);
    if (options.deep) {
      try {
        const result = this.db.pragma('quick_check', { simple: true }) as string;
        if (result !== 'ok') note(`SQLite quick_check: ${result}`);
      } catch (error) {
        note(`SQLite quick_check: ${reasonOf(this.file, error)}`);
      }
    }
    const gaps = this.meta.gaps;
    const covered = (from: number, to: number) => coveredByGaps(gaps, from, to);
    const byKey = this.blockByKey;
    let previous: BlockHeader | undefined;
    let messages = 0;
    let blocks = 0;
    let runningMax = -Infinity;
    for (const item of this.walk(1, Number.MAX_SAFE_INTEGER)) {
      if ('damaged' in item) {
        note(`seqs ${seqText(item.damaged.fromSeq, item.damaged.toSeq)} cannot be read: ${item.damaged.why}`);
        previous = undefined;
        continue;
      }
      const header: BlockHeader = item.header;
      blocks++;
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
    return { ok: problems.length === 0, blocks, messages, problems };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.db.close();
  }

  private readMeta(): SessionMeta {
    let meta: SessionMeta;
    try {
      meta = readSessionMeta(this.file, this.db, this.seal);
      this.damagedParts = [];
      this.openedAroundDamage = false;
    } catch (error) {
      if (!isDamage(error)) throw error;
      meta = this.readMetaAroundDamage();
    }
    if (this.migratedFrom !== null) meta.schemaVersion = this.migratedFrom;
    return meta;
  }

  /**
   * The metadata of a damaged file, part by part: what cannot be read is left empty and named in `damagedParts`;
   * counts and ranges come from the block headers the index walk can reach.
   */
  private readMetaAroundDamage(): SessionMeta {
    const parts: string[] = [];
    const attempt = <T>(part: string, read: () => T, fallback: T): T => {
      try {
        return read();
      } catch (error) {
        if (!isDamage(error)) throw error;
        parts.push(part);
        return fallback;
      }
    };
    const db = this.db;
    const rows = attempt(
      'metadata',
      () => db.prepare('SELECT key, value FROM session_meta').all() as { key: string; value: string }[],
      null,
    );
    const values = new Map((rows ?? []).map((r) => [r.key, r.value]));
    if (rows && (values.get(META_KEYS.format) !== FORMAT_NAME || !values.has(META_KEYS.sessionId))) {
      throw new SessionFileError(this.file, 'corrupt', 'session metadata is missing (no format or session id)');
    }
    const catalog = attempt(
      'catalog',
      () =>
        (db.prepare('SELECT kind, id FROM catalog ORDER BY seq, id').all() as { kind: string; id: string }[]).map(
          (entry) => (this.seal ? { kind: entry.kind, id: this.seal.openCatalogId(entry.kind, entry.id) } : entry),
        ),
      [],
    );
    const gaps = attempt(
      'gaps',
      () =>
        db
          .prepare('SELECT from_seq AS fromSeq, to_seq AS toSeq, reason FROM gaps ORDER BY from_seq')
          .all() as SessionGap[],
      [],
    );
    let count = 0;
    let blocks = 0;
    let first: WalkHeader | null = null;
    let last: WalkHeader | null = null;
    // The walk's damaged ranges are found again, with their seqs, by scan() when a read needs them.
    for (const item of this.walk(1, Number.MAX_SAFE_INTEGER)) {
      if ('damaged' in item) continue;
      first ??= item.header;
      last = item.header;
      count += item.header.count;
      blocks++;
    }
    // Opened around damage: a later read that fails names it through scan(); the parts named here stay known.
    this.damagedParts = parts;
    this.openedAroundDamage = true;

    return {
      ...describedByMeta(this.file, db, values, catalog),
      count,
      firstSeq: first?.first_seq ?? null,
      lastSeq: last?.last_seq ?? null,
      firstTs: first?.first_ts ?? null,
      lastTs: last?.last_ts ?? null,
      blocks,
      gaps,
    };
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

/** A failure's reason without the file name (the message names the file once). */
function reasonOf(file: string, error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

/** True when every seq of [from, to] lies in a recorded gap. */
function coveredByGaps(gaps: readonly SessionGap[], from: number, to: number): boolean {
  let next = from;
  for (const gap of gaps) {
    if (gap.fromSeq <= next && gap.toSeq >= next) next = gap.toSeq + 1;
    if (next > to) return true;
  }
  return next > to;
}
