// `npm start`: builds, then runs Floorwatch (extra arguments are passed on, e.g. `npm start -- --feed wss://gw:9001`).
// With the Electron binary it opens the desktop app (better-sqlite3 gets an Electron build first,
// build/electronNative.mjs). Without it, it tries Electron's installer once (build/fetchElectron.mjs); when that fails
// too, the same product runs through the headless host on 127.0.0.1 and opens in the system browser — a desktop
// behind a proxy that only lets the npm registry through still gets a working floor from `npm start`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electronBinary.mjs';
import { ensureElectronSqlite, SQLITE_BINDING_ENV } from './electronNative.mjs';
import { fetchElectronBinary } from './fetchElectron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const say = (line) => process.stderr.write(`floorwatch: ${line}\n`);

let electron = electronBinaryPath(root);
let browserReason = null;
if (!electron) {
  const fetched = await fetchElectronBinary({ projectRoot: root });
  say(fetched.line);
  electron = fetched.ok ? electronBinaryPath(root) : null;
  if (!electron) browserReason = 'the desktop app needs the Electron binary, which could not be downloaded';
}

// better-sqlite3 in node_modules is built for Node; Electron gets its own build from a cache (built once, on first
// start or after an upgrade of better-sqlite3 or Electron; needs the network or a C++ toolchain that first time).
let sqliteBinding;
if (electron) {
  try {
    const electronVersion = JSON.parse(
      readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ).version;
    sqliteBinding = await ensureElectronSqlite(root, electronVersion, say);
  } catch (error) {
    browserReason = `better-sqlite3 could not be built for Electron: ${error?.message ?? error}`;
    say(browserReason);
    electron = null;
  }
}

// The build's progress goes to stderr: stdout carries only what a script may read (the page URL in the browser).
// FLOORWATCH_START_SKIP_BUILD=1 is for tooling that has just built (and for tests running beside other users of dist/).
if (!process.env.FLOORWATCH_START_SKIP_BUILD) {
  const built = spawnSync(process.execPath, [path.join(root, 'build', 'build.mjs')], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const child = electron ? startElectron(electron) : startInBrowser(browserReason);
// Pass the first Ctrl+C (or kill) on once and let the child stop what it started (the core, the simulator, the
// host); npm may forward the same Ctrl+C again, and a second signal would cut the child's clean stop short.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function startElectron(binary) {
  return spawn(binary, [root, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, [SQLITE_BINDING_ENV]: sqliteBinding },
  });
}

function startInBrowser(reason) {
  say(`running in your browser through the headless host: ${reason}`);
  const host = spawn(process.execPath, [path.join(root, 'bin', 'floorwatch.js'), 'host', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group: the terminal's Ctrl+C reaches it once, through the handler below, not twice.
    detached: process.platform !== 'win32',
  });
  // The host prints exactly one line on stdout: the page URL with its access token.
  const lines = createInterface({ input: host.stdout });
  lines.once('line', (url) => {
    process.stdout.write(`${url}\n`);
    openInBrowser(url.trim());
  });
  lines.on('line', () => {});
  return host;
}

/** Opens the URL in the system browser when there is one to show it; BROWSER=none (or BROWSER=cmd) decides. */
function openInBrowser(url) {
  const choice = process.env.BROWSER?.trim();
  if (choice === 'none') return;
  const opener = browserCommand(choice);
  if (!opener) {
    say('no display to open a browser on; open the URL above in a browser on this machine');
    return;
  }
  const [command, ...prefix] = opener;
  const started = spawn(command, [...prefix, url], { stdio: 'ignore', detached: true });
  started.on('error', (error) => say(`could not open a browser (${command}: ${error.message}); open the URL above`));
  started.unref();
}

function browserCommand(choice) {
  if (choice) return [choice];
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['cmd', '/c', 'start', ''];
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return ['xdg-open'];
  return null;
}
