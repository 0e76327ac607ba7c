// The data key under Electron: kept wrapped by the operating system's key store through safeStorage (DPAPI on
// Windows, the Keychain on macOS, libsecret/kwallet on Linux) in `<dataDir>/keys/data.key.safestorage`, and handed
// unwrapped to the core (main/policy/launch → main/security/atRest) like the host's key file. A data folder the host
// or the CLI created first keeps its key file: Electron reads it and wraps the same key, so both keep working.
// Where no key store is available (a Linux desktop without a secret service), the key file is used, with a warning.
import { existsSync, readFileSync } from 'node:fs';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { DataKey, DataKeyError, resolveDataKey } from '../security/dataKey';
import { dataKeyFilePath, KEYS_FOLDER_NAME } from '../security/dataKey';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../security/fileModes';

const WRAPPED_KEY_FILE_NAME = 'data.key.safestorage';

export function wrappedKeyFilePath(dataDir: string): string {
  return path.join(dataDir, KEYS_FOLDER_NAME, WRAPPED_KEY_FILE_NAME);
}

/** The installation's data key, from the OS key store (created there at first start). DataKeyError when unusable. */
export function safeStorageDataKey(
  dataDir: string,
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void,
): DataKey {
  if (!safeStorage.isEncryptionAvailable()) {
    log('warn', 'the OS key store is not available: the data key is kept in a key file readable only by you', {
      keyFile: dataKeyFilePath(dataDir),
    });
    return resolveDataKey({ dataDir, create: true }).key;
  }
  const wrappedFile = wrappedKeyFilePath(dataDir);
  if (existsSync(wrappedFile)) {
    try {
      return new DataKey(Buffer.from(safeStorage.decryptString(readFileSync(wrappedFile)), 'base64'));
    } catch (error) {
      throw new DataKeyError(
        `cannot unwrap the data key ${wrappedFile} with the OS key store (${(error as Error).message}); log in as the user who installed Floorwatch, or restore the key file from your backup and set FLOORWATCH_KEY_FILE`,
      );
    }
  }
  // First start under Electron: the key file of an earlier host or CLI start, else a new key.
  const keyFile = dataKeyFilePath(dataDir);
  const key = existsSync(keyFile) ? resolveDataKey({ dataDir }).key : DataKey.generate();
  writeWrapped(wrappedFile, safeStorage.encryptString(key.exportBytes().toString('base64')));
  if (!existsSync(keyFile)) {
    log(
      'warn',
      'created the data key that encrypts this data folder (kept by the OS key store): back up the data folder with your user profile',
      {
        wrappedKeyFile: wrappedFile,
      },
    );
  }
  return key;
}

function writeWrapped(file: string, wrapped: Buffer): void {
  ensurePrivateDir(path.dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, wrapped);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
