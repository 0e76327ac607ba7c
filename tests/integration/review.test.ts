// The workstation switches every topic between live and a review core worker replaying a session file: list,
// open (paused at the start), step, seek, play as fast as possible to the end, and back to live.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { ReplayState } from '../../shared/api/methods/sessions';
import type { MarketRow } from '../../shared/domain/types';
import { TopicHub } from '../../main/api/topicHub';
import { silentLog } from '../../main/core/log';
import { ReplaySession } from '../../main/review/replaySession';
import { recordSimulatedSession } from '../../main/review/simulatedSession';
import { Workstation, type LiveCore } from '../../main/review/workstation';

let dir: string;
let sessionsDir: string;
const NAME = '20260319-SIM-3.fwsession';

class FakeLive implements LiveCore {
  readonly mode = 'live' as const;
  readonly feedUrl = 'ws://127.0.0.1:1/feed';
  readonly simulatorRunning = true;
  readonly hub = new TopicHub();
  stopped = false;
  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void) {
    return this.hub.subscribe(topic, listener);
  }
  async reconnect() {}
  async stop() {
    this.stopped = true;
  }
}

async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-review-'));
  sessionsDir = path.join(dir, 'sessions');
  mkdirSync(sessionsDir);
  recordSimulatedSession(path.join(sessionsDir, NAME), { messages: 20_000, seed: 3 });
  writeFileSync(path.join(sessionsDir, '20260101-broken.fwsession'), 'this is not a session');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Workstation review', () => {
  it('lists, opens, steps, seeks, plays and returns to live on the same subscriptions', async () => {
    const live = new FakeLive();
    const liveRow = { instrumentId: 'LIVE1' } as MarketRow;
    live.hub.publish({ topic: 'market', snapshot: true, rows: [liveRow], removed: [], at: 1, sourceTs: 1 });
    const station = new Workstation({ live, sessionsDir, log: silentLog });
    const market = new Map<string, MarketRow>();
    let replay: ReplayState | undefined;
    const offMarket = station.subscribe('market', (update) => {
      if (update.snapshot) market.clear();
      for (const row of update.rows) market.set(row.instrumentId, row);
    });
    const offReplay = station.subscribe('replay', (update) => {
      replay = update.rows[0] ?? replay;
    });
    try {
      expect([...market.keys()]).toEqual(['LIVE1']);
      expect(replay?.mode).toBe('live');

      const list = station.listSessions();
      expect(list.map((s) => path.basename(s.file))).toEqual([NAME, '20260101-broken.fwsession']);
      expect(list[0]!.messages).toBeGreaterThan(19_000);
      expect(list[0]!.error).toBeUndefined();
      expect(list[1]!.error).toMatch(/not a session file/);

      const services = station.services();
      await expect(
        Promise.resolve().then(() => services['sessions.open']({ file: '../x.fwsession' }, null as never)),
      ).rejects.toThrow(/only sessions in/);
      await expect(station.openSession(path.join(sessionsDir, '20260101-broken.fwsession'))).rejects.toThrow(
        /not a session file/,
      );
      expect(station.mode).toBe('live');

      const summary = await services['sessions.open']({ file: NAME }, null as never);
      expect(summary.lastSeq).toBe(list[0]!.lastSeq);
      expect(station.mode).toBe('review');
      await until('the paused review state', () => replay?.mode === 'review');
      expect(replay).toMatchObject({ playing: false, positionSeq: 0, firstSeq: 1, lastSeq: summary.lastSeq });
      expect(market.has('LIVE1')).toBe(false);

      const stepped = await station.control({ action: 'step', count: 500 });
      expect(stepped.positionSeq).toBe(500);

      const middle = Math.floor(summary.lastSeq / 2);
      const reference = ReplaySession.open(path.join(sessionsDir, NAME));
      try {
        reference.seekSeq(middle);
        const expected = new Map(reference.state.allRows().market.map((r) => [r.instrumentId, r.last]));
        const sought = await station.control({ action: 'seek', seq: middle });
        expect(sought.positionSeq).toBe(middle);
        await until(
          'market rows at the seek position',
          () => [...expected].every(([id, last]) => market.get(id)?.last === last) && market.size === expected.size,
        );

        // Back to an earlier time: the state is rebuilt from the start.
        const back = await station.control({ action: 'seek', ts: sought.firstTs });
        expect(back.positionSeq).toBeLessThan(middle);

        await station.control({ action: 'speed', speed: 0 });
        await station.control({ action: 'play' });
        await until(
          'the end of the session',
          () => replay && !replay.playing && replay.positionSeq === summary.lastSeq,
        );
        reference.seekSeq(reference.lastSeq);
        for (const row of reference.state.allRows().market) expect(market.get(row.instrumentId)?.last).toBe(row.last);
      } finally {
        reference.close();
      }

      await station.goLive();
      expect(station.mode).toBe('live');
      expect([...market.keys()]).toEqual(['LIVE1']);
      expect(replay?.mode).toBe('live');
      await expect(Promise.resolve().then(() => station.control({ action: 'play' }))).rejects.toThrow(
        /no session is open/,
      );
    } finally {
      offMarket();
      offReplay();
      await station.stop();
    }
    expect(live.stopped).toBe(false); // the caller owns the live core it passed in
  }, 60_000);
});
