// Issue 4's record figure: decode + recorder (batches encoded as binary records on the feed thread, written by the
// journal thread) + state, on bench/core.ts's simulator day at 1M messages (a few seconds of recording per run, so
// it is a sustained rate), next to a plain prepared SQLite insert of the same messages.
//
// It runs in a worker thread with the core worker's V8 limits (WORKER_RESOURCE_LIMITS.core), as the live core runs:
// the figure is the deployed path's, not that of the bench's own main thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { dataKeyWorkerData, installDataKeyFromWorkerData } from '../main/security/dataKey';
import { WORKER_RESOURCE_LIMITS } from '../main/util/workers';
import { drive, input, perSecond, runtime } from './core';
import { startTypeScriptWorker } from './tsWorker';

const RECORD_BENCH_MESSAGES = 1_000_000;
const WORKER_ROLE = 'record-bench';

export interface RecordFigures {
  record_msgs_per_s: number;
  /** CPU time of the whole process (feed thread + journal thread) per message, µs. */
  record_cpu_us_per_msg: number;
  record_with_rules_msgs_per_s: number;
  sqlite_insert_rows_per_s: number;
}

/** One recording of the day, timed until everything is on disk and the file is closed: msg/s and CPU µs/msg. */
async function recordOnce(rules: boolean): Promise<{ perSecond: number; cpuUsPerMessage: number }> {
  const { frames, messages, hello } = input(RECORD_BENCH_MESSAGES);
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-record-bench-'));
  try {
    const core = runtime({ rules, dataDir: dir });
    const recorder = core.recorder!;
    core.onHello(hello);
    await recorder.flush(); // thread up and file open before the clock runs
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    drive(frames, (batch) => {
      recorder.append(batch);
      core.applyBatch(batch);
    });
    await recorder.flush();
    const recorded = recorder.health().recordedMessages;
    await core.stop();
    const recordMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    if (recorded !== messages.length) throw new Error(`record bench wrote ${recorded} of ${messages.length}`);
    return {
      perSecond: perSecond(messages.length, recordMs),
      cpuUsPerMessage: Math.round(((cpu.user + cpu.system) / messages.length) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The best of 3 runs without and with every rule, and the plain insert (this thread). */
async function measureRecord(): Promise<RecordFigures> {
  const { messages } = input(RECORD_BENCH_MESSAGES);
  await recordOnce(false); // warm-up: first journal thread, JIT
  let bare = { perSecond: 0, cpuUsPerMessage: 0 };
  let withRules = { perSecond: 0, cpuUsPerMessage: 0 };
  for (let i = 0; i < 3; i++) {
    const run = await recordOnce(false);
    if (run.perSecond > bare.perSecond) bare = run;
    const ruled = await recordOnce(true);
    if (ruled.perSecond > withRules.perSecond) withRules = ruled;
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'fw-record-bench-'));
  try {
    const db = new Database(path.join(dir, 'plain.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO messages (seq, ts, body) VALUES (?, ?, ?)');
    const bodies = messages.map((m) => JSON.stringify(m));
    const insertStarted = performance.now();
    db.transaction(() => {
      for (let i = 0; i < messages.length; i++) insert.run(messages[i]!.seq, messages[i]!.ts, bodies[i]);
    })();
    const insertMs = performance.now() - insertStarted;
    db.close();
    return {
      record_msgs_per_s: bare.perSecond,
      record_cpu_us_per_msg: bare.cpuUsPerMessage,
      record_with_rules_msgs_per_s: withRules.perSecond,
      sqlite_insert_rows_per_s: perSecond(messages.length, insertMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the record bench in a worker with the core worker's limits and resolves with its figures. */
export function benchRecord(): Promise<RecordFigures> {
  const worker = startTypeScriptWorker(new URL(import.meta.url), {
    workerData: { role: WORKER_ROLE, ...dataKeyWorkerData() },
    resourceLimits: WORKER_RESOURCE_LIMITS.core,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message: { figures?: RecordFigures; error?: string }) => {
      void worker.terminate();
      if (message.figures) resolve(message.figures);
      else reject(new Error(message.error ?? 'the record bench worker sent nothing'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the record bench worker exited (code ${code})`)));
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  installDataKeyFromWorkerData(workerData); // the journal thread it starts gets the key too
  measureRecord().then(
    (figures) => parentPort?.postMessage({ figures }),
    (error: unknown) => parentPort?.postMessage({ error: (error as Error).message }),
  );
}
