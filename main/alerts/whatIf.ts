// What-if tuning (issue 5): replays a saved session once through one engine state and two rule engines — the
// current thresholds and the proposed ones — and compares their alerts per rule and by id. Runs in a worker thread
// (whatIfWorker.ts) so the main side never stalls; the function itself is plain and synchronous.
import type { RulesConfig } from '../../shared/rules/config';
import { RULE_IDS, type Alert, type RuleId } from '../../shared/rules/types';
import type { WhatIfAlertRef, WhatIfResult, WhatIfSide } from '../../shared/api/methods/rules';
import { EngineState } from '../engine/state';
import { RuleEngine } from '../rules';
import { SessionReader } from '../store/sessionReader';

/** Most alerts listed as appeared / disappeared (the totals are always exact). */
export const WHAT_IF_LIST_LIMIT = 500;

export interface WhatIfJob {
  file: string;
  current: RulesConfig;
  proposed: RulesConfig;
}

/** Runs the job over the session file. Throws SessionFileError for a missing or bad file. */
export function runWhatIf(job: WhatIfJob): WhatIfResult {
  const started = performance.now();
  const reader = SessionReader.open(job.file);
  try {
    const meta = reader.meta;
    const tradingDay = meta.tradingDay || undefined;
    const state = new EngineState();
    const current = new RuleEngine({ config: job.current, view: state, tradingDay });
    const proposed = new RuleEngine({ config: job.proposed, view: state, tradingDay });
    let messages = 0;
    for (const chunk of reader.messageChunks()) {
      for (const message of chunk) {
        state.apply(message);
        current.apply(message);
        proposed.apply(message);
        messages++;
      }
    }
    return compareAlerts(
      { file: job.file, sessionId: meta.sessionId, tradingDay: meta.tradingDay, messages },
      { version: job.current.version, alerts: current.alerts() },
      { version: job.proposed.version, alerts: proposed.alerts() },
      performance.now() - started,
    );
  } finally {
    reader.close();
  }
}

/** Side-by-side counts and the id differences of two alert lists. */
export function compareAlerts(
  session: { file: string; sessionId: string; tradingDay: string; messages: number },
  current: { version: string; alerts: Alert[] },
  proposed: { version: string; alerts: Alert[] },
  elapsedMs: number,
): WhatIfResult {
  const currentIds = new Set(current.alerts.map((a) => a.id));
  const proposedIds = new Set(proposed.alerts.map((a) => a.id));
  const appeared = proposed.alerts.filter((a) => !currentIds.has(a.id));
  const disappeared = current.alerts.filter((a) => !proposedIds.has(a.id));
  const currentSide = side(current.version, current.alerts);
  const proposedSide = side(proposed.version, proposed.alerts);
  return {
    ...session,
    elapsedMs: Math.round(elapsedMs),
    current: currentSide,
    proposed: proposedSide,
    rules: RULE_IDS.map((rule) => ({
      rule,
      current: currentSide.byRule[rule],
      proposed: proposedSide.byRule[rule],
      delta: proposedSide.byRule[rule] - currentSide.byRule[rule],
    })),
    appeared: appeared.slice(0, WHAT_IF_LIST_LIMIT).map(refOf),
    disappeared: disappeared.slice(0, WHAT_IF_LIST_LIMIT).map(refOf),
    appearedTotal: appeared.length,
    disappearedTotal: disappeared.length,
  };
}

function side(version: string, alerts: Alert[]): WhatIfSide {
  const byRule = Object.fromEntries(RULE_IDS.map((rule) => [rule, 0])) as Record<RuleId, number>;
  for (const alert of alerts) byRule[alert.rule]++;
  return { version, total: alerts.length, byRule };
}

function refOf(alert: Alert): WhatIfAlertRef {
  return {
    id: alert.id,
    rule: alert.rule,
    subjectId: alert.subjectId,
    instrumentId: alert.instrumentId,
    severity: alert.severity,
    count: alert.count,
    threshold: alert.threshold,
    message: alert.message,
  };
}
