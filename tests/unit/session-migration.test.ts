import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionJournal } from '../../main/store/journal';
import { SESSION_MIGRATIONS, SESSION_SCHEMA_VERSION, migrateSession } from '../../main/store/migrations';
import { SessionReader } from '../../main/store/sessionReader';
import { V1_FIXTURE, V1_FIXTURE_GAP, V1_FIXTURE_INFO } from '../fixtures/makeSessionV1';
import { syntheticMessages } from '../fixtures/syntheticSession';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture's messages as the v1 build stored them (one row each). */
function v1Rows(file: string): { seq: number; body: string }[] {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    return db.prepare('SELECT seq, body FROM messages ORDER BY seq').all() as { seq: number; body: string }[];
  } finally {
    db.close();
  }
}

describe('session file migrations', () => {
  it('numbers migrations 1..N without holes', () => {
    expect(SESSION_MIGRATIONS.map((m) => m.version)).toEqual(
      Array.from({ length: SESSION_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    expect(SESSION_SCHEMA_VERSION).toBe(5);
  });

  it('reads the committed schema-v1 fixture read-only, migrating it in memory, without touching the file', () => {
    const file = path.join(dir, 'old.sqlite');
    copyFileSync(V1_FIXTURE, file);
    const before = readFileSync(file);
    const rows = v1Rows(file);
    expect(rows.length).toBe(150);

    const reader = SessionReader.open(file);
    expect(reader.migratedFrom).toBe(1);
    expect(reader.meta).toMatchObject({
      sessionId: V1_FIXTURE_INFO.sessionId,
      tradingDay: V1_FIXTURE_INFO.tradingDay,
      source: V1_FIXTURE_INFO.source,
      appVersion: V1_FIXTURE_INFO.appVersion,
      createdAt: V1_FIXTURE_INFO.createdAt,
      createdBy: 'schema-v1',
      schemaVersion: 1,
      count: 150,
      firstSeq: 1,
      lastSeq: 160,
      gaps: [V1_FIXTURE_GAP],
    });
    expect(reader.meta.instruments.length).toBe(9);
    expect(reader.meta.accounts).toEqual(['A001', 'A002', 'A003', 'A004', 'A005', 'A006']);
    expect(Array.from(reader.lines())).toEqual(rows.map((r) => r.body));
    expect(reader.seekBySeq(105)).toBe(111);
    expect(reader.verify()).toMatchObject({ ok: true, messages: 150 });
    reader.close();
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('migrates the v1 fixture in place when a journal appends to it, then records on', () => {
    const file = path.join(dir, 'old.sqlite');
    copyFileSync(V1_FIXTURE, file);
    const rows = v1Rows(file);
    const journal = new SessionJournal(file, {
      session: { sessionId: V1_FIXTURE_INFO.sessionId, tradingDay: '20260105', source: 'x' },
      mode: 'append',
    });
    const more = syntheticMessages({ seed: 99, count: 40, firstSeq: 161, startTs: 1_795_490_000_000 });
    journal.append(more);
    expect(journal.close()).toMatchObject({ recordedMessages: 40, problem: null });

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SESSION_SCHEMA_VERSION);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[])
      .map((t) => t.name)
      .sort();
    // space_reserve: pages the journal gives up on a full disk so the gap rows of what it could not record still fit.
    expect(tables).toEqual([
      'audit_anchors',
      'blocks',
      'catalog',
      'feed_events',
      'gaps',
      'session_meta',
      'space_reserve',
    ]);
    db.close();

    const reader = SessionReader.open(file);
    expect(reader.migratedFrom).toBeNull();
    expect(reader.meta).toMatchObject({ schemaVersion: SESSION_SCHEMA_VERSION, count: 190, lastSeq: 200 });
    expect(Array.from(reader.lines())).toEqual([...rows.map((r) => r.body), ...more.map((m) => JSON.stringify(m))]);
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('creates a new file through every step and leaves a current file alone', () => {
    const db = new Database(':memory:');
    expect(migrateSession(db)).toEqual({ from: 0, to: SESSION_SCHEMA_VERSION });
    expect(migrateSession(db)).toEqual({ from: SESSION_SCHEMA_VERSION, to: SESSION_SCHEMA_VERSION });
    db.pragma('user_version = 7');
    expect(() => migrateSession(db)).toThrow(/schema v7 is newer/);
    db.close();
  });
});
