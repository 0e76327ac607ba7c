// The journal at scale: 1M simulator-like messages recorded and read back identical (every line compared with the
// exact bytes written, plus spot checks of parsed messages); the open and seek targets of issue 4 checked on it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { SessionJournal, encodeBatch } from '../../main/store/journal';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

const COUNT = 1_000_000;
const BATCH = 500;
const DISTINCT = 50_000;
const tsFor = (seq: number) => 1_795_481_700_000 + Math.floor(seq / 3);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-million-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SessionJournal with 1M messages', () => {
  it('records 1M messages and reads them back identical; opens in < 1 s and seeks in < 150 ms', () => {
    const file = path.join(dir, 'million.fwsession');
    const samples = new Map<number, SequencedMessage>();
    const journal = new SessionJournal(file, { session: { sessionId: 'M', tradingDay: '20260105', source: 'test' } });
    // 50,000 distinct simulator-like messages, cycled with fresh seq and ts: realistic sizes and compressibility
    // (a repeat is 50,000 messages away, far outside any block) without paying JSON.stringify a million times.
    const prefix = /^\{"seq":\d+,"ts":\d+,/;
    const tails = syntheticMessages({ seed: 2026, count: DISTINCT }).map((m) => JSON.stringify(m).replace(prefix, ''));
    const lineFor = (seq: number) => `{"seq":${seq},"ts":${tsFor(seq)},${tails[seq % DISTINCT]}`;
    const bodies = tails.map((tail) => JSON.parse(`{${tail}`) as Record<string, unknown>);
    const started = performance.now();
    for (let seq = 1; seq <= COUNT;) {
      // The feed thread's path: decoded messages, encoded as binary records in batches.
      const batch: SequencedMessage[] = [];
      for (let i = 0; i < BATCH; i++, seq++) {
        const message = { seq, ts: tsFor(seq), ...bodies[seq % DISTINCT] } as unknown as SequencedMessage;
        batch.push(message);
        if (seq % 9973 === 0) samples.set(seq, structuredClone(message));
      }
      journal.appendEncoded(encodeBatch(batch));
    }
    const health = journal.close();
    const recordMs = performance.now() - started;
    expect(health).toMatchObject({ recordedMessages: COUNT, lastRecordedSeq: COUNT, problem: null });
    const bytesPerMessage = statSync(file).size / COUNT;
    expect(bytesPerMessage).toBeLessThanOrEqual(120);

    const openStarted = performance.now();
    const reader = SessionReader.open(file);
    const openMs = performance.now() - openStarted;
    try {
      expect(reader.meta).toMatchObject({ count: COUNT, firstSeq: 1, lastSeq: COUNT, gaps: [] });
      let seekMs = 0;
      for (const seq of [1, 123_457, 500_000, 999_999, COUNT]) {
        const t = performance.now();
        const [line] = reader.readLines(seq, 1);
        seekMs = Math.max(seekMs, performance.now() - t);
        expect(JSON.parse(line!).seq).toBe(seq);
      }
      const lastTs = reader.meta.lastTs!;
      for (const fraction of [0.1, 0.5, 0.9]) {
        const target = reader.meta.firstTs! + Math.floor((lastTs - reader.meta.firstTs!) * fraction);
        const t = performance.now();
        const seq = reader.seekByTime(target)!;
        seekMs = Math.max(seekMs, performance.now() - t);
        expect(reader.get(seq)!.ts).toBeGreaterThanOrEqual(target);
        expect(reader.get(seq - 1)!.ts).toBeLessThan(target);
      }
      expect(openMs).toBeLessThan(1000);
      expect(seekMs).toBeLessThan(150);

      const readStarted = performance.now();
      let count = 0;
      let differing = 0;
      for (const chunk of reader.lineChunks()) {
        for (const line of chunk) if (line !== lineFor(++count)) differing++;
      }
      const readMs = performance.now() - readStarted;
      expect(count).toBe(COUNT);
      expect(differing).toBe(0);
      for (const [seq, message] of samples) expect(reader.get(seq)).toEqual(message);
      console.log(
        `1M messages: record ${Math.round(COUNT / (recordMs / 1000))} msg/s (message building included), ` +
          `${bytesPerMessage.toFixed(1)} bytes/msg, open ${openMs.toFixed(1)} ms, worst seek ${seekMs.toFixed(1)} ms, ` +
          `read and compare ${Math.round(COUNT / (readMs / 1000))} lines/s`,
      );
    } finally {
      reader.close();
    }
  });
});
