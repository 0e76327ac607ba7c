// The per-installation data key that encrypts client and operator data at rest (session blocks, sensitive audit
// columns, operator password hashes and names), and the one place every entry point finds it:
//   1. the machine policy's `keyFile`, 2. FLOORWATCH_KEY_FILE, 3. `<dataDir>/keys/data.key`.
// Under Electron the same key is kept wrapped by the OS key store (safeStorage, main/electron) and handed over
// unwrapped; every other process (host, CLI, team server) reads the key file, which only the service user can read.
//
// Values are sealed with AES-256-GCM: a random 96-bit nonce per value, and associated data that names where the
// value lives (file, row, column or block header), so a sealed value copied to another row or block fails to open.
// One process holds one key: the composition root installs it, worker threads get it through their workerData.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../cli/support';
import { policyFilePath, readPolicy } from '../policy/settings';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './fileModes';

export const DATA_KEY_BYTES = 32;
export const KEY_FILE_ENV_VAR = 'FLOORWATCH_KEY_FILE';
export const KEYS_FOLDER_NAME = 'keys';
export const DATA_KEY_FILE_NAME = 'data.key';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Key file text: this prefix, then the key in base64 (a text file an admin can back up and compare). */
const KEY_FILE_PREFIX = 'floorwatch-data-key-v1:';

/** A command cannot find, read or use the data key. One line: which file, what to do. Exit code 2. */
export class DataKeyError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'DataKeyError';
  }
}

/** A sealed value does not open: wrong key, or the bytes (or the place they are stored) were changed. */
export class SealError extends Error {}

export class DataKey {
  /** Short fingerprint of the key, stored beside sealed data so a wrong key is named as such. */
  readonly id: string;
  private readonly sivKey: Buffer;

  constructor(private readonly bytes: Buffer) {
    if (bytes.length !== DATA_KEY_BYTES) throw new RangeError(`a data key is ${DATA_KEY_BYTES} bytes`);
    this.id = createHmac('sha256', bytes).update('floorwatch key id').digest('hex').slice(0, 16);
    this.sivKey = createHmac('sha256', bytes).update('floorwatch synthetic iv').digest();
  }

  /** nonce ‖ ciphertext ‖ tag. */
  seal(plain: Uint8Array, associated: Uint8Array | string, nonce: Buffer = randomBytes(NONCE_BYTES)): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.bytes, nonce);
    cipher.setAAD(typeof associated === 'string' ? Buffer.from(associated, 'utf8') : associated);
    const body = cipher.update(plain);
    const final = cipher.final();
    return Buffer.concat([nonce, body, final, cipher.getAuthTag()]);
  }

  /** Opens what `seal` made with the same associated data; SealError when it does not authenticate. */
  open(sealed: Uint8Array, associated: Uint8Array | string): Buffer {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new SealError('sealed value is too short');
    const buffer = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.bytes, buffer.subarray(0, NONCE_BYTES));
      decipher.setAAD(typeof associated === 'string' ? Buffer.from(associated, 'utf8') : associated);
      decipher.setAuthTag(buffer.subarray(buffer.length - TAG_BYTES));
      const body = decipher.update(buffer.subarray(NONCE_BYTES, buffer.length - TAG_BYTES));
      return Buffer.concat([body, decipher.final()]);
    } catch {
      throw new SealError('sealed value does not authenticate (wrong key, or changed)');
    }
  }

  /** Text column form: `fw1:` + base64. */
  sealText(plain: string, associated: string): string {
    return SEALED_TEXT_PREFIX + this.seal(Buffer.from(plain, 'utf8'), associated).toString('base64');
  }

  /**
   * Same plaintext and place, same sealed text (for values a unique index must still compare): the nonce is a MAC of
   * both under a key derived for this use (synthetic IV), so only equality of values is visible, never the values.
   */
  sealTextDeterministic(plain: string, associated: string): string {
    const nonce = createHmac('sha256', this.sivKey)
      .update(associated)
      .update('\0')
      .update(plain)
      .digest()
      .subarray(0, NONCE_BYTES);
    return SEALED_TEXT_PREFIX + this.seal(Buffer.from(plain, 'utf8'), associated, nonce).toString('base64');
  }

  openText(stored: string, associated: string): string {
    if (!isSealedText(stored)) return stored;
    return this.open(Buffer.from(stored.slice(SEALED_TEXT_PREFIX.length), 'base64'), associated).toString('utf8');
  }

  /** The raw key, for handing to a worker thread or wrapping with the OS key store. */
  exportBytes(): Buffer {
    return Buffer.from(this.bytes);
  }

  static generate(): DataKey {
    return new DataKey(randomBytes(DATA_KEY_BYTES));
  }
}

export const SEALED_TEXT_PREFIX = 'fw1:';

export function isSealedText(value: string): boolean {
  return value.startsWith(SEALED_TEXT_PREFIX);
}

