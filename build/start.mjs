// `npm start`: checks that Electron is installed, builds, then runs the app (extra arguments are passed on, e.g.
// `npm start -- --feed wss://gateway:9001`). Without the Electron binary it says so in one line and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electronBinary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = electronBinaryPath(root);
if (!electron) {
  process.stderr.write(
    'floorwatch: the Electron binary is not installed (node_modules/electron/dist is missing); reinstall with network access (npm ci), or run the UI in a browser with "npm run host"\n',
  );
  process.exit(1);
}

const built = spawnSync(process.execPath, [path.join(root, 'build', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const app = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// Ctrl+C in the terminal reaches Electron too; pass it on once and let the app quit cleanly (it stops the core).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
