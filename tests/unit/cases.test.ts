// Case review data: the journal slice around an alert — the alert's instrument only, inside the window, the
// client's orders and cancels (also of orders entered before the window that the evidence names), the evidence
// messages, and bounded series and depth.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertServices } from '../../main/alerts';
import { readCaseWindow } from '../../main/alerts/caseWindow';
import { createCaseHandlers } from '../../main/alerts/handlers';
import { AlertWorkflow } from '../../main/alerts/workflow';
import type { CallerContext } from '../../main/api/dispatcher';
import { TopicHub } from '../../main/api/topicHub';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { SessionJournal } from '../../main/store/journal';
import { SessionReader } from '../../main/store/sessionReader';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { SequencedMessage, TradeMessage } from '../../shared/protocol';

let dir: string;
let file: string;
let messages: SequencedMessage[];
let alert: AlertRow;
let earlyOrderId: string;
const caller: CallerContext = { transport: 'test', connectionId: 'c1' };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-cases-'));
  file = path.join(dir, 'session.fwsession');
  const feed = new FeedBuilder();
  feed
    .instrument({ instrumentId: 'rb2605', exchange: 'SHFE' })
    .instrument({ instrumentId: 'hc2605', exchange: 'SHFE' });
  feed.account('A1').account('A2').account('Z9');
  // 20 minutes: a quote of each instrument every 200 ms, client orders every 10 s, market trades every second.
  earlyOrderId = feed.order('A1', 'rb2605', 'buy', 500, 3490);
  const evidence: number[] = [feed.seq];
  let volume = 0;
  for (let step = 0; step < 6000; step++) {
    feed.advance(200);
    volume += 2;
    const p = 3500 + (step % 50);
    feed.quote(
      'rb2605',
      p,
      [
        [p - 1, 10],
        [p - 2, 20],
      ],
      [
        [p + 1, 12],
        [p + 2, 22],
      ],
      volume,
    );
    feed.quote('hc2605', 4000 + (step % 7), [[3999, 5]], [[4001, 5]], volume);
    if (step % 5 === 0) feed.fill('Z9', step % 10 ? 'rb2605' : 'hc2605', 'buy', 2, p + 1);
    if (step % 50 === 0) {
      const id = feed.order(step % 100 ? 'A1' : 'A2', 'rb2605', 'sell', 300, p + 5);
      feed.cancel(id, 300);
      if (step % 100 && step > 2900 && step < 3100) evidence.push(feed.seq - 1, feed.seq);
    }
    if (step === 3000) {
      feed.cancel(earlyOrderId, 500);
      evidence.push(feed.seq);
    }
  }
  messages = feed.messages.filter((m): m is SequencedMessage => 'seq' in m);
  const journal = new SessionJournal(file, {
    session: { sessionId: 'S1', tradingDay: '20261124', source: 'test' },
    createdBy: 'test',
  });
  for (let i = 0; i < messages.length; i += 5000) journal.append(messages.slice(i, i + 5000));
  journal.close();
  alert = {
    id: '20261124:large_cancel:A1:rb2605',
    rule: 'large_cancel',
    subjectType: 'account',
    subjectId: 'A1',
    accountIds: ['A1'],
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    severity: 'medium',
    score: 60,
    firstSeq: evidence[0]!,
    lastSeq: evidence.at(-1)!,
    count: 3,
    threshold: 50,
    tradingDay: '20261124',
    message: 'large cancels',
    messageZh: '大额撤单',
    evidence,
    metrics: {},
    state: 'new',
    assignee: null,
    notes: 0,
    createdAt: 0,
    updatedAt: 0,
    firstTs: 0,
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readCaseWindow', () => {
  it('returns the alert instrument’s book and trades in the window, the client’s orders and the evidence', () => {
    const reader = SessionReader.open(file);
    try {
      const window = readCaseWindow(reader, alert, { beforeMs: 60_000, afterMs: 30_000 });
      const anchor = messages.find((m) => m.seq === alert.lastSeq)!;
      expect(window).toMatchObject({ anchorSeq: anchor.seq, anchorTs: anchor.ts, instrumentId: 'rb2605' });
      expect(window.fromTs).toBe(anchor.ts - 60_000);
      expect(window.toTs).toBe(anchor.ts + 30_000);
      const inWindow = messages.filter((m) => m.ts >= window.fromTs && m.ts <= window.toTs);

      // series: rb2605 prices only (hc2605 trades at 4000+), within the window, bounded, in time order
      expect(window.series.length).toBeGreaterThan(100);
      expect(window.series.length).toBeLessThanOrEqual(1200);
      for (const point of window.series) {
        expect(point.ts).toBeGreaterThanOrEqual(window.fromTs);
        expect(point.ts).toBeLessThanOrEqual(window.toTs);
        expect(point.last).toBeLessThan(3600);
        expect(point.ask! - point.bid!).toBe(2);
      }
      expect(window.series.map((p) => p.ts)).toEqual([...window.series.map((p) => p.ts)].sort((a, b) => a - b));
      const lots = window.series.slice(1).reduce((sum, p) => sum + p.volume, 0);
      expect(lots).toBeGreaterThan(0);
      expect(window.depth.length).toBeLessThanOrEqual(300);
      expect(window.depth[0]!.bids.length).toBe(2);

      // trades: exactly the rb2605 trades in the window
      const trades = inWindow.filter((m): m is TradeMessage => m.type === 'trade' && m.instrumentId === 'rb2605');
      expect(window.trades.map((t) => t.seq)).toEqual(trades.map((t) => t.seq));
      expect(window.trades.every((t) => !t.client)).toBe(true);

      // orders: A1's only (not A2's), news and cancels in the window, plus the cancel of the early order
      expect(window.orders.length).toBeGreaterThan(4);
      expect(new Set(window.orders.map((o) => o.accountId))).toEqual(new Set(['A1']));
      const early = window.orders.find((o) => o.orderId === earlyOrderId)!;
      expect(early).toMatchObject({ event: 'cancel', qty: 500, side: 'buy', price: 3490, instrumentId: 'rb2605' });
      const a1Orders = inWindow.filter((m) => m.type === 'order' && m.event === 'new' && m.accountId === 'A1');
      expect(window.orders.filter((o) => o.event === 'new').map((o) => o.seq)).toEqual(a1Orders.map((m) => m.seq));

      // evidence: the messages with exactly those seqs
      expect(window.evidence.map((m) => m.seq)).toEqual([...alert.evidence].sort((a, b) => a - b));
      expect(window.scanned).toBe(inWindow.length);
    } finally {
      reader.close();
    }
  });

  it('can centre on another seq and answers clearly for an unknown alert or a seq past the end', async () => {
    const audit = AuditLog.open(path.join(dir, 'audit.sqlite'));
    try {
      const workflow = await AlertWorkflow.open({ audit: new SqliteAuditStore(audit) });
      await workflow.ingest([alert]);
      const handlers = createCaseHandlers({ workflow, currentSessionFile: () => file });
      const target = messages[1000]!;
      const window = await handlers['cases.window'](
        { alertId: alert.id, atSeq: target.seq, beforeMs: 1000, afterMs: 1000 },
        caller,
      );
      expect(window.anchorSeq).toBe(target.seq);
      expect(window.alert.state).toBe('new');
      expect(() => handlers['cases.window']({ alertId: 'nope' }, caller)).toThrow(/no alert "nope"/);
      expect(() => handlers['cases.window']({ alertId: alert.id, atSeq: 10_000_000 }, caller)).toThrow(
        /not in session/,
      );
    } finally {
      audit.close();
    }
  });
});

