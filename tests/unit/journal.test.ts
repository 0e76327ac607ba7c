import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage, SequencedMessage } from '../../shared/protocol';
import { SessionJournal, encodeBatch, type JournalProblem } from '../../main/store/journal';
import { SESSION_SCHEMA_VERSION } from '../../main/store/migrations';
import { SessionFileError } from '../../main/store/sessionFormat';
import { SessionReader, verifySessionFile } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

const SESSION = { sessionId: 'SIM-1', tradingDay: '20260105', source: 'unit test' };
let dir: string;
let clock: number;
const now = () => clock;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-journal-'));
  clock = 1_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fileIn = (name = 's.fwsession') => path.join(dir, name);
const lines = (messages: readonly SequencedMessage[]) => messages.map((m) => JSON.stringify(m));
function readAllLines(file: string): string[] {
  const reader = SessionReader.open(file);
  try {
    return Array.from(reader.lines());
  } finally {
    reader.close();
  }
}

describe('SessionJournal', () => {
  it('records messages and describes the session', () => {
    const messages = syntheticMessages({ count: 3000, accounts: 5 });
    const journal = new SessionJournal(fileIn(), { session: SESSION, appVersion: '9.9.9', createdBy: 'test', now });
    for (let i = 0; i < messages.length; i += 250) journal.append(messages.slice(i, i + 250));
    const health = journal.close();
    expect(health).toMatchObject({
      state: 'closed',
      recordedMessages: 3000,
      pendingMessages: 0,
      lastRecordedSeq: 3000,
    });
    expect(health.unrecorded.messages).toBe(0);

    const reader = SessionReader.open(fileIn());
    expect(reader.meta).toMatchObject({
      sessionId: 'SIM-1',
      tradingDay: '20260105',
      source: 'unit test',
      appVersion: '9.9.9',
      createdBy: 'test',
      protocol: 'fw-feed/1',
      schemaVersion: SESSION_SCHEMA_VERSION,
      count: 3000,
      firstSeq: 1,
      lastSeq: 3000,
      firstTs: messages[0]!.ts,
      lastTs: messages[2999]!.ts,
      gaps: [],
    });
    expect(Date.parse(reader.meta.createdAt)).toBeGreaterThan(0);
    expect(reader.meta.instruments).toEqual(messages.filter((m) => m.type === 'instrument').map((m) => m.instrumentId));
    expect(reader.meta.accounts).toEqual(['A001', 'A002', 'A003', 'A004', 'A005']);
    expect(Array.from(reader.lines())).toEqual(lines(messages));
    expect(reader.verify()).toEqual({ ok: true, blocks: 3, messages: 3000, problems: [] });
    reader.close();
    // Closed cleanly: one self-contained file, no WAL left beside it.
    expect(() => statSync(`${fileIn()}-wal`)).toThrow();
  });

  it('rewrites the open block in place, so a slow feed still ends up in full blocks', () => {
    const messages = syntheticMessages({ count: 100 });
    const journal = new SessionJournal(fileIn(), { session: SESSION, blockSize: 64, now });
    for (let i = 0; i < messages.length; i += 10) {
      journal.append(messages.slice(i, i + 10));
      journal.flush();
    }
    journal.close();
    const db = new Database(fileIn(), { readonly: true });
    expect(db.prepare('SELECT first_seq, last_seq, count FROM blocks ORDER BY first_seq').all()).toEqual([
      { first_seq: 1, last_seq: 64, count: 64 },
      { first_seq: 65, last_seq: 100, count: 36 },
    ]);
    db.close();
    expect(readAllLines(fileIn())).toEqual(lines(messages));
  });

  it('flushes at least every 100 ms of feed and when a block fills', () => {
    const messages = syntheticMessages({ count: 200 });
    const journal = new SessionJournal(fileIn(), { session: SESSION, blockSize: 100, now });
    journal.append(messages.slice(0, 10));
    expect(journal.health().pendingMessages).toBe(10);
    clock += 99;
    journal.append(messages.slice(10, 20));
    expect(journal.health().pendingMessages).toBe(20);
    clock += 1;
    journal.append(messages.slice(20, 30));
    expect(journal.health()).toMatchObject({ pendingMessages: 0, recordedMessages: 30 });
    // A full block is written at once, without the messages after it.
    journal.append(messages.slice(30, 110));
    expect(journal.health()).toMatchObject({ pendingMessages: 10, recordedMessages: 100 });
    const reader = SessionReader.open(fileIn()); // a second connection sees the WAL while recording goes on
    expect(reader.meta.lastSeq).toBe(100);
    reader.close();
    journal.close();
  });

  it('flushes on its own timer when the feed goes quiet', async () => {
    const messages = syntheticMessages({ count: 20 });
    const journal = new SessionJournal(fileIn(), { session: SESSION, flushIntervalMs: 20, now });
    journal.append(messages);
    expect(journal.health().pendingMessages).toBe(20);
    clock += 20; // no more appends: only the journal's own timer can flush now
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(journal.health()).toMatchObject({ pendingMessages: 0, recordedMessages: 20 });
    journal.close();
  });

  it('drops duplicates, records jumps and feed-reported gaps, keeps hello and error as events', () => {
    const messages = syntheticMessages({ count: 60 });
    const hello: ServerMessage = {
      type: 'hello',
      ts: 1,
      protocol: 'fw-feed/1',
      nextSeq: 1,
      sessionId: 'SIM-1',
      tradingDay: '20260105',
      source: 'x',
    };
    const journal = new SessionJournal(fileIn(), { session: SESSION, now });
    journal.append([hello, ...messages.slice(0, 20), { type: 'heartbeat', ts: 2 }]);
    journal.append(messages.slice(10, 25)); // 11..20 again, then 21..25
    journal.append(messages.slice(30, 40)); // jump: 26..30 missing
    journal.recordGap(41, 45, 'feed_gap: server cannot resend');
    journal.append(messages.slice(45, 50));
    journal.append([{ type: 'error', ts: 3, code: 'RESEND_UNAVAILABLE', message: 'gone' }]);
    const health = journal.close();
    expect(health.duplicatesDropped).toBe(10);
    const reader = SessionReader.open(fileIn());
    expect(reader.gaps()).toEqual([
      { fromSeq: 26, toSeq: 30, reason: 'missing' },
      { fromSeq: 41, toSeq: 45, reason: 'feed_gap: server cannot resend' },
    ]);
    expect(reader.count()).toBe(40);
    expect(reader.verify().ok).toBe(true);
    reader.close();
    const db = new Database(fileIn(), { readonly: true });
    expect(db.prepare('SELECT after_seq, type FROM feed_events ORDER BY id').all()).toEqual([
      { after_seq: 0, type: 'hello' },
      { after_seq: 50, type: 'error' },
    ]);
    db.close();
  });

  it('accepts batches encoded on another thread (encodeBatch) with the same result', () => {
    const messages = syntheticMessages({ count: 500 });
    const journal = new SessionJournal(fileIn(), { session: SESSION, now });
    for (let i = 0; i < messages.length; i += 100) journal.appendEncoded(encodeBatch(messages.slice(i, i + 100)));
    journal.close();
    const reader = SessionReader.open(fileIn());
    expect(Array.from(reader.lines())).toEqual(lines(messages));
    expect(reader.meta.instruments.length).toBe(9);
    expect(reader.meta.accounts.length).toBe(40);
    reader.close();
  });

  it('seeks by seq and by time, also across gaps and with ts going backwards', () => {
    const base = syntheticMessages({ count: 400 });
    // ts goes back once (a late source clock) at seq 201
    const messages = base.map((m) => (m.seq === 201 ? { ...m, ts: base[0]!.ts } : m));
    const journal = new SessionJournal(fileIn(), { session: SESSION, blockSize: 50, now });
    journal.append(messages.slice(0, 100));
    journal.append(messages.slice(150)); // 101..150 missing
    journal.close();
    const reader = SessionReader.open(fileIn());
    expect(reader.seekBySeq(1)).toBe(1);
    expect(reader.seekBySeq(77)).toBe(77);
    expect(reader.seekBySeq(120)).toBe(151);
    expect(reader.seekBySeq(401)).toBeNull();
    const recorded = messages.filter((m) => m.seq <= 100 || m.seq > 150);
    for (const probe of [recorded[0]!.ts, recorded[60]!.ts + 1, recorded[200]!.ts, recorded[349]!.ts]) {
      const expected = recorded.find((m) => m.ts >= probe)!.seq;
      expect(reader.seekByTime(probe)).toBe(expected);
    }
    expect(reader.seekByTime(recorded[349]!.ts + 1)).toBeNull();
    expect(reader.get(250)).toEqual(messages[249]);
    expect(reader.get(120)).toBeUndefined();
    expect(reader.readMessages(95, 10).map((m) => m.seq)).toEqual([95, 96, 97, 98, 99, 100, 151, 152, 153, 154]);
    expect(reader.count({ fromSeq: 90, toSeq: 160 })).toBe(21);
    expect(Array.from(reader.lines({ fromSeq: 99, toSeq: 152 }))).toEqual(
      lines(messages.filter((m) => (m.seq >= 99 && m.seq <= 100) || (m.seq >= 151 && m.seq <= 152))),
    );
    reader.close();
  });

  it('appends to an existing file of the same session and refuses another session', () => {
    const messages = syntheticMessages({ count: 300 });
    const first = new SessionJournal(fileIn(), { session: SESSION, now });
    first.append(messages.slice(0, 100));
    first.flush(); // and never closed, like a crash: the next open folds the WAL in
    const resumed = new SessionJournal(fileIn(), { session: SESSION, mode: 'append', now });
    resumed.append(messages.slice(90, 300)); // 91..100 already in the file: dropped
    expect(resumed.close()).toMatchObject({ recordedMessages: 200, duplicatesDropped: 10 });
    expect(readAllLines(fileIn())).toEqual(lines(messages));
    first.close();

    const problems: JournalProblem[] = [];
    const other = new SessionJournal(fileIn(), {
      session: { ...SESSION, sessionId: 'OTHER' },
      mode: 'append',
      onProblem: (p) => problems.push(p),
    });
    other.append(syntheticMessages({ count: 10, firstSeq: 301 }));
    expect(other.close()).toMatchObject({ state: 'closed', unrecorded: { messages: 10, firstSeq: 301, lastSeq: 310 } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'bad_file', permanent: true });
    expect(problems[0]!.message).toContain('holds session "SIM-1"');
    expect(readAllLines(fileIn())).toHaveLength(300);
  });

  it('never overwrites an existing file in create mode', () => {
    writeFileSync(fileIn(), 'precious');
    const problems: JournalProblem[] = [];
    const journal = new SessionJournal(fileIn(), { session: SESSION, onProblem: (p) => problems.push(p) });
    journal.append(syntheticMessages({ count: 5 }));
    expect(journal.close().unrecorded.messages).toBe(5);
    expect(problems.map((p) => p.kind)).toEqual(['bad_file']);
    expect(readFileSync(fileIn(), 'utf8')).toBe('precious');
  });

  it('keeps going on a full disk: reports once, counts what is lost, retries, records the loss as a gap', () => {
    const messages = syntheticMessages({ count: 12_000 });
    const problems: JournalProblem[] = [];
    // max_page_count simulates a disk that fills up after a few blocks
    const journal = new SessionJournal(fileIn(), {
      session: SESSION,
      maxPageCount: 31,
      retryIntervalMs: 1000,
      now,
      onProblem: (p) => problems.push(p),
    });
    for (let i = 0; i < messages.length; i += 500) {
      expect(() => journal.append(messages.slice(i, i + 500))).not.toThrow();
      clock += 200; // ~5 s of feed: the journal retries every second
    }
    const health = journal.health();
    expect(health.state).toBe('failing');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'disk_full', code: 'SQLITE_FULL', permanent: false });
    expect(problems[0]!.message).toMatch(/disk is full.*retrying/);
    expect(health.recordedMessages).toBeGreaterThan(0);
    expect(health.recordedMessages + health.unrecorded.messages).toBe(12_000);
    expect(health.unrecorded).toMatchObject({ firstSeq: health.lastRecordedSeq! + 1, lastSeq: 12_000 });
    const final = journal.close();
    const report = verifySessionFile(fileIn());
    expect(report.ok).toBe(true);
    expect(report.messages).toBe(health.recordedMessages);
    // What the journal reports as not recorded is exactly what the file's gap rows say, although the disk never
    // freed up (the space reserve made room for them), and with the file's messages it makes up the whole feed.
    const notRecorded = report.meta.gaps
      .filter((gap) => gap.reason === 'not_recorded')
      .map(({ fromSeq, toSeq }) => ({ fromSeq, toSeq }));
    expect(notRecorded.length).toBeGreaterThan(0);
    expect(final.unrecorded.ranges).toEqual(notRecorded);
    const inGaps = notRecorded.reduce((n, gap) => n + gap.toSeq - gap.fromSeq + 1, 0);
    expect(final.unrecorded.messages).toBe(inGaps);
    expect(report.messages + inGaps).toBe(12_000);
    expect(report.meta.count).toBe(final.recordedMessages);
  });

  it('recovers when an unwritable (missing) folder becomes writable, and records what was lost', () => {
    const folder = path.join(dir, 'later');
    const file = path.join(folder, 's.fwsession');
    const messages = syntheticMessages({ count: 400 });
    const problems: JournalProblem[] = [];
    let recovered = 0;
    const journal = new SessionJournal(file, {
      session: SESSION,
      retryIntervalMs: 2000,
      now,
      onProblem: (p) => problems.push(p),
      onRecovered: () => recovered++,
    });
    expect(journal.health().state).toBe('failing');
    journal.append(messages.slice(0, 100));
    clock += 2500;
    journal.append(messages.slice(100, 200)); // retry: still no folder
    mkdirSync(folder);
    journal.append(messages.slice(200, 300)); // not yet time to retry: counted as lost
    clock += 2500;
    journal.append(messages.slice(300, 400));
    const health = journal.close();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'unwritable' });
    expect(problems[0]!.message).toContain(file);
    expect(recovered).toBe(1);
    expect(health).toMatchObject({ recordedMessages: 100, unrecorded: { messages: 300, firstSeq: 1, lastSeq: 300 } });
    const reader = SessionReader.open(file);
    expect(reader.gaps()).toEqual([{ fromSeq: 1, toSeq: 300, reason: 'not_recorded' }]);
    expect(Array.from(reader.lines())).toEqual(lines(messages.slice(300)));
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });
});

