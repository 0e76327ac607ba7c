// Review replays a recorded session through the live engine path: deterministic (same state, same alerts twice)
// and seekable (a seek lands on exactly the state of playing up to there, forward or backward, by seq or by time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplaySession } from '../../main/review/replaySession';
import { recordSimulatedSession } from '../../main/review/simulatedSession';

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-replay-'));
  file = path.join(dir, 'day.fwsession');
  recordSimulatedSession(file, { messages: 60_000, seed: 7, scenarios: 'all' });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fingerprint(session: ReplaySession) {
  const rows = session.state.allRows();
  const byKey = <T>(items: T[], key: (item: T) => string) => [...items].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return {
    position: [session.positionSeq, session.positionTs],
    applied: session.state.applied,
    market: byKey(rows.market, (r) => r.instrumentId),
    positions: byKey(rows.positions, (r) => r.key),
    accounts: byKey(rows.accounts, (r) => r.accountId),
    // createdAt/updatedAt are when this core first saw the alert (wall clock), the rest is the replay's.
    alerts: session.runtime
      .alerts()
      .map(({ createdAt: _c, updatedAt: _u, ...alert }) => alert)
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

describe('ReplaySession', () => {
  it('replays the same session twice to identical state and identical alerts', () => {
    const runs = [1, 2].map(() => {
      const session = ReplaySession.open(file);
      try {
        while (!session.atEnd) session.step(5000);
        return { print: fingerprint(session), marks: session.marks(), last: session.lastSeq };
      } finally {
        session.close();
      }
    });
    expect(runs[0]!.print.position[0]).toBe(runs[0]!.last);
    expect(runs[0]!.print.alerts.length).toBeGreaterThan(0); // the scenarios must have raised alerts
    expect(runs[1]!.print).toEqual(runs[0]!.print);
    expect(runs[1]!.marks).toEqual(runs[0]!.marks);
  });

  it('a seek to the middle gives the same state as playing up to there, forward and backward', () => {
    const played = ReplaySession.open(file);
    const sought = ReplaySession.open(file);
    try {
      const middle = Math.floor(played.lastSeq / 2);
      played.step(middle - played.firstSeq + 1);
      expect(played.positionSeq).toBe(middle);
      const atMiddle = fingerprint(played);

      sought.seekSeq(middle); // forward from the start
      expect(fingerprint(sought)).toEqual(atMiddle);

      sought.seekSeq(sought.lastSeq); // to the end, then back: reset and fast-apply
      expect(sought.positionSeq).toBe(sought.lastSeq);
      expect(fingerprint(sought)).not.toEqual(atMiddle);
      sought.seekSeq(middle);
      expect(fingerprint(sought)).toEqual(atMiddle);

      // By time: every message with ts ≤ t applied, none after.
      const t = atMiddle.position[1]!;
      sought.seekTs(t);
      const next = sought.nextTs();
      expect(sought.positionTs).toBeLessThanOrEqual(t);
      expect(next === undefined || next > t).toBe(true);
      const byTime = ReplaySession.open(file);
      try {
        byTime.applyToTs(t);
        expect(fingerprint(sought)).toEqual(fingerprint(byTime));
      } finally {
        byTime.close();
      }
    } finally {
      played.close();
      sought.close();
    }
  });

  it('marks every alert on the timeline at its first message, and keeps them after a backward seek', () => {
    const session = ReplaySession.open(file);
    try {
      expect(session.marks()).toEqual([]);
      session.seekSeq(session.lastSeq);
      const alerts = session.runtime.alerts();
      const marks = session.marks();
      expect(marks.length).toBe(Math.min(alerts.length, 2000));
      for (const mark of marks) {
        const alert = alerts.find((a) => a.id === mark.alertId)!;
        expect(mark).toMatchObject({ seq: alert.firstSeq, ts: alert.firstTs, rule: alert.rule });
        expect(session.reader.get(mark.seq)?.ts).toBe(mark.ts);
      }
      session.seekSeq(1);
      expect(session.runtime.alerts().length).toBeLessThan(alerts.length);
      expect(session.marks()).toEqual(marks); // the timeline still shows what lies ahead
    } finally {
      session.close();
    }
  });

  it('refuses a file that is not a session with a clear error', () => {
    expect(() => ReplaySession.open(path.join(dir, 'missing.fwsession'))).toThrow(/no such file/);
  });
});
