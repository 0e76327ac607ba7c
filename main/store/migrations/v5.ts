// Schema v5: the audit head anchored in the session file. While the core records a session, every new head of the
// audit chain (row id + hash) is written here with the next flush, so the session file is an anchor of the audit log
// that `audit verify` finds. Only the newest few are kept: the newest is what catches a deleted tail. A row id once
// anchored keeps its first hash (a log cut back and grown again must not overwrite the evidence). A v3 or v4 file reads
// in place (it simply has no anchors); the journal adds the table when it continues one.
import type { Database as Db } from 'better-sqlite3';

export const AUDIT_ANCHORS_TABLE = 'audit_anchors';
/** Anchors a session file keeps (newest first). */
export const SESSION_AUDIT_ANCHORS_KEPT = 16;

export function migrateV4ToV5(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${AUDIT_ANCHORS_TABLE} (
      audit_id INTEGER PRIMARY KEY,
      hash TEXT NOT NULL,
      log TEXT,
      anchored_at INTEGER NOT NULL
    );
  `);
}
