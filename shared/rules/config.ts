// The versioned rules file (`build/rules/default.json` shipped; a user file overrides it): thresholds per rule,
// overridable per exchange and per product. The TypeBox schemas give the types, a JSON Schema for editors and the
// validator whose first error names the offending field.
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { EXCHANGES, type Exchange } from '../protocol/schema';
import {
  RULE_CATALOGUE,
  RULE_IDS,
  ruleEntry,
  strict,
  type RuleEntryOf,
  type RuleId,
  type RuleParams,
} from './catalogue';

export const RULES_FORMAT = 'floorwatch-rules/1';

/** Each rule's parameter schema, from its catalogue entry. */
export const RuleParamsSchemas = Object.fromEntries(RULE_CATALOGUE.map((entry) => [entry.id, entry.params])) as {
  [K in RuleId]: RuleEntryOf[K]['params'];
};

export type { RuleParams };

const AllRulesSchema = strict(RuleParamsSchemas);
const PartialRulesSchema = Type.Partial(
  strict(
    Object.fromEntries(RULE_IDS.map((id) => [id, Type.Partial(RuleParamsSchemas[id])])) as unknown as {
      [K in RuleId]: TSchema;
    },
  ),
);

const ProductOverrideSchema = strict({ rules: PartialRulesSchema });
const ExchangeOverrideSchema = strict({
  rules: Type.Optional(PartialRulesSchema),
  /** Keyed by product id (ProductID, e.g. `IF`, `rb`). */
  products: Type.Optional(Type.Record(Type.String({ minLength: 1 }), ProductOverrideSchema)),
});
const ExchangesSchema = Type.Partial(
  strict(Object.fromEntries(EXCHANGES.map((e) => [e, ExchangeOverrideSchema])) as unknown as Record<Exchange, TSchema>),
);

/** A complete rules file (the shipped default). */
export const RulesFileSchema = strict({
  $schema: Type.Optional(Type.String()),
  format: Type.Literal(RULES_FORMAT),
  /** Revision of the thresholds, shown with every run and audited when changed. */
  version: Type.String({ minLength: 1, maxLength: 64 }),
  description: Type.Optional(Type.String()),
  rules: AllRulesSchema,
  exchanges: Type.Optional(ExchangesSchema),
});

/** A user file: any subset, merged over the default. */
export const RulesOverrideFileSchema = strict({
  $schema: Type.Optional(Type.String()),
  format: Type.Optional(Type.Literal(RULES_FORMAT)),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  description: Type.Optional(Type.String()),
  rules: Type.Optional(PartialRulesSchema),
  exchanges: Type.Optional(ExchangesSchema),
});

export interface ExchangeOverride {
  rules?: Partial<{ [K in RuleId]: Partial<RuleParams[K]> }>;
  products?: Record<string, { rules: Partial<{ [K in RuleId]: Partial<RuleParams[K]> }> }>;
}

export interface RulesConfig {
  $schema?: string;
  format: typeof RULES_FORMAT;
  version: string;
  description?: string;
  rules: RuleParams;
  exchanges?: Partial<Record<Exchange, ExchangeOverride>>;
}

/** A rules file that does not fit the schema; the message names the file and the field. */
export class RulesConfigError extends Error {}

const fullChecker = TypeCompiler.Compile(RulesFileSchema);
const overrideChecker = TypeCompiler.Compile(RulesOverrideFileSchema);

function firstProblem(checker: typeof fullChecker | typeof overrideChecker, value: unknown): string | null {
  if (checker.Check(value)) return null;
  // Prefer the deepest path: a union reports at its own path, its members below it.
  let best: { path: string; message: string; value: unknown; schema: TSchema } | null = null;
  for (const error of checker.Errors(value)) {
    if (!best || error.path.length > best.path.length) best = error;
    if (best && best.path.length > 0 && error.path.length < best.path.length) break;
  }
  if (!best) return 'is invalid';
  const field = best.path ? best.path.replace(/^\//, '').replace(/\//g, '.') : '(file)';
  const got = best.value === undefined ? 'missing' : `got ${JSON.stringify(best.value)}`;
  const expected = describe(best.schema);
  return `${field}: ${expected ? `expected ${expected}` : best.message.toLowerCase()} (${got})`;
}

/** Plain words for the value a (nullable) number schema wants, e.g. "an integer ≥ 1 or null". */
function describe(schema: TSchema): string | null {
  const members = Array.isArray(schema.anyOf) ? (schema.anyOf as TSchema[]) : [schema];
  const parts: string[] = [];
  for (const member of members) {
    if (member.type === 'null') parts.push('null');
    else if (member.type === 'integer' || member.type === 'number') {
      const bounds: string[] = [];
      if (typeof member.minimum === 'number') bounds.push(`≥ ${member.minimum}`);
      if (typeof member.exclusiveMinimum === 'number') bounds.push(`> ${member.exclusiveMinimum}`);
      if (typeof member.maximum === 'number') bounds.push(`≤ ${member.maximum}`);
      parts.push(
        `${member.type === 'integer' ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`,
      );
    } else if (member.const !== undefined) parts.push(JSON.stringify(member.const));
    else return null;
  }
  return parts.length ? parts.join(' or ') : null;
}

/** Each rule's own checks across its parameters (e.g. margin_call's critical level not below the call level). */
function checkLevels(config: RulesConfig, where: string): void {
  for (const rule of RULE_IDS) {
    const problem = ruleEntry(rule).validate?.(config.rules[rule]);
    if (problem) throw new RulesConfigError(`${where}: rules.${rule}.${problem}`);
  }
}

/** Validates a complete rules file (the default). `where` names it in errors. */
export function parseRulesFile(value: unknown, where = 'rules file'): RulesConfig {
  const problem = firstProblem(fullChecker, value);
  if (problem) throw new RulesConfigError(`${where}: ${problem}`);
  const config = value as RulesConfig;
  checkLevels(config, where);
  return config;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Objects merge key by key; anything else (numbers, null, arrays) replaces. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Merges a user file over a base config; the result's version says both. */
export function mergeRulesFile(base: RulesConfig, override: unknown, where = 'user rules file'): RulesConfig {
  const problem = firstProblem(overrideChecker, override);
  if (problem) throw new RulesConfigError(`${where}: ${problem}`);
  const user = override as Partial<RulesConfig>;
  const merged = deepMerge(base, { ...user, format: RULES_FORMAT }) as RulesConfig;
  merged.version = user.version ? `${base.version}+${user.version}` : `${base.version}+user`;
  const mergedProblem = firstProblem(fullChecker, merged);
  if (mergedProblem) throw new RulesConfigError(`${where}: ${mergedProblem}`);
  checkLevels(merged, where);
  return merged;
}

/**
 * The parameters of one rule for one contract: the rule's defaults, then its exchange's overrides, then its
 * product's. Account-wide rules (margin_call) ignore exchange and product; order_burst ignores the product.
 */
export function resolveRuleParams<K extends RuleId>(
  config: RulesConfig,
  rule: K,
  exchange?: Exchange | null,
  product?: string | null,
): RuleParams[K] {
  const base = config.rules[rule];
  if (!exchange) return base;
  const exchangeOverride = config.exchanges?.[exchange];
  const fromExchange = exchangeOverride?.rules?.[rule];
  const fromProduct = product ? exchangeOverride?.products?.[product]?.rules?.[rule] : undefined;
  if (!fromExchange && !fromProduct) return base;
  return { ...base, ...fromExchange, ...fromProduct } as RuleParams[K];
}
