// The live core with recording and surveillance on: the session file holds what the feed sent (gaps included),
// injected misconduct shows up on the `alerts` topic, and an unwritable data folder leaves the live view running
// with the recorder's error in the health row.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthSnapshot } from '../../shared/domain/types';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { CoreProcess, type CoreStartOptions } from '../../main/core/coreProcess';
import { sessionFilePath } from '../../main/core/recorder';
import type { LogFn } from '../../main/core/log';
import { generateSessionArray } from '../../main/simulator';
import { SessionReader } from '../../main/store/sessionReader';
import { readSessionAuditAnchors } from '../../main/store/auditAnchorSources';
import { AuditLog } from '../../main/store/auditLog';
import { buildSession } from './support/feedMessages';
import { TestFeedServer } from './support/testFeedServer';
import { waitUntil } from './support/waitUntil';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const waitFor = (what: string, condition: () => boolean, timeoutMs = 15_000) => waitUntil(what, condition, timeoutMs);

const quiet: LogFn = () => {};
const health = (core: CoreProcess): HealthSnapshot | undefined => core.current('health')[0];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-core-rec-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function coreOn(server: TestFeedServer, options: Partial<CoreStartOptions>) {
  const core = await CoreProcess.start({
    feedUrl: server.url,
    publishIntervalMs: 50,
    healthIntervalMs: 100,
    log: quiet,
    ...options,
  });
  cleanups.push(() => core.stop());
  return core;
}

