// Starts the app's worker threads both from source (tsx, tests, `npm run host`) and from the bundle (dist/main,
// Electron), where build/build.mjs emits every worker as `dist/main/<name>-worker.js` beside this code.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export type WorkerName = 'core' | 'simulator';

const sourceEntries: Record<WorkerName, string> = {
  core: '../core/worker.ts',
  simulator: '../simulator/worker.ts',
};

const runningFromSource = import.meta.url.endsWith('.ts');

export function startWorker(
  name: WorkerName,
  workerData: Record<string, unknown>,
  options: WorkerOptions = {},
): Worker {
  if (runningFromSource) {
    const entry = new URL(sourceEntries[name], import.meta.url).href;
    const bootstrap = new URL('./tsWorkerBootstrap.mjs', import.meta.url);
    return new Worker(bootstrap, { ...options, workerData: { ...workerData, __entry: entry } });
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  return new Worker(path.join(here, `${name}-worker.js`), { ...options, workerData });
}
