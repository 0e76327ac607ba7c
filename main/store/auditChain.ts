// Checks a hash chain of audit rows, one row at a time, and names the first broken row. Pure: the same checker
// verifies the SQLite log (rows in id order) and an NDJSON export, so an auditor can check an export offline.
import { auditRowHash, canonicalJson, GENESIS_HASH } from './auditCanonical';

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
  | 'unreadable';

export type AuditVerifyResult =
  | { ok: true; rows: number; headId: number; headHash: string; warnings: string[] }
  | {
      ok: false;
      /** Rows that checked out before the break. */
      rows: number;
      /** The first row that is wrong or missing. */
      brokenRow: number;
      problem: AuditProblem;
      message: string;
      warnings: string[];
    };

/** Where the chain should pass: a row id and its hash, taken from an earlier verify or export. */
export interface AuditAnchor {
  id: number;
  hash: string;
}

type Failure = Extract<AuditVerifyResult, { ok: false }>;

const TEXT_COLUMNS = ['operator', 'role', 'action', 'target', 'reason'] as const;

export class AuditChainChecker {
  private expectedId = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private failure: Failure | null = null;
  readonly warnings: string[] = [];

  constructor(private readonly anchor?: AuditAnchor) {}

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
    if (this.anchor && this.anchor.id === id && this.anchor.hash !== hash) {
      return this.fail(id, 'anchor_mismatch', `row ${id}: hash differs from the anchor (the log was rewritten)`);
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
    if (this.anchor && this.anchor.id > lastId) {
      this.fail(lastId + 1, 'anchor_mismatch', `the log ends at row ${lastId}, before anchor row ${this.anchor.id}`);
    } else if (head && head.id > lastId) {
      this.fail(
        lastId + 1,
        'truncated',
        `rows ${lastId + 1}..${head.id} are missing: the log ends at row ${lastId} but recorded its head at row ${head.id}`,
      );
    } else if (head && head.id < lastId) {
      this.fail(
        head.id + 1,
        'unrecorded_rows',
        `rows ${head.id + 1}..${lastId} were not written through the audit log (its head is at row ${head.id})`,
      );
    } else if (head && head.hash !== this.prevHash) {
      this.fail(lastId, 'head_mismatch', `row ${lastId}: hash does not match the head the log recorded`);
    }
    if (this.failure) return this.finish();
    return { ok: true, rows: this.checked, headId: lastId, headHash: this.prevHash, warnings: [...this.warnings] };
  }

  private fail(brokenRow: number, problem: AuditProblem, message: string): false {
    this.failure = { ok: false, rows: this.checked, brokenRow, problem, message, warnings: [] };
    return false;
  }
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
