// Schema v2: compressed blocks of consecutive messages instead of one row per message (~5x smaller, ~20x fewer
// rows), a catalog of instruments and accounts, and the feed's unsequenced events (hello, error). Migrating a v1
// file packs its message rows into blocks, fills the catalog and drops the old table, in one transaction.
import type { Database as Db } from 'better-sqlite3';
import { PROTOCOL_VERSION } from '../../../shared/protocol';
import { CODEC_DEFLATE_RAW_LINES, DEFAULT_BLOCK_SIZE, FORMAT_NAME, encodeBlock } from '../sessionFormat';

export function createSchemaV2(db: Db): void {
  db.exec(`
    CREATE TABLE session_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE blocks (
      first_seq INTEGER PRIMARY KEY,
      last_seq INTEGER NOT NULL,
      count INTEGER NOT NULL,
      first_ts INTEGER NOT NULL,
      last_ts INTEGER NOT NULL,
      max_ts INTEGER NOT NULL,
      raw_bytes INTEGER NOT NULL,
      crc32 INTEGER NOT NULL,
      codec INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX blocks_by_max_ts ON blocks (max_ts, first_seq);
    CREATE TABLE catalog (
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
    CREATE TABLE feed_events (
      id INTEGER PRIMARY KEY,
      after_seq INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL
    );
  `);
}

interface V1Row {
  seq: number;
  ts: number;
  type: string;
  body: string;
}

/** v1 → v2. Also the second step of creating a fresh file (then the v1 tables are empty). */
export function migrateV1ToV2(db: Db): void {
  createSchemaV2(db);
  db.exec(`INSERT INTO session_meta (key, value) SELECT key, value FROM meta`);
  const setMeta = db.prepare('INSERT OR IGNORE INTO session_meta (key, value) VALUES (?, ?)');
  setMeta.run('format', FORMAT_NAME);
  setMeta.run('protocol', PROTOCOL_VERSION);
  const hadMessages = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n > 0;
  if (hadMessages) {
    setMeta.run('created_by', 'schema-v1');
    db.prepare('INSERT OR REPLACE INTO session_meta (key, value) VALUES (?, ?)').run(
      'migrated_from_v1_at',
      new Date().toISOString(),
    );
  }

  const insertBlock = db.prepare(
    `INSERT INTO blocks (first_seq, last_seq, count, first_ts, last_ts, max_ts, raw_bytes, crc32, codec, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCatalog = db.prepare('INSERT OR IGNORE INTO catalog (kind, id, seq) VALUES (?, ?, ?)');
  const readChunk = db.prepare('SELECT seq, ts, type, body FROM messages WHERE seq > ? ORDER BY seq LIMIT 4096');

  let run: V1Row[] = [];
  let maxTs = -Infinity;
  const flushRun = () => {
    if (run.length === 0) return;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    for (const row of run) if (row.ts > maxTs) maxTs = row.ts;
    const block = encodeBlock(run.map((row) => row.body));
    insertBlock.run(
      first.seq,
      last.seq,
      run.length,
      first.ts,
      last.ts,
      maxTs,
      block.rawBytes,
      block.crc,
      CODEC_DEFLATE_RAW_LINES,
      block.data,
    );
    run = [];
  };
  let after = 0;
  for (;;) {
    const rows = readChunk.all(after) as V1Row[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const previous = run[run.length - 1];
      if (run.length >= DEFAULT_BLOCK_SIZE || (previous && row.seq !== previous.seq + 1)) flushRun();
      run.push(row);
      if (row.type === 'instrument' || row.type === 'account') {
        const parsed = JSON.parse(row.body) as { instrumentId?: string; accountId?: string };
        const id = row.type === 'instrument' ? parsed.instrumentId : parsed.accountId;
        if (id) insertCatalog.run(row.type, id, row.seq);
      }
    }
    after = rows[rows.length - 1]!.seq;
  }
  flushRun();
  db.exec('DROP TABLE messages; DROP TABLE meta;');
}
