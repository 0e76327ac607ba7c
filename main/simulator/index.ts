// The exchange simulator: a seeded trading day (generateSession), its matching engine, misconduct scenarios with
// ground truth, and the fw-feed/1 WebSocket server that paces and serves it. See README.md in this folder.
export { OrderBook, NO_PRICE, type BookOrder, type Fill, type Side } from './matching';
export { INSTRUMENTS, SCENARIO_ACCOUNTS, buildAccounts, type InstrumentSpec, type AccountSpec } from './catalogue';
export {
  SessionGenerator,
  generateSession,
  generateSessionArray,
  DEFAULT_MESSAGES,
  DEFAULT_TRADING_DAY,
  MIN_MESSAGES,
  MIN_MESSAGES_WITH_SCENARIOS,
  type GenerateOptions,
} from './generator';
export {
  RULE_IDS,
  parseScenarios,
  resolveScenarios,
  isRuleId,
  type RuleId,
  type ScenarioSelection,
  type GroundTruth,
} from './scenarios';
export {
  startSimulatorServer,
  SimulatorSession,
  DEFAULT_RATE,
  DEFAULT_DAY_SECONDS,
  type SimulatorServerOptions,
  type RunningSimulator,
  type SimulatorCounters,
  type UnfillableGap,
} from './server';
export type { SimulatorWorkerData, SimulatorWorkerEvent } from './worker';
