// The session file format shared by the writer (journal.ts), the reader (sessionReader.ts) and the migrations:
// what a block is, how it is encoded and checked, the metadata keys, and the one error type for a bad file.
//
// A session file is SQLite. Sequenced messages are stored in blocks of consecutive seqs: one row per block holds
// the messages compressed with raw deflate (fast level), plus its seq and ts range, a message count and a CRC-32
// of the uncompressed bytes. Codec 2 (written since schema v3) holds binary records (recordCodec.ts: ~5x faster to
// read back than JSON, and smaller); codec 1 (schema v2 files) holds the canonical JSON lines joined by '\n'.
// Either way, reading a message back gives the canonical JSON (JSON.stringify of the decoded message) byte for
// byte. The block's first_seq is the rowid, so a seq seek is one b-tree lookup; `max_ts` (the running maximum ts
// up to the block) is indexed, so a time seek is one index lookup even when ts is not strictly monotonic.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SequencedMessage } from '../../shared/protocol';
import { isSealedText, SealError, type DataKey } from '../security/dataKey';
import { RECORD_JSON, RecordFormatError, RecordReader } from './recordCodec';

/** Marks a SQLite file as a Floorwatch session (`PRAGMA application_id`, "FWSJ"). */
export const SESSION_APPLICATION_ID = 0x4657534a;
/** File name extension of session files. */
export const SESSION_FILE_EXTENSION = '.fwsession';
/** Block codec 1: UTF-8 lines joined by '\n', raw deflate (schema v2). */
export const CODEC_DEFLATE_RAW_LINES = 1;
/** Block codec 2: binary records (recordCodec.ts) back to back, raw deflate (schema v3). */
export const CODEC_DEFLATE_RAW_RECORDS = 2;
/**
 * Added to a codec when the block's deflated bytes are sealed with the installation's data key (AES-256-GCM, see
 * SessionSeal): 0x11 = sealed codec 1, 0x12 = sealed codec 2. Readers without the key see the codec and say so.
 */
export const SEALED_CODEC_FLAG = 0x10;
export const DEFAULT_BLOCK_SIZE = 1024;
/** zlib level 1: ~5x smaller than the JSON at a fraction of the CPU of the default level. */
export const DEFLATE_LEVEL = 1;

/** Session identity, as the feed's `hello` gives it. */
export interface SessionInfo {
  sessionId: string;
  /** YYYYMMDD, or '' when unknown (e.g. an NDJSON import without a hello line). */
  tradingDay: string;
  source: string;
}

export interface SessionGap {
  fromSeq: number;
  toSeq: number;
  /** Why the seqs are missing: a feed-reported loss, a jump in the input, or messages the journal could not write. */
  reason: string;
}

/** Everything a session file says about itself. */
export interface SessionMeta extends SessionInfo {
  file: string;
  schemaVersion: number;
  appVersion: string;
  protocol: string;
  /** ISO time the file was created. */
  createdAt: string;
  /** What made the file: 'record', 'import', 'core', 'migration'… */
  createdBy: string;
  /** Instrument ids in order of first appearance. */
  instruments: string[];
  /** Account ids in order of first appearance. */
  accounts: string[];
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
  firstTs: number | null;
  lastTs: number | null;
  blocks: number;
  gaps: SessionGap[];
}

export type SessionFileProblem =
  'missing' | 'not_sqlite' | 'not_session' | 'newer_schema' | 'corrupt' | 'unreadable' | 'exists' | 'key';

/** A session file that cannot be used; the message names the file and what is wrong. */
export class SessionFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: SessionFileProblem,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'SessionFileError';
  }
}

export interface EncodedBlock {
  data: Buffer;
  rawBytes: number;
  crc: number;
}

/** Encodes lines [from, to) as one block. */
export function encodeBlock(lines: readonly string[], from = 0, to = lines.length): EncodedBlock {
  const text = from === 0 && to === lines.length ? lines.join('\n') : lines.slice(from, to).join('\n');
  const raw = Buffer.from(text, 'utf8');
  return { data: deflateRawSync(raw, { level: DEFLATE_LEVEL }), rawBytes: raw.length, crc: crc32(raw) };
}

