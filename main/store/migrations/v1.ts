// Schema v1, as the first build wrote it: one row per message (seq, ts, type, canonical JSON body), a key/value
// meta table and a gaps table. Kept so that (a) a fresh file is created through the same numbered steps an old
// file goes through, and (b) the committed v1 fixture (tests/fixtures/session-v1.sqlite) can be regenerated:
// `npx tsx tests/fixtures/makeSessionV1.ts`.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { SequencedMessage } from '../../../shared/protocol';
import { SESSION_APPLICATION_ID, type SessionGap, type SessionInfo } from '../sessionFormat';

export function createSchemaV1(db: Db): void {
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE messages (
      seq INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX messages_by_ts ON messages (ts);
    CREATE TABLE gaps (from_seq INTEGER PRIMARY KEY, to_seq INTEGER NOT NULL, reason TEXT NOT NULL);
  `);
  db.pragma(`application_id = ${SESSION_APPLICATION_ID}`);
}

/** Writes a complete schema-v1 session file the way the first build did (for fixtures and migration tests). */
export function writeSessionV1File(
  file: string,
  info: SessionInfo & { appVersion: string; createdAt: string },
  messages: readonly SequencedMessage[],
  gaps: readonly SessionGap[] = [],
): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    db.transaction(() => {
      createSchemaV1(db);
      const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      meta.run('session_id', info.sessionId);
      meta.run('trading_day', info.tradingDay);
      meta.run('source', info.source);
      meta.run('app_version', info.appVersion);
      meta.run('created_at', info.createdAt);
      const insert = db.prepare('INSERT INTO messages (seq, ts, type, body) VALUES (?, ?, ?, ?)');
      for (const message of messages) insert.run(message.seq, message.ts, message.type, JSON.stringify(message));
      const gap = db.prepare('INSERT INTO gaps (from_seq, to_seq, reason) VALUES (?, ?, ?)');
      for (const g of gaps) gap.run(g.fromSeq, g.toSeq, g.reason);
      db.pragma('user_version = 1');
    })();
  } finally {
    db.close();
  }
}
