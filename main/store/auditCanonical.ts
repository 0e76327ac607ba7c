// Canonical JSON and the audit row hash. Written once, used by the log, by verify (database and NDJSON export) and
// by the tests: if two places serialised differently, a good chain would look broken.
import { hash as digest } from 'node:crypto';

/** A JSON value as the audit log stores it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** prev_hash of row 1. */
export const GENESIS_HASH = '0'.repeat(64);

const MAX_DEPTH = 32;

/**
 * Canonical JSON: no whitespace, object keys sorted by UTF-16 code units (Array.prototype.sort's default order),
 * strings and numbers as JSON.stringify writes them (ECMAScript's shortest round-trip form, so 1.0 → 1, -0 → 0).
 * Object members whose value is undefined are left out, like JSON.stringify does. Anything JSON cannot carry
 * faithfully — NaN, Infinity, bigint, functions, symbols, undefined in an array, Dates, Maps, class instances,
 * cycles — throws a TypeError rather than being silently changed: an audit row must hash what was meant.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value, 0);
  } catch (error) {
    if (!(error instanceof CanonicalError)) throw error;
    // Slow path, errors only: walk again to name the offending member.
    const path = locate(value, 0) ?? [];
    const where = path.length === 0 ? 'the value' : `"${path.join('.')}"`;
    throw new TypeError(`canonicalJson: ${where} ${error.message}`);
  }
}

class CanonicalError extends Error {}

function write(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalError(`is ${value}, not a finite number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalError(`is a ${typeof value}, which JSON cannot carry`);
  }
  if (depth >= MAX_DEPTH) throw new CanonicalError(`is nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (item === undefined) throw new CanonicalError('is undefined');
      out += (index > 0 ? ',' : '') + write(item, depth + 1);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new CanonicalError('is not a plain object');
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${write(member, depth + 1)}`;
  }
  return `${out}}`;
}

/** The path to the first member write() refuses, or null when the value itself is refused. */
function locate(value: unknown, depth: number): string[] | null {
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return null;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.keys(value)
        .sort()
        .map((key) => [key, (value as Record<string, unknown>)[key]]);
  for (const [key, member] of entries) {
    if (member === undefined && !Array.isArray(value)) continue;
    try {
      write(member, depth + 1);
    } catch {
      const inner = locate(member, depth + 1);
      return [key, ...(inner ?? [])];
    }
  }
  return null;
}

/** The hashed content of one audit row: every column except the two hashes. `details` is the stored JSON text. */
export interface AuditRowContent {
  id: number;
  time: number;
  operator: string;
  role: string;
  action: string;
  target: string;
  details: string;
  reason: string;
}

/** hash = SHA-256 (hex) over the previous row's hash, a newline, and the canonical JSON of this row's content. */
export function auditRowHash(prevHash: string, row: AuditRowContent): string {
  const content = canonicalJson({
    action: row.action,
    details: row.details,
    id: row.id,
    operator: row.operator,
    reason: row.reason,
    role: row.role,
    target: row.target,
    time: row.time,
  });
  return digest('sha256', `${prevHash}\n${content}`, 'hex');
}
