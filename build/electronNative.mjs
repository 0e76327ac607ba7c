// better-sqlite3 for `npm start`: node_modules holds the Node build (tests, CLI, host need it), which Electron cannot
// load (another NODE_MODULE_VERSION). So a second copy, rebuilt for the installed Electron with @electron/rebuild
// (electron-builder's own rebuilder: a prebuilt binary when one exists, else node-gyp), lives in a cache folder:
//   node_modules/.cache/floorwatch-electron-native/electron-<version>-<platform>-<arch>/node_modules/better-sqlite3
// start.mjs passes its .node file to Electron as FLOORWATCH_SQLITE_BINDING; main/store/electronSqlite.ts makes
// better-sqlite3 load it under Electron. Packaged apps do not need any of this (electron-builder's npmRebuild).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SQLITE_BINDING_ENV = 'FLOORWATCH_SQLITE_BINDING';

/** The cache folder for one Electron version, platform and CPU. */
export function electronNativeDir(root, electronVersion, platform = process.platform, arch = process.arch) {
  return path.join(
    root,
    'node_modules',
    '.cache',
    'floorwatch-electron-native',
    `electron-${electronVersion}-${platform}-${arch}`,
  );
}

/** Where the Electron build of better_sqlite3.node lands inside that folder. */
export function electronSqliteBindingPath(cacheDir) {
  return path.join(cacheDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
}

function readVersion(packageJson) {
  try {
    return JSON.parse(readFileSync(packageJson, 'utf8')).version ?? null;
  } catch {
    return null;
  }
}

/**
 * What must happen before Electron starts: 'ready' (the cached binding matches the installed better-sqlite3) or
 * 'rebuild' (missing, or built from another better-sqlite3 version). Pure; no side effects.
 */
export function electronSqlitePlan(root, electronVersion, platform = process.platform, arch = process.arch) {
  const cacheDir = electronNativeDir(root, electronVersion, platform, arch);
  const binding = electronSqliteBindingPath(cacheDir);
  const source = path.join(root, 'node_modules', 'better-sqlite3');
  const wanted = readVersion(path.join(source, 'package.json'));
  if (!wanted) return { action: 'missing-source', cacheDir, binding, source, wanted };
  const cached = readVersion(path.join(cacheDir, 'node_modules', 'better-sqlite3', 'package.json'));
  const action = cached === wanted && existsSync(binding) ? 'ready' : 'rebuild';
  return { action, cacheDir, binding, source, wanted };
}

/** Copies better-sqlite3 (without its Node build) into the cache folder and rebuilds it for Electron. */
export async function ensureElectronSqlite(root, electronVersion, say = () => {}) {
  const plan = electronSqlitePlan(root, electronVersion);
  if (plan.action === 'missing-source') throw new Error('node_modules/better-sqlite3 is missing; run "npm ci"');
  if (plan.action === 'ready') return plan.binding;
  say(`better-sqlite3 ${plan.wanted}: building it for Electron ${electronVersion} (once; cached in ${plan.cacheDir})`);
  rmSync(plan.cacheDir, { recursive: true, force: true });
  const target = path.join(plan.cacheDir, 'node_modules', 'better-sqlite3');
  mkdirSync(target, { recursive: true });
  cpSync(plan.source, target, {
    recursive: true,
    filter: (file) =>
      !file.startsWith(path.join(plan.source, 'build') + path.sep) && file !== path.join(plan.source, 'build'),
  });
  // better-sqlite3's own dependencies (bindings, file-uri-to-path) resolve from the checkout's node_modules above.
  writeFileSync(
    path.join(plan.cacheDir, 'package.json'),
    `${JSON.stringify({ name: 'floorwatch-electron-native', private: true, dependencies: { 'better-sqlite3': plan.wanted } }, null, 2)}\n`,
  );
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: plan.cacheDir, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  if (!existsSync(plan.binding)) throw new Error(`@electron/rebuild finished but ${plan.binding} is missing`);
  return plan.binding;
}
