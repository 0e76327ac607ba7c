// Schema v4: blocks, catalog ids and feed event bodies may be sealed with the installation's data key (codec flag
// 0x10, `fw1:` text; sessionFormat.ts SessionSeal), and session_meta may hold `seal_id` and `data_key_id`. The tables
// do not change and v3 content stays valid, so a v4 reader reads a v3 file in place; the version moves so that an
// older build meets a sealed file with "newer schema", not "unknown codec". Sealing what an older build wrote in
// clear needs the key, so it is not this step: sessionSealing.ts does it, block by block.
import type { Database as Db } from 'better-sqlite3';

export function migrateV3ToV4(db: Db): void {
  void db; // nothing to change in the tables
}
