// Evidence-pack manifest: every file of the pack with its size and SHA-256, plus a SHA256SUMS file in the format
// `sha256sum -c` reads, so anyone can check the pack later without Floorwatch. The pack is a folder, and optionally
// also a zip of that folder (fflate, stored as `<base>/<file>` so unzipping gives the folder back); both verify.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';

export const MANIFEST_FILE = 'manifest.json';
export const SUMS_FILE = 'SHA256SUMS';
export const MANIFEST_FORMAT = 'floorwatch-evidence/1';

export interface ManifestEntry {
  name: string;
  bytes: number;
  sha256: string;
  /** What the file is. */
  description: string;
}

export interface EvidenceManifest {
  format: typeof MANIFEST_FORMAT;
  alertId: string;
  tradingDay: string;
  createdAt: string;
  input: { file: string; sha256: string };
  /** The audit chain's head when the pack was made (an anchor `audit verify` checks the log against). */
  auditHead?: { id: number; hash: string; time: string; log: string | null };
  files: ManifestEntry[];
  howToVerify: string[];
}

export const HOW_TO_VERIFY = [
  'Every file of this folder except manifest.json and SHA256SUMS is listed in "files" with its size and SHA-256.',
  'Without Floorwatch: cd into this folder and run `sha256sum -c SHA256SUMS` (each line must say OK), and check that',
  'SHA256SUMS lists the same hashes as "files" here. With Floorwatch: `floorwatch report verify <this folder>`.',
  'A zip of the pack holds this folder; unzip it and check the folder the same way (or `floorwatch report verify',
  '<the zip>`).',
];

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes manifest.json and SHA256SUMS for `files` (already written in `dir`). */
export function writeManifest(
  dir: string,
  head: Omit<EvidenceManifest, 'files' | 'howToVerify' | 'format'>,
  files: Array<{ name: string; description: string }>,
): EvidenceManifest {
  const entries = files.map((f) => {
    const data = readFileSync(join(dir, f.name));
    return { name: f.name, bytes: data.length, sha256: sha256(data), description: f.description };
  });
  const manifest: EvidenceManifest = { format: MANIFEST_FORMAT, ...head, files: entries, howToVerify: HOW_TO_VERIFY };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, SUMS_FILE), entries.map((e) => `${e.sha256}  ${e.name}\n`).join(''));
  return manifest;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** One line per problem, naming the file. */
  problems: string[];
}

/** Checks a pack folder or a pack zip (by its `.zip` name): every listed file's size and hash, that nothing was
 * added, and that SHA256SUMS agrees. */
export function verifyEvidencePack(path: string): VerifyResult {
  if (path.toLowerCase().endsWith('.zip')) return verifyEvidenceZip(path);
  const files = new Map<string, Buffer>();
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      checked: 0,
      problems: [`${path}: ${code === 'ENOENT' ? 'no such folder' : (error as Error).message}`],
    };
  }
  for (const name of names) {
    if (statSync(join(path, name)).isFile()) files.set(name, readFileSync(join(path, name)));
  }
  if (!files.has(MANIFEST_FILE)) return { ok: false, checked: 0, problems: [`${path}: no ${MANIFEST_FILE}`] };
  return verifyPackFiles(files);
}

/** The zip's entries, the pack folder prefix (`<base>/`) taken off; entries outside one folder are problems. */
function verifyEvidenceZip(file: string): VerifyResult {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      checked: 0,
      problems: [`${file}: ${code === 'ENOENT' ? 'no such file' : `not a readable zip (${(error as Error).message})`}`],
    };
  }
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  const names = Object.keys(entries).filter((name) => !name.endsWith('/'));
  const manifestPath = names.find((name) => name === MANIFEST_FILE || name.endsWith(`/${MANIFEST_FILE}`));
  if (!manifestPath) return { ok: false, checked: 0, problems: [`${file}: no ${MANIFEST_FILE} in the zip`] };
  const prefix = manifestPath.slice(0, manifestPath.length - MANIFEST_FILE.length);
  for (const name of names) {
    const inner = name.startsWith(prefix) ? name.slice(prefix.length) : null;
    if (inner === null || inner.includes('/')) problems.push(`${name}: outside the pack folder ${prefix || '(top)'}`);
    else files.set(inner, Buffer.from(entries[name] as Uint8Array));
  }
  const result = verifyPackFiles(files);
  return { ...result, ok: result.ok && problems.length === 0, problems: [...problems, ...result.problems] };
}

/** The verification itself, on the pack's files by name (from a folder or a zip). */
export function verifyPackFiles(files: ReadonlyMap<string, Buffer>): VerifyResult {
  const problems: string[] = [];
  let manifest: EvidenceManifest;
  try {
    manifest = JSON.parse((files.get(MANIFEST_FILE) ?? Buffer.alloc(0)).toString('utf8')) as EvidenceManifest;
  } catch (error) {
    return { ok: false, checked: 0, problems: [`${MANIFEST_FILE}: ${(error as Error).message}`] };
  }
  if (manifest?.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files)) {
    return { ok: false, checked: 0, problems: [`${MANIFEST_FILE}: not a ${MANIFEST_FORMAT} manifest`] };
  }
  let checked = 0;
  for (const entry of manifest.files) {
    if (typeof entry.name !== 'string' || entry.name.includes('/') || entry.name.includes('..')) {
      problems.push(`${MANIFEST_FILE}: bad file name ${JSON.stringify(entry.name)}`);
      continue;
    }
    const data = files.get(entry.name);
    if (!data) {
      problems.push(`${entry.name}: missing`);
      continue;
    }
    checked++;
    if (data.length !== entry.bytes) problems.push(`${entry.name}: ${data.length} bytes, manifest says ${entry.bytes}`);
    else if (sha256(data) !== entry.sha256) problems.push(`${entry.name}: SHA-256 differs from the manifest`);
  }
  const listed = new Set([...manifest.files.map((f) => f.name), MANIFEST_FILE, SUMS_FILE]);
  for (const name of files.keys()) {
    if (!listed.has(name)) problems.push(`${name}: not in the manifest`);
  }
  const sums = files.get(SUMS_FILE)?.toString('utf8');
  if (sums === undefined) problems.push(`${SUMS_FILE}: missing`);
  else {
    const expected = manifest.files.map((e) => `${e.sha256}  ${e.name}\n`).join('');
    if (sums !== expected) problems.push(`${SUMS_FILE}: does not match the manifest`);
  }
  return { ok: problems.length === 0, checked, problems };
}

/**
 * Zips the pack folder `dir` (its files, manifest and SHA256SUMS included) into `zipFile`, each entry as
 * `<folder name>/<file>`, dated `at` so the same pack gives the same zip.
 */
export function zipEvidencePack(dir: string, zipFile: string, at: Date): void {
  const folder = basename(dir);
  const entries: Zippable = {};
  for (const name of readdirSync(dir).sort()) {
    if (!statSync(join(dir, name)).isFile()) continue;
    // PDFs and XLSX are compressed already: store them; text compresses well.
    const level = /\.(pdf|xlsx|zip)$/i.test(name) ? 0 : 6;
    entries[`${folder}/${name}`] = [new Uint8Array(readFileSync(join(dir, name))), { level, mtime: at }];
  }
  writeFileSync(zipFile, zipSync(entries));
}
