// `floorwatch surveil` as a user runs it: a child process on NDJSON and on a session file; bad lines, --strict,
// rules files, user mistakes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedBuilder } from '../../main/rules/feedBuilder';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function floorwatch(args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'main/cli/index.ts', ...args],
      { cwd: process.cwd(), timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const ALERT_KEYS = [
  'accountIds',
  'count',
  'evidence',
  'exchange',
  'firstSeq',
  'id',
  'instrumentId',
  'lastSeq',
  'message',
  'messageZh',
  'metrics',
  'rule',
  'score',
  'severity',
  'subjectId',
  'subjectType',
  'threshold',
  'tradingDay',
];

/** Self-trades of a control group (6), large cancels of one account (50), a big position where no limit is known. */
function session(): string {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE', maxOrderQty: 500, positionLimit: 100 });
  feed.instrument({ instrumentId: 'SR605', exchange: 'CZCE', maxOrderQty: 1000 });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1');
  feed.position('B1', 'SR605', 0, 120, 6000);
  for (let i = 0; i < 6; i++) {
    feed.advance(1000);
    feed.cross('rb2605', 'A1', 'A2', 2, 3500);
  }
  for (let i = 0; i < 50; i++) {
    feed.advance(2000);
    feed.orderAndCancel('B1', 'rb2605', 'buy', 300, 3400);
  }
  feed.end();
  return `${feed.messages.map((m) => JSON.stringify(m)).join('\n')}\n`;
}

let dir: string;
let ndjson: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-surveil-'));
  ndjson = join(dir, 'day.ndjson');
  writeFileSync(ndjson, session());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each test spawns tsx processes; on a busy machine that takes seconds apiece.
describe('floorwatch surveil', { timeout: 180_000 }, () => {
  it('prints each alert once, final state, as JSON lines in firstSeq order; a summary on stderr', async () => {
    const result = await floorwatch(['surveil', '--input', ndjson]);
    expect(result.code).toBe(0);
    const alerts = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(alerts.map((a) => [a.rule, a.subjectId, a.instrumentId, a.count])).toEqual([
      ['self_trade', 'G1', 'rb2605', 6],
      ['large_cancel', 'B1', 'rb2605', 50],
    ]);
    for (const alert of alerts) expect(Object.keys(alert).sort()).toEqual(ALERT_KEYS);
    expect(alerts[0]).toMatchObject({
      subjectType: 'group',
      accountIds: ['A1', 'A2'],
      exchange: 'SHFE',
      threshold: 5,
      tradingDay: '20261124',
      message: '6 self-trades on rb2605 today (threshold 5)',
    });
    expect(result.stderr).toMatch(/\d+ messages applied of \d+ lines/);
    expect(result.stderr).toMatch(/2 alerts — self_trade 1, large_cancel 1/);
    // Same input, same output.
    expect((await floorwatch(['surveil', '--input', ndjson])).stdout).toBe(result.stdout);
  });

  it('reports a malformed line with its number and skips it; --strict makes it fatal', async () => {
    const lines = session().split('\n');
    lines.splice(3, 0, '{"seq": 4, "type": "order"', '{"type":"quote","seq":5,"ts":1,"instrumentId":"rb2605"}');
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, lines.join('\n'));
    const lenient = await floorwatch(['surveil', '--input', file]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/line 4: malformed JSON/);
    expect(lenient.stderr).toMatch(/line 5: invalid_field: quote: /);
    expect(lenient.stderr).toMatch(/rejects 2/);
    expect(lenient.stdout.trim().split('\n')).toHaveLength(2);

    const strict = await floorwatch(['surveil', '--input', file, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/^floorwatch: .*bad\.ndjson: line 4: malformed JSON.*\(--strict\)\n$/);
  });

  it('applies a user rules file over the default, and names the field of a bad one', async () => {
    const rules = join(dir, 'desk.json');
    writeFileSync(
      rules,
      JSON.stringify({ version: 'desk-1', rules: { large_cancel: { enabled: false }, self_trade: { threshold: 7 } } }),
    );
    const result = await floorwatch(['surveil', '--input', ndjson, '--rules', rules]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/rules 2025\.1\+desk-1/);

    const raised = join(dir, 'raised.json');
    writeFileSync(
      raised,
      JSON.stringify({ exchanges: { SHFE: { products: { rb: { rules: { self_trade: { threshold: 6 } } } } } } }),
    );
    const six = await floorwatch(['surveil', '--input', ndjson, '--rules', raised]);
    expect(six.stdout).toContain('"6 self-trades on rb2605 today (threshold 6)"');

    const bad = join(dir, 'bad-rules.json');
    writeFileSync(bad, JSON.stringify({ rules: { frequent_cancel: { threshold: -1 } } }));
    const refused = await floorwatch(['surveil', '--input', ndjson, '--rules', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `floorwatch: rules file ${bad}: rules.frequent_cancel.threshold: expected an integer ≥ 1 (got -1)\n`,
    );
  });

  it('reads a session file (SQLite, recognised by content) the same as its NDJSON', async () => {
    const sessionFile = join(dir, 'day.data'); // no telling extension on purpose
    const imported = await floorwatch(['import', ndjson, '--out', sessionFile]);
    expect(imported.code).toBe(0);
    const fromSession = await floorwatch(['surveil', '--input', sessionFile]);
    const fromNdjson = await floorwatch(['surveil', '--input', ndjson]);
    expect(fromSession.code).toBe(0);
    expect(fromSession.stdout).toBe(fromNdjson.stdout);
  });

  it('reads NDJSON from stdin with --input -', async () => {
    const result = await floorwatch(['surveil', '--input', '-'], session());
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('turns user mistakes into one line and exit 2', async () => {
    const missing = await floorwatch(['surveil']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^floorwatch: surveil needs --input FILE/);
    const nofile = await floorwatch(['surveil', '--input', join(dir, 'nope.ndjson')]);
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toBe(`floorwatch: cannot read --input ${join(dir, 'nope.ndjson')}: no such file\n`);
    const day = await floorwatch(['surveil', '--input', ndjson, '--trading-day', '2026-11-24']);
    expect(day.code).toBe(2);
    expect(day.stderr).toMatch(/--trading-day must be YYYYMMDD/);
    const help = await floorwatch(['surveil', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--strict/);
  });
});
