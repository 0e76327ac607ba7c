// Builds the renderer before the E2E run when dist/renderer is missing or older than its sources, so the host
// never serves a stale page (npm test builds first anyway; this covers `npx playwright test` alone).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export default function globalSetup(): void {
  const builtPage = path.join(repoRoot, 'dist', 'renderer', 'index.html');
  const sources = [path.join(repoRoot, 'renderer'), path.join(repoRoot, 'shared')];
  const sourceTime = Math.max(...sources.map(newestMtime), statSync(path.join(repoRoot, 'vite.config.ts')).mtimeMs);
  if (existsSync(builtPage) && statSync(builtPage).mtimeMs >= sourceTime) return;
  process.stderr.write('e2e: building the renderer (dist/renderer is missing or stale)…\n');
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status}); run "npm run build" to see why`);
}
