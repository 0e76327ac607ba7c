// The shape of one rule's catalogue entry: everything outside the detector that needs to know a rule (config
// validation, windows, reports, Account Tools, the simulator, the detection bench) reads it from here.
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { QuantityTerm } from '../../vocabulary/quantity';
import { quantity } from '../../vocabulary/quantity';
import type { Term } from '../../vocabulary/term';
import { SEVERITIES, type Severity } from '../severityLevels';

/**
 * What one alert of the rule covers (the last part of its id): a contract, every contract of a client on one
 * exchange, a whole account's margin, a product, or a group of accounts.
 */
export type RuleScope = 'contract' | 'exchange' | 'account' | 'product' | 'group';

/**
 * `standard`: an exchange abnormal-trading standard (异常交易监控标准) counting events against a threshold — the
 * abnormal-trading report lists them; `pattern`: a manipulation pattern; `risk`: a client's risk (margin).
 */
export type RuleKind = 'standard' | 'pattern' | 'risk';

/** What an alert's measure is read from (severity and the Alerts window's count bar). */
export interface AlertMeasure {
  rule: string;
  count: number | null;
  threshold: number | null;
  metrics: Readonly<Record<string, number>>;
}

/** The figures of an alert its sentences, severity and score are made from (the engine's alert record). */
export interface AlertFigures extends AlertMeasure {
  count: number;
  subjectType: string;
  subjectId: string;
  instrumentId: string | null;
  exchange: string | null;
  /** Last part of the alert id: the contract, the exchange, or ''. */
  scope: string;
}

/** An alert's sentences (English, Chinese), severity and score. */
export interface AlertText {
  message: string;
  messageZh: string;
  severity: Severity;
  score: number;
}

/** Builds an alert's text from its current figures. */
export type AlertTextOf = (figures: AlertFigures) => AlertText;

/** The contract's own figures a threshold may fall back to. */
export interface ContractLimits {
  positionLimit?: number | null;
}

export interface RuleEntry<Id extends string = string, Params extends TObject = TObject> {
  id: Id;
  scope: RuleScope;
  kind: RuleKind;
  /** The rule's parameters in the rules file (strict TypeBox object). */
  params: Params;
  name: Term;
  /** Label and unit of every parameter (the thresholds editor, the what-if form, reports). */
  paramLabels: { readonly [K in keyof Static<Params>]-?: QuantityTerm };
  /** The figures the rule's detector keeps on its alerts (Alert.metrics). */
  metrics: Readonly<Record<string, QuantityTerm>>;
  /** The number an alert's count is compared with, from the resolved parameters (null: none applies). */
  threshold(params: Static<Params>, contract: ContractLimits): number | null;
  /**
   * The alert's sentences — naming the numbers that made it, so an operator can check it without the evidence —,
   * severity (on the rule's scale, severityScale.ts) and score, under the parameters the alert was raised with.
   */
  message(params: Static<Params>): AlertTextOf;
  /** The alert's measure ÷ its threshold (1 = at the line); absent: count ÷ threshold. */
  ratio?(alert: AlertMeasure): number;
  /**
   * Parameters under which the rule raises at its first event, so a shadow engine's alert count is the client's
   * tally (the abnormal-trading report's "closest to a threshold"); absent for rules without a tally.
   */
  firstEventParams?: Partial<Static<Params>>;
  /** A problem across parameters, as "param (value) must …", or null (the rules file is refused with it). */
  validate?(params: Static<Params>): string | null;
  /** Account Tools shows this rule's counter per contract. */
  accountCounter: boolean;
  /** Precision and recall the detection bench requires against the simulator's ground truth. */
  benchTarget: number;
}

/** Infers the id and the parameter types of an entry while checking its shape. */
export const defineRule = <Id extends string, Params extends TObject>(entry: RuleEntry<Id, Params>) => entry;

// The parameter building blocks every rule's schema uses.
export const strict = <T extends TProperties>(properties: T): TObject<T> =>
  Type.Object(properties, { additionalProperties: false });
export const Enabled = Type.Boolean({ description: 'false switches the rule off' });
export const Count = Type.Integer({ minimum: 1 });
export const Lots = Type.Integer({ minimum: 1 });
export const Millis = Type.Integer({ minimum: 1 });
export const Positive = Type.Number({ exclusiveMinimum: 0 });
export const Share = Type.Number({ exclusiveMinimum: 0, maximum: 1 });
export const NullableLots = Type.Union([Lots, Type.Null()]);
export const NullableShare = Type.Union([Share, Type.Null()]);
export const SeveritySchema = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

// Labels of the parameters several rules share.
export const ENABLED_LABEL = quantity('On', '启用', null);
export const THRESHOLD_LABEL = quantity('Threshold', '阈值', 'times');
export const SEVERITY_LABEL = quantity('Severity', '级别', null);

/** count ÷ threshold, 1 without a threshold: the default measure. */
export function countRatio(alert: AlertMeasure): number {
  return alert.threshold && alert.count !== null ? alert.count / alert.threshold : 1;
}
