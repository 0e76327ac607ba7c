// Playwright: E2E tests in tests/e2e against the headless host (each spec starts its own host, see
// tests/e2e/support/hostFixture.ts). Uses Debian's Chromium at /usr/bin/chromium when present (apt install
// chromium), else Playwright's own browser. One worker: the host, core and simulator already use both cores.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const systemChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  globalSetup: './tests/e2e/support/globalSetup.ts',
  // Two spec files at a time (each starts its own host): much of a spec is waiting on a host or a page, and the
  // whole suite must fit CI's time on 2 cores. Tests within a file stay in order.
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 760 },
    trace: process.env.FW_E2E_TRACE ? 'retain-on-failure' : 'off',
    launchOptions: {
      executablePath: existsSync(systemChromium) ? systemChromium : undefined,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
