// NDJSON interchange (docs/protocol.md "Files"): one server message per line, in seq order. Export writes a session's
// canonical lines as stored (so import → export gives back the same bytes per message); import validates each line
// with the protocol's validateMessage and records it through the same SessionJournal as live recording.
import { createReadStream, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { isRejection, isSequenced, validateMessage, type ServerMessage } from '../../shared/protocol';
import { SessionJournal, type JournalHealth, type JournalProblem } from './journal';
import type { SessionInfo } from './sessionFormat';
import type { SessionReader, SeqRange } from './sessionReader';

// --- ranges --------------------------------------------------------------------------------------------------------

/** A range bound: a seq, or a time (epoch ms). */
export type RangeBound = { seq: number } | { ts: number };

/** Integers from this value up are epoch milliseconds (1973-03-03), below it seqs. */
export const EPOCH_MS_THRESHOLD = 100_000_000_000;

/**
 * Parses a bound given on the command line: a whole number below 1e11 is a seq, a larger one epoch ms, anything
 * else an ISO 8601 time (`2026-01-05T09:30:00+08:00`; without a zone it is UTC). Returns undefined when it is none.
 */
export function parseRangeBound(text: string): RangeBound | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const value = Number(trimmed);
    if (!Number.isSafeInteger(value)) return undefined;
    return value >= EPOCH_MS_THRESHOLD ? { ts: value } : { seq: value };
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const iso = /T.*(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`;
  const ts = Date.parse(iso);
  return Number.isNaN(ts) ? undefined : { ts };
}

/** Turns from/to bounds into an inclusive seq range of `reader` (an empty range has toSeq < fromSeq). */
export function resolveRange(reader: SessionReader, from?: RangeBound, to?: RangeBound): Required<SeqRange> {
  const last = reader.meta.lastSeq ?? 0;
  let fromSeq = 1;
  let toSeq = last;
  if (from) {
    if ('seq' in from) fromSeq = from.seq;
    else fromSeq = reader.seekByTime(from.ts) ?? last + 1;
  }
  if (to) {
    if ('seq' in to) toSeq = to.seq;
    else toSeq = (reader.seekByTime(to.ts + 1) ?? last + 1) - 1;
  }
  return { fromSeq, toSeq: Math.min(toSeq, last) };
}

// --- export ----------------------------------------------------------------------------------------------------------

export interface ExportSummary {
  messages: number;
  fromSeq: number | null;
  toSeq: number | null;
  /** True when the output closed early (e.g. `| head`). */
  truncated: boolean;
}

/** Writes the range's messages to `out`, one per line, in seq order, respecting backpressure. */
export async function exportNdjson(
  reader: SessionReader,
  out: Writable,
  range: SeqRange = {},
  options: { skipDamaged?: boolean } = {},
): Promise<ExportSummary> {
  const summary: ExportSummary = { messages: 0, fromSeq: null, toSeq: null, truncated: false };
  let failure: Error | null = null;
  const onError = (error: Error) => {
    failure = error;
  };
  out.on('error', onError);
  try {
    for (const lines of reader.lineChunks(range, options)) {
      if (failure || out.destroyed) break;
      if (lines.length === 0) continue;
      if (summary.fromSeq === null) summary.fromSeq = firstSeqOf(lines[0]!);
      summary.messages += lines.length;
      summary.toSeq = firstSeqOf(lines[lines.length - 1]!);
      if (!out.write(`${lines.join('\n')}\n`)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            out.off('drain', done);
            out.off('close', done);
            out.off('error', done);
            resolve();
          };
          out.on('drain', done);
          out.on('close', done);
          out.on('error', done);
        });
      }
    }
  } finally {
    out.off('error', onError);
  }
  const error = failure as (Error & { code?: string }) | null;
  if (error) {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') summary.truncated = true;
    else throw error;
  }
  return summary;
}

function firstSeqOf(line: string): number {
  return (JSON.parse(line) as { seq: number }).seq;
}

// --- import ----------------------------------------------------------------------------------------------------------

export interface LineRejection {
  /** 1-based line number in the input. */
  line: number;
  reason: string;
  detail: string;
}

/** A malformed line under --strict, or an input/output failure that stops the import. */
export class NdjsonImportError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'NdjsonImportError';
  }
}

export interface ImportOptions {
  /** A malformed line stops the import (and removes the output file) instead of being skipped. */
  strict?: boolean;
  /** Session identity when the input has no hello line (defaults: id from the file name, trading day unknown). */
  session?: Partial<SessionInfo>;
  /** Called for each skipped line (not called in strict mode: the first one throws). */
  onReject?: (rejection: LineRejection) => void;
  blockSize?: number;
  /**
   * Sequenced lines held back to be put in seq order (default 10,000): a line at most this many lines away from its
   * place is put back there; one further away comes too late (its seq is already a gap) and is rejected.
   */
  reorderWindow?: number;
}

export const DEFAULT_REORDER_WINDOW = 10_000;

export interface ImportSummary {
  file: string;
  lines: number;
  imported: number;
  rejected: number;
  /** hello, heartbeat and error lines: not part of the seq stream (a hello names the session). */
  unsequenced: number;
  blank: number;
  /** Lines that arrived after a higher seq and were put back in seq order. */
  reordered: number;
  /** Of the rejected lines: a seq already imported (or already waiting), and a seq that came too late to place. */
  duplicates: number;
  tooFarOutOfOrder: number;
  firstSeq: number | null;
  lastSeq: number | null;
  journal: JournalHealth;
}

/** A line waiting in the reorder window: a sequenced message at its seq, an unsequenced one just after the seq it followed. */
interface Waiting {
  key: number;
  line: number;
  message: ServerMessage;
}

/** A binary min-heap of waiting lines by (key, line): the next one to write is always on top. */
class ReorderHeap {
  private readonly items: Waiting[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: Waiting): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Waiting | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && before(items[left]!, items[least]!)) least = left;
        if (right < items.length && before(items[right]!, items[least]!)) least = right;
        if (least === i) break;
        [items[i], items[least]] = [items[least]!, items[i]!];
        i = least;
      }
    }
    return top;
  }
}

const before = (a: Waiting, b: Waiting) => a.key < b.key || (a.key === b.key && a.line < b.line);

function cannotWrite(problem: JournalProblem): string {
  return `${problem.file}: ${problem.reason}`;
}

/** Splits a byte stream into lines (handles \n and \r\n, a last line without newline). */
async function* readLines(input: Readable): AsyncGenerator<string> {
  let rest = '';
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/**
 * Imports NDJSON (a file path or a stream) into a new session file `outFile`. Each line is validated; a bad line
 * is reported with its line number and skipped, or stops the import under `strict`. Seqs must increase; a jump is
 * recorded in the file as a gap.
 */
export async function importNdjson(
  input: string | Readable,
  outFile: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  const inputName = typeof input === 'string' ? input : 'stdin';
  const defaultId =
    typeof input === 'string' ? (input.split(/[\\/]/).pop() ?? input).replace(/\.[^.]*$/, '') : 'import';
  let journal: SessionJournal | null = null;
  let problem: JournalProblem | null = null;
  const summary = {
    file: outFile,
    lines: 0,
    imported: 0,
    rejected: 0,
    unsequenced: 0,
    blank: 0,
    reordered: 0,
    duplicates: 0,
    tooFarOutOfOrder: 0,
    firstSeq: null as number | null,
    lastSeq: null as number | null,
  };
  const window = Math.max(0, options.reorderWindow ?? DEFAULT_REORDER_WINDOW);
  // Lines wait here until the window is full, then leave lowest seq first: swapped or shuffled neighbours are put
  // back in order. `written` is the last seq passed to the journal; `holes` the seq ranges skipped when writing
  // (recorded as gaps), which tell a line that came too late from a duplicate.
  const waiting = new ReorderHeap();
  const waitingSeqs = new Set<number>();
  let waitingSequenced = 0;
  let written = 0;
  let highestRead = 0;
  const holes: { fromSeq: number; toSeq: number }[] = [];
  const inHole = (seq: number) => {
    let low = 0;
    let high = holes.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const hole = holes[middle]!;
      if (seq < hole.fromSeq) high = middle - 1;
      else if (seq > hole.toSeq) low = middle + 1;
      else return true;
    }
    return false;
  };
  let info: SessionInfo | null = null;
  let batch: ServerMessage[] = [];

  const openJournal = (session: SessionInfo) => {
    journal = new SessionJournal(outFile, {
      session,
      createdBy: 'import',
      flushIntervalMs: 0,
      ...(options.blockSize ? { blockSize: options.blockSize } : {}),
      onProblem: (p) => {
        problem = p;
      },
    });
    if (problem) throw new NdjsonImportError(cannotWrite(problem));
    return journal;
  };
  const ensureJournal = (): SessionJournal =>
    journal ??
    openJournal(
      info ?? {
        sessionId: options.session?.sessionId ?? defaultId,
        tradingDay: options.session?.tradingDay ?? '',
        source: options.session?.source ?? `import:${inputName}`,
      },
    );
  const writeBatch = () => {
    if (batch.length === 0) return;
    const target = ensureJournal();
    target.append(batch);
    batch = [];
    if (problem) throw new NdjsonImportError(cannotWrite(problem));
  };
  const reject = (line: number, reason: string, detail: string) => {
    if (options.strict) throw new NdjsonImportError(`line ${line}: ${reason}: ${detail}`, line);
    summary.rejected++;
    options.onReject?.({ line, reason, detail });
  };
  /** Writes the waiting line with the lowest seq. */
  const release = () => {
    const next = waiting.pop();
    if (!next) return;
    const message = next.message;
    if (!isSequenced(message)) {
      batch.push(message);
      return;
    }
    waitingSeqs.delete(message.seq);
    waitingSequenced--;
    if (message.seq > written + 1 && written > 0) holes.push({ fromSeq: written + 1, toSeq: message.seq - 1 });
    else if (message.seq > 1 && written === 0) holes.push({ fromSeq: 1, toSeq: message.seq - 1 });
    written = message.seq;
    summary.firstSeq ??= message.seq;
    summary.lastSeq = message.seq;
    summary.imported++;
    batch.push(message);
    if (batch.length >= 4096) writeBatch();
  };

  try {
    try {
      for await (const text of readLines(stream)) {
        const lineNo = ++summary.lines;
        if (text.trim() === '') {
          summary.blank++;
          continue;
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          reject(lineNo, 'malformed_json', (error as Error).message);
          continue;
        }
        const result = validateMessage(value);
        if (isRejection(result)) {
          reject(lineNo, result.reason, result.detail);
          continue;
        }
        if (!isSequenced(result)) {
          summary.unsequenced++;
          if (result.type === 'hello' && !info && !journal) {
            info = { sessionId: result.sessionId, tradingDay: result.tradingDay, source: result.source };
          }
          // Kept right after the seq it followed in the input (hello, error: recorded as feed events).
          if (result.type !== 'heartbeat')
            waiting.push({ key: Math.max(highestRead, written) + 0.5, line: lineNo, message: result });
          continue;
        }
        const seq = result.seq;
        if (seq <= written || waitingSeqs.has(seq)) {
          if (seq <= written && inHole(seq)) {
            summary.tooFarOutOfOrder++;
            reject(
              lineNo,
              'too_far_out_of_order',
              `seq ${seq} comes more than ${window} lines after its place (seq ${written} was already written); ` +
                'it stays a gap',
            );
          } else {
            summary.duplicates++;
            reject(lineNo, 'duplicate', `seq ${seq} was already read`);
          }
          continue;
        }
        if (seq < highestRead) summary.reordered++;
        highestRead = Math.max(highestRead, seq);
        waiting.push({ key: seq, line: lineNo, message: result });
        waitingSeqs.add(seq);
        waitingSequenced++;
        while (waitingSequenced > window) release();
      }
      while (waiting.size > 0) release();
    } catch (error) {
      if (error instanceof NdjsonImportError) throw error;
      const code = (error as { code?: string }).code;
      throw new NdjsonImportError(
        code === 'ENOENT'
          ? `${inputName}: no such file`
          : code === 'EISDIR'
            ? `${inputName}: is a folder, not an NDJSON file`
            : `${inputName}: cannot read (${(error as Error).message})`,
      );
    }
    writeBatch();
    const final = ensureJournal().close();
    if (problem || final.unrecorded.messages > 0) {
      throw new NdjsonImportError(
        problem ? cannotWrite(problem) : `${outFile}: ${final.unrecorded.messages} messages could not be written`,
      );
    }
    return { ...summary, journal: final };
  } catch (error) {
    const opened = journal as SessionJournal | null;
    if (opened) {
      opened.close();
      if (!opened.createdNewFile) throw error;
      // A failed import leaves nothing behind that could pass for a complete session.
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${outFile}${suffix}`, { force: true });
    }
    throw error;
  }
}
