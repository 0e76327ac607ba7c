// Packaging pieces that run without Electron: better-sqlite3's Electron build for `npm start` (cache path logic, and
// the require-cache hand-over that makes `new Database()` load it), the shipped default config and example policy;
// and, where the Electron binary exists, `npm run dist:dir` and a start of the packaged app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without type declarations
import { electronBinaryPath } from '../../build/electronBinary.mjs';
// @ts-expect-error -- plain ESM build script without type declarations
import * as electronNative from '../../build/electronNative.mjs';
import { parsePolicy, DEFAULT_SETTINGS } from '../../main/policy/settings';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const native = electronNative as {
  SQLITE_BINDING_ENV: string;
  electronNativeDir(root: string, version: string, platform?: string, arch?: string): string;
  electronSqliteBindingPath(cacheDir: string): string;
  electronSqlitePlan(
    root: string,
    version: string,
    platform?: string,
    arch?: string,
  ): { action: string; binding: string; wanted: string | null };
};
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fw-packaging-'));
  temps.push(dir);
  return dir;
}

describe('better-sqlite3 for Electron under npm start', () => {
  it('caches one build per Electron version, platform and CPU, under node_modules/.cache', () => {
    const dir = native.electronNativeDir('/repo', '41.7.1', 'linux', 'x64');
    expect(dir).toBe('/repo/node_modules/.cache/floorwatch-electron-native/electron-41.7.1-linux-x64');
    expect(native.electronSqliteBindingPath(dir)).toBe(
      `${dir}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`,
    );
    expect(native.electronNativeDir('/repo', '41.7.1', 'win32', 'arm64')).not.toBe(dir);
  });

  it('plans a rebuild when the cache is missing or from another better-sqlite3 version, else uses it', () => {
    const fake = tempDir();
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    };
    expect(native.electronSqlitePlan(fake, '41.0.0').action).toBe('missing-source');
    write(path.join(fake, 'node_modules/better-sqlite3/package.json'), '{"version":"12.1.0"}');
    const first = native.electronSqlitePlan(fake, '41.0.0');
    expect(first).toMatchObject({ action: 'rebuild', wanted: '12.1.0' });
    const cached = path.join(native.electronNativeDir(fake, '41.0.0'), 'node_modules/better-sqlite3');
    write(path.join(cached, 'package.json'), '{"version":"12.0.0"}');
    write(first.binding, 'binary');
    expect(native.electronSqlitePlan(fake, '41.0.0').action).toBe('rebuild');
    write(path.join(cached, 'package.json'), '{"version":"12.1.0"}');
    expect(native.electronSqlitePlan(fake, '41.0.0').action).toBe('ready');
    expect(native.electronSqlitePlan(fake, '42.0.0').action).toBe('rebuild');
  });

  it('installElectronSqliteBinding makes new Database() load the given binary (child process, Node ABI stand-in)', () => {
    const dir = tempDir();
    // A stand-in for the Electron build: the real addon, counted, so the test sees which binary opened the db.
    const standIn = path.join(dir, 'standin.cjs');
    const realAddon = path.join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    // The stand-in counts every use of its Database class, so the probe proves better-sqlite3 went through it.
    writeFileSync(
      standIn,
      [
        `const real = require(${JSON.stringify(realAddon)});`,
        'globalThis.databaseLookups = 0;',
        "module.exports = new Proxy(real, { get(target, key) { if (key === 'Database') globalThis.databaseLookups++; return Reflect.get(target, key); } });",
      ].join('\n'),
    );
    const script = path.join(dir, 'probe.ts');
    writeFileSync(
      script,
      [
        // The checkout's better-sqlite3, by path: the probe lives outside the checkout.
        `import Database from ${JSON.stringify(path.join(root, 'node_modules/better-sqlite3/lib/index.js'))};`,
        `import { installElectronSqliteBinding } from ${JSON.stringify(path.join(root, 'main/store/electronSqlite.ts'))};`,
        `const none = installElectronSqliteBinding({ electron: false, bindingPath: ${JSON.stringify(standIn)} });`,
        `const used = installElectronSqliteBinding({ electron: true, bindingPath: ${JSON.stringify(standIn)} });`,
        `const db = new Database(':memory:');`,
        `const row = db.prepare('select 41 + 1 as answer').get();`,
        `db.close();`,
        `console.log(JSON.stringify({ none, used, row, lookups: (globalThis as any).databaseLookups }));`,
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { none: unknown; used: unknown; row: unknown; lookups: number };
    expect(result).toMatchObject({ none: null, used: standIn, row: { answer: 42 } });
    expect(result.lookups).toBeGreaterThan(0);
  });
});

describe('bundled worker threads', () => {
  it('each one points better-sqlite3 at the Electron build before any of its own code runs', () => {
    const build = spawnSync(process.execPath, ['build/build.mjs', '--only', 'main', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    for (const worker of ['core', 'journal', 'whatif']) {
      const code = readFileSync(path.join(root, 'dist/main', `${worker}-worker.js`), 'utf8');
      const install = code.indexOf('\ninstallElectronSqliteBinding();');
      expect(install, `${worker}-worker.js`).toBeGreaterThan(0);
      // Nothing before it is the worker's own module code: only imports and the binding helper itself.
      const firstModule = code.search(/^\/\/ (?!main\/store\/electronSqlite)main\//m);
      expect(firstModule === -1 || firstModule > install, `${worker}-worker.js runs its code first`).toBe(true);
    }
  });
});

describe('shipped configuration', () => {
  it('build/config/settings.default.json is the app defaults', () => {
    const shipped = JSON.parse(readFileSync(path.join(root, 'build/config/settings.default.json'), 'utf8'));
    expect(shipped).toEqual(DEFAULT_SETTINGS);
  });

  it('the example policy is valid and locks what IT usually locks', () => {
    const file = path.join(root, 'build/config/policy.example.json');
    const policy = parsePolicy(readFileSync(file, 'utf8'), file);
    expect(policy).toMatchObject({ simulatorAllowed: false, hostModeAllowed: false, autoUpdateAllowed: false });
    expect(policy.feedUrls?.every((url) => url.startsWith('wss://'))).toBe(true);
  });
});

const electron = (electronBinaryPath as (root?: string) => string | null)(root);
describe('npm run dist:dir (needs the Electron binary)', () => {
  if (!electron) {
    it.skip('skipped: the Electron binary is not installed (node_modules/electron/dist); run npm ci with network access', () => {});
    return;
  }
  it('builds an unpacked app with the resources, and the packaged app starts', async () => {
    const build = spawnSync('npm', ['run', '-s', 'dist:dir'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    expect(build.status, build.stderr).toBe(0);
    const unpacked = { linux: 'release/linux-unpacked', win32: 'release/win-unpacked', darwin: 'release/mac' }[
      process.platform as 'linux'
    ];
    const resources = path.join(root, unpacked, 'resources');
    for (const file of ['app.asar', 'rules/default.json', 'config/settings.default.json', 'policy.schema.json']) {
      expect(existsSync(path.join(resources, file)), file).toBe(true);
    }
    expect(existsSync(path.join(resources, 'app.asar.unpacked/node_modules/better-sqlite3'))).toBe(true);
    if (process.platform !== 'linux') return;
    const app = spawn(path.join(root, unpacked, 'floorwatch'), ['--no-sandbox'], { stdio: 'ignore' });
    const exited = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 8000);
      app.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    app.kill('SIGTERM');
    expect(exited, 'the packaged app should still run after 8 s').toBeNull();
  }, 900_000);
});
