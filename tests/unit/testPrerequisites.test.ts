// What `npm test` checks for before its tests run (build/testPrerequisites.mjs): the parts the E2E and report tests
// need, Xvfb only where the Electron spec will run without a display.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM build script without type declarations
import { prerequisites } from '../../build/testPrerequisites.mjs';

interface Prerequisite {
  name: string;
  debian: string;
  present(): boolean;
}

const names = (list: Prerequisite[]) => list.map((item) => item.debian);

describe('npm test prerequisites', () => {
  it('needs Chromium, a CJK font and pdftotext everywhere', () => {
    expect(names(prerequisites({ electronPresent: false, env: {} }))).toEqual([
      'chromium',
      'fonts-wqy-microhei',
      'poppler-utils',
    ]);
  });

  it('needs Xvfb only where Electron is installed and there is no display', () => {
    expect(names(prerequisites({ electronPresent: true, env: {} }))).toContain('xvfb');
    expect(names(prerequisites({ electronPresent: true, env: { DISPLAY: ':0' } }))).not.toContain('xvfb');
    expect(names(prerequisites({ electronPresent: false, env: {} }))).not.toContain('xvfb');
  });

  it('finds what this machine has (the suite is running, so its browser and tools are here)', () => {
    const missing = (prerequisites({ electronPresent: false, env: {} }) as Prerequisite[]).filter(
      (item) => !item.present(),
    );
    expect(missing.map((item) => item.name)).toEqual([]);
  });
});
