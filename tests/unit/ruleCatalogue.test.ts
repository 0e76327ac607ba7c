// A rule is one catalogue entry: every place that lists rules (config validation, the windows' names and what-if
// form, reports, Account Tools, the bench) reads shared/rules/catalogue, and no window, report or tool keeps a list
// of its own. The source scan fails when someone spells a rule's list or bilingual name outside the catalogue again.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  isNullableParam,
  RULE_CATALOGUE,
  RULE_IDS,
  ruleEntry,
  ruleParamLabel,
  ruleParamNames,
  rulesOfKind,
} from '../../shared/rules/catalogue';
import { mergeRulesFile, parseRulesFile, RulesConfigError, RulesFileSchema } from '../../shared/rules/config';
import { thresholdRatio } from '../../shared/rules/severity';
import { RULE_NAMES, RULE_PARAM_TERMS, termsIn } from '../../shared/vocabulary';
import { en, zh } from '../../renderer/src/i18n/resources';
import { ACCOUNT_COUNTER_SOURCES } from '../../main/core/accountActivity';
import { COUNT_RULES, shadowConfig } from '../../main/reports/collect';
import { TRANSLATED_COLUMNS } from '../../main/reports/model';
import { defaultRulesConfig } from '../../main/rules/loadRules';

const ROOT = join(__dirname, '../..');

describe('the rule catalogue', () => {
  it('lists each rule once, and each entry labels exactly the parameters its schema has', () => {
    expect(new Set(RULE_IDS).size).toBe(RULE_CATALOGUE.length);
    for (const entry of RULE_CATALOGUE) {
      expect(Object.keys(entry.paramLabels).sort(), entry.id).toEqual(ruleParamNames(entry.id).sort());
      expect(entry.name.en && entry.name.zh, entry.id).toBeTruthy();
      expect(entry.benchTarget).toBeGreaterThan(0);
      expect(entry.benchTarget).toBeLessThanOrEqual(1);
    }
  });

  it('gives a parameter name that several rules share one label (the windows key headings by name)', () => {
    for (const entry of RULE_CATALOGUE) {
      for (const param of ruleParamNames(entry.id)) {
        expect(ruleParamLabel(entry.id, param), `${entry.id}.${param}`).toEqual(
          RULE_PARAM_TERMS[param as keyof typeof RULE_PARAM_TERMS],
        );
      }
    }
  });

  it('is the rules file schema: every rule and parameter, and the refusals name the field', () => {
    const schema = RulesFileSchema.properties.rules as unknown as { properties: Record<string, TSchema> };
    expect(Object.keys(schema.properties)).toEqual([...RULE_IDS]);
    for (const rule of RULE_IDS) {
      expect(Object.keys(schema.properties[rule]!.properties as object)).toEqual(ruleParamNames(rule));
    }
    const shipped = defaultRulesConfig();
    const missing = structuredClone(shipped) as unknown as { rules: Record<string, Record<string, unknown>> };
    delete missing.rules.spoofing!.minEpisodes;
    expect(() => parseRulesFile(missing, 'f.json')).toThrow(/^f\.json: rules\.spoofing\.minEpisodes: .*missing/);
    // A rule's own cross-parameter check comes from its entry.
    expect(() => mergeRulesFile(shipped, { rules: { margin_call: { criticalLevel: 0.5, callLevel: 0.9 } } })).toThrow(
      RulesConfigError,
    );
  });

  it('drives the what-if form: the nullable parameters are the ones whose schema accepts null', () => {
    const nullable = RULE_IDS.flatMap((rule) =>
      ruleParamNames(rule)
        .filter((param) => isNullableParam(rule, param))
        .map((param) => `${rule}.${param}`),
    );
    expect(nullable).toEqual(['large_cancel.minQty', 'large_cancel.maxOrderQtyShare', 'position_limit.limit']);
    // Null really passes validation there and nowhere else.
    const shipped = defaultRulesConfig();
    for (const rule of RULE_IDS) {
      for (const param of ruleParamNames(rule)) {
        const attempt = () => mergeRulesFile(shipped, { rules: { [rule]: { [param]: null } } });
        if (isNullableParam(rule, param)) expect(attempt, `${rule}.${param}`).not.toThrow();
        else expect(attempt, `${rule}.${param}`).toThrow(RulesConfigError);
      }
    }
  });

  it('names the rules in the windows and the reports, which keep no names of their own', () => {
    expect(en.rule).toEqual(termsIn(RULE_NAMES, 'en'));
    expect(zh.rule).toEqual(termsIn(RULE_NAMES, 'zh-CN'));
    expect(TRANSLATED_COLUMNS.rule).toBe(RULE_NAMES);
    for (const entry of RULE_CATALOGUE) expect(RULE_NAMES[entry.id]).toBe(entry.name);
  });

  it('gives reports their count rules, thresholds and shadow thresholds', () => {
    expect(COUNT_RULES).toEqual(rulesOfKind('standard'));
    const shipped = defaultRulesConfig();
    const shadow = shadowConfig(shipped);
    for (const rule of COUNT_RULES) {
      const entry = ruleEntry(rule);
      expect(entry.firstEventParams, rule).toBeDefined();
      const params = shadow.rules[rule] as Record<string, unknown>;
      // With the shadow's parameters the rule's line is 1: its first event raises.
      expect(entry.threshold(params, { positionLimit: 1 }), rule).toBe(1);
    }
    expect(ruleEntry('position_limit').threshold(shipped.rules.position_limit, { positionLimit: 700 })).toBe(
      shipped.rules.position_limit.limit ?? 700,
    );
  });

  it('has an Account Tools counter source for every rule whose entry asks for one, and none for others', () => {
    const asked = RULE_CATALOGUE.filter((entry) => entry.accountCounter).map((entry) => entry.id);
    expect(Object.keys(ACCOUNT_COUNTER_SOURCES).sort()).toEqual([...asked].sort());
  });

  it('reads an alert’s ratio through its entry (margin_call by risk degree, marking_close by share)', () => {
    const measure = { count: 1, threshold: 0.8, metrics: { peakRiskDegree: 1.2 } };
    expect(thresholdRatio({ rule: 'margin_call', ...measure })).toBeCloseTo(1.5);
    expect(thresholdRatio({ rule: 'marking_close', ...measure, metrics: { share: 0.6, minShare: 0.3 } })).toBe(2);
    expect(thresholdRatio({ rule: 'self_trade', count: 15, threshold: 5, metrics: {} })).toBe(3);
  });
});

