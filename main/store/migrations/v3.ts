// Schema v3: blocks may use codec 2 (binary records, see recordCodec.ts). The tables do not change: a v2 file's
// codec-1 blocks stay valid as they are, so this step writes nothing and a v3 reader reads a v2 file in place.
// The version still moves so that an older build meets a v3 file with "newer schema", not "unknown codec".
import type { Database as Db } from 'better-sqlite3';

export function migrateV2ToV3(db: Db): void {
  void db; // nothing to change in the tables
}
