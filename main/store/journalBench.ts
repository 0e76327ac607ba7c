// Measurements of the session store for `npm run bench` (the bench section calls this with the simulator's
// messages): the raw SQLite insert rate next to the journal's append rate on the same messages, decode + journal
// ingest rates for the three ways to feed the journal, the file size per message, and the reader's open, seek and
// read times. Plain numbers; the caller names and prints them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decodeFrame, type SequencedMessage } from '../../shared/protocol';
import { SessionJournal } from './journal';
import { FeedClient } from '../feed/feedClient';
import { JournalWorker } from './journalWorker';
import { SessionReader } from './sessionReader';

export interface JournalBenchFigures {
  messages: number;
  /** Plain `INSERT (seq, ts, body)` prepared statement, one transaction, WAL: rows/s. */
  sqlite_insert_rows_per_s: number;
  /** SessionJournal.append on this thread (JSON serialization, compression and SQLite included): msg/s. */
  journal_append_msgs_per_s: number;
  /** decodeFrame alone over the same frames (the baseline every ingest figure below includes): msg/s. */
  decode_msgs_per_s: number;
  /** decodeFrame + SessionJournal.append on the same thread, until the file is closed: msg/s. */
  decode_journal_inline_msgs_per_s: number;
  /** decodeFrame + JournalWorker.append (serialize here, write in the worker), until the file is closed: msg/s. */
  decode_journal_worker_msgs_per_s: number;
  /** decodeFrame + JournalWorker.appendFrame (raw frame text to the worker), until the file is closed: msg/s. */
  decode_journal_worker_frame_msgs_per_s: number;
  /** Time the feed thread spent in decodeFrame + appendFrame only (what recording costs the live path): msg/s. */
  decode_journal_worker_frame_feed_thread_msgs_per_s: number;
  /**
   * Only with `options.newState`: the live ingest path (FeedClient.handleFrame: decode, sequencer) into the state,
   * without recording: msg/s.
   */
  ingest_msgs_per_s?: number;
  /**
   * Only with `options.newState`: the same path recording through JournalWorker.appendFrame, timed until the file
   * is closed (issue 4's record_msgs_per_s: decode + journal + state): msg/s.
   */
  record_msgs_per_s?: number;
  session_bytes_per_msg: number;
  session_open_ms: number;
  /** Worst of 20 seeks spread over the session (by seq and by time), each reading the message it lands on: ms. */
  session_seek_ms: number;
  /** Reading every message back as canonical JSON lines: msg/s. */
  session_read_lines_per_s: number;
}

const SESSION = { sessionId: 'BENCH', tradingDay: '20260105', source: 'journal bench' };

function perSecond(count: number, startedMs: number): number {
  return Math.round(count / ((performance.now() - startedMs) / 1000));
}

export interface JournalBenchOptions {
  /** Messages per frame (default 200). */
  frame?: number;
  /** Makes the engine state to ingest into (e.g. `() => new EngineState()`), for the ingest/record figures. */
  newState?: () => { applyBatch(messages: SequencedMessage[]): void };
}

/** Runs every measurement on `messages` (seq order) in a temporary folder, removed afterwards. */
export async function measureJournal(
  messages: readonly SequencedMessage[],
  options: JournalBenchOptions = {},
): Promise<JournalBenchFigures> {
  const frame = options.frame ?? 200;
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-journal-bench-'));
  try {
    const count = messages.length;

    const plain = new Database(path.join(dir, 'plain.db'));
    plain.pragma('journal_mode = WAL');
    plain.pragma('synchronous = NORMAL');
    plain.exec('CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, body TEXT NOT NULL)');
    const insert = plain.prepare('INSERT INTO messages (seq, ts, body) VALUES (?, ?, ?)');
    const bodies = messages.map((m) => JSON.stringify(m));
    let started = performance.now();
    plain.transaction(() => {
      for (let i = 0; i < count; i++) insert.run(messages[i]!.seq, messages[i]!.ts, bodies[i]);
    })();
    const sqliteInsert = perSecond(count, started);
    plain.close();
    bodies.length = 0;

    const file = path.join(dir, 'bench.fwsession');
    const journal = new SessionJournal(file, { session: SESSION });
    started = performance.now();
    for (let i = 0; i < count; i += frame) journal.append(messages.slice(i, i + frame));
    journal.close();
    const journalAppend = perSecond(count, started);
    const bytesPerMessage = statSync(file).size / count;

    const frames: string[] = [];
    for (let i = 0; i < count; i += frame) frames.push(JSON.stringify(messages.slice(i, i + frame)));
    started = performance.now();
    for (const text of frames) decodeFrame(text);
    const decodeOnly = perSecond(count, started);

    const inline = new SessionJournal(path.join(dir, 'inline.fwsession'), { session: SESSION });
    started = performance.now();
    for (const text of frames) inline.append(decodeFrame(text).messages);
    inline.close();
    const decodeInline = perSecond(count, started);

    const unbounded = { session: SESSION, maxBacklogMessages: Number.MAX_SAFE_INTEGER };
    const objects = JournalWorker.start(path.join(dir, 'objects.fwsession'), unbounded);
    await objects.flush(); // thread started and file open before the clock runs
    started = performance.now();
    for (const text of frames) objects.append(decodeFrame(text).messages);
    await objects.close();
    const decodeWorker = perSecond(count, started);

    const raw = JournalWorker.start(path.join(dir, 'frames.fwsession'), unbounded);
    await raw.flush();
    started = performance.now();
    for (const text of frames) {
      const decoded = decodeFrame(text);
      raw.appendFrame(
        text,
        decoded.messages as SequencedMessage[],
        decoded.rejects.map((r) => r.index),
      );
    }
    const decodeFrameFeedThread = perSecond(count, started);
    await raw.close();
    const decodeWorkerFrame = perSecond(count, started);

    let ingest: number | undefined;
    let record: number | undefined;
    if (options.newState) {
      const ingestInto = (onBatch: (batch: SequencedMessage[], text: string) => void) => {
        let current = '';
        const client = new FeedClient({ url: 'replay:', handlers: { onBatch: (batch) => onBatch(batch, current) } });
        for (const text of frames) {
          current = text;
          client.handleFrame(text, text.length, Date.now());
        }
      };
      const bare = options.newState();
      started = performance.now();
      ingestInto((batch) => bare.applyBatch(batch));
      ingest = perSecond(count, started);

      const state = options.newState();
      const recorder = JournalWorker.start(path.join(dir, 'record.fwsession'), unbounded);
      await recorder.flush();
      started = performance.now();
      ingestInto((batch, text) => {
        recorder.appendFrame(text, batch);
        state.applyBatch(batch);
      });
      const health = await recorder.close();
      record = perSecond(count, started);
      if (health.recordedMessages !== count) {
        throw new Error(`record bench wrote ${health.recordedMessages} of ${count} messages`);
      }
    }

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
      decode_msgs_per_s: decodeOnly,
      decode_journal_inline_msgs_per_s: decodeInline,
      decode_journal_worker_msgs_per_s: decodeWorker,
      decode_journal_worker_frame_msgs_per_s: decodeWorkerFrame,
      decode_journal_worker_frame_feed_thread_msgs_per_s: decodeFrameFeedThread,
      ...(ingest !== undefined ? { ingest_msgs_per_s: ingest } : {}),
      ...(record !== undefined ? { record_msgs_per_s: record } : {}),
      session_bytes_per_msg: Math.round(bytesPerMessage * 10) / 10,
      session_open_ms: Math.round(openMs * 10) / 10,
      session_seek_ms: Math.round(seekMs * 10) / 10,
      session_read_lines_per_s: readRate,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
