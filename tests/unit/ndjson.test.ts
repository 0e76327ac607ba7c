import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NdjsonImportError,
  exportNdjson,
  importNdjson,
  parseRangeBound,
  resolveRange,
  type LineRejection,
} from '../../main/store/ndjson';
import { importCommand } from '../../main/cli/commands/import';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-ndjson-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => path.join(dir, name);

async function exportToString(file: string, range?: { fromSeq?: number; toSeq?: number }): Promise<string> {
  const reader = SessionReader.open(file);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  try {
    await exportNdjson(reader, out, range);
  } finally {
    reader.close();
  }
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('parseRangeBound', () => {
  it('reads seqs, epoch milliseconds and ISO times', () => {
    expect(parseRangeBound('1500')).toEqual({ seq: 1500 });
    expect(parseRangeBound('1795482000000')).toEqual({ ts: 1795482000000 });
    expect(parseRangeBound('2026-01-05T09:30:00+08:00')).toEqual({ ts: Date.UTC(2026, 0, 5, 1, 30) });
    expect(parseRangeBound('2026-01-05T01:30:00')).toEqual({ ts: Date.UTC(2026, 0, 5, 1, 30) });
    expect(parseRangeBound('2026-01-05')).toEqual({ ts: Date.UTC(2026, 0, 5) });
    for (const bad of ['', 'yesterday', '-5', '1.5', '2026-13-45T00:00:00Z', '99999999999999999999']) {
      expect(parseRangeBound(bad)).toBeUndefined();
    }
  });
});

describe('NDJSON import and export', () => {
  it('round-trips byte for message: import then export gives the same lines', async () => {
    const messages = syntheticMessages({ count: 5000, seed: 3 });
    const text = messages.map((m) => JSON.stringify(m)).join('\n') + '\n';
    writeFileSync(at('in.ndjson'), text);
    const summary = await importNdjson(at('in.ndjson'), at('s.fwsession'));
    expect(summary).toMatchObject({ lines: 5000, imported: 5000, rejected: 0, firstSeq: 1, lastSeq: 5000 });
    expect(await exportToString(at('s.fwsession'))).toBe(text);

    const reader = SessionReader.open(at('s.fwsession'));
    expect(reader.meta).toMatchObject({ sessionId: 'in', tradingDay: '', createdBy: 'import', count: 5000 });
    reader.close();
  });

  it('exports a seq or time range', async () => {
    const messages = syntheticMessages({ count: 3000, seed: 4 });
    writeFileSync(at('in.ndjson'), messages.map((m) => JSON.stringify(m)).join('\n'));
    await importNdjson(at('in.ndjson'), at('s.fwsession'), { blockSize: 256 });
    const expected = (from: number, to: number) =>
      messages
        .slice(from - 1, to)
        .map((m) => `${JSON.stringify(m)}\n`)
        .join('');
    expect(await exportToString(at('s.fwsession'), { fromSeq: 250, toSeq: 1300 })).toBe(expected(250, 1300));

    const reader = SessionReader.open(at('s.fwsession'));
    const fromTs = messages[999]!.ts;
    const toTs = messages[1999]!.ts;
    const range = resolveRange(reader, { ts: fromTs }, { ts: toTs });
    expect(range.fromSeq).toBe(messages.find((m) => m.ts >= fromTs)!.seq);
    expect(range.toSeq).toBe(messages.findLast((m) => m.ts <= toTs)!.seq);
    expect(resolveRange(reader, { seq: 10 }, { seq: 5 })).toEqual({ fromSeq: 10, toSeq: 5 });
    expect(resolveRange(reader, { ts: messages[2999]!.ts + 1 }).fromSeq).toBe(3001);
    reader.close();
    expect(await exportToString(at('s.fwsession'), { fromSeq: 10, toSeq: 5 })).toBe('');
  });

  it('reports each malformed line with its number and skips it', async () => {
    const messages = syntheticMessages({ count: 20 });
    const lines = messages.map((m) => JSON.stringify(m));
    lines.splice(4, 0, '{"seq":5,"ts":1,"type":"quote"'); // line 5: broken JSON
    lines.splice(9, 0, JSON.stringify({ ...messages[8], type: 'bogus' })); // line 10: unknown type
    lines.splice(14, 0, JSON.stringify(messages[2])); // line 15: seq 3 again
    lines.splice(16, 0, '', '   '); // blank lines are ignored
    lines.splice(3, 0, '{"type":"heartbeat","ts":5}');
    const rejections: LineRejection[] = [];
    writeFileSync(at('in.ndjson'), lines.join('\r\n'));
    const summary = await importNdjson(at('in.ndjson'), at('s.fwsession'), { onReject: (r) => rejections.push(r) });
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [6, 'malformed_json'],
      [11, 'unknown_type'],
      [16, 'duplicate'],
    ]);
    expect(rejections[2]!.detail).toBe('seq 3 was already read');
    expect(summary).toMatchObject({ imported: 20, rejected: 3, unsequenced: 1, blank: 2 });
    expect(await exportToString(at('s.fwsession'))).toBe(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  });

  it('stops at the first malformed line under strict, leaving no file behind', async () => {
    const lines = syntheticMessages({ count: 10 }).map((m) => JSON.stringify(m));
    lines[6] = '{"seq":7,"ts":1,"type":"trade","tradeId":"T1"}';
    writeFileSync(at('in.ndjson'), lines.join('\n'));
    const failure = importNdjson(at('in.ndjson'), at('s.fwsession'), { strict: true });
    await expect(failure).rejects.toBeInstanceOf(NdjsonImportError);
    await expect(failure).rejects.toMatchObject({
      line: 7,
      message: expect.stringMatching(/^line 7: invalid_field: trade: /),
    });
    expect(existsSync(at('s.fwsession'))).toBe(false);
  });

  it('takes the session identity from a hello line, records jumps as gaps, reads a stream', async () => {
    const messages = syntheticMessages({ count: 30 });
    const hello = {
      type: 'hello',
      ts: 1,
      protocol: 'fw-feed/1',
      nextSeq: 1,
      sessionId: 'SIM-20260105',
      tradingDay: '20260105',
      source: 'simulator',
    };
    const body = [hello, ...messages.filter((m) => m.seq < 10 || m.seq > 14)].map((m) => JSON.stringify(m)).join('\n');
    const summary = await importNdjson(Readable.from([body.slice(0, 1000), body.slice(1000)]), at('s.fwsession'));
    expect(summary).toMatchObject({ imported: 25, unsequenced: 1 });
    const reader = SessionReader.open(at('s.fwsession'));
    expect(reader.meta).toMatchObject({ sessionId: 'SIM-20260105', tradingDay: '20260105', source: 'simulator' });
    expect(reader.gaps()).toEqual([{ fromSeq: 10, toSeq: 14, reason: 'missing' }]);
    reader.close();
  });

  it('fails clearly on a missing input or an unusable output, without touching an existing file', async () => {
    await expect(importNdjson(at('none.ndjson'), at('s.fwsession'))).rejects.toThrow(/none\.ndjson: no such file/);
    writeFileSync(at('in.ndjson'), JSON.stringify(syntheticMessages({ count: 1 })[0]));
    writeFileSync(at('taken.fwsession'), 'keep me');
    await expect(importNdjson(at('in.ndjson'), at('taken.fwsession'))).rejects.toThrow(
      /taken\.fwsession: the file already exists/,
    );
    expect(readFileSync(at('taken.fwsession'), 'utf8')).toBe('keep me');
    await expect(importNdjson(at('in.ndjson'), at('no/such/dir/s.fwsession'))).rejects.toThrow(
      /s\.fwsession: the file cannot be written/,
    );
  });
});