describe('live core recording', () => {
  it('writes a session file holding every message the feed sent, and the unrecoverable gap', async () => {
    const dataDir = tempDir();
    const session = buildSession(3_000);
    const server = await TestFeedServer.start({
      session,
      batchSize: 25,
      intervalMs: 2,
      hole: { from: 1_501, to: 1_510 },
    });
    cleanups.push(() => server.kill());
    const core = await coreOn(server, { recording: { dataDir }, rules: false });
    await waitFor('the end of the session', () => health(core)?.feedState === 'ended');
    await waitFor('the recorder to catch up', () => health(core)?.recorder?.recordedMessages === 2_990);
    await waitFor('the file size in the health row', () => (health(core)?.recorder?.dbBytes ?? 0) > 0);
    const row = health(core)!;
    expect(row.recorder).toMatchObject({ state: 'recording', alarm: false, lastError: null, lastRecordedSeq: 3_000 });
    expect(row.recorder!.notRecorded.messages).toBe(0);
    const file = row.recorder!.file!;
    expect(file).toBe(sessionFilePath(dataDir, row.tradingDay!, row.sessionId!));
    await core.stop();

    const reader = SessionReader.open(file);
    cleanups.push(() => reader.close());
    expect(reader.meta.count).toBe(2_990);
    expect(reader.meta.firstSeq).toBe(1);
    expect(reader.meta.lastSeq).toBe(3_000);
    expect(reader.gaps()).toEqual([expect.objectContaining({ fromSeq: 1_501, toSeq: 1_510 })]);
    // Byte for message: what the file holds is what the feed sent.
    const sent = session.filter((m) => m.seq < 1_501 || m.seq > 1_510);
    expect(reader.readMessages(1, 3_000)).toEqual(sent);
  });

  it('anchors the audit head in the session file it records, as the audit log moves', async () => {
    const dataDir = tempDir();
    const audit = AuditLog.open(path.join(dataDir, 'audit.sqlite'));
    cleanups.push(() => audit.close());
    const note = (n: number) =>
      audit.append({ operator: 'li.wei', role: 'operator', action: 'note_added', target: `alert:${n}` });
    note(1);
    const server = await TestFeedServer.start({ session: buildSession(500), batchSize: 25, intervalMs: 2 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server, { recording: { dataDir }, rules: false });
    audit.addAnchorSink(core.auditAnchorSink); // the head now (row 1) goes to the core at once
    await waitFor('the session file', () => health(core)?.recorder?.file != null);
    const file = health(core)!.recorder!.file!;
    const anchored = (id: number) => {
      try {
        return readSessionAuditAnchors(file).some((a) => a.id === id);
      } catch {
        return false; // the journal thread has not created the file yet
      }
    };
    await waitFor('row 1 anchored', () => anchored(1));
    note(2);
    const third = note(3);
    await waitFor('row 3 anchored', () => anchored(3));
    await core.stop();
    expect(readSessionAuditAnchors(file).at(-1)).toMatchObject({ id: 3, hash: third.hash, log: audit.logId() });
  });

  it('keeps the live view going when the data folder is unwritable, and says so in the health row', async () => {
    const blocker = path.join(tempDir(), 'not-a-folder');
    writeFileSync(blocker, 'a file where the data folder should be');
    const session = buildSession(1_000);
    const server = await TestFeedServer.start({ session, batchSize: 20, intervalMs: 2 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server, { recording: { dataDir: path.join(blocker, 'data') }, rules: false });
    await waitFor('the end of the session', () => health(core)?.feedState === 'ended');
    await waitFor('the live state', () => health(core)?.lastSeq === 1_000);
    await waitFor('the recorder alarm', () => health(core)?.recorder?.alarm === true);
    const recorder = health(core)!.recorder!;
    expect(['failing', 'failed']).toContain(recorder.state);
    expect(recorder.lastError).toMatch(/not recorded|cannot/i);
    expect(recorder.recordedMessages).toBe(0);
    expect(core.current('market').length).toBeGreaterThan(0);
    expect(health(core)!.lastError).toBeNull(); // the feed itself is fine
  });

  it('on a full disk counts what was not recorded, with its seq range, and goes on live', async () => {
    const dataDir = tempDir();
    const session = buildSession(6_000);
    const server = await TestFeedServer.start({ session, batchSize: 50, intervalMs: 2 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server, { recording: { dataDir, maxPageCount: 16 }, rules: false });
    await waitFor('the end of the session', () => health(core)?.feedState === 'ended');
    await waitFor('the live state', () => health(core)?.lastSeq === 6_000);
    await waitFor('the recorder alarm', () => (health(core)?.recorder?.notRecorded.messages ?? 0) > 0);
    const recorder = health(core)!.recorder!;
    expect(recorder.alarm).toBe(true);
    expect(recorder.lastError).toMatch(/full|not recorded/i);
    const { messages, firstSeq, lastSeq } = recorder.notRecorded;
    expect(firstSeq).toBeGreaterThan(recorder.lastRecordedSeq ?? 0);
    expect(lastSeq).toBeLessThanOrEqual(6_000);
    expect(messages).toBeLessThanOrEqual(lastSeq! - firstSeq! + 1);
  });
});

describe('live core surveillance', () => {
  it('publishes alerts for injected misconduct on the alerts topic, with workflow defaults', async () => {
    const generated = generateSessionArray({ seed: 3, messages: 50_000, scenarios: ['self_trade', 'frequent_cancel'] });
    const server = await TestFeedServer.start({ session: generated.messages, batchSize: 500, intervalMs: 1 });
    cleanups.push(() => server.kill());
    const core = await coreOn(server, { recording: false });
    const updates: number[] = [];
    core.onAlerts((update) => updates.push(update.at));
    await waitFor('the end of the session', () => health(core)?.feedState === 'ended', 30_000);
    const expected = generated.truth.filter((t) => t.rule === 'self_trade' || t.rule === 'frequent_cancel');
    expect(expected.length).toBeGreaterThan(0);
    const key = (a: { rule: string; subjectId: string; instrumentId: string | null }) =>
      `${a.rule}|${a.subjectId}|${a.instrumentId}`;
    await waitFor('every injected case as an alert', () => {
      const seen = new Set(core.current('alerts').map(key));
      return expected.every((t) => seen.has(key(t)));
    });
    const rows: AlertRow[] = core.current('alerts');
    for (const row of rows) {
      expect(row).toMatchObject({ state: 'new', assignee: null, notes: 0 });
      expect(row.firstTs).toBe(generated.messages[row.firstSeq - 1]!.ts);
      expect(row.createdAt).toBeGreaterThan(0);
    }
    // Conflated at ≤ 20 Hz: one publication a tick at most (timer jitter aside), not one per alert change.
    expect(updates.length).toBeGreaterThan(1);
    expect(updates.length).toBeLessThanOrEqual((updates.at(-1)! - updates[0]!) / 50 + 3);

    // The account tools read the same live state.
    const subject = rows.find((r) => r.rule === 'self_trade')!;
    const counters = await core.accountCounters(subject.accountIds[0]!);
    const contract = counters.contracts.find((c) => c.instrumentId === subject.instrumentId)!;
    const selfTrades = contract.counters.find((c) => c.rule === 'self_trade')!;
    expect(selfTrades.value).toBe(subject.count);
    expect(selfTrades.ratio).toBeGreaterThanOrEqual(1);
    const detail = await core.accountDetail(subject.accountIds[0]!);
    expect(detail.alertIds).toContain(subject.id);
    await expect(core.accountDetail('no-such-account')).rejects.toThrow(/unknown account/);
  });
});
