// Worker entry of a what-if run: one job in workerData, one message back ({ ok, result } or { ok: false, error }),
// then the thread ends. Started by WhatIfRunner through startWorker('whatif', job).
import { parentPort, workerData } from 'node:worker_threads';
import { installDataKeyFromWorkerData } from '../security/dataKey';
import { runWhatIf, type WhatIfJob } from './whatIf';

// The data key the starter handed over, before anything opens a session or the audit log.
installDataKeyFromWorkerData(workerData);

try {
  parentPort?.postMessage({ ok: true, result: runWhatIf(workerData as WhatIfJob) });
} catch (error) {
  parentPort?.postMessage({ ok: false, error: (error as Error).message });
}
