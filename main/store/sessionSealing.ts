// Seals, in place, a session file an older build wrote in clear: first its seal id and key fingerprint, catalog ids
// and feed events (one transaction), then its blocks, a few at a time, each batch its own transaction. A block is
// either clear or sealed and the reader takes both, so a crash at any point leaves a readable file that loses
// nothing, and running this again finishes the job. secure_delete overwrites the clear pages SQLite frees, and the
// WAL is truncated at the end, so no clear copy is left in the file.
import type { Database as Db } from 'better-sqlite3';
import Database from 'better-sqlite3';
import type { DataKey } from '../security/dataKey';
import { makeFilePrivate } from '../security/fileModes';
import { migrateSession } from './migrations';
import { scrubFreedSpace } from './sealedColumns';
import { SEALED_CODEC_FLAG, type StoredBlock } from './sessionFormat';
import { checkSessionDb, readSessionSeal, toSessionFileError, writeSealMeta } from './sessionOpen';

/** Blocks sealed per transaction (about 1–4 MB of data). */
const BLOCKS_PER_TRANSACTION = 64;

export interface SealResult {
  /** Blocks sealed by this call (0 when the file was sealed already). */
  blocks: number;
  /** Catalog entries and feed events sealed by this call. */
  entries: number;
}

/** True when `file` still holds something in clear (cheap: two indexed queries). */
export function sessionNeedsSealing(db: Db): boolean {
  const clearBlock = db.prepare(`SELECT 1 FROM blocks WHERE (codec & ${SEALED_CODEC_FLAG}) = 0 LIMIT 1`).get();
  const keyId = db.prepare("SELECT 1 FROM session_meta WHERE key = 'data_key_id'").get();
  return clearBlock !== undefined || keyId === undefined;
}

/**
 * Seals what is in clear in `file` with `key` (the process's installed key must be `key`). Throws SessionFileError
 * when the file is not a session, or is sealed with another key. `afterBatch` is a test hook (crash injection).
 */
export function sealSessionFile(file: string, key: DataKey, afterBatch?: (sealed: number) => void): SealResult {
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    checkSessionDb(file, db);
    db.pragma('secure_delete = ON');
    migrateSession(db);
    const result: SealResult = { blocks: 0, entries: 0 };
    if (!sessionNeedsSealing(db)) return result;
    const seal = readSessionSeal(file, db, { forWriting: true });
    if (!seal) throw new Error('no data key installed');
    seal.check();
    const open = db;
    open
      .transaction(() => {
        writeSealMeta(open, seal, key.id);
        const catalog = open.prepare('SELECT kind, id, seq FROM catalog').all() as {
          kind: string;
          id: string;
          seq: number;
        }[];
        const deleteEntry = open.prepare('DELETE FROM catalog WHERE kind = ? AND id = ?');
        const insertEntry = open.prepare('INSERT OR IGNORE INTO catalog (kind, id, seq) VALUES (?, ?, ?)');
        for (const entry of catalog) {
          if (entry.id.startsWith('fw1:')) continue;
          deleteEntry.run(entry.kind, entry.id);
          insertEntry.run(entry.kind, seal.sealCatalogId(entry.kind, entry.id), entry.seq);
          result.entries++;
        }
        const events = open.prepare('SELECT id, after_seq, ts, type, body FROM feed_events').all() as {
          id: number;
          after_seq: number;
          ts: number;
          type: string;
          body: string;
        }[];
        const updateEvent = open.prepare('UPDATE feed_events SET body = ? WHERE id = ?');
        for (const event of events) {
          if (event.body.startsWith('fw1:')) continue;
          updateEvent.run(seal.sealEvent(event.after_seq, event.ts, event.type, event.body), event.id);
          result.entries++;
        }
      })
      .immediate();
    const nextClear = open.prepare(
      `SELECT first_seq, last_seq, count, raw_bytes, crc32, codec, data FROM blocks
       WHERE (codec & ${SEALED_CODEC_FLAG}) = 0 ORDER BY first_seq LIMIT ${BLOCKS_PER_TRANSACTION}`,
    );
    const update = open.prepare('UPDATE blocks SET codec = ?, data = ? WHERE first_seq = ?');
    for (;;) {
      const batch = open
        .transaction(() => {
          const blocks = nextClear.all() as StoredBlock[];
          for (const block of blocks) {
            const codec = block.codec | SEALED_CODEC_FLAG;
            update.run(codec, seal.sealBlock({ ...block, codec }, block.data), block.first_seq);
          }
          return blocks.length;
        })
        .immediate();
      if (batch === 0) break;
      result.blocks += batch;
      afterBatch?.(result.blocks);
    }
    scrubFreedSpace(open);
    return result;
  } catch (error) {
    throw toSessionFileError(file, error);
  } finally {
    db?.close();
    makeFilePrivate(file);
  }
}