describe('import puts out-of-order lines back in seq order', () => {
  /** Runs `floorwatch import` in this process; stderr captured, exit code returned. */
  async function importCli(args: string[]): Promise<{ code: number; stderr: string }> {
    const lines: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await importCommand.run(args);
      return { code, stderr: lines.join('') };
    } finally {
      process.stderr.write = original;
    }
  }

  it('imports a file with swapped neighbouring lines completely, in order, exit 0', async () => {
    const messages = syntheticMessages({ count: 2_000 });
    const lines = messages.map((m) => JSON.stringify(m));
    // 495 neighbouring pairs swapped, as in the field report.
    for (let pair = 0; pair < 495; pair++) {
      const i = 4 + pair * 4;
      [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    }
    writeFileSync(at('swapped.ndjson'), `${lines.join('\n')}\n`);
    const run = await importCli([at('swapped.ndjson'), '--out', at('s.fwsession'), '--session-id', 'S-SWAP']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /import: 2000 messages \(seq 1\.\.2000\) .* 0 duplicate\(s\), 0 too far out of order, 495 put back in order/,
    );
    expect(await exportToString(at('s.fwsession'))).toBe(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    const reader = SessionReader.open(at('s.fwsession'));
    expect(reader.gaps()).toEqual([]);
    reader.close();
  });

  it('reports lines it cannot place (too far, duplicate, malformed) by number: exit 3, --lenient exit 0', async () => {
    const messages = syntheticMessages({ count: 300 });
    const lines = messages.map((m) => JSON.stringify(m));
    const late = lines.splice(9, 1)[0]!; // seq 10 moved 150 lines on: outside a 100-line window
    lines.splice(159, 0, late);
    lines.splice(200, 0, JSON.stringify(messages[50])); // line 201: seq 51 again
    lines.splice(250, 0, '{"seq":'); // line 251: broken JSON
    writeFileSync(at('shuffled.ndjson'), `${lines.join('\n')}\n`);
    const args = (out: string) => [at('shuffled.ndjson'), '--out', at(out), '--reorder-window', '100'];
    const strictish = await importCli(args('a.fwsession'));
    expect(strictish.code).toBe(3);
    expect(strictish.stderr).toMatch(
      /^import: line 160 skipped: too_far_out_of_order: seq 10 comes more than 100 lines/m,
    );
    expect(strictish.stderr).toMatch(/^import: line 201 skipped: duplicate: seq 51 was already read/m);
    expect(strictish.stderr).toMatch(/^import: line 251 skipped: malformed_json: /m);
    expect(strictish.stderr).toMatch(/3 line\(s\) could not be placed/);
    const reader = SessionReader.open(at('a.fwsession'));
    expect(reader.meta.count).toBe(299);
    expect(reader.gaps()).toEqual([{ fromSeq: 10, toSeq: 10, reason: 'missing' }]);
    reader.close();
    const lenient = await importCli([...args('b.fwsession'), '--lenient']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/line 160 skipped: too_far_out_of_order/);
    // The same line fits a wider window.
    const wide = await importCli([at('shuffled.ndjson'), '--out', at('c.fwsession'), '--reorder-window', '200']);
    expect(wide.code).toBe(3); // the duplicate and the broken line remain
    expect(wide.stderr).not.toMatch(/too_far_out_of_order/);
  });
});
