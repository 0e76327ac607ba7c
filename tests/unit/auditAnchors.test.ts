// The anchor file and the session file's anchor table on real files: heads folded while a write is in flight, the
// newest durable on close, compaction that keeps what verify needs, a failing disk reported once, the session table
// keeping a row's first hash and only the newest few, a v3 session file still read in place.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANCHOR_FILE_KEEP,
  AuditAnchorFile,
  anchorsInText,
  anchorText,
  compactAnchors,
  readAnchorFile,
  type AuditHeadAnchor,
} from '../../main/store/auditAnchors';
import { readSessionAuditAnchors } from '../../main/store/auditAnchorSources';
import { SessionJournal } from '../../main/store/journal';
import { SESSION_AUDIT_ANCHORS_KEPT } from '../../main/store/migrations/v5';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-anchor-unit-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const head = (id: number, time = 1_796_000_000_000 + id, log: string | null = 'a'.repeat(16)): AuditHeadAnchor => ({
  id,
  hash: id.toString(16).padStart(64, '0'),
  time,
  log,
});

describe('anchor file', () => {
  it('folds heads that arrive during a write into the next one, and makes the newest durable on close', async () => {
    const file = path.join(dir, 'audit.anchors');
    const sink = new AuditAnchorFile(file);
    for (let id = 1; id <= 200; id++) sink.anchor(head(id));
    await sink.settled();
    const written = readAnchorFile(file).anchors.map((a) => a.id);
    expect(written[0]).toBe(1);
    expect(written.at(-1)).toBe(200);
    expect(written.length).toBeLessThan(200); // folded, not one fsync per head
    sink.anchor(head(201));
    sink.close(); // synchronous: the newest head is on disk when close returns
    expect(readAnchorFile(file).anchors.at(-1)).toEqual(head(201));
    sink.anchor(head(202)); // after close: ignored, no throw
  });

  it('compacts to the newest anchors, the first of each day and the newest of each log', () => {
    const older = [
      head(1, 0, 'b'.repeat(16)),
      ...Array.from({ length: 3000 }, (_, i) => head(i + 2, (i + 2) * 60_000)),
    ];
    const kept = compactAnchors(older);
    expect(kept.at(-1)?.id).toBe(3001);
    expect(kept.filter((a) => a.id > 3001 - ANCHOR_FILE_KEEP)).toHaveLength(ANCHOR_FILE_KEEP);
    expect(kept.map((a) => a.id)).toContain(1); // another log's newest (and day 1's first)
    const days = new Set(older.map((a) => Math.floor(a.time / DAY)));
    for (const day of days) expect(kept.some((a) => Math.floor(a.time / DAY) === day)).toBe(true);
  });

  it('compacts the file itself once it grows past its bound, atomically, and goes on appending', async () => {
    const file = path.join(dir, 'audit.anchors');
    fs.writeFileSync(
      file,
      `{"format":"floorwatch-audit-anchors/1"}\n${Array.from({ length: 2 * ANCHOR_FILE_KEEP }, (_, i) => JSON.stringify({ id: i + 1, hash: head(i + 1).hash, time: new Date(head(i + 1).time).toISOString(), log: 'a'.repeat(16) })).join('\n')}\n`,
    );
    const sink = new AuditAnchorFile(file);
    sink.anchor(head(2 * ANCHOR_FILE_KEEP + 1));
    await sink.settled();
    const after = readAnchorFile(file);
    expect(after.warnings).toEqual([]);
    expect(after.anchors.length).toBeLessThanOrEqual(ANCHOR_FILE_KEEP + 2);
    expect(after.anchors.at(-1)?.id).toBe(2 * ANCHOR_FILE_KEEP + 1);
    sink.anchor(head(2 * ANCHOR_FILE_KEEP + 2));
    sink.close();
    expect(readAnchorFile(file).anchors.at(-1)?.id).toBe(2 * ANCHOR_FILE_KEEP + 2);
    expect(fs.existsSync(`${file}.compacting`)).toBe(false);
  });

  it('reports a file it cannot write once, without throwing', async () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, 'a file where the folder should be');
    const problems: string[] = [];
    const sink = new AuditAnchorFile(path.join(blocker, 'audit.anchors'), (message) => problems.push(message));
    sink.anchor(head(1));
    await sink.settled();
    sink.anchor(head(2));
    await sink.settled();
    sink.close();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^audit anchor not written to .*audit\.anchors: .*; the audit log itself is unaffected/,
    );
  });

  it('says what is wrong with a torn last line', () => {
    const file = path.join(dir, 'audit.anchors');
    fs.writeFileSync(
      file,
      `{"format":"floorwatch-audit-anchors/1"}\n{"id":1,"hash":"${head(1).hash}","time":"2026-12-07T00:00:00.000Z","log":null}\n{"id":2,"ha`,
    );
    expect(readAnchorFile(file)).toMatchObject({
      anchors: [{ id: 1, log: null }],
      warnings: [`anchor file ${file}: the last line is incomplete (a write was cut short), ignored`],
    });
  });

  it('prints an anchor in a line that is found again in a report text', () => {
    const text = `<td>Audit head at generation</td><td>${anchorText(head(61, Date.UTC(2026, 11, 7)))}</td>`;
    expect(anchorsInText(text)).toEqual([head(61, Date.UTC(2026, 11, 7))]);
  });
});

describe('session file anchors', () => {
  it('keeps the newest few, and a row id keeps its first hash', () => {
    const file = path.join(dir, 's.fwsession');
    const journal = new SessionJournal(file, { session: { sessionId: 'S', tradingDay: '20261207', source: 't' } });
    journal.append(syntheticMessages({ count: 10 }));
    for (let id = 1; id <= 40; id++) {
      journal.recordAuditAnchor(head(id));
      journal.flush();
    }
    journal.recordAuditAnchor({ ...head(40), hash: 'f'.repeat(64) }); // the same row id again, another hash
    journal.close();
    const anchors = readSessionAuditAnchors(file);
    expect(anchors.map((a) => a.id)).toEqual(
      Array.from({ length: SESSION_AUDIT_ANCHORS_KEPT }, (_, i) => 41 - SESSION_AUDIT_ANCHORS_KEPT + i),
    );
    expect(anchors.at(-1)).toEqual(head(40));
  });

  it('reads a v3 file (no anchor table) in place: no anchors, the session intact', () => {
    const file = path.join(dir, 'v3.fwsession');
    const journal = new SessionJournal(file, { session: { sessionId: 'S', tradingDay: '20261207', source: 't' } });
    journal.append(syntheticMessages({ count: 10 }));
    journal.close();
    const db = new Database(file);
    db.exec('DROP TABLE audit_anchors');
    db.pragma('user_version = 3');
    db.close();
    const before = fs.readFileSync(file);
    expect(readSessionAuditAnchors(file)).toEqual([]);
    const reader = SessionReader.open(file);
    expect(reader.migratedFrom).toBe(3);
    expect(reader.meta.count).toBe(10);
    reader.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});
