// `npm run build`: bundles the Node/Electron side with esbuild and the renderer with Vite into dist/.
//   dist/main/electron-main.js      Electron main process (ESM)
//   dist/main/core-worker.js        core worker thread     } main/util/workers.ts loads these two by name,
//   dist/main/simulator-worker.js   simulator worker thread} beside the bundle that starts them
//   dist/main/cli.js                the `floorwatch` command line (bin/floorwatch.js runs it)
//   dist/preload/preload.cjs        the window preload (CommonJS: sandboxed preloads cannot load ESM)
//   dist/renderer/                  the React windows (vite.config.ts)
// An entry whose source does not exist yet is skipped with a warning, so a partial tree still builds.
// Options: --only main|preload|renderer (repeatable), --quiet.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** Main-side bundles: platform node, ESM, npm packages left to node_modules (native better-sqlite3, ws…). */
export const MAIN_ENTRIES = [
  { source: 'main/electron/main.ts', output: 'main/electron-main.js' },
  { source: 'main/core/worker.ts', output: 'main/core-worker.js' },
  { source: 'main/simulator/worker.ts', output: 'main/simulator-worker.js' },
  { source: 'main/store/journalWorkerMain.ts', output: 'main/journal-worker.js' },
  { source: 'main/alerts/whatIfWorker.ts', output: 'main/whatif-worker.js' },
  { source: 'main/reports/worker.ts', output: 'main/report-worker.js' },
  { source: 'main/cli/index.ts', output: 'main/cli.js' },
];
export const PRELOAD_ENTRY = { source: 'preload/index.ts', output: 'preload/preload.cjs' };
/** The only modules a sandboxed preload may require. */
const PRELOAD_ALLOWED_REQUIRES = new Set(['electron']);

const { values } = parseArgs({
  options: { only: { type: 'string', multiple: true }, quiet: { type: 'boolean', default: false } },
  strict: true,
});
const parts = new Set(values.only ?? ['main', 'preload', 'renderer']);
for (const part of parts) {
  if (!['main', 'preload', 'renderer'].includes(part)) fatal(`--only takes main, preload or renderer (got "${part}")`);
}
const say = (line) => {
  if (!values.quiet) process.stdout.write(`${line}\n`);
};
const warn = (line) => process.stderr.write(`build: warning: ${line}\n`);

function fatal(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

function present(entries) {
  return entries.filter((entry) => {
    if (existsSync(path.join(root, entry.source))) return true;
    warn(`${entry.source} does not exist yet; dist/${entry.output} not built`);
    return false;
  });
}

async function buildMain() {
  await rm(path.join(dist, 'main'), { recursive: true, force: true });
  // One esbuild run per entry (no code splitting: each bundle stands alone), so an error names its entry and the
  // other bundles are still produced.
  for (const entry of present(MAIN_ENTRIES)) {
    try {
      await esbuild.build({
        absWorkingDir: root,
        entryPoints: [path.join(root, entry.source)],
        outfile: path.join(dist, entry.output),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: 'linked',
        logLevel: 'error',
        legalComments: 'none',
        // Worker threads open SQLite themselves: under Electron each needs the Electron build of better-sqlite3.
        ...(entry.output.endsWith('-worker.js')
          ? { inject: [path.join(root, 'main/store/electronSqliteThread.ts')] }
          : {}),
      });
      say(`main     dist/${entry.output}`);
    } catch {
      failures.push(entry.source);
    }
  }
}

async function buildPreload() {
  await rm(path.join(dist, 'preload'), { recursive: true, force: true });
  const [entry] = present([PRELOAD_ENTRY]);
  if (!entry) return;
  const outfile = path.join(dist, entry.output);
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, entry.source)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    sourcemap: 'inline',
    logLevel: 'warning',
    legalComments: 'none',
  });
  // A sandboxed preload gets a tiny require(): anything but 'electron' would throw at window load, so fail here.
  const code = await readFile(outfile, 'utf8');
  const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  const foreign = required.filter((name) => !PRELOAD_ALLOWED_REQUIRES.has(name));
  if (foreign.length > 0)
    fatal(`the preload requires ${foreign.join(', ')}; a sandboxed preload may only require electron`);
  say(`preload  dist/${entry.output}`);
}

async function buildRenderer() {
  const config = path.join(root, 'vite.config.ts');
  if (!existsSync(config)) {
    warn('vite.config.ts does not exist yet; dist/renderer not built');
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: config, logLevel: values.quiet ? 'warn' : 'info' });
  if (!existsSync(path.join(dist, 'renderer', 'index.html'))) {
    fatal('vite finished but dist/renderer/index.html is missing; check build.outDir in vite.config.ts');
  }
  say('renderer dist/renderer/');
}

const failures = [];
const started = performance.now();
try {
  if (parts.has('main')) await buildMain();
  if (parts.has('preload')) await buildPreload();
  if (parts.has('renderer')) await buildRenderer();
} catch (error) {
  fatal(`failed: ${error?.message ?? error}`);
}
if (failures.length > 0) fatal(`failed to bundle ${failures.join(', ')} (errors above)`);
say(`built in ${Math.round(performance.now() - started)} ms`);
