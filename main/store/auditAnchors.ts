// Anchors of the audit chain kept outside the audit database: the head (row id + hash) at a moment, so that a tail
// deleted from the log (triggers dropped, rows deleted, audit_head moved back) or a rewritten row is caught by
// `audit verify`. The log hands every new durable head to its sinks (the anchor file beside it, the session file
// being recorded, later the team database); reports and evidence packs print the head they were made at.
//
// An anchor names its log by the first 16 hex digits of row 1's hash: a session file copied in from another
// workstation carries anchors of another log, which verify must not read as a truncation of this one.
import fs from 'node:fs';
import path from 'node:path';

/** The head of the audit chain at `time`, as anchored somewhere. */
export interface AuditHeadAnchor {
  id: number;
  hash: string;
  /** Epoch ms when the head was anchored (or the report generated). */
  time: number;
  /** The log's identity (first 16 hex digits of row 1's hash); null when unknown (an anchor typed by hand). */
  log: string | null;
}

/** Somewhere the head is anchored as the log grows. `anchor` must not throw for long or block: it runs per append. */
export interface AuditAnchorSink {
  /** For messages: "anchor file /…/audit.anchors", "live session file". */
  readonly name: string;
  anchor(head: AuditHeadAnchor): void;
  /** Makes the latest head durable and releases the sink (the log is closing). */
  close?(): void;
}

/** An anchor found while verifying, with where it was found. */
export interface SourcedAnchor extends AuditHeadAnchor {
  /** Where it came from, for the finding line: a file path or "--anchor". */
  source: string;
  /** The anchor file beside the log is written for this log only: a foreign log id there is a finding. */
  kind: 'anchor_file' | 'session' | 'report' | 'argument';
}

export const AUDIT_ANCHORS_FILE_NAME = 'audit.anchors';
export const ANCHOR_FILE_FORMAT = 'floorwatch-audit-anchors/1';
/** Length of a log identity (hex digits of row 1's hash). */
export const LOG_ID_LENGTH = 16;

export function logIdOf(row1Hash: string): string {
  return row1Hash.slice(0, LOG_ID_LENGTH);
}

/** Latest anchors kept when the anchor file is compacted (plus one per day and one per log, see compact()). */
export const ANCHOR_FILE_KEEP = 1000;
/** Lines past which the file is compacted (about 150 bytes a line: the file stays under ~300 KB + a line a day). */
const ANCHOR_FILE_COMPACT_AT = 2 * ANCHOR_FILE_KEEP;

const HASH_RE = /^[0-9a-f]{64}$/;
const LOG_RE = /^[0-9a-f]{16}$/;

function isAnchor(value: unknown): value is { id: number; hash: string; time: string; log?: string | null } {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'number' &&
    Number.isSafeInteger(v.id) &&
    v.id >= 0 &&
    typeof v.hash === 'string' &&
    HASH_RE.test(v.hash) &&
    typeof v.time === 'string' &&
    Number.isFinite(Date.parse(v.time)) &&
    (v.log === undefined || v.log === null || (typeof v.log === 'string' && LOG_RE.test(v.log)))
  );
}

export function anchorLine(head: AuditHeadAnchor): string {
  return `${JSON.stringify(anchorJson(head))}\n`;
}

export interface AnchorFileContents {
  anchors: AuditHeadAnchor[];
  /** One line each: what could not be read (the file itself missing, unreadable lines). */
  warnings: string[];
  /** The file exists. */
  exists: boolean;
}

/** Reads an anchor file. Never throws: a missing or damaged file gives warnings and whatever lines are readable. */
export function readAnchorFile(file: string): AnchorFileContents {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      anchors: [],
      exists: code !== 'ENOENT',
      warnings: [
        code === 'ENOENT'
          ? `no anchor file at ${file}: the tail of the log is checked only against other anchors`
          : `anchor file ${file} cannot be read (${(error as Error).message})`,
      ],
    };
  }
  const anchors: AuditHeadAnchor[] = [];
  const bad: number[] = [];
  const lines = text.split('\n');
  const torn = lines[lines.length - 1] !== '';
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad.push(index + 1);
      return;
    }
    if ((value as { format?: unknown })?.format === ANCHOR_FILE_FORMAT) return;
    if (!isAnchor(value)) {
      bad.push(index + 1);
      return;
    }
    anchors.push({ id: value.id, hash: value.hash, time: Date.parse(value.time), log: value.log ?? null });
  });
  const warnings: string[] = [];
  if (bad.length > 0) {
    const lastBad = bad[bad.length - 1] === lines.length && torn;
    warnings.push(
      bad.length === 1 && lastBad
        ? `anchor file ${file}: the last line is incomplete (a write was cut short), ignored`
        : `anchor file ${file}: ${bad.length} line(s) are not anchors (first: line ${bad[0]}), ignored: the file is damaged or was edited`,
    );
  }
  if (anchors.length === 0 && bad.length > 0) warnings.push(`anchor file ${file} holds no readable anchor (damaged?)`);
  return { anchors, warnings, exists: true };
}

/**
 * Which anchors a compacted file keeps: the newest ANCHOR_FILE_KEEP, the first of each UTC day (a daily checkpoint:
 * "row N existed on that day"), and the newest of every log named in the file (a replaced log stays visible).
 */
