// The rule catalogue: one entry per surveillance rule, listed once here. Config validation, the windows' names and
// parameter labels, the what-if form, reports, Account Tools, the simulator and the detection bench all read it; a
// new rule is a new entry file, a line below, its detector file in main/rules/detectors and a line in
// main/rules/registry.ts.
import type { Static, TSchema } from '@sinclair/typebox';
import type { QuantityTerm } from '../../vocabulary/quantity';
import type { RuleEntry } from './entry';
import { frequentCancel } from './frequentCancel';
import { largeCancel } from './largeCancel';
import { marginCall } from './marginCall';
import { markingClose } from './markingClose';
import { momentumIgnition } from './momentumIgnition';
import { orderBurst } from './orderBurst';
import { positionLimit } from './positionLimit';
import { selfTrade } from './selfTrade';
import { spoofing } from './spoofing';

export * from './entry';

/** Every rule, in the order listings show them (and `surveil` counts them). */
export const RULE_CATALOGUE = [
  selfTrade,
  frequentCancel,
  largeCancel,
  positionLimit,
  orderBurst,
  spoofing,
  markingClose,
  momentumIgnition,
  marginCall,
] as const;

type CatalogueEntry = (typeof RULE_CATALOGUE)[number];

/** Rule ids: part of the output contract. */
export type RuleId = CatalogueEntry['id'];

/** Each rule's own entry type, by id. */
export type RuleEntryOf = { [E in CatalogueEntry as E['id']]: E };

/** A rule's parameters as the rules file holds them. */
export type RuleParams = { [K in RuleId]: Static<RuleEntryOf[K]['params']> };

export const RULE_IDS: readonly RuleId[] = RULE_CATALOGUE.map((entry) => entry.id);

/** The entries by id. */
export const RULES: Readonly<RuleEntryOf> = Object.fromEntries(
  RULE_CATALOGUE.map((entry) => [entry.id, entry]),
) as unknown as RuleEntryOf;

/** The entry of `rule` seen through the common entry shape (parameters as a plain record). */
export function ruleEntry(rule: RuleId): RuleEntry<RuleId> {
  return RULES[rule] as unknown as RuleEntry<RuleId>;
}

export function isRuleId(value: string): value is RuleId {
  return Object.prototype.hasOwnProperty.call(RULES, value);
}

/** Whether a parameter of `rule` accepts null (its schema is a union with null): the what-if form's "—". */
export function isNullableParam(rule: RuleId, param: string): boolean {
  const schema = (ruleEntry(rule).params.properties as Record<string, TSchema | undefined>)[param];
  return Array.isArray(schema?.anyOf) && (schema.anyOf as TSchema[]).some((member) => member.type === 'null');
}

/** The parameter names of `rule`, in the order its schema lists them. */
export function ruleParamNames(rule: RuleId): string[] {
  return Object.keys(ruleEntry(rule).params.properties);
}

/** The label of a parameter of `rule`. */
export function ruleParamLabel(rule: RuleId, param: string): QuantityTerm | undefined {
  const labels = ruleEntry(rule).paramLabels as Readonly<Record<string, QuantityTerm>>;
  return Object.prototype.hasOwnProperty.call(labels, param) ? labels[param] : undefined;
}

/** The rules of one kind, in catalogue order. */
export function rulesOfKind(kind: RuleEntry['kind']): RuleId[] {
  return RULE_CATALOGUE.filter((entry) => entry.kind === kind).map((entry) => entry.id);
}
