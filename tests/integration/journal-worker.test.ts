import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalProblem } from '../../main/store/journal';
import { JournalWorker } from '../../main/store/journalWorker';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

const SESSION = { sessionId: 'W-1', tradingDay: '20260105', source: 'worker test' };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-jworker-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('JournalWorker (the journal in its own thread)', () => {
  it('records what the feed thread hands it, identical, and reports health', async () => {
    const file = path.join(dir, 'w.fwsession');
    const messages = syntheticMessages({ count: 20_000, seed: 8 });
    const worker = JournalWorker.start(file, { session: SESSION, createdBy: 'test' });
    for (let i = 0; i < 10_000; i += 100) worker.append(messages.slice(i, i + 100));
    worker.recordGap(10_001, 10_050, 'feed_gap: test');
    for (let i = 10_050; i < 15_000; i += 100) worker.append(messages.slice(i, i + 100));
    // batches as a frame delivers them, with an unsequenced heartbeat that is not recorded
    for (let i = 15_000; i < messages.length; i += 100) {
      worker.append([{ type: 'heartbeat', ts: 1 }, ...messages.slice(i, i + 100)]);
    }
    const flushed = await worker.flush();
    expect(flushed).toMatchObject({ recordedMessages: 19_950, pendingMessages: 0, state: 'recording' });
    const health = await worker.close();
    expect(health).toMatchObject({ state: 'closed', recordedMessages: 19_950, gapsRecorded: 1 });

    const reader = SessionReader.open(file);
    expect(reader.meta).toMatchObject({ sessionId: 'W-1', createdBy: 'test', count: 19_950, lastSeq: 20_000 });
    expect(reader.gaps()).toEqual([{ fromSeq: 10_001, toSeq: 10_050, reason: 'feed_gap: test' }]);
    expect(Array.from(reader.lines())).toEqual(
      messages.filter((m) => m.seq <= 10_000 || m.seq > 10_050).map((m) => JSON.stringify(m)),
    );
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('passes disk problems back, and drops (counting, recording a gap) rather than queueing without bound', async () => {
    const problems: JournalProblem[] = [];
    const unwritable = JournalWorker.start(path.join(dir, 'missing', 'w.fwsession'), {
      session: SESSION,
      onProblem: (p) => problems.push(p),
    });
    unwritable.append(syntheticMessages({ count: 10 }));
    const failed = await unwritable.close();
    expect(problems.map((p) => p.kind)).toEqual(['unwritable']);
    expect(failed.unrecorded).toEqual({ messages: 10, firstSeq: 1, lastSeq: 10, ranges: [{ fromSeq: 1, toSeq: 10 }] });

    const file = path.join(dir, 'slow.fwsession');
    const messages = syntheticMessages({ count: 5_100, seed: 9 });
    const backlogProblems: JournalProblem[] = [];
    const worker = JournalWorker.start(file, {
      session: SESSION,
      maxBacklogMessages: 1_000,
      onProblem: (p) => backlogProblems.push(p),
    });
    // Posted in one go: the worker cannot take anything before this loop ends, so all beyond 1,000 is dropped.
    for (let i = 0; i < 5_000; i += 100) worker.append(messages.slice(i, i + 100));
    expect(worker.health().unrecorded).toEqual({
      messages: 4_000,
      firstSeq: 1_001,
      lastSeq: 5_000,
      ranges: [{ fromSeq: 1_001, toSeq: 5_000 }],
    });
    expect(backlogProblems).toHaveLength(1);
    expect(backlogProblems[0]!.code).toBe('BACKLOG');
    await worker.flush();
    worker.append(messages.slice(5_000)); // caught up: recorded again, after the gap
    const health = await worker.close();
    expect(health.recordedMessages).toBe(1_100);
    expect(health.unrecorded.ranges).toEqual([{ fromSeq: 1_001, toSeq: 5_000 }]);
    const reader = SessionReader.open(file);
    expect(reader.gaps()).toEqual([{ fromSeq: 1_001, toSeq: 5_000, reason: 'not_recorded' }]);
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });
});
