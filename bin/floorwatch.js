#!/usr/bin/env node
// The `floorwatch` command: runs the bundled CLI (dist/main/cli.js) when the app is built; in a checkout without a
// build it runs the TypeScript source through tsx (a dev dependency), exactly like `npm run -s floorwatch -- …`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundled = fileURLToPath(new URL('../dist/main/cli.js', import.meta.url));
const source = fileURLToPath(new URL('../main/cli/index.ts', import.meta.url));

if (existsSync(bundled)) {
  await import(pathToFileURL(bundled).href);
} else if (existsSync(source)) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('floorwatch: not built yet; run "npm run build" first (or "npm install" to get tsx)\n');
    process.exit(1);
  }
  register();
  await import(pathToFileURL(source).href);
} else {
  process.stderr.write('floorwatch: not built yet; run "npm run build" first\n');
  process.exit(1);
}
