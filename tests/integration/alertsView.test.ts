// The alert pane's view as the apps wire it: raw alerts from a core topic, the workflow on real SQLite (audited
// actions), the main side's view service hosting a view of the `alerts` source. The window's view (open alerts,
// high and up, most severe first) and the badge's counts follow new alerts and the operator's workflow actions;
// an alert closed leaves the open view, and the window gets only its own views' frames.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertServices, type AlertServices } from '../../main/alerts';
import type { CallerContext } from '../../main/api/dispatcher';
import { TopicHub } from '../../main/api/topicHub';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';
import { ViewService } from '../../main/views/viewService';
import type { TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { Severity } from '../../shared/rules/types';
import type { ViewFrame } from '../../shared/views/spec';
import { alertViewScope, DEFAULT_ALERT_FILTER, DEFAULT_ALERT_SORT } from '../../renderer/src/windows/alertFilter';

let dir: string;
let audit: AuditLog;
let core: TopicHub;
let alerts: AlertServices;
let views: ViewService;
const window = (connectionId: string): CallerContext => ({ transport: 'test', connectionId });

function rawAlert(id: string, severity: Severity): AlertRow {
  return {
    id,
    rule: 'frequent_cancel',
    subjectType: 'account',
    subjectId: 'A7',
    accountIds: ['A7'],
    instrumentId: 'IF2612',
    exchange: 'CFFEX',
    severity,
    score: 55,
    firstSeq: 3,
    lastSeq: 900,
    count: 400,
    threshold: 400,
    tradingDay: '20261124',
    message: '400 cancels on IF2612 today (threshold 400)',
    messageZh: 'IF2612 今日撤单 400 次（阈值 400）',
    evidence: [3],
    metrics: {},
    state: 'new',
    assignee: null,
    notes: 0,
    createdAt: 0,
    updatedAt: 0,
    firstTs: 1_795_482_000_000,
  } as AlertRow;
}

/** The core raises alerts; resolves once the workflow has audited and published them. */
async function publishRaw(rows: AlertRow[]): Promise<void> {
  const now = Date.now();
  core.publish({ topic: 'alerts', snapshot: false, rows, removed: [], at: now, sourceTs: now });
  await alerts.workflow.settled();
}

async function waitFor<T>(what: string, read: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-alerts-view-'));
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'));
  core = new TopicHub();
  alerts = await createAlertServices({ audit: new SqliteAuditStore(audit), dataDir: dir, core });
  views = new ViewService({
    engineHost: () => null,
    subscribeTopic: (topic, listener) => alerts.topics.alerts!.subscribe(topic, listener),
  });
});
afterEach(async () => {
  views.stop();
  await alerts.stop();
  audit.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the alert pane’s view on the main side', () => {
  it('follows new alerts and workflow actions: rows, order, counts; closed alerts leave the open view', async () => {
    await publishRaw([rawAlert('a1', 'medium'), rawAlert('a2', 'high'), rawAlert('a3', 'low')]);
    const frames: ViewFrame[] = [];
    const other: ViewFrame[] = [];
    views.subscribe('views', (u: TopicUpdate<'views'>) => frames.push(...u.rows), window('w1'));
    views.subscribe('views', (u: TopicUpdate<'views'>) => other.push(...u.rows), window('w2'));

    const spec = {
      sort: [...DEFAULT_ALERT_SORT],
      filter: alertViewScope({ ...DEFAULT_ALERT_FILTER, severity: 'medium' }, null),
    };
    const pane = await views.handlers['views.open'](
      { source: 'alerts', spec, range: { start: 0, end: 50 } },
      window('w1'),
    );
    expect(pane.keys).toEqual(['a2', 'a1']);
    const counts = await views.handlers['views.open'](
      { source: 'alerts', spec: {}, range: { start: 0, end: 0 } },
      window('w1'),
    );
    expect(counts.totals).toMatchObject({ __count: 3, 'state:new': 3, 'new:high': 1 });
    expect(counts.rows).toEqual([]);

    // A critical alert arrives: it goes on top, and the counts follow.
    await publishRaw([rawAlert('a4', 'critical')]);
    const arrived = await waitFor('the new alert on top', () =>
      frames.find((f) => f.viewId === pane.viewId && f.keys?.[0] === 'a4'),
    );
    expect(arrived.keys).toEqual(['a4', 'a2', 'a1']);
    await waitFor('four alerts counted', () =>
      frames.find((f) => f.viewId === counts.viewId && f.totals['state:new'] === 4 && f.totals['new:critical'] === 1),
    );

    // Acknowledged (audited): the row changes in place; one fewer unacknowledged.
    await alerts.services['alerts.setState']!({ id: 'a2', state: 'acknowledged' }, window('w1'));
    const acked = await waitFor('a2 acknowledged', () =>
      frames
        .filter((f) => f.viewId === pane.viewId)
        .flatMap((f) => f.rows as AlertRow[])
        .find((row) => row.id === 'a2' && row.state === 'acknowledged'),
    );
    expect(acked.state).toBe('acknowledged');
    await waitFor('three unacknowledged', () =>
      frames.find(
        (f) => f.viewId === counts.viewId && f.totals['state:new'] === 3 && (f.totals['new:high'] ?? 0) === 0,
      ),
    );

    // Closed with a rationale: it leaves the open alerts.
    await alerts.services['alerts.setState']!({ id: 'a4', state: 'closed', reason: 'reviewed, no case' }, window('w1'));
    const left = await waitFor('a4 gone from the open view', () =>
      frames.find((f) => f.viewId === pane.viewId && f.keys !== undefined && !f.keys.includes('a4')),
    );
    expect(left.keys).toEqual(['a2', 'a1']);
    expect(left.total).toBe(2);

    expect(other).toEqual([]);
    expect(audit.readRows({ actions: ['alert_state_changed'] }).map((r) => r.target)).toEqual(['alert:a2', 'alert:a4']);
  });
});
