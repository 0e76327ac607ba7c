// A rule is one catalogue entry (shared/rules/catalogue) plus one detector (main/rules/detectors/<rule>.ts),
// registered once (main/rules/registry.ts). These checks fail when a rule has an entry but no detector, a detector
// but no entry, two detectors, or a detector file the registry does not use.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../shared/rules/catalogue';
import { EngineState } from '../../main/engine/state';
import type { Detector, DetectorContext } from '../../main/rules/detector';
import { RuleEngine } from '../../main/rules/engine';
import { defaultRulesConfig } from '../../main/rules/loadRules';
import { DETECTORS } from '../../main/rules/registry';

const DETECTOR_DIR = join(__dirname, '../../main/rules/detectors');

function engine(): RuleEngine {
  return new RuleEngine({ config: defaultRulesConfig(), view: new EngineState() });
}

describe('the detector registry', () => {
  it('has exactly one detector for every catalogue rule, and none for a rule the catalogue lacks', () => {
    expect(Object.keys(DETECTORS).sort()).toEqual([...RULE_IDS].sort());
    const context: DetectorContext = engine();
    const made = Object.entries(DETECTORS).map(([rule, make], slot) => ({ rule, detector: make(context, slot) }));
    for (const { rule, detector } of made) expect(detector.rule).toBe(rule);
    // The engine runs each of them once.
    expect(engine().detectorRules.sort()).toEqual([...RULE_IDS].sort());
  });

  it('each detector file holds one registered detector, and each registered detector comes from its own file', async () => {
    const files = readdirSync(DETECTOR_DIR).filter((name) => name.endsWith('.ts'));
    const classByFile = new Map<string, unknown>();
    for (const file of files) {
      const module = (await import(join(DETECTOR_DIR, file))) as Record<string, unknown>;
      const classes = Object.entries(module).filter(
        ([name, value]) => typeof value === 'function' && name.endsWith('Detector'),
      );
      expect(
        classes.map(([name]) => name),
        file,
      ).toHaveLength(1);
      classByFile.set(file, classes[0]?.[1]);
    }
    const context: DetectorContext = engine();
    const registered = Object.values(DETECTORS).map((make, slot) => (make(context, slot) as Detector).constructor);
    expect(new Set(registered).size).toBe(RULE_IDS.length);
    expect(new Set(classByFile.values())).toEqual(new Set(registered));
  });
});
