// Worker threads for the benchmarks that run TypeScript from source: the worker loads tsx's loader first, then the
// entry, as `npm run bench` (tsx) runs this thread.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
