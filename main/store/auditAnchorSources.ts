// Finds the anchors of an audit log for `audit verify` and the start-up check: the anchor file beside the log, every
// session file in the sessions folder, the evidence-pack manifests in the exports folder, and whatever files or
// folders the caller names (a manifest, a pack zip, a report's HTML/CSV, a session or anchor file copied elsewhere).
// Never throws for a bad source: each one that cannot be read is one warning line, and verify goes on.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import {
  ANCHOR_FILE_FORMAT,
  AUDIT_ANCHORS_FILE_NAME,
  anchorFromJson,
  anchorsInText,
  readAnchorFile,
  type AuditHeadAnchor,
  type SourcedAnchor,
} from './auditAnchors';
import { MANIFEST_FILE, MANIFEST_FORMAT } from '../reports/manifest';
import { auditAnchorsPath } from './auditPaths';
import { AUDIT_ANCHORS_TABLE } from './migrations/v5';
import { SESSION_FILE_EXTENSION } from './sessionFormat';

export interface FoundAnchors {
  anchors: SourcedAnchor[];
  warnings: string[];
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** Folders are searched this deep and this wide at most (an exports folder can hold years of packs). */
const MAX_DEPTH = 4;
const MAX_ENTRIES = 20_000;

export interface AnchorSearch {
  /** The data folder of the log: its anchor file, `sessions/` and `exports/` are searched. */
  dataDir?: string;
  /** Warn when the anchor file is missing (the log has rows, so it should have one). */
  expectAnchorFile?: boolean;
  /** More files or folders to read anchors from. */
  paths?: readonly string[];
}

export function findAuditAnchors(search: AnchorSearch): FoundAnchors {
  const found: FoundAnchors = { anchors: [], warnings: [] };
  if (search.dataDir !== undefined) {
    const anchorFile = auditAnchorsPath(search.dataDir);
    const contents = readAnchorFile(anchorFile);
    if (contents.exists || search.expectAnchorFile) found.warnings.push(...contents.warnings);
    add(found, contents.anchors, anchorFile, 'anchor_file');
    searchFolder(found, path.join(search.dataDir, 'sessions'), { sessions: true, manifests: false, optional: true });
    searchFolder(found, path.join(search.dataDir, 'exports'), { sessions: false, manifests: true, optional: true });
  }
  for (const given of search.paths ?? []) readPath(found, given);
  return found;
}

function add(found: FoundAnchors, anchors: AuditHeadAnchor[], source: string, kind: SourcedAnchor['kind']): void {
  for (const anchor of anchors) found.anchors.push({ ...anchor, source, kind });
}

interface FolderSearch {
  sessions: boolean;
  manifests: boolean;
  /** A missing folder is normal (nothing recorded or exported yet). */
  optional: boolean;
}

function searchFolder(found: FoundAnchors, folder: string, what: FolderSearch): void {
  let seen = 0;
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!(code === 'ENOENT' && what.optional && depth === 0)) {
        found.warnings.push(`cannot search ${dir} for audit anchors: ${(error as Error).message}`);
      }
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (++seen > MAX_ENTRIES) {
        if (seen === MAX_ENTRIES + 1)
          found.warnings.push(`${folder}: more than ${MAX_ENTRIES} entries, the rest not searched`);
        return;
      }
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH && !entry.name.startsWith('.')) walk(full, depth + 1);
      else if (entry.isFile() && what.sessions && entry.name.endsWith(SESSION_FILE_EXTENSION)) readSession(found, full);
      else if (entry.isFile() && what.manifests && entry.name === MANIFEST_FILE) readManifest(found, full);
    }
  };
  walk(folder, 0);
}

