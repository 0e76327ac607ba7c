import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where E2E screenshots go (git-ignored). */
export const artifactsDir = path.join(repoRoot, 'tests', 'e2e', 'artifacts');