export interface StoredBlock {
  first_seq: number;
  last_seq: number;
  count: number;
  raw_bytes: number;
  crc32: number;
  codec: number;
  data: Buffer;
}

/**
 * A message waiting for its block: a binary record (from recordCodec's RecordWriter) or a canonical JSON line
 * (stored as a JSON record).
 */
export type BlockItem = Uint8Array | string;

/** Encodes items [from, to) as one codec-2 block. */
export function encodeRecordBlock(items: readonly BlockItem[], from = 0, to = items.length): EncodedBlock {
  let size = 0;
  for (let i = from; i < to; i++) {
    const item = items[i]!;
    size += typeof item === 'string' ? 1 + 5 + Buffer.byteLength(item, 'utf8') : item.length;
  }
  const raw = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = from; i < to; i++) {
    const item = items[i]!;
    if (typeof item !== 'string') {
      raw.set(item, at);
      at += item.length;
      continue;
    }
    raw[at++] = RECORD_JSON;
    let length = Buffer.byteLength(item, 'utf8');
    while (length >= 0x80) {
      raw[at++] = (length % 0x80) | 0x80;
      length = Math.floor(length / 0x80);
    }
    raw[at++] = length;
    at += raw.write(item, at, 'utf8');
  }
  const used = raw.subarray(0, at);
  return { data: deflateRawSync(used, { level: DEFLATE_LEVEL }), rawBytes: used.length, crc: crc32(used) };
}

/**
 * Decompresses a stored block, checking codec, size and CRC. Throws a SessionFileError('corrupt') naming the block
 * when anything does not match.
 */
export function inflateBlock(file: string, block: StoredBlock, seal: SessionSeal | null = null): Buffer {
  const where = `block at seq ${block.first_seq}..${block.last_seq}`;
  const codec = block.codec & ~SEALED_CODEC_FLAG;
  if (codec !== CODEC_DEFLATE_RAW_LINES && codec !== CODEC_DEFLATE_RAW_RECORDS) {
    throw new SessionFileError(file, 'corrupt', `${where} uses unknown codec ${block.codec}`);
  }
  let deflated = block.data;
  if (block.codec !== codec) {
    if (!seal) throw new SessionFileError(file, 'key', `${where} is encrypted and the file has no seal id`);
    deflated = seal.openBlock(block);
  }
  let raw: Buffer;
  try {
    // One output chunk of the known size: no growing and concatenating of 16 KiB pieces.
    raw = inflateRawSync(deflated, { chunkSize: Math.max(1024, block.raw_bytes + 64) });
  } catch (error) {
    throw new SessionFileError(file, 'corrupt', `${where} does not decompress (${(error as Error).message})`);
  }
  if (raw.length !== block.raw_bytes || crc32(raw) !== block.crc32) {
    throw new SessionFileError(file, 'corrupt', `${where} fails its checksum`);
  }
  return raw;
}

/** A stored block decompressed and checked, ready to be read as lines or as messages (each call new objects). */
export class DecodedBlock {
  private cachedLines: string[] | null = null;

  constructor(
    private readonly file: string,
    private readonly block: StoredBlock,
    private readonly raw: Buffer,
  ) {}

  static of(file: string, stored: StoredBlock, seal: SessionSeal | null = null): DecodedBlock {
    const raw = inflateBlock(file, stored, seal);
    const block = stored.codec & SEALED_CODEC_FLAG ? { ...stored, codec: stored.codec & ~SEALED_CODEC_FLAG } : stored;
    const decoded = new DecodedBlock(file, block, raw);
    if (block.codec === CODEC_DEFLATE_RAW_LINES) decoded.lines(); // split (and count-check) once, up front
    return decoded;
  }

  get count(): number {
    return this.block.count;
  }

  get firstSeq(): number {
    return this.block.first_seq;
  }