/** A file or folder the caller named: what it is is read from its content. */
function readPath(found: FoundAnchors, given: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(given);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    found.warnings.push(`${given}: ${code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`);
    return;
  }
  const before = found.anchors.length;
  if (stat.isDirectory()) {
    searchFolder(found, given, { sessions: true, manifests: true, optional: false });
    const anchorFile = path.join(given, AUDIT_ANCHORS_FILE_NAME);
    if (fs.existsSync(anchorFile)) readAnchors(found, anchorFile);
  } else {
    let head: Buffer;
    try {
      head = readStart(given);
    } catch (error) {
      found.warnings.push(`${given}: cannot be read (${(error as Error).message})`);
      return;
    }
    const text = head.toString('utf8');
    if (head.toString('latin1', 0, 16) === SQLITE_MAGIC) readSession(found, given);
    else if (given.toLowerCase().endsWith('.zip')) readZip(found, given);
    else if (text.startsWith(`{"format":"${ANCHOR_FILE_FORMAT}"`)) readAnchors(found, given);
    else if (/^\s*\{/.test(text) && text.includes(`"${MANIFEST_FORMAT}"`)) readManifest(found, given);
    else readText(found, given);
  }
  if (found.anchors.length === before && !found.warnings.some((w) => w.includes(given))) {
    found.warnings.push(`${given}: no audit anchor found in it`);
  }
}

function readStart(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function readAnchors(found: FoundAnchors, file: string): void {
  const contents = readAnchorFile(file);
  found.warnings.push(...contents.warnings);
  add(found, contents.anchors, file, 'anchor_file');
}

/** The audit anchors a session file holds (schema v4 and later; older files have none). */
export function readSessionAuditAnchors(file: string): AuditHeadAnchor[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(AUDIT_ANCHORS_TABLE);
    if (!table) return [];
    const rows = db
      .prepare(`SELECT audit_id AS id, hash, log, anchored_at AS time FROM ${AUDIT_ANCHORS_TABLE} ORDER BY audit_id`)
      .all() as { id: unknown; hash: unknown; log: unknown; time: unknown }[];
    return rows.flatMap((row) => {
      const anchor = anchorFromJson({
        id: row.id,
        hash: row.hash,
        log: row.log,
        time: typeof row.time === 'number' ? new Date(row.time).toISOString() : row.time,
      });
      return anchor ? [anchor] : [];
    });
  } finally {
    db.close();
  }
}

function readSession(found: FoundAnchors, file: string): void {
  try {
    add(found, readSessionAuditAnchors(file), file, 'session');
  } catch (error) {
    found.warnings.push(`session file ${file}: its audit anchors cannot be read (${(error as Error).message})`);
  }
}

function manifestAnchor(found: FoundAnchors, text: string, source: string): void {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    found.warnings.push(`${source}: not JSON (${(error as Error).message})`);
    return;
  }
  const value = (manifest as { auditHead?: unknown } | null)?.auditHead;
  if (value === undefined || value === null) return; // a pack made without an audit log, or before anchors
  const anchor = anchorFromJson(value);
  if (anchor) add(found, [anchor], source, 'report');
  else found.warnings.push(`${source}: its auditHead is not an anchor (edited?)`);
}

function readManifest(found: FoundAnchors, file: string): void {
  try {
    manifestAnchor(found, fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    found.warnings.push(`${file}: cannot be read (${(error as Error).message})`);
  }
}

function readZip(found: FoundAnchors, file: string): void {
  try {
    const entries = unzipSync(fs.readFileSync(file), { filter: (entry) => entry.name.endsWith(`/${MANIFEST_FILE}`) });
    for (const [name, data] of Object.entries(entries)) {
      manifestAnchor(found, Buffer.from(data).toString('utf8'), `${file}:${name}`);
    }
  } catch (error) {
    found.warnings.push(`${file}: not a readable zip (${(error as Error).message})`);
  }
}

/** A report's HTML or CSV: the "audit head at generation" line it prints. */
function readText(found: FoundAnchors, file: string): void {
  try {
    add(found, anchorsInText(fs.readFileSync(file, 'utf8')), file, 'report');
  } catch (error) {
    found.warnings.push(`${file}: cannot be read (${(error as Error).message})`);
  }
}
