// Run with tsx by tests/e2e/sessions.spec.ts and whatif.spec.ts (Playwright's loader cannot import the rules' JSON):
// fills `<dataDir>/sessions` with a recorded simulator session (self-trade and frequent-cancel misconduct injected,
// so what-if runs have alerts to count) and an unreadable file, and prints {file, messages, broken} as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordSimulatedSession } from '../../../main/review/simulatedSession';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: recordSessions.ts DATA_DIR');
const folder = path.join(dataDir, 'sessions');
mkdirSync(folder, { recursive: true });
const file = path.join(folder, '20261124-SIM-11.fwsession');
const messages = recordSimulatedSession(file, {
  messages: 50_000,
  seed: 11,
  scenarios: ['self_trade', 'frequent_cancel'],
  tradingDay: '20261124',
});
const broken = path.join(folder, '20261123-broken.fwsession');
writeFileSync(broken, 'not a session file');
process.stdout.write(`${JSON.stringify({ file, messages, broken })}\n`);
