import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests never touch the user's real data folder or the machine's policy: every run gets a fresh data folder (a test
// that needs its own still sets FLOORWATCH_DATA_DIR itself) and a policy path that does not exist.
const testDataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-vitest-data-'));

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    env: {
      FLOORWATCH_DATA_DIR: testDataDir,
      FLOORWATCH_POLICY_FILE: path.join(testDataDir, 'no-machine-policy.json'),
    },
  },
});