/** Where the key file is: policy `keyFile`, else FLOORWATCH_KEY_FILE, else `<dataDir>/keys/data.key`. */
export function dataKeyFilePath(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const policyKeyFile = readPolicy(policyFilePath(env))?.keyFile;
  if (policyKeyFile) return policyKeyFile;
  const fromEnv = env[KEY_FILE_ENV_VAR]?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(dataDir, KEYS_FOLDER_NAME, DATA_KEY_FILE_NAME);
}

/** Parses key file text; DataKeyError naming the file when it is not a key. */
export function parseKeyFile(text: string, file: string): DataKey {
  const trimmed = text.trim();
  const bytes = trimmed.startsWith(KEY_FILE_PREFIX)
    ? Buffer.from(trimmed.slice(KEY_FILE_PREFIX.length), 'base64')
    : Buffer.alloc(0);
  if (bytes.length !== DATA_KEY_BYTES) {
    throw new DataKeyError(`data key file ${file} is not a Floorwatch data key; restore it from your backup`);
  }
  return new DataKey(bytes);
}

export function keyFileText(key: DataKey): string {
  return `${KEY_FILE_PREFIX}${key.exportBytes().toString('base64')}\n`;
}

/** Writes a new key file 0600 (write to a temporary file, fsync, rename: never a half-written key). */
export function writeKeyFile(file: string, key: DataKey): void {
  ensurePrivateDir(path.dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, keyFileText(key));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

export interface ResolveDataKeyOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Create the key file when there is none (host, team server and Electron at first start). */
  create?: boolean;
}

/** Reads (or, with `create`, makes) the installation's data key. DataKeyError with one line when it cannot. */
export function resolveDataKey(options: ResolveDataKeyOptions): { key: DataKey; file: string; created: boolean } {
  const file = dataKeyFilePath(options.dataDir, options.env);
  if (!existsSync(file)) {
    if (!options.create) {
      throw new DataKeyError(
        `no data key at ${file}: restore the key file from your backup, or set ${KEY_FILE_ENV_VAR} (or the policy's "keyFile") to where it is`,
      );
    }
    const key = DataKey.generate();
    try {
      writeKeyFile(file, key);
    } catch (error) {
      throw new DataKeyError(`cannot create the data key ${file} (${errorCode(error)}); check the folder's owner`);
    }
    return { key, file, created: true };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataKeyError(
      `cannot read the data key ${file} (${errorCode(error)}); run Floorwatch as the user that owns it`,
    );
  }
  return { key: parseKeyFile(text, file), file, created: false };
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
}

// ── The process's key ──────────────────────────────────────────────────────────────────────────────────────────

let installed: DataKey | null = null;
let missingReason: string | null = null;

/** Makes `key` the key this process (thread) seals new data with and opens sealed data with. */
export function installDataKey(key: DataKey | null, reasonWhenMissing?: string): void {
  installed = key;
  missingReason = key ? null : (reasonWhenMissing ?? null);
}

export function installedDataKey(): DataKey | null {
  return installed;
}

/** Why this process has no key, as the end of a sentence ("… is encrypted and <reason>"). */
export function missingDataKeyReason(): string {
  return missingReason ?? `no data key is available (set ${KEY_FILE_ENV_VAR} to the key file)`;
}

/** The installed key, or DataKeyError saying why there is none (for data that is sealed). */
export function requireDataKey(what: string): DataKey {
  if (installed) return installed;
  throw new DataKeyError(`${what} is encrypted and ${missingDataKeyReason()}`);
}

/**
 * For a command that reads client data: installs the key when it can be found, and otherwise remembers why not, so
 * that only data that is actually sealed fails (with that one line). Returns the key or null.
 */
export function installDataKeyIfPresent(dataDir: string, env: NodeJS.ProcessEnv = process.env): DataKey | null {
  try {
    const { key } = resolveDataKey({ dataDir, env });
    installDataKey(key);
    return key;
  } catch (error) {
    if (!(error instanceof DataKeyError)) throw error;
    installDataKey(null, error.message.replace(/^no data key at/, 'there is no data key at'));
    return null;
  }
}

const WORKER_DATA_FIELD = 'floorwatchDataKey';

/** Spread into a worker's workerData so the thread uses the same key (structured clone copies the bytes). */
export function dataKeyWorkerData(): Record<string, unknown> {
  return installed ? { [WORKER_DATA_FIELD]: new Uint8Array(installed.exportBytes()) } : {};
}

/** First thing a worker entry does: installs the key its starter passed (none: sealed data reports the key missing). */
export function installDataKeyFromWorkerData(workerData: unknown): void {
  const bytes = (workerData as Record<string, unknown> | null)?.[WORKER_DATA_FIELD];
  installDataKey(bytes instanceof Uint8Array ? new DataKey(Buffer.from(bytes)) : null);
}
