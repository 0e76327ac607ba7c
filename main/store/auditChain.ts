// Checks a hash chain of audit rows, one row at a time, and names the first broken row. Pure: the same checker
// verifies the SQLite log (rows in id order) and an NDJSON export, so an auditor can check an export offline.
import { auditRowHash, canonicalJson, GENESIS_HASH } from './auditCanonical';
import { logIdOf, type SourcedAnchor } from './auditAnchors';

export type AuditProblem =
  | 'missing_row'
  | 'out_of_order'
  | 'chain_broken'
  | 'edited'
  | 'bad_row'
  | 'truncated'
  | 'unrecorded_rows'
  | 'head_mismatch'
  | 'anchor_mismatch'
  | 'log_replaced'
  | 'unreadable';

export type AuditVerifyResult =
  | {
      ok: true;
      rows: number;
      headId: number;
      headHash: string;
      warnings: string[];
      /** Anchors compared with the chain (anchors of other logs left out), and the sources they came from. */
      anchors: { checked: number; sources: number };
    }
  | {
      ok: false;
      /** Rows that checked out before the break. */
      rows: number;
      /** The first row that is wrong or missing. */
      brokenRow: number;
      problem: AuditProblem;
      /** The first finding. */
      message: string;
      /** Every finding, one line each (the first is `message`): each anchor source that disagrees has its own. */
      findings: string[];
      warnings: string[];
    };

/** Where the chain should pass: a row id and its hash, taken from an earlier verify or export. */
export interface AuditAnchor {
  id: number;
  hash: string;
}

type Failure = Extract<AuditVerifyResult, { ok: false }>;

interface Finding {
  row: number;
  problem: AuditProblem;
  message: string;
}

const TEXT_COLUMNS = ['operator', 'role', 'action', 'target', 'reason'] as const;

export class AuditChainChecker {
  private expectedId = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private failure: Failure | null = null;
  readonly warnings: string[] = [];
  private readonly anchorsById = new Map<number, SourcedAnchor[]>();
  private readonly anchors: SourcedAnchor[];
  /** This log's identity, from row 1 (null while no row 1 was seen: an empty log). */
  private identity: string | null = null;
  /** First anchor per source whose hash disagrees with the row. */
  private readonly mismatches = new Map<string, Finding>();

  /** `anchor`: one row id + hash given by hand (--anchor); `anchors`: every anchor found elsewhere. */
  constructor(anchor?: AuditAnchor, anchors: readonly SourcedAnchor[] = []) {
    this.anchors = [...anchors];
    if (anchor) this.anchors.push({ ...anchor, time: NaN, log: null, source: '--anchor', kind: 'argument' });
    for (const sourced of this.anchors) {
      const list = this.anchorsById.get(sourced.id);
      if (list) list.push(sourced);
      else this.anchorsById.set(sourced.id, [sourced]);
    }
  }

  get broken(): boolean {
    return this.failure !== null;
  }

