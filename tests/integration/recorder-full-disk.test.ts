// The live recorder on a disk that fills up (SQLite max_page_count, as the other full-disk tests simulate it) while
// the feed also jumps over a few seqs: what the recorder reports as not recorded is exactly what the file's gap rows
// say, the jump stays a gap of its own, and `export` of the file names the gaps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { HelloMessage } from '../../shared/protocol';
import { exportCommand } from '../../main/cli/commands/export';
import { LiveSessionRecorder } from '../../main/core/recorder';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

it('reports exactly the not-recorded seqs the file records, and export names the gaps', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-full-disk-'));
  const problems: string[] = [];
  const recorder = new LiveSessionRecorder({
    dataDir: dir,
    maxPageCount: 24,
    onProblem: (problem) => {
      if (problem) problems.push(problem.kind);
    },
  });
  const hello: HelloMessage = {
    type: 'hello',
    ts: 1_795_481_700_000,
    protocol: 'fw-feed/1',
    nextSeq: 1,
    sessionId: 'SIM-FULL',
    tradingDay: '20260105',
    source: 'full-disk test',
  };
  recorder.onHello(hello);
  // The feed skips 7,001..7,010 (a feed-side jump, not a recording loss).
  const messages = syntheticMessages({ count: 12_000 }).filter((m) => m.seq < 7_001 || m.seq > 7_010);
  for (let i = 0; i < messages.length; i += 250) {
    recorder.append(messages.slice(i, i + 250));
    await recorder.flush();
  }
  await recorder.close();
  const health = recorder.health();
  expect(problems).toContain('disk_full');
  expect(health.notRecorded.messages).toBeGreaterThan(0);

  const reader = SessionReader.open(health.file!);
  const gaps = reader.gaps();
  const notRecorded = gaps
    .filter((gap) => gap.reason === 'not_recorded')
    .map(({ fromSeq, toSeq }) => ({ fromSeq, toSeq }));
  const inFile = reader.meta.count;
  reader.close();
  expect(health.notRecorded.ranges).toEqual(notRecorded);
  const notRecordedSeqs = notRecorded.reduce((n, gap) => n + gap.toSeq - gap.fromSeq + 1, 0);
  // Every seq of the feed is either in the file, in a not_recorded gap, or the feed's own jump.
  const jump = gaps.filter((gap) => gap.reason !== 'not_recorded');
  expect(jump).toEqual([expect.objectContaining({ fromSeq: 7_001, toSeq: 7_010 })]);
  expect(notRecordedSeqs).toBe(health.notRecorded.messages);
  expect(inFile + notRecordedSeqs).toBe(messages.length);
  expect(inFile).toBe(health.recordedMessages);

  // export says the file has gaps (the NDJSON itself only shows the jumps in seq).
  const stderr: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    expect(await exportCommand.run([health.file!])).toBe(0);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  const summary = stderr.join('');
  for (const gap of notRecorded) expect(summary).toContain(`${gap.fromSeq}..${gap.toSeq} (not_recorded)`);
  expect(summary).toMatch(/7001\.\.7010 \(missing\)/);
}, 60_000);
