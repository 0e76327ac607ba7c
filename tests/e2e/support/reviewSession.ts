// Run with tsx by tests/e2e/review.spec.ts (Playwright's loader cannot import the rules' JSON): records a simulator
// day with misconduct into `<dataDir>/sessions/` and writes into `<dataDir>`'s audit log what a duty officer did with
// its first alert that day (acknowledged, then closed, at session times), as the workflow writes it. Prints, as
// JSON: the file, two seek targets with Market Watch's last prices at each, and the alert with its two times.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AlertWorkflow } from '../../../main/alerts/workflow';
import { ReplaySession } from '../../../main/review/replaySession';
import { recordSimulatedSession } from '../../../main/review/simulatedSession';
import { AuditLog } from '../../../main/store/auditLog';
import { SqliteAuditStore } from '../../../main/store/auditStore';
import { auditLogPath } from '../../../main/store/auditPaths';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: reviewSession.ts DATA_DIR');
mkdirSync(path.join(dataDir, 'sessions'), { recursive: true });
const file = path.join(dataDir, 'sessions', '20261124-SIM-5.fwsession');
recordSimulatedSession(file, {
  messages: 50_000,
  seed: 5,
  scenarios: ['self_trade', 'frequent_cancel'],
  tradingDay: '20261124',
});
const session = ReplaySession.open(file);
try {
  session.seekSeq(session.lastSeq);
  const alert = [...session.runtime.alerts()].sort((a, b) => a.createdAt - b.createdAt)[0];
  if (!alert) throw new Error('the recorded session raised no alert');
  const lastTs = session.meta.lastTs ?? 0;
  const acknowledgedAt = alert.createdAt + Math.floor((lastTs - alert.createdAt) / 4);
  const closedAt = alert.createdAt + Math.floor((lastTs - alert.createdAt) / 2);
  // The seq where the replay clock stands between the two changes.
  session.seekTs(Math.floor((acknowledgedAt + closedAt) / 2));
  const seqA = session.positionSeq;
  const seqB = Math.floor(session.lastSeq * 0.8);
  const prices: Record<string, Record<string, number | null>> = {};
  for (const seq of [seqB, seqA]) {
    session.seekSeq(seq); // A after B: a backward seek, as the test does
    prices[seq] = Object.fromEntries(session.state.allRows().market.map((row) => [row.instrumentId, row.last]));
  }

  let now = alert.createdAt;
  const audit = AuditLog.open(auditLogPath(dataDir), { clock: () => now });
  try {
    const workflow = await AlertWorkflow.open({ audit: new SqliteAuditStore(audit), clock: () => now });
    await workflow.ingest([alert]);
    const officer = { operator: 'duty.officer', role: 'operator' };
    now = acknowledgedAt;
    await workflow.setState(officer, { id: alert.id, state: 'acknowledged' });
    now = closedAt;
    await workflow.setState(officer, {
      id: alert.id,
      state: 'closed',
      reason: 'hedge between two own accounts, reported',
    });
  } finally {
    audit.close();
  }
  process.stdout.write(
    `${JSON.stringify({ file, lastSeq: session.lastSeq, seqA, seqB, prices, alertId: alert.id })}\n`,
  );
} finally {
  session.close();
}
