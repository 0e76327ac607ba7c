// What-if runs off the main thread: the worker thread replays the session with both threshold sets and gives the
// same answer as an inline run, while the main thread stays free; a second run during one is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhatIf } from '../../main/alerts/whatIf';
import { WorkerWhatIfRunner } from '../../main/alerts/rulesService';
import { defaultRulesConfig } from '../../main/rules';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { SessionJournal } from '../../main/store/journal';
import { mergeRulesFile } from '../../shared/rules/config';

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-whatif-int-'));
  file = path.join(dir, 'session.fwsession');
  const feed = new FeedBuilder();
  feed
    .instrument({ instrumentId: 'IF2612', exchange: 'CFFEX' })
    .instrument({ instrumentId: 'rb2605', exchange: 'SHFE' });
  for (const id of ['C1', 'C2', 'C3']) feed.account(id);
  feed.phase('CFFEX', 'continuous').phase('SHFE', 'continuous');
  // C1 cancels 380 times on IF2612 (CFFEX index futures: 400 by default), C2 420 times, C3 450 on rb2605 (500).
  const plan: [string, string, number][] = [
    ['C1', 'IF2612', 380],
    ['C2', 'IF2612', 420],
    ['C3', 'rb2605', 450],
  ];
  for (const [account, instrument, n] of plan) {
    for (let i = 0; i < n; i++) {
      feed.advance(2000);
      const id = feed.order(account, instrument, i % 2 ? 'sell' : 'buy', 1, 3000);
      feed.cancel(id, 1);
    }
  }
  feed.end();
  const journal = new SessionJournal(file, {
    session: { sessionId: 'S1', tradingDay: '20261124', source: 'test' },
    createdBy: 'test',
  });
  journal.append(feed.messages);
  journal.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what-if in a worker thread', () => {
  it('matches the inline run; lowering frequent_cancel brings in C1 on IF2612 and C3 on rb2605', async () => {
    const current = defaultRulesConfig();
    const proposed = mergeRulesFile(current, {
      rules: { frequent_cancel: { threshold: 440 } },
      exchanges: { CFFEX: { products: { IF: { rules: { frequent_cancel: { threshold: 350 } } } } } },
    });
    const runner = new WorkerWhatIfRunner();
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 5);
      const second = runner.run({ file, current, proposed });
      await expect(runner.run({ file, current, proposed })).rejects.toThrow(/already in progress/);
      const result = await second;
      clearInterval(ticker);
      expect(ticks).toBeGreaterThan(0); // the main thread kept running meanwhile
      const frequent = result.rules.find((r) => r.rule === 'frequent_cancel')!;
      expect(frequent).toMatchObject({ current: 1, proposed: 3, delta: 2 });
      expect(result.appeared.map((a) => `${a.subjectId}:${a.instrumentId}`).sort()).toEqual(['C1:IF2612', 'C3:rb2605']);
      const inline = runWhatIf({ file, current, proposed });
      expect({ ...result, elapsedMs: 0 }).toEqual({ ...inline, elapsedMs: 0 });
    } finally {
      await runner.stop();
    }
  });

  it('reports a file that is not a session as a clear error', async () => {
    const runner = new WorkerWhatIfRunner();
    try {
      const bogus = path.join(dir, 'not-a-session.txt');
      writeFileSync(bogus, 'hello');
      const config = defaultRulesConfig();
      await expect(runner.run({ file: bogus, current: config, proposed: config })).rejects.toThrow(/what-if: .*not/);
    } finally {
      await runner.stop();
    }
  });
});