export function compactAnchors(anchors: readonly AuditHeadAnchor[]): AuditHeadAnchor[] {
  const keep = new Set<number>();
  const firstOfDay = new Map<string, number>();
  const newestOfLog = new Map<string, number>();
  anchors.forEach((anchor, index) => {
    const day = new Date(anchor.time).toISOString().slice(0, 10);
    if (!firstOfDay.has(day)) firstOfDay.set(day, index);
    newestOfLog.set(anchor.log ?? '', index);
    if (index >= anchors.length - ANCHOR_FILE_KEEP) keep.add(index);
  });
  for (const index of firstOfDay.values()) keep.add(index);
  for (const index of newestOfLog.values()) keep.add(index);
  return anchors.filter((_, index) => keep.has(index));
}

/**
 * The anchor file beside the audit log: one JSON line per anchored head, appended and fdatasync'd off the caller's
 * thread (libuv's pool), at most one write in flight: heads that arrive meanwhile are folded into the next write, so
 * a burst of appends costs a few fsyncs, not one each, and append() never waits for this file. close() writes the
 * latest head synchronously. Created 0600. Grows to ANCHOR_FILE_COMPACT_AT lines, then is compacted (written to a
 * temporary file, fsync'd and renamed over, so a crash leaves the old or the new file, never half of one).
 */
export class AuditAnchorFile implements AuditAnchorSink {
  readonly name: string;
  private fd: number | null = null;
  private lines = -1;
  private latest: AuditHeadAnchor | null = null;
  private pending: AuditHeadAnchor | null = null;
  private durable: AuditHeadAnchor | null = null;
  private draining: Promise<void> | null = null;
  private failing = false;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.name = `anchor file ${file}`;
  }

  anchor(head: AuditHeadAnchor): void {
    if (this.closed) return;
    this.latest = head;
    this.pending = head;
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = null;
        if (this.closed) this.closeFd();
      });
    }
  }

  /** Resolves when every head handed over so far is on disk (or failed). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const latest = this.latest;
    if (latest && (this.durable?.id !== latest.id || this.durable.hash !== latest.hash)) {
      try {
        const fd = this.open();
        fs.writeSync(fd, anchorLine(latest));
        fs.fdatasyncSync(fd);
        this.durable = latest;
      } catch (error) {
        this.report(error);
      }
    }
    this.pending = null;
    if (!this.draining) this.closeFd();
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.closed) {
      const head = this.pending;
      this.pending = null;
      try {
        const fd = this.open();
        await new Promise<void>((resolve, reject) =>
          fs.write(fd, anchorLine(head), (error) => (error ? reject(error) : resolve())),
        );
        await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
        this.durable = head;
        this.lines += 1;
        if (this.failing) {
          this.failing = false;
          this.onProblem(`audit anchors are written to ${this.file} again`);
        }
        if (this.lines >= ANCHOR_FILE_COMPACT_AT && !this.closed) this.compact();
      } catch (error) {
        this.report(error);
      }
    }
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const fresh = !fs.existsSync(this.file);
    const fd = fs.openSync(this.file, 'a', 0o600);
    if (fresh) {
      fs.writeSync(fd, `${JSON.stringify({ format: ANCHOR_FILE_FORMAT })}\n`);
      this.lines = 0;
    } else if (this.lines < 0) {
      this.lines = fs.readFileSync(this.file, 'utf8').split('\n').length - 1;
    }
    this.fd = fd;
    return fd;
  }

  private compact(): void {
    const { anchors } = readAnchorFile(this.file);
    const kept = compactAnchors(anchors);
    const temp = `${this.file}.compacting`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify({ format: ANCHOR_FILE_FORMAT })}\n${kept.map(anchorLine).join('')}`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.file);
    syncFolder(path.dirname(this.file));
    this.closeFd();
    this.lines = kept.length;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already gone with its disk: nothing left to save
    }
    this.fd = null;
  }

  private report(error: unknown): void {
    this.closeFd();
    if (this.failing) return; // once per outage
    this.failing = true;
    this.onProblem(
      `audit anchor not written to ${this.file}: ${(error as Error).message}; the audit log itself is unaffected, retrying with the next row`,
    );
  }
}

function syncFolder(folder: string): void {
  try {
    const fd = fs.openSync(folder, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder for fsync; the rename is durable there once NTFS commits its journal
  }
}

/**
 * The head as printed in a report and found again by verify: "row 61, hash <64 hex>, time <ISO>, log <16 hex>".
 * One line, so a printed report is an anchor anyone can type back (`audit verify --anchor 61:<hash>`).
 */
export function anchorText(head: AuditHeadAnchor): string {
  return `row ${head.id}, hash ${head.hash}, time ${new Date(head.time).toISOString()}${head.log ? `, log ${head.log}` : ''}`;
}

const ANCHOR_TEXT_RE = /row (\d{1,15}), hash ([0-9a-f]{64}), time (\d{4}-\d\d-\d\dT[\d:.]+Z)(?:, log ([0-9a-f]{16}))?/g;

/** Every anchorText() in a text (a report's HTML or CSV). */
export function anchorsInText(text: string): AuditHeadAnchor[] {
  const found: AuditHeadAnchor[] = [];
  for (const match of text.matchAll(ANCHOR_TEXT_RE)) {
    found.push({
      id: Number(match[1]),
      hash: match[2] as string,
      time: Date.parse(match[3] as string),
      log: match[4] ?? null,
    });
  }
  return found;
}

/** An anchor as an evidence manifest carries it (`auditHead`), or null when the value is not one. */
export function anchorFromJson(value: unknown): AuditHeadAnchor | null {
  if (!isAnchor(value)) return null;
  return { id: value.id, hash: value.hash, time: Date.parse(value.time), log: value.log ?? null };
}

export function anchorJson(head: AuditHeadAnchor): { id: number; hash: string; time: string; log: string | null } {
  return { id: head.id, hash: head.hash, time: new Date(head.time).toISOString(), log: head.log };
}
