// `npm start`: checks that Electron is installed, gives better-sqlite3 an Electron build (build/electronNative.mjs),
// builds, then runs the app (extra arguments are passed on, e.g. `npm start -- --feed wss://gateway:9001`). Without
// the Electron binary it says so in one line and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electronBinary.mjs';
import { ensureElectronSqlite, SQLITE_BINDING_ENV } from './electronNative.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = electronBinaryPath(root);
if (!electron) {
  process.stderr.write(
    'floorwatch: the Electron binary is not installed (node_modules/electron/dist is missing); reinstall with network access (npm ci), or run the UI in a browser with "npm run host"\n',
  );
  process.exit(1);
}

// better-sqlite3 in node_modules is built for Node; Electron gets its own build from a cache (built once, on first
// start or after an upgrade of better-sqlite3 or Electron; needs the network or a C++ toolchain that first time).
let sqliteBinding;
try {
  const electronVersion = JSON.parse(
    readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
  ).version;
  sqliteBinding = await ensureElectronSqlite(root, electronVersion, (line) =>
    process.stderr.write(`floorwatch: ${line}\n`),
  );
} catch (error) {
  process.stderr.write(
    `floorwatch: could not build better-sqlite3 for Electron (${error?.message ?? error}); connect to the internet or install a C++ toolchain (node-gyp) and retry, or run "npm run host"\n`,
  );
  process.exit(1);
}

const built = spawnSync(process.execPath, [path.join(root, 'build', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const app = spawn(electron, [root, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, [SQLITE_BINDING_ENV]: sqliteBinding },
});
// Ctrl+C in the terminal reaches Electron too; pass it on once and let the app quit cleanly (it stops the core).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
