// What `npm test` needs beyond node_modules, found or installed before the first test runs:
//   a Chromium      the E2E tests drive it against the host; reports print their PDFs with it
//   a CJK font      Chinese text in the windows and in the report PDFs
//   pdftotext       the report tests read the PDFs back (poppler-utils)
//   Xvfb            only where the Electron binary exists and there is no display (the Electron E2E spec)
// Missing parts are installed where the machine allows it (root or passwordless sudo, and apt-get), printing what
// runs; otherwise the script stops with one line naming the exact command to run. `--check` only reports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBinaryPath } from './electronBinary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const say = (line) => process.stderr.write(`npm test: ${line}\n`);

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Playwright's own Chromium, when `npx playwright install chromium` has put one in its cache. */
function playwrightChromium() {
  try {
    const require = createRequire(path.join(root, 'package.json'));
    const executable = require('playwright-core').chromium.executablePath();
    return executable && existsSync(executable) ? executable : null;
  } catch {
    return null;
  }
}

function hasCjkFont() {
  const fonts = spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' });
  return fonts.status === 0 && fonts.stdout.trim().length > 0;
}

/** Each prerequisite: how to tell it is there, and the Debian package that brings it. */
export function prerequisites({ electronPresent = electronBinaryPath(root) !== null, env = process.env } = {}) {
  const needDisplay = electronPresent && !env.DISPLAY && !env.WAYLAND_DISPLAY;
  return [
    {
      name: 'Chromium',
      present: () => existsSync(SYSTEM_CHROMIUM) || playwrightChromium() !== null,
      debian: 'chromium',
      otherwise: 'npx playwright install chromium',
    },
    { name: 'a CJK font', present: hasCjkFont, debian: 'fonts-wqy-microhei' },
    { name: 'pdftotext', present: () => onPath('pdftotext'), debian: 'poppler-utils' },
    ...(needDisplay ? [{ name: 'Xvfb', present: () => onPath('xvfb-run'), debian: 'xvfb' }] : []),
  ];
}

function canUseApt() {
  if (!onPath('apt-get')) return null;
  if (process.getuid?.() === 0) return [];
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo'];
  return null;
}

function run(argv) {
  say(`running: ${argv.join(' ')}`);
  const [command, ...args] = argv;
  return spawnSync(command, args, { stdio: ['ignore', process.stderr, process.stderr] }).status === 0;
}

export function ensurePrerequisites({ checkOnly = false } = {}) {
  const missing = prerequisites().filter((item) => !item.present());
  if (missing.length === 0) return true;
  const packages = missing.map((item) => item.debian);
  say(`missing: ${missing.map((item) => `${item.name} (Debian package ${item.debian})`).join(', ')}`);
  const sudo = checkOnly ? null : canUseApt();
  if (sudo) {
    const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
    const installed =
      run([...sudo, 'apt-get', 'update']) &&
      run([...sudo, ...env, 'apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
    const still = prerequisites().filter((item) => !item.present());
    if (installed && still.length === 0) {
      say(`installed ${packages.join(', ')}`);
      return true;
    }
  } else if (!checkOnly && missing.every((item) => item.otherwise)) {
    // No apt here (another distribution, or no rights): Playwright can bring its own browser when it has network.
    for (const item of missing) run(item.otherwise.split(' '));
    if (prerequisites().every((item) => item.present())) return true;
  }
  const sudoWord = process.getuid?.() === 0 ? '' : 'sudo ';
  const hint = missing.every((item) => item.otherwise)
    ? missing.map((item) => item.otherwise).join(' && ')
    : `${sudoWord}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  say(`cannot continue without ${missing.map((item) => item.name).join(', ')}; run: ${hint}`);
  return false;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exit(ensurePrerequisites({ checkOnly: process.argv.includes('--check') }) ? 0 : 1);
}
