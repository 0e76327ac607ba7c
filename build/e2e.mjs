// `npm run test:e2e`: Playwright's end-to-end tests (arguments passed on). The Electron spec needs a display when the
// Electron binary is installed: without one, the run goes inside a virtual display (xvfb-run), which
// build/testPrerequisites.mjs installs in that case. Browser specs run headless either way.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electronBinary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const playwrightCli = createRequire(path.join(root, 'package.json')).resolve('@playwright/test/cli');
const command = [process.execPath, playwrightCli, 'test', ...process.argv.slice(2)];
const needsVirtualDisplay = electronBinaryPath(root) && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const argv = needsVirtualDisplay
  ? ['xvfb-run', '--auto-servernum', '--server-args=-screen 0 1920x1080x24', ...command]
  : command;

const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
