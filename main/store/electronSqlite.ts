// Under Electron in a checkout (`npm start`), better-sqlite3 must load the binary rebuilt for Electron
// (build/electronNative.mjs), not node_modules' Node build. better-sqlite3 finds its addon through `bindings`,
// which require()s node_modules/better-sqlite3/build/Release/better_sqlite3.node; registering the Electron
// binary's exports under that path in this thread's require cache makes every `new Database()` use it, with no
// change at the call sites. Each thread has its own cache: a worker thread that opens databases calls this too.
// Packaged apps need none of it (electron-builder rebuilds node_modules for Electron); outside Electron it does
// nothing.
import { realpathSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

export const SQLITE_BINDING_ENV = 'FLOORWATCH_SQLITE_BINDING';

interface CacheEntry {
  id: string;
  filename: string;
  loaded: boolean;
  exports: unknown;
}

export interface SqliteBindingOptions {
  /** The Electron build of better_sqlite3.node (default: $FLOORWATCH_SQLITE_BINDING). */
  bindingPath?: string;
  /** The path better-sqlite3's loader asks for (default: resolved from the installed package). */
  defaultBindingPath?: string;
  /** Default: running under Electron. */
  electron?: boolean;
}

/** better-sqlite3's own addon path in node_modules. */
export function defaultSqliteBindingPath(): string {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  return path.join(packageDir, 'build', 'Release', 'better_sqlite3.node');
}

/**
 * Makes better-sqlite3 load `bindingPath` in this thread. Returns the binary in use, or null when nothing was
 * needed (not Electron, or no rebuilt binding given: a packaged app). Throws when the given binary cannot load.
 */
export function installElectronSqliteBinding(options: SqliteBindingOptions = {}): string | null {
  const electron = options.electron ?? Boolean(process.versions.electron);
  const bindingPath = options.bindingPath ?? process.env[SQLITE_BINDING_ENV]?.trim();
  if (!electron || !bindingPath) return null;
  const require = createRequire(import.meta.url);
  const addon: unknown = require(path.resolve(bindingPath));
  const target = options.defaultBindingPath ?? defaultSqliteBindingPath();
  let filename = target;
  try {
    filename = realpathSync(target);
  } catch {
    // no Node build on disk: the cache entry under the plain path still answers the require
  }
  const cache = (Module as unknown as { _cache: Record<string, CacheEntry> })._cache;
  cache[filename] = { id: filename, filename, loaded: true, exports: addon };
  return path.resolve(bindingPath);
}
