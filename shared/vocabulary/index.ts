// The bilingual vocabulary of Floorwatch: every name a window or a report shows for a code (rules, severities,
// alert states, exchanges, products, phases, evidence fields and values, rule parameters, column headers).
import {
  ACCOUNT_ACTION_NAMES,
  ALERT_STATE_NAMES,
  QUEUE_VIEW_NAMES,
  ROLE_NAMES,
  RULE_NAMES,
  SEVERITY_NAMES,
  SLA_STAGE_NAMES,
} from './alerts';
import { COLUMN_NAMES, REPORT_COLUMN_NAMES } from './columns';
import { EVIDENCE_FIELD_NAMES, MESSAGE_TYPE_NAMES, OFFSET_NAMES, ORDER_EVENT_NAMES, SIDE_NAMES } from './evidence';
import { EXCHANGE_FULL_NAMES, EXCHANGE_NAMES, EXCHANGE_TIME_ZONE_NAME, PHASE_NAMES, PRODUCT_NAMES } from './market';
import { RULE_METRIC_TERMS, RULE_PARAM_TERMS, UNIT_NAMES } from './parameters';

export * from './alerts';
export * from './columns';
export * from './evidence';
export * from './market';
export * from './parameters';
export * from './term';

/** Every table of the vocabulary, for the completeness test and for anyone listing terms. */
export const VOCABULARY = {
  rules: RULE_NAMES,
  severities: SEVERITY_NAMES,
  alertStates: ALERT_STATE_NAMES,
  roles: ROLE_NAMES,
  accountActions: ACCOUNT_ACTION_NAMES,
  queueViews: QUEUE_VIEW_NAMES,
  slaStages: SLA_STAGE_NAMES,
  exchanges: EXCHANGE_NAMES,
  exchangeFullNames: EXCHANGE_FULL_NAMES,
  exchangeTimeZone: { name: EXCHANGE_TIME_ZONE_NAME },
  phases: PHASE_NAMES,
  products: PRODUCT_NAMES,
  messageTypes: MESSAGE_TYPE_NAMES,
  orderEvents: ORDER_EVENT_NAMES,
  sides: SIDE_NAMES,
  offsets: OFFSET_NAMES,
  evidenceFields: EVIDENCE_FIELD_NAMES,
  units: UNIT_NAMES,
  ruleParams: RULE_PARAM_TERMS,
  ruleMetrics: RULE_METRIC_TERMS,
  columns: COLUMN_NAMES,
  reportColumns: REPORT_COLUMN_NAMES,
} as const;
