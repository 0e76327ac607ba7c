// Run with tsx by tests/e2e/review.spec.ts (Playwright's loader cannot import the rules' JSON): records a small
// simulator session into argv[2] and prints, as JSON, two seek targets and Market Watch's last prices at each.
import { ReplaySession } from '../../../main/review/replaySession';
import { recordSimulatedSession } from '../../../main/review/simulatedSession';

const file = process.argv[2];
if (!file) throw new Error('usage: reviewSession.ts FILE');
recordSimulatedSession(file, { messages: 30_000, seed: 5 });
const session = ReplaySession.open(file);
try {
  const seqA = Math.floor(session.lastSeq * 0.3);
  const seqB = Math.floor(session.lastSeq * 0.8);
  const prices: Record<string, Record<string, number | null>> = {};
  for (const seq of [seqB, seqA]) {
    session.seekSeq(seq); // A after B: a backward seek, as the test does
    prices[seq] = Object.fromEntries(session.state.allRows().market.map((row) => [row.instrumentId, row.last]));
  }
  process.stdout.write(`${JSON.stringify({ seqA, seqB, prices })}\n`);
} finally {
  session.close();
}
