// SIGKILL during writes never leaves an acknowledged action unrecorded: a child process appends as fast as it can
// and prints each id once append() has returned; we kill it mid-stream, then every printed id must be in the file
// and the chain must verify. Three kills on the same file, so recovery and the next run's appends are covered too.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/store/auditLog';

const repo = path.resolve(import.meta.dirname, '../..');
const auditLogModule = path.join(repo, 'main/store/auditLog.ts');

const CHILD = `
import fs from 'node:fs';
const { AuditLog } = await import(process.env.AUDIT_MODULE);
const log = AuditLog.open(process.env.AUDIT_FILE);
fs.writeSync(1, 'ready\\n');
for (let n = 0; ; n++) {
  const row = log.append({ operator: 'kill.test', role: 'operator', action: 'note_added', target: 'alert:' + n,
                           details: { n, pid: process.pid }, reason: 'acknowledged before kill' });
  fs.writeSync(1, row.id + '\\n');
}
`;

/** Runs the child until it has acknowledged at least `minAcks` rows, SIGKILLs it, returns the acknowledged ids. */
function appendUntilKilled(file: string, minAcks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: repo,
      env: { ...process.env, AUDIT_MODULE: auditLogModule, AUDIT_FILE: file },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    let killed = false;
    const acked = (): number[] =>
      output
        .split('\n')
        .slice(0, -1) // a line without its newline was not fully printed
        .filter((line) => /^\d+$/.test(line))
        .map(Number);
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not acknowledge ${minAcks} rows in time: ${errors}`));
    }, 60_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!killed && acked().length >= minAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`child exited without being killed: ${errors}`));
      else resolve(acked());
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-audit-kill-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('AuditLog under SIGKILL', () => {
  it('keeps every acknowledged row, and the chain verifies after each kill', { timeout: 180_000 }, async () => {
    const file = path.join(dir, 'audit.sqlite');
    const allAcked: number[] = [];
    for (const minAcks of [150, 400, 50]) {
      const acked = await appendUntilKilled(file, minAcks);
      expect(acked.length).toBeGreaterThanOrEqual(minAcks);
      allAcked.push(...acked);

      const log = AuditLog.open(file, { readonly: true });
      try {
        const result = log.verify();
        expect(result).toMatchObject({ ok: true, warnings: [] });
        const stored = new Set(log.readRows().map((row) => row.id));
        const lost = allAcked.filter((id) => !stored.has(id));
        expect(lost).toEqual([]);
        // nothing beyond what was acknowledged is missing either: ids are 1..head without gaps
        expect(result.ok && result.headId).toBe(stored.size);
        expect(Math.max(...allAcked)).toBeLessThanOrEqual(stored.size);
      } finally {
        log.close();
      }
    }
  });
});
