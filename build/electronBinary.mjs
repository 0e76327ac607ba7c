// Finds the Electron binary the `electron` package downloaded, without requiring the package (its index.js throws
// when the download was skipped, e.g. with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or on a machine without internet).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the Electron executable, or null when it is not installed. */
export function electronBinaryPath(projectRoot = root) {
  const packageDir = path.join(projectRoot, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const executable = override ? path.join(override, relative) : path.join(packageDir, 'dist', relative);
  return existsSync(executable) ? executable : null;
}