  /** Canonical JSON lines of the block (computed once; do not modify). */
  lines(): string[] {
    if (this.cachedLines) return this.cachedLines;
    let lines: string[];
    if (this.block.codec === CODEC_DEFLATE_RAW_LINES) {
      lines = this.raw.toString('utf8').split('\n');
    } else {
      lines = [];
      const reader = new RecordReader(this.raw);
      this.guard(() => {
        while (!reader.atEnd) lines.push(reader.nextLine());
      });
    }
    this.checkCount(lines.length);
    this.cachedLines = lines;
    return lines;
  }

  /** The ts of each message (NaN where a codec-1 line has none). */
  timestamps(): number[] {
    if (this.block.codec === CODEC_DEFLATE_RAW_LINES) return this.lines().map((line) => integerFieldOfLine(line, 'ts'));
    return this.messages().map((message) => message.ts);
  }

  /** Messages [from, to) of the block, new objects on every call. */
  messages(from = 0, to = this.block.count): SequencedMessage[] {
    if (this.block.codec === CODEC_DEFLATE_RAW_LINES) {
      const lines = this.lines();
      const out = new Array<SequencedMessage>(Math.max(0, to - from));
      for (let i = from; i < to; i++) out[i - from] = JSON.parse(lines[i]!) as SequencedMessage;
      return out;
    }
    const out: SequencedMessage[] = [];
    const reader = new RecordReader(this.raw);
    this.guard(() => {
      // Records are variable-length: read from the start, keep [from, to).
      let read = 0;
      for (; read < to && !reader.atEnd; read++) {
        const message = reader.next();
        if (read >= from) out.push(message);
      }
      if (read < to) this.checkCount(read);
      else if (to === this.block.count && !reader.atEnd) this.checkCount(to + 1);
      else this.checkCount(this.block.count);
    });
    return out;
  }

  private guard(read: () => void): void {
    try {
      read();
    } catch (error) {
      if (!(error instanceof RecordFormatError)) throw error;
      throw new SessionFileError(
        this.file,
        'corrupt',
        `block at seq ${this.block.first_seq}..${this.block.last_seq} holds a bad record (${error.message})`,
      );
    }
  }

  private checkCount(found: number): void {
    const block = this.block;
    if (found !== block.count || block.count !== block.last_seq - block.first_seq + 1) {
      throw new SessionFileError(
        this.file,
        'corrupt',
        `block at seq ${block.first_seq}..${block.last_seq} holds ${found} messages, its header says ${block.count}`,
      );
    }
  }
}

/** Metadata keys of the `session_meta` table (schema v2). */
export const META_KEYS = {
  format: 'format',
  sessionId: 'session_id',
  tradingDay: 'trading_day',
  source: 'source',
  appVersion: 'app_version',
  protocol: 'protocol',
  createdAt: 'created_at',
  createdBy: 'created_by',
  /** Random id of this file, bound into every sealed value's associated data (a block cannot move between files). */
  sealId: 'seal_id',
  /** Fingerprint of the data key the file's sealed values need (absent: nothing in the file is sealed). */
  dataKeyId: 'data_key_id',
} as const;
export const FORMAT_NAME = 'floorwatch-session';

let cachedVersion: string | undefined;
/** The app version from the nearest package.json named floorwatch ('0.0.0-unknown' if none is found). */
export function appVersion(): string {
  if (cachedVersion) return cachedVersion;
  cachedVersion = '0.0.0-unknown';
  try {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    for (let depth = 0; depth < 6; depth++) {
      try {
        const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === 'floorwatch' && pkg.version) {
          cachedVersion = pkg.version;
          break;
        }
      } catch {
        // no package.json here: look one level up
      }
      dir = path.dirname(dir);
    }
  } catch {
    // import.meta.url is not a file URL (bundled elsewhere): keep the fallback
  }
  return cachedVersion;
}

/** SQLite error code of a better-sqlite3 error ('SQLITE_FULL', 'SQLITE_CANTOPEN'…) or the Node code. */
export function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/**
 * Reads a top-level integer field (`seq`, `ts`) from a canonical line without parsing it all (verify and time
 * seeks scan whole blocks). Exact for canonical JSON: a quote inside a string value is escaped, and fw-feed/1
 * messages have no nested objects with these keys. Returns NaN when the field is absent.
 */
