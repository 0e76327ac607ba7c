// Measurements of the session store for `npm run bench` (the bench section calls this with the simulator's
// messages): the raw SQLite insert rate next to the journal's append rate on the same messages, the file size per
// message, and the reader's open, seek and read-back times. Plain numbers; the caller names and prints them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SequencedMessage } from '../../shared/protocol';
import { SessionJournal } from './journal';
import { JournalWorker } from './journalWorker';
import { SessionReader } from './sessionReader';

export interface JournalBenchFigures {
  messages: number;
  /** Plain `INSERT (seq, ts, body)` prepared statement, one transaction, WAL: rows/s. */
  sqlite_insert_rows_per_s: number;
  /** SessionJournal.append on this thread (JSON serialization, compression and SQLite included): msg/s. */
  journal_append_msgs_per_s: number;
  /** Cost on the feed thread when the journal runs in its worker (JournalWorker.append: serialize + post): msg/s. */
  journal_worker_post_msgs_per_s: number;
  /** JournalWorker from first append to closed file: msg/s. */
  journal_worker_msgs_per_s: number;
  session_bytes_per_msg: number;
  session_open_ms: number;
  /** Worst of 20 random seeks (by seq and by time), each reading the message it lands on: ms. */
  session_seek_ms: number;
  /** Reading every message back as canonical JSON lines: msg/s. */
  session_read_lines_per_s: number;
}

const SESSION = { sessionId: 'BENCH', tradingDay: '20260105', source: 'journal bench' };

function perSecond(count: number, startedMs: number): number {
  return Math.round(count / ((performance.now() - startedMs) / 1000));
}

/** Runs every measurement on `messages` (seq order) in a temporary folder, removed afterwards. */
export async function measureJournal(messages: readonly SequencedMessage[], frame = 200): Promise<JournalBenchFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-journal-bench-'));
  try {
    const count = messages.length;

    const raw = new Database(path.join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, body TEXT NOT NULL)');
    const insert = raw.prepare('INSERT INTO messages (seq, ts, body) VALUES (?, ?, ?)');
    const bodies = messages.map((m) => JSON.stringify(m));
    let started = performance.now();
    raw.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(messages[i]!.seq, messages[i]!.ts, bodies[i]);
    })();
    const sqliteInsert = perSecond(count, started);
    raw.close();
    bodies.length = 0;

    const file = path.join(dir, 'bench.fwsession');
    const journal = new SessionJournal(file, { session: SESSION });
    started = performance.now();
    for (let i = 0; i < count; i += frame) journal.append(messages.slice(i, i + frame));
    journal.close();
    const journalAppend = perSecond(count, started);
    const bytesPerMessage = statSync(file).size / count;

    const worker = JournalWorker.start(path.join(dir, 'worker.fwsession'), {
      session: SESSION,
      maxBacklogMessages: Number.MAX_SAFE_INTEGER,
    });
    started = performance.now();
    for (let i = 0; i < count; i += frame) worker.append(messages.slice(i, i + frame));
    const workerPost = perSecond(count, started);
    await worker.close();
    const workerTotal = perSecond(count, started);

    started = performance.now();
    const reader = SessionReader.open(file);
    const openMs = performance.now() - started;
    let seekMs = 0;
    const first = reader.meta.firstTs ?? 0;
    const span = (reader.meta.lastTs ?? 0) - first;
    for (let k = 0; k < 20; k++) {
      const t = performance.now();
      if (k % 2 === 0) reader.readMessages(1 + Math.floor(((k + 0.5) / 20) * count), 1);
      else reader.readMessages(reader.seekByTime(first + Math.floor(((k + 0.5) / 20) * span)) ?? 1, 1);
      seekMs = Math.max(seekMs, performance.now() - t);
    }
    started = performance.now();
    let read = 0;
    for (const chunk of reader.lineChunks()) read += chunk.length;
    const readRate = perSecond(read, started);
    reader.close();

    return {
      messages: count,
      sqlite_insert_rows_per_s: sqliteInsert,
      journal_append_msgs_per_s: journalAppend,
      journal_worker_post_msgs_per_s: workerPost,
      journal_worker_msgs_per_s: workerTotal,
      session_bytes_per_msg: Math.round(bytesPerMessage * 10) / 10,
      session_open_ms: Math.round(openMs * 10) / 10,
      session_seek_ms: Math.round(seekMs * 10) / 10,
      session_read_lines_per_s: readRate,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
