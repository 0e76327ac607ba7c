// Review replays a recorded session through the live engine path: deterministic (same state, same alerts twice)
// and seekable (a seek lands on exactly the state of playing up to there, forward or backward, by seq or by time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplaySession } from '../../main/review/replaySession';
import { alertAt, workflowTimelines } from '../../main/review/replayedAlerts';
import { recordSimulatedSession } from '../../main/review/simulatedSession';
import { generateSession } from '../../main/simulator/generator';
import { SessionJournal } from '../../main/store/journal';
import type { AuditRow } from '../../main/store/auditLog';
import type { AlertRow } from '../../shared/api/methods/alerts';

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
    // createdAt/updatedAt are session times (the message that raised the alert), deterministic as the rest.
    alerts: session.runtime.alerts().sort((a, b) => (a.id < b.id ? -1 : 1)),
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

  it('stops at the end the session had when it was opened, while the file still grows', () => {
    const growing = path.join(dir, 'growing.fwsession');
    const messages = [...generateSession({ seed: 2, messages: 6_000 })];
    const journal = new SessionJournal(growing, {
      session: { sessionId: 'GROW', tradingDay: '20261124', source: 'test' },
      createdBy: 'test',
      flushIntervalMs: 0,
    });
    try {
      journal.append(messages.slice(0, 3_000));
      journal.flush();
      const session = ReplaySession.open(growing);
      try {
        const end = session.lastSeq;
        expect(end).toBe(messages[2_999]!.seq);
        journal.append(messages.slice(3_000)); // the recording goes on after the review opened
        journal.flush();
        session.step(10_000);
        expect(session.positionSeq).toBe(end);
        expect(session.atEnd).toBe(true);
        session.seekSeq(end + 500);
        expect(session.positionSeq).toBe(end);
      } finally {
        session.close();
      }
    } finally {
      journal.close();
    }
  });

  it('an alert replayed shows the audited workflow up to the replay clock and nothing after', () => {
    const row = (id: number, time: number, action: string, details: Record<string, unknown>): AuditRow =>
      ({
        id,
        time,
        operator: 'op',
        role: 'operator',
        action,
        target: 'alert:A1',
        details: JSON.stringify(details),
        reason: '',
      }) as AuditRow;
    const timelines = workflowTimelines([
      row(1, 300, 'alert_state_changed', { alertId: 'A1', from: 'acknowledged', to: 'closed' }),
      row(2, 100, 'alert_state_changed', { alertId: 'A1', from: 'new', to: 'acknowledged' }),
      row(3, 150, 'alert_state_changed', {
        alertId: 'A1',
        change: 'assign',
        from: 'acknowledged',
        to: 'acknowledged',
        assignee: 'op',
      }),
      row(4, 200, 'note_added', { alertId: 'A1', text: 'looked at it' }),
    ]);
    const raised = { id: 'A1', state: 'new', assignee: null, notes: 0, createdAt: 50, updatedAt: 50 } as AlertRow;
    const steps = timelines.get('A1');
    expect(alertAt(raised, steps, 99)).toBe(raised);
    expect(alertAt(raised, steps, 100)).toMatchObject({ state: 'acknowledged', assignee: null, updatedAt: 100 });
    expect(alertAt(raised, steps, 250)).toMatchObject({ state: 'acknowledged', assignee: 'op', notes: 1 });
    expect(alertAt(raised, steps, 300)).toMatchObject({ state: 'closed', updatedAt: 300 });
    expect(alertAt(raised, timelines.get('other'), 1_000)).toBe(raised);
  });

  it('refuses a file that is not a session with a clear error', () => {
    expect(() => ReplaySession.open(path.join(dir, 'missing.fwsession'))).toThrow(/no such file/);
  });
});
