// Evidence-pack manifest: every file of the pack with its size and SHA-256, plus a SHA256SUMS file in the format
// `sha256sum -c` reads, so anyone can check the pack later without Floorwatch.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  files: ManifestEntry[];
  howToVerify: string[];
}

export const HOW_TO_VERIFY = [
  'Every file of this folder except manifest.json and SHA256SUMS is listed in "files" with its size and SHA-256.',
  'Without Floorwatch: cd into this folder and run `sha256sum -c SHA256SUMS` (each line must say OK), and check that',
  'SHA256SUMS lists the same hashes as "files" here. With Floorwatch: `floorwatch report verify <this folder>`.',
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

/** Checks every listed file's size and hash, that nothing was added, and that SHA256SUMS agrees. */
export function verifyEvidencePack(dir: string): VerifyResult {
  const problems: string[] = [];
  let manifest: EvidenceManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as EvidenceManifest;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      checked: 0,
      problems: [code === 'ENOENT' ? `${dir}: no ${MANIFEST_FILE}` : `${MANIFEST_FILE}: ${(error as Error).message}`],
    };
  }
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files)) {
    return { ok: false, checked: 0, problems: [`${MANIFEST_FILE}: not a ${MANIFEST_FORMAT} manifest`] };
  }
  let checked = 0;
  for (const entry of manifest.files) {
    if (typeof entry.name !== 'string' || entry.name.includes('/') || entry.name.includes('..')) {
      problems.push(`${MANIFEST_FILE}: bad file name ${JSON.stringify(entry.name)}`);
      continue;
    }
    let data: Buffer;
    try {
      data = readFileSync(join(dir, entry.name));
    } catch {
      problems.push(`${entry.name}: missing`);
      continue;
    }
    checked++;
    if (data.length !== entry.bytes) problems.push(`${entry.name}: ${data.length} bytes, manifest says ${entry.bytes}`);
    else if (sha256(data) !== entry.sha256) problems.push(`${entry.name}: SHA-256 differs from the manifest`);
  }
  const listed = new Set([...manifest.files.map((f) => f.name), MANIFEST_FILE, SUMS_FILE]);
  for (const name of readdirSync(dir)) {
    if (!listed.has(name) && statSync(join(dir, name)).isFile()) problems.push(`${name}: not in the manifest`);
  }
  let sums = '';
  try {
    sums = readFileSync(join(dir, SUMS_FILE), 'utf8');
  } catch {
    problems.push(`${SUMS_FILE}: missing`);
  }
  if (sums) {
    const expected = manifest.files.map((e) => `${e.sha256}  ${e.name}\n`).join('');
    if (sums !== expected) problems.push(`${SUMS_FILE}: does not match the manifest`);
  }
  return { ok: problems.length === 0, checked, problems };
}
