// Fetches the Electron binary with Electron's own installer (node_modules/electron/install.js), once, and says in
// one line whether it worked. Never fails the caller: a machine that cannot reach Electron's download host (a
// broker's desktop behind a proxy that only lets the npm registry through) still installs and runs Floorwatch, in
// the browser through the headless host.
//
// npm runs it as the project's postinstall: package.json's `allowScripts` denies the `electron` package its own
// postinstall (which exits 1 when the download fails and so aborts the whole `npm install`), and this script runs
// the same installer in its place with the failure turned into a message. `npm start` runs it again when the binary
// is still missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBinaryPath } from './electronBinary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How long one download attempt may take before it counts as failed (seconds; a proxy may swallow the request). */
const DEFAULT_TIMEOUT_S = 300;

/**
 * Runs Electron's installer once. Resolves { ok, line } and never rejects: `line` is the one-line outcome for the
 * terminal.
 */
export async function fetchElectronBinary({
  projectRoot = root,
  env = process.env,
  timeoutMs = Number(env.FLOORWATCH_ELECTRON_FETCH_TIMEOUT_S ?? DEFAULT_TIMEOUT_S) * 1000,
} = {}) {
  const existing = electronBinaryPath(projectRoot);
  if (existing) return { ok: true, line: `Electron binary present (${path.relative(projectRoot, existing)})` };
  const installer = path.join(projectRoot, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) {
    return { ok: false, line: 'Electron is not installed (node_modules/electron is missing); run npm install' };
  }
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { ok: false, line: 'Electron binary not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' };
  }
  const { code, output, timedOut } = await run(process.execPath, [installer], projectRoot, env, timeoutMs);
  if (code === 0 && electronBinaryPath(projectRoot)) {
    return { ok: true, line: 'Electron binary downloaded' };
  }
  const why = timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : firstErrorLine(output);
  return { ok: false, line: `Electron binary not downloaded (${why})` };
}

function run(command, args, cwd, env, timeoutMs) {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      if (output.length < 64 * 1024) output += chunk.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 1, output: error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, timedOut });
    });
  });
}

/** The installer prints a stack trace; the operator needs its first line ("RequestError: getaddrinfo …"). */
export function firstErrorLine(output) {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('at '));
  const line = lines.find((candidate) => /error/i.test(candidate)) ?? lines[0] ?? 'the installer failed';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

// As npm's postinstall (or `node build/fetchElectron.mjs`): one line, exit 0 whatever happened.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { ok, line } = await fetchElectronBinary();
  process.stderr.write(
    `floorwatch: ${line}${ok ? '' : '; npm start will run Floorwatch in your browser through the headless host'}\n`,
  );
}
