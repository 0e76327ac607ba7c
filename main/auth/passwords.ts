// Password hashing with scrypt (node:crypto), stored as a PHC-style string that carries its own parameters:
//   $scrypt$ln=17,r=8,p=1$<salt, base64>$<key, base64>
// so the cost can be raised later without breaking stored hashes. Comparison is constant-time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (N=2^17, r=8, p=1): about 128 MiB and a few hundred ms per hash. */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 17, r: 8, p: 1 };
/** For tests only: cheap, same code path. */
export const TEST_SCRYPT: ScryptParams = { ln: 10, r: 8, p: 1 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;
// Bounds for parameters read back from a file, so a tampered hash cannot make login allocate gigabytes.
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** NFKC, so the same password typed through different input methods (full-width, IME) hashes the same. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Why a new password is not acceptable, or null. */
export function passwordProblem(password: string): string | null {
  const length = [...normalisePassword(password)].length;
  if (length < PASSWORD_MIN) return `a password needs at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `a password may have at most ${PASSWORD_MAX} characters`;
  return null;
}

function derive(password: string, salt: Buffer, keyBytes: number, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r * 2 + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(normalisePassword(password), salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

export function parsePasswordHash(encoded: string): ParsedHash | null {
  // Exactly a 16-byte salt and a 32-byte key: a shortened key would otherwise still match its prefix.
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/.exec(
    encoded,
  );
  if (!match) return null;
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  for (const name of ['ln', 'r', 'p'] as const) {
    const [min, max] = LIMITS[name];
    if (params[name] < min || params[name] > max) return null;
  }
  const salt = Buffer.from(match[4] as string, 'base64');
  const key = Buffer.from(match[5] as string, 'base64');
  if (salt.length !== SALT_BYTES || key.length !== KEY_BYTES) return null;
  return { params, salt, key };
}

/** True when `password` matches `encoded`. A malformed hash never matches (and is not an error). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when a stored hash uses weaker parameters than `params` (rehash it at the next successful login). */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parsePasswordHash(encoded);
  return !parsed || parsed.params.ln < params.ln || parsed.params.r < params.r || parsed.params.p < params.p;
}
