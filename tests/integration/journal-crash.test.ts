import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticSession } from '../fixtures/syntheticSession';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SessionJournal under SIGKILL', () => {
  it('loses at most the unflushed tail and leaves a file that opens and verifies', async () => {
    const file = path.join(dir, 'killed.fwsession');
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/journalChild.ts', file], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Kill it once it has committed at least 20 flushes' worth, at a moment of its choosing (mid-write or not).
    const lastReported = await new Promise<number>((resolve, reject) => {
      let last = 0;
      let buffer = '';
      const deadline = setTimeout(() => reject(new Error(`child made no progress: ${stderr}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) last = Number(line.split(' ')[1]);
        if (last >= 30_000) {
          clearTimeout(deadline);
          child.kill('SIGKILL');
          resolve(last);
        }
      });
      child.on('exit', (code) => {
        if (last < 30_000) reject(new Error(`child exited early (${code}): ${stderr}`));
      });
    });
    await new Promise((resolve) => child.once('close', resolve));
    expect(child.signalCode).toBe('SIGKILL');

    const reader = SessionReader.open(file);
    try {
      const report = reader.verify({ deep: true });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const { meta } = reader;
      expect(meta.sessionId).toBe('KILL-ME');
      expect(meta.gaps).toEqual([]);
      expect(meta.firstSeq).toBe(1);
      expect(meta.count).toBe(meta.lastSeq);
      // Everything the journal said it had committed is there; at most ~100 ms of feed more may have been lost.
      expect(meta.count).toBeGreaterThanOrEqual(lastReported);
      const expected = syntheticSession({ seed: 11, count: meta.count });
      let seq = 0;
      for (const line of reader.lines()) {
        const want = expected.next().value!;
        seq++;
        if (line !== JSON.stringify(want)) throw new Error(`seq ${seq} differs after the crash`);
      }
      expect(seq).toBe(meta.count);
    } finally {
      reader.close();
    }
  });
});
