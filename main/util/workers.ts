// Starts the app's worker threads both from source (tsx, tests, `npm run host`) and from the bundle (dist/main,
// Electron), where build/build.mjs emits every worker as `dist/main/<name>-worker.js` beside this code.
// From source, a worker entry is bundled once per process with esbuild (about 0.2 s) instead of being loaded through
// tsx module by module: TypeBox alone is ~270 ESM files, which made every worker take 3–10 s to start.
import { Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Esbuild from 'esbuild';
import path from 'node:path';
import { dataKeyWorkerData } from '../security/dataKey';

export type WorkerName = 'core' | 'simulator' | 'journal' | 'whatif' | 'report';

const sourceEntries: Record<WorkerName, string> = {
  core: '../core/worker.ts',
  simulator: '../simulator/worker.ts',
  journal: '../store/journalWorkerMain.ts',
  whatif: '../alerts/whatIfWorker.ts',
  report: '../reports/worker.ts',
};

/** Packages left to node_modules in a development bundle (native or CommonJS with optional native parts). */
const EXTERNAL_PACKAGES = ['better-sqlite3', 'ws', 'bufferutil', 'utf-8-validate', 'electron', 'esbuild', 'tsx'];

const runningFromSource = import.meta.url.endsWith('.ts');
const devBundles = new Map<WorkerName, string>();

function developmentBundle(name: WorkerName): string {
  const cached = devBundles.get(name);
  if (cached) return cached;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, '../..');
  // Inside the project so bare imports resolve from node_modules; per process so parallel test forks never race.
  const outDir = path.join(root, 'node_modules', '.cache', 'floorwatch-workers');
  const outfile = path.join(outDir, `${name}-worker-${process.pid}.mjs`);
  mkdirSync(outDir, { recursive: true });
  // esbuild is a development dependency: loaded only here, never by the packaged app.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  esbuild.buildSync({
    entryPoints: [path.join(here, sourceEntries[name])],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL_PACKAGES,
    sourcemap: 'inline',
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __fwCreateRequire } from 'node:module'; const require = __fwCreateRequire(import.meta.url);",
    },
  });
  if (devBundles.size === 0) process.once('exit', () => devBundles.forEach((file) => rmSync(file, { force: true })));
  devBundles.set(name, outfile);
  return outfile;
}

/**
 * V8 limits per worker kind. The core decodes every feed message into short-lived objects: with V8's default young
 * generation it scavenges ~55 times per million recorded messages (~230 ms); at 192 MB (64 MB semi-spaces) ~14 times
 * (~65 ms), and fewer short-lived objects survive into the old generation. bench/record.ts runs with the same limits.
 * Memory is not short on a trading-floor workstation; the old generation keeps V8's default.
 */
export const WORKER_RESOURCE_LIMITS: Partial<Record<WorkerName, ResourceLimits>> = {
  core: { maxYoungGenerationSizeMb: 192 },
};

/**
 * Starts worker `name` with `workerData` and its kind's limits. From source the first start of each kind bundles it.
 * The thread gets this thread's data key (it installs it first thing: installDataKeyFromWorkerData).
 */
export function startWorker(
  name: WorkerName,
  workerData: Record<string, unknown>,
  options: WorkerOptions = {},
): Worker {
  return new Worker(workerFile(name), {
    resourceLimits: WORKER_RESOURCE_LIMITS[name],
    ...options,
    workerData: { ...workerData, ...dataKeyWorkerData() },
  });
}

/**
 * The script of worker `name` (bundling it first from source). A worker that starts another worker (the core its
 * journal) gets this path from the main thread: inside a bundle, paths relative to the code do not exist.
 */
export function workerFile(name: WorkerName): string {
  return runningFromSource
    ? developmentBundle(name)
    : path.join(path.dirname(fileURLToPath(import.meta.url)), `${name}-worker.js`);
}