describe('createAlertServices().follow', () => {
  it('defaults case review to the reviewed session and finds a reviewed session’s alerts', async () => {
    const audit = AuditLog.open(path.join(dir, 'audit-follow.sqlite'));
    const view = new TopicHub();
    const services = await createAlertServices({ audit: new SqliteAuditStore(audit), dataDir: dir });
    try {
      services.follow(view);
      const handler = services.services['cases.window']!;
      await expect(Promise.resolve().then(() => handler({ alertId: alert.id }, caller))).rejects.toThrow(/no alert/);
      const now = Date.now();
      view.publish({ topic: 'alerts', snapshot: true, rows: [alert], removed: [], at: now, sourceTs: now });
      await expect(Promise.resolve().then(() => handler({ alertId: alert.id }, caller))).rejects.toThrow(
        /no session is being recorded or reviewed/,
      );
      const replay = {
        mode: 'review' as const,
        file,
        sessionId: 'S1',
        tradingDay: '20261124',
        playing: false,
        speed: 1,
        positionSeq: 1,
        positionTs: 0,
        firstSeq: 1,
        lastSeq: messages.length,
        firstTs: 0,
        lastTs: 0,
        marks: [],
      };
      view.publish({ topic: 'replay', snapshot: true, rows: [replay], removed: [], at: now, sourceTs: now });
      const window = await handler({ alertId: alert.id, beforeMs: 1000, afterMs: 1000 }, caller);
      expect(window.file).toBe(file);
      expect(window.anchorSeq).toBe(alert.lastSeq);
      // review left: no default session any more
      view.publish({
        topic: 'replay',
        snapshot: true,
        rows: [{ ...replay, mode: 'live', file: null }],
        removed: [],
        at: now,
        sourceTs: now,
      });
      await expect(Promise.resolve().then(() => handler({ alertId: alert.id }, caller))).rejects.toThrow(/no session/);
    } finally {
      await services.stop();
      audit.close();
    }
  });
});