export function integerFieldOfLine(line: string, key: 'seq' | 'ts'): number {
  const marker = key === 'seq' ? '"seq":' : '"ts":';
  const at = line.indexOf(marker);
  if (at < 0) return NaN;
  let i = at + marker.length;
  let value = 0;
  let digits = 0;
  for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i)) {
    value = value * 10 + (c - 48);
    digits++;
  }
  const next = line.charCodeAt(i);
  // a fraction or exponent means it is not an integer field: let the caller treat it as unreadable
  return digits === 0 || next === 46 || next === 101 || next === 69 ? NaN : value;
}

/** The header fields of a block that its seal binds (everything but the data). */
export type BlockHeaderFields = Pick<StoredBlock, 'first_seq' | 'last_seq' | 'count' | 'raw_bytes' | 'crc32' | 'codec'>;

/**
 * Seals and opens the encrypted parts of one session file with the data key: block data (random nonce; the block's
 * header and the file's seal id as associated data, so blocks cannot be swapped, moved or relabelled), catalog ids
 * (deterministic, so the catalog's primary key still deduplicates) and feed event bodies.
 */
export class SessionSeal {
  constructor(
    readonly file: string,
    readonly sealId: string,
    private readonly key: DataKey | null,
    /** The key fingerprint the file records (null: a file this build starts sealing now). */
    readonly fileKeyId: string | null,
    private readonly missingKey: () => never,
  ) {}

  /** A key is there and is the one the file was sealed with. */
  get usable(): boolean {
    return this.key !== null && (this.fileKeyId === null || this.fileKeyId === this.key.id);
  }

  /** Throws the one-line error when the file's sealed parts cannot be opened here (no key, another key). */
  check(): void {
    if (this.fileKeyId !== null) this.requireKey();
  }

  private requireKey(): DataKey {
    if (!this.key) this.missingKey();
    if (this.fileKeyId !== null && this.key.id !== this.fileKeyId) {
      throw new SessionFileError(
        this.file,
        'key',
        `encrypted with data key ${this.fileKeyId}, but this installation's key is ${this.key.id}: use the key file of the installation that recorded it`,
      );
    }
    return this.key;
  }

  private blockAad(header: BlockHeaderFields): string {
    return `fwsession-block:${this.sealId}:${header.first_seq}:${header.last_seq}:${header.count}:${header.raw_bytes}:${header.crc32}:${header.codec}`;
  }

  /** `header.codec` must already carry SEALED_CODEC_FLAG. */
  sealBlock(header: BlockHeaderFields, deflated: Uint8Array): Buffer {
    return this.requireKey().seal(deflated, this.blockAad(header));
  }

  openBlock(block: StoredBlock): Buffer {
    const key = this.requireKey();
    try {
      return key.open(block.data, this.blockAad(block));
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new SessionFileError(
        this.file,
        'corrupt',
        `block at seq ${block.first_seq}..${block.last_seq} fails its authentication (changed, or moved from another place)`,
      );
    }
  }

  sealCatalogId(kind: string, id: string): string {
    return this.requireKey().sealTextDeterministic(id, `fwsession-catalog:${this.sealId}:${kind}`);
  }

  openCatalogId(kind: string, stored: string): string {
    return this.openText(stored, `fwsession-catalog:${this.sealId}:${kind}`, 'a catalog entry');
  }

  eventAad(afterSeq: number, ts: number, type: string): string {
    return `fwsession-event:${this.sealId}:${afterSeq}:${ts}:${type}`;
  }

  sealEvent(afterSeq: number, ts: number, type: string, body: string): string {
    return this.requireKey().sealText(body, this.eventAad(afterSeq, ts, type));
  }

  private openText(stored: string, associated: string, what: string): string {
    if (!isSealedText(stored)) return stored;
    try {
      return this.requireKey().openText(stored, associated);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new SessionFileError(this.file, 'corrupt', `${what} fails its authentication (changed)`);
    }
  }
}