  /** Checks the next row; false once the chain is broken (later rows are not looked at). */
  push(value: unknown): boolean {
    if (this.failure) return false;
    const expected = this.expectedId;
    if (value === null || typeof value !== 'object')
      return this.fail(expected, 'bad_row', `row ${expected}: not a row`);
    const row = value as Record<string, unknown>;
    const id = row.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      return this.fail(expected, 'bad_row', `row ${expected}: id ${short(id)} is not a whole number`);
    }
    if (id < expected) {
      return this.fail(id, 'out_of_order', `row ${id} appears again or out of order after row ${expected - 1}`);
    }
    if (id > expected) {
      return this.fail(expected, 'missing_row', `row ${expected} is missing (the next row present is ${id})`);
    }
    if (typeof row.time !== 'number' || !Number.isSafeInteger(row.time)) {
      return this.fail(id, 'bad_row', `row ${id}: time ${short(row.time)} is not a whole number (edited by hand)`);
    }
    for (const column of TEXT_COLUMNS) {
      if (typeof row[column] !== 'string') {
        return this.fail(id, 'bad_row', `row ${id}: ${column} ${short(row[column])} is not text (edited by hand)`);
      }
    }
    if (typeof row.prev_hash !== 'string' || typeof row.hash !== 'string') {
      return this.fail(id, 'bad_row', `row ${id}: prev_hash/hash missing`);
    }
    let details: string;
    try {
      details = typeof row.details === 'string' ? row.details : canonicalJson(row.details);
    } catch (error) {
      return this.fail(id, 'bad_row', `row ${id}: details unreadable (${(error as Error).message})`);
    }
    if (row.prev_hash !== this.prevHash) {
      const before = id === 1 ? 'the genesis hash' : `the hash of row ${id - 1}`;
      return this.fail(
        id,
        'chain_broken',
        `row ${id}: prev_hash does not match ${before} (a row before it was rewritten, or rows were inserted, deleted or reordered)`,
      );
    }
    const hash = auditRowHash(this.prevHash, {
      id,
      time: row.time,
      operator: row.operator as string,
      role: row.role as string,
      action: row.action as string,
      target: row.target as string,
      details,
      reason: row.reason as string,
    });
    if (hash !== row.hash) return this.fail(id, 'edited', `row ${id}: content does not match its hash (row edited)`);
    if (id === 1) this.identity = logIdOf(hash);
    for (const anchor of this.anchorsById.get(id) ?? []) {
      if (anchor.hash === hash || this.foreign(anchor) || this.mismatches.has(anchor.source)) continue;
      this.mismatches.set(anchor.source, {
        row: id,
        problem: 'anchor_mismatch',
        message:
          `row ${id}: hash ${hash.slice(0, 12)}… differs from the anchor ${anchor.hash.slice(0, 12)}… in ` +
          `${anchor.source}${at(anchor)} (the log was rewritten)`,
      });
    }
    this.prevHash = hash;
    this.expectedId = id + 1;
    this.checked += 1;
    return true;
  }

  /** Stops early with a failure found outside the rows themselves (e.g. the file became unreadable). */
  abort(problem: AuditProblem, message: string): void {
    if (!this.failure) this.fail(this.expectedId, problem, message);
  }

  /** The verdict. `head` is the head the log recorded itself (absent for exports and old files). */
  finish(head?: AuditAnchor | null): AuditVerifyResult {
    if (this.failure) return { ...this.failure, warnings: [...this.warnings] };
    const lastId = this.expectedId - 1;
    const findings: Finding[] = [...this.anchorFindings(lastId)];
    if (head && head.id > lastId) {
      findings.push({
        row: lastId + 1,
        problem: 'truncated',
        message: `rows ${lastId + 1}..${head.id} are missing: the log ends at row ${lastId} but recorded its head at row ${head.id}`,
      });
    } else if (head && head.id < lastId) {
      findings.push({
        row: head.id + 1,
        problem: 'unrecorded_rows',
        message: `rows ${head.id + 1}..${lastId} were not written through the audit log (its head is at row ${head.id})`,
      });
    } else if (head && head.hash !== this.prevHash) {
      findings.push({
        row: lastId,
        problem: 'head_mismatch',
        message: `row ${lastId}: hash does not match the head the log recorded`,
      });
    }
    const foreign = this.foreignSources();
    if (foreign.length > 0) {
      const named = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
      this.warnings.push(
        `anchors of another audit log in ${foreign.length} file(s), not checked (copied from another workstation?): ${named}`,
      );
    }
    if (findings.length > 0) {
      const first = findings.reduce((a, b) => (b.row < a.row ? b : a));
      return {
        ok: false,
        rows: Math.min(this.checked, first.row - 1),
        brokenRow: first.row,
        problem: first.problem,
        message: first.message,
        findings: [first, ...findings.filter((f) => f !== first)].map((f) => f.message),
        warnings: [...this.warnings],
      };
    }
    const checked = this.anchors.filter((anchor) => !this.foreign(anchor));
    return {
      ok: true,
      rows: this.checked,
      headId: lastId,
      headHash: this.prevHash,
      warnings: [...this.warnings],
      anchors: { checked: checked.length, sources: new Set(checked.map((anchor) => anchor.source)).size },
    };
  }

  /** An anchor of another log: it names a log and this log's row 1 says otherwise. */
  private foreign(anchor: SourcedAnchor): boolean {
    return anchor.log !== null && this.identity !== null && anchor.log !== this.identity;
  }

  /**
   * Per source: the highest anchor past the end (a tail is gone), the first hash that disagrees (rewritten), and,
   * for the anchor file beside the log (written for this log only), anchors naming another log (log replaced).
   */
  private anchorFindings(lastId: number): Finding[] {
    const beyond = new Map<string, SourcedAnchor>();
    const replaced = new Map<string, SourcedAnchor>();
    for (const anchor of this.anchors) {
      if (this.foreign(anchor)) {
        if (anchor.kind === 'anchor_file' && !replaced.has(anchor.source)) replaced.set(anchor.source, anchor);
        continue;
      }
      if (anchor.id > lastId && anchor.id > (beyond.get(anchor.source)?.id ?? 0)) beyond.set(anchor.source, anchor);
    }
    const findings: Finding[] = [];
    for (const anchor of beyond.values()) {
      findings.push({
        row: lastId + 1,
        problem: 'truncated',
        message:
          `rows ${lastId + 1}.. are gone: anchored at row ${anchor.id} (hash ${anchor.hash.slice(0, 12)}…) in ` +
          `${anchor.source}${at(anchor)}`,
      });
    }
    findings.push(...this.mismatches.values());
    for (const anchor of replaced.values()) {
      findings.push({
        row: 1,
        problem: 'log_replaced',
        message:
          `row 1: ${anchor.source} anchors row ${anchor.id} of audit log ${anchor.log}${at(anchor)}, but this log is ` +
          `${this.identity}: the audit log was replaced or rewritten from row 1`,
      });
    }
    return findings;
  }

  private foreignSources(): string[] {
    const sources = new Set<string>();
    for (const anchor of this.anchors)
      if (this.foreign(anchor) && anchor.kind !== 'anchor_file') sources.add(anchor.source);
    return [...sources];
  }

  private fail(brokenRow: number, problem: AuditProblem, message: string): false {
    this.failure = { ok: false, rows: this.checked, brokenRow, problem, message, findings: [message], warnings: [] };
    return false;
  }
}

function at(anchor: SourcedAnchor): string {
  return Number.isFinite(anchor.time) ? ` at ${new Date(anchor.time).toISOString()}` : '';
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
