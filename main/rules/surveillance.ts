// The engine path for offline runs (surveil, benchmarks, tests): the engine state applies each message, then the
// rules see it — the same order the core uses live, so a replay gives the same alerts.
import type { ServerMessage } from '../../shared/protocol';
import type { RulesConfig } from '../../shared/rules/config';
import type { Alert } from '../../shared/rules/types';
import { EngineState } from '../engine/state';
import { RuleEngine } from './engine';

export interface SurveillanceOptions {
  config: RulesConfig;
  tradingDay?: string;
}

export class Surveillance {
  readonly state = new EngineState();
  readonly rules: RuleEngine;

  constructor(options: SurveillanceOptions) {
    this.rules = new RuleEngine({ config: options.config, view: this.state, tradingDay: options.tradingDay });
  }

  apply(message: ServerMessage): void {
    this.state.apply(message);
    this.rules.apply(message);
  }

  alerts(): Alert[] {
    return this.rules.alerts();
  }
}

/** Runs a whole message sequence and returns the alerts in their final state. */
export function surveilMessages(messages: Iterable<ServerMessage>, options: SurveillanceOptions): Alert[] {
  const run = new Surveillance(options);
  for (const message of messages) run.apply(message);
  return run.alerts();
}
