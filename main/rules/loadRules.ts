// Loads the effective rules: the shipped default (build/rules/default.json, bundled with the code) with an optional
// user file merged over it. A bad file is a RulesConfigError that names the file and the field.
import { readFileSync } from 'node:fs';
import defaultRulesJson from '../../build/rules/default.json';
import { mergeRulesFile, parseRulesFile, RulesConfigError, type RulesConfig } from '../../shared/rules/config';

export const DEFAULT_RULES_NAME = 'build/rules/default.json';

/** A fresh copy of the shipped default, validated. */
export function defaultRulesConfig(): RulesConfig {
  return parseRulesFile(structuredClone(defaultRulesJson) as unknown, DEFAULT_RULES_NAME);
}

export interface LoadedRules {
  config: RulesConfig;
  /** Where the numbers came from, for the run summary. */
  sources: string[];
}

/** The default, with `userPath` (a JSON rules file, any subset of the default's shape) merged over it. */
export function loadRulesConfig(userPath?: string): LoadedRules {
  const base = defaultRulesConfig();
  if (userPath === undefined) return { config: base, sources: [`${DEFAULT_RULES_NAME} (${base.version})`] };
  let text: string;
  try {
    text = readFileSync(userPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RulesConfigError(
      `cannot read rules file ${userPath}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RulesConfigError(`rules file ${userPath} is not valid JSON: ${(error as Error).message}`);
  }
  const config = mergeRulesFile(base, parsed, `rules file ${userPath}`);
  return { config, sources: [`${DEFAULT_RULES_NAME} (${base.version})`, `${userPath} (${config.version})`] };
}
