// `floorwatch sim` at broker size as a user runs it: a child process writes a day of 20,000 accounts on every
// listed contract with misconduct injected, and `floorwatch surveil` on that file finds every injected case.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { futuresUniverse } from '../../main/simulator/universe';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function floorwatch(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'main/cli/index.ts', ...args],
      { cwd: process.cwd(), timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-sim-broker-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('floorwatch sim at broker size', () => {
  it('writes a broker-style day whose injected cases surveil finds, and nothing else', async () => {
    const day = join(dir, 'day.ndjson');
    const truthFile = join(dir, 'truth.ndjson');
    const written = await floorwatch([
      'sim', '--write', day, '--messages', '100000', '--accounts', '20000', '--universe', 'all',
      '--scenarios', 'all', '--truth', truthFile, '--seed', '11',
    ]); // prettier-ignore
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/wrote \d+ messages .*20000 accounts, \d+ instruments.*16 ground-truth records/);

    const messages = lines(readFileSync(day, 'utf8'));
    const count = (type: string) => messages.filter((m) => m.type === type).length;
    expect(count('instrument')).toBe(futuresUniverse().length);
    expect(count('account')).toBe(20_000);
    expect(count('position') / 20_000).toBeGreaterThan(1);
    expect(count('order')).toBeGreaterThan(5_000);
    const truth = lines(readFileSync(truthFile, 'utf8'));
    expect(truth).toHaveLength(16);

    const surveil = await floorwatch(['surveil', '--input', day]);
    expect(surveil.code).toBe(0);
    const alerts = lines(surveil.stdout);
    for (const t of truth) {
      const found = alerts.find(
        (a) =>
          a.rule === t.rule &&
          a.subjectId === t.subjectId &&
          (t.instrumentId === null || a.instrumentId === t.instrumentId),
      );
      expect(found, `${String(t.rule)} ${String(t.subjectId)} ${String(t.instrumentId)}`).toBeDefined();
    }
    // The thousands of background clients raise nothing by themselves.
    const subjects = new Set(truth.map((t) => `${String(t.rule)}|${String(t.subjectId)}`));
    expect(alerts.filter((a) => !subjects.has(`${String(a.rule)}|${String(a.subjectId)}`))).toEqual([]);
  }, 90_000);

  it('says in one line what is wrong with a floor size, and writes no file', async () => {
    const out = join(dir, 'bad.ndjson');
    const few = await floorwatch(['sim', '--write', out, '--accounts', '10']);
    expect(few.code).toBe(2);
    expect(few.stderr.trim()).toMatch(/^floorwatch: --accounts must be a whole number from 50 to 1000000/);
    const both = await floorwatch(['sim', '--write', out, '--universe', 'all', '--instruments', '50']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--universe and --instruments both size the floor/);
    const scenarios = await floorwatch([
      'sim',
      '--write',
      out,
      '--instruments',
      '4',
      '--scenarios',
      'all',
      '--messages',
      '60000',
    ]);
    expect(scenarios.code).toBe(2);
    expect(scenarios.stderr.trim().split('\n')).toHaveLength(1);
    expect(scenarios.stderr).toMatch(/scenarios need the catalogue's 10 contracts/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
