// The surveillance rule engine: construction, feeding, alerts. See engine.ts.
export { RuleEngine, tradingDayOf, type RuleEngineOptions, type RuleEngineStats } from './engine';
export { loadRulesConfig, defaultRulesConfig, type LoadedRules } from './loadRules';
export { Surveillance, surveilMessages, type SurveillanceOptions } from './surveillance';