/** Files under `dir` (recursively) whose name ends in .ts or .tsx. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

describe('no copy of the rule list outside the catalogue', () => {
  const places = ['renderer/src', 'main/reports', 'main/cli', 'main/alerts', 'bench', 'shared'];
  const files = places
    .flatMap((place) => sources(join(ROOT, place)))
    .filter((file) => !relative(ROOT, file).startsWith('shared/rules/catalogue/'));

  // The Chinese names are the exchanges' terms and distinctive; the English ones are ordinary words (an Accounts
  // band is also called "Margin call"), so the Chinese are what a copied table would show.
  it('spells no rule’s Chinese name in a window, report, tool or shared table', () => {
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
      for (const entry of RULE_CATALOGUE) {
        // As a string of its own or an item of an enumeration (、), not inside a sentence about something else.
        const named = new RegExp(`['"\`（、]${entry.name.zh}['"\`）、]`);
        expect(named.test(text), `${relative(ROOT, file)} names ${entry.id}`).toBe(false);
      }
    }
  });

  it('keeps no list of several rule ids in a window, report, tool or shared table', () => {
    const ids = RULE_IDS.join('|');
    // Two rule ids as string literals in one array or union: a list that should come from the catalogue.
    const list = new RegExp(`'(${ids})'\\s*[,|]\\s*'(${ids})'`);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(list.test(text), `${relative(ROOT, file)} lists rules`).toBe(false);
    }
  });
});