describe('SessionReader on bad files', () => {
  it('names the file and the problem, and never creates or changes it', () => {
    expect(() => SessionReader.open(fileIn('none.fwsession'))).toThrow(/none\.fwsession: no such file/);
    expect(() => statSync(fileIn('none.fwsession'))).toThrow();

    writeFileSync(fileIn('text.fwsession'), 'hello, I am not a database\n'.repeat(200));
    expect(() => SessionReader.open(fileIn('text.fwsession'))).toThrow(
      expect.objectContaining({
        problem: 'not_sqlite',
        message: expect.stringContaining('text.fwsession: not a session file'),
      }),
    );

    const foreign = new Database(fileIn('foreign.db'));
    foreign.exec('CREATE TABLE t (x)');
    foreign.close();
    expect(() => SessionReader.open(fileIn('foreign.db'))).toThrow(expect.objectContaining({ problem: 'not_session' }));

    const journal = new SessionJournal(fileIn(), { session: SESSION, now });
    journal.append(syntheticMessages({ count: 10 }));
    journal.close();
    const newer = new Database(fileIn());
    newer.pragma('user_version = 99');
    newer.close();
    expect(() => SessionReader.open(fileIn())).toThrow(/schema v99 is newer than this build reads/);
  });

  it('detects a damaged block on verify and on read', () => {
    const messages = syntheticMessages({ count: 300 });
    const journal = new SessionJournal(fileIn(), { session: SESSION, blockSize: 100, now });
    journal.append(messages);
    journal.close();
    const db = new Database(fileIn());
    const row = db.prepare('SELECT data FROM blocks WHERE first_seq = 101').get() as { data: Buffer };
    row.data[Math.floor(row.data.length / 2)]! ^= 0xff;
    db.prepare('UPDATE blocks SET data = ? WHERE first_seq = 101').run(row.data);
    db.close();
    const reader = SessionReader.open(fileIn());
    const report = reader.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/block at seq 101\.\.200 (fails its checksum|does not decompress)/);
    expect(reader.get(50)).toEqual(messages[49]);
    expect(() => reader.get(150)).toThrow(SessionFileError);
    reader.close();
  });

  it('detects a truncated file', () => {
    const journal = new SessionJournal(fileIn(), { session: SESSION, now });
    journal.append(syntheticMessages({ count: 5000 }));
    journal.close();
    const bytes = readFileSync(fileIn());
    writeFileSync(fileIn('cut.fwsession'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    let failure: unknown;
    try {
      const reader = SessionReader.open(fileIn('cut.fwsession'));
      const report = reader.verify({ deep: true });
      reader.close();
      expect(report.ok).toBe(false);
    } catch (error) {
      failure = error;
    }
    if (failure) {
      expect(failure).toBeInstanceOf(SessionFileError);
      expect((failure as Error).message).toContain('cut.fwsession');
    }
  });
});
