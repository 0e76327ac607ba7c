// What every entry point that opens a data folder does first (host, Electron, the CLI commands): check and tighten
// the folder's modes, find the data key (creating it at first start where allowed) and install it for this process,
// and seal the session files an older build wrote in clear. The audit log and the operators database seal their
// own rows when they are next opened for writing with the key installed (auditLog.ts, operatorStore.ts).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { sessionsDir } from '../policy/dataFolder';
import { SESSION_FILE_EXTENSION } from '../store/sessionFormat';
import { sealSessionFile } from '../store/sessionSealing';
import { DataKeyError, installDataKey, installDataKeyIfPresent, resolveDataKey, type DataKey } from './dataKey';
import { checkDataFolderModes, ensurePrivateDir } from './fileModes';

export type AtRestLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface DataFolderAtRestOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** A key handed over by the owner (Electron unwraps it from safeStorage); otherwise the key file is used. */
  key?: DataKey;
  /** Create the key file when there is none (host and team server at first start). */
  createKey?: boolean;
  /** Do not log the creation of the key (CLI commands). */
  quietKeyCreation?: boolean;
  log: AtRestLog;
}

export interface DataFolderAtRest {
  key: DataKey;
  keyFile: string | null;
  keyCreated: boolean;
}

/**
 * For a composition root (host, Electron): the folder private and the key installed. Throws DataKeyError (one line)
 * when the key cannot be found or read. Then, once SQLite can be loaded, `sealSessions` seals the old sessions.
 */
export function prepareDataFolderAtRest(options: DataFolderAtRestOptions): DataFolderAtRest {
  const { dataDir, log } = options;
  warnAboutModes(dataDir, log);
  ensurePrivateDir(dataDir);
  let key = options.key ?? null;
  let keyFile: string | null = null;
  let keyCreated = false;
  if (!key) {
    const resolved = resolveDataKey({ dataDir, env: options.env, create: options.createKey ?? true });
    key = resolved.key;
    keyFile = resolved.file;
    keyCreated = resolved.created;
    if (keyCreated && !options.quietKeyCreation) {
      log('warn', 'created the data key that encrypts this data folder: back it up, without it nothing can be read', {
        keyFile,
      });
    }
    warnAboutModes(path.dirname(keyFile), log, [keyFile]);
  }
  installDataKey(key);
  return { key, keyFile, keyCreated };
}

/**
 * For a CLI command that reads client data (export, surveil, sessions, audit verify…): tightens modes, installs
 * the key when it can be found; sealed data then fails with one line naming the key file when it cannot.
 */
export function openDataFolderForCommand(
  dataDir: string,
  options: { create?: boolean; env?: NodeJS.ProcessEnv } = {},
): DataKey | null {
  const env = options.env ?? process.env;
  const log: AtRestLog = (_level, message, fields) =>
    process.stderr.write(`floorwatch: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  warnAboutModes(dataDir, log);
  // A command's output stays its own: the key it creates is not announced (the host's first start does that).
  if (options.create)
    return prepareDataFolderAtRest({ dataDir, env, createKey: true, log, quietKeyCreation: true }).key;
  return installDataKeyIfPresent(dataDir, env);
}

function warnAboutModes(dir: string, log: AtRestLog, extraFiles?: readonly string[]): void {
  const result = checkDataFolderModes(dir, extraFiles ? { extraFiles } : {});
  if (result.warning) log('warn', result.warning);
}

/**
 * Seals every session file in `<dataDir>/sessions` that still holds data in clear. A file that cannot be sealed is
 * logged and left as it is (it stays readable; the next start tries again).
 */
export function sealSessions(dataDir: string, key: DataKey, log: AtRestLog): number {
  const dir = sessionsDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(SESSION_FILE_EXTENSION));
  } catch {
    return 0;
  }
  let sealed = 0;
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    try {
      const result = sealSessionFile(file, key);
      if (result.blocks > 0 || result.entries > 0) sealed++;
    } catch (error) {
      log('warn', 'could not encrypt a session file (it stays readable; retried at the next start)', {
        file,
        message: (error as Error).message,
      });
    }
  }
  if (sealed > 0) log('info', 'session files encrypted with the data key', { files: sealed });
  return sealed;
}

export { DataKeyError };
