// `npm run bench:detect`: precision and recall of every surveillance rule against the simulator's ground truth,
// over several seeds; false alerts per 100k messages on clean sessions (no injections); and what the rule set
// costs next to decoding and the engine state. `--json` prints the figures as one JSON object.
//
// An alert matches a truth line when rule, client (subjectId) and scope agree (the rule catalogue's scope): the
// contract for contract rules, the exchange for exchange-wide ones (order_burst), nothing more for account ones
// (margin_call). Each rule's precision/recall target is its catalogue entry's benchTarget.
import { parseArgs } from 'node:util';
import { isRejection, validateMessage, type ServerMessage } from '../shared/protocol';
import { RULES } from '../shared/rules/catalogue';
import { RULE_IDS, type Alert, type RuleId } from '../shared/rules/types';
import { defaultRulesConfig } from '../main/rules/loadRules';
import { RuleEngine } from '../main/rules/engine';
import { Surveillance } from '../main/rules/surveillance';
import { EngineState } from '../main/engine/state';
import { generateSessionArray } from '../main/simulator/generator';
import type { GroundTruth } from '../main/simulator/scenarios';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    messages: { type: 'string', default: '200000' },
    clean: { type: 'string', default: '3' },
    'clean-messages': { type: 'string', default: '300000' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const seeds = Number(values.seeds);
const messagesPerSession = Number(values.messages);
const cleanSessions = Number(values.clean);
const cleanMessages = Number(values['clean-messages']);
for (const [name, value] of [
  ['seeds', seeds],
  ['messages', messagesPerSession],
  ['clean', cleanSessions],
  ['clean-messages', cleanMessages],
] as const) {
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`bench:detect: --${name} must be a whole number\n`);
    process.exit(2);
  }
}

const target = (rule: RuleId): number => RULES[rule].benchTarget;

const config = defaultRulesConfig();
const log = (line: string) => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

/** What one alert covers, by the rule's catalogue scope: the account, the exchange, or the contract. */
function keyOf(rule: RuleId, subjectId: string, instrumentId: string | null, exchange: string | null): string {
  const scope = RULES[rule].scope;
  if (scope === 'account') return `${rule}|${subjectId}`;
  if (scope === 'exchange') return `${rule}|${subjectId}|${exchange ?? ''}`;
  return `${rule}|${subjectId}|${instrumentId ?? ''}`;
}
const alertKey = (a: Alert) => keyOf(a.rule, a.subjectId, a.instrumentId, a.exchange);
const truthKey = (t: GroundTruth) => keyOf(t.rule, t.subjectId, t.instrumentId, t.exchange);

interface Tally {
  truths: number;
  alerts: number;
  matchedTruths: number;
  matchedAlerts: number;
}
const tallies = new Map<RuleId, Tally>(
  RULE_IDS.map((r) => [r, { truths: 0, alerts: 0, matchedTruths: 0, matchedAlerts: 0 }]),
);
const misses: string[] = [];
const falseAlerts: string[] = [];

function runSession(messages: readonly ServerMessage[]): Alert[] {
  const run = new Surveillance({ config });
  for (let i = 0; i < messages.length; i++) run.apply(messages[i] as ServerMessage);
  return run.alerts();
}

let scenarioMessages = 0;
for (let seed = 1; seed <= seeds; seed++) {
  const started = performance.now();
  const { messages, truth } = generateSessionArray({ seed, messages: messagesPerSession, scenarios: 'all' });
  scenarioMessages += messages.length;
  const alerts = runSession(messages);
  const truthKeys = new Map<string, number>();
  for (const t of truth) {
    const key = truthKey(t);
    truthKeys.set(key, (truthKeys.get(key) ?? 0) + 1);
    (tallies.get(t.rule) as Tally).truths++;
  }
  const alertKeys = new Set(alerts.map(alertKey));
  for (const t of truth) {
    if (alertKeys.has(truthKey(t))) (tallies.get(t.rule) as Tally).matchedTruths++;
    else misses.push(`seed ${seed}: missed ${t.rule} ${t.subjectId} ${t.instrumentId ?? ''} (${t.detail})`);
  }
  for (const a of alerts) {
    const tally = tallies.get(a.rule) as Tally;
    tally.alerts++;
    if (truthKeys.has(alertKey(a))) tally.matchedAlerts++;
    else falseAlerts.push(`seed ${seed}: unexpected ${a.rule} ${a.subjectId} ${a.instrumentId ?? ''}: ${a.message}`);
  }
  log(
    `seed ${seed}: ${messages.length} messages, ${truth.length} injected cases, ${alerts.length} alerts (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

let cleanTotal = 0;
let cleanAlerts = 0;
const cleanExamples: string[] = [];
let costSample: ServerMessage[] | null = null;
for (let i = 0; i < cleanSessions; i++) {
  const seed = 1000 + i;
  const { messages } = generateSessionArray({ seed, messages: cleanMessages, scenarios: 'none' });
  const alerts = runSession(messages);
  cleanTotal += messages.length;
  cleanAlerts += alerts.length;
  for (const a of alerts)
    cleanExamples.push(`clean seed ${seed}: ${a.rule} ${a.subjectId} ${a.instrumentId ?? ''}: ${a.message}`);
  log(`clean seed ${seed}: ${messages.length} messages, ${alerts.length} alerts`);
  if (!costSample) costSample = messages;
}
const falsePer100k = cleanTotal > 0 ? (cleanAlerts / cleanTotal) * 100_000 : 0;

// ---- cost: user CPU time (steadier than wall time on a shared machine), best of a few runs
function cpuMs(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}
let cost: { decodeStateMs: number; stateMs: number; rulesMs: number; messages: number } | null = null;
if (costSample) {
  const sample = costSample;
  const lines = sample.map((m) => JSON.stringify(m));
  const decodeAndState = cpuMs(() => {
    const state = new EngineState();
    for (const line of lines) {
      const m = validateMessage(JSON.parse(line));
      if (!isRejection(m)) state.apply(m);
    }
  });
  const stateOnly = cpuMs(() => {
    const state = new EngineState();
    for (let i = 0; i < sample.length; i++) state.apply(sample[i] as ServerMessage);
  });
  const stateAndRules = cpuMs(() => {
    const state = new EngineState();
    const rules = new RuleEngine({ config, view: state });
    for (let i = 0; i < sample.length; i++) {
      state.apply(sample[i] as ServerMessage);
      rules.apply(sample[i] as ServerMessage);
    }
  });
  cost = {
    decodeStateMs: decodeAndState,
    stateMs: stateOnly,
    rulesMs: Math.max(0, stateAndRules - stateOnly),
    messages: sample.length,
  };
}

// ---- report
const rows = RULE_IDS.map((rule) => {
  const t = tallies.get(rule) as Tally;
  const precision = t.alerts === 0 ? (t.truths === 0 ? 1 : 0) : t.matchedAlerts / t.alerts;
  const recall = t.truths === 0 ? 1 : t.matchedTruths / t.truths;
  const goal = target(rule);
  const ok = t.truths > 0 && precision >= goal && recall >= goal;
  return { rule, ...t, precision, recall, goal, ok };
});
const allOk = rows.every((r) => r.ok) && falsePer100k <= 1;

if (values.json) {
  const out: Record<string, number> = {};
  for (const r of rows) {
    out[`detect_${r.rule}_precision`] = Number(r.precision.toFixed(4));
    out[`detect_${r.rule}_recall`] = Number(r.recall.toFixed(4));
  }
  out.detect_clean_false_alerts_per_100k = Number(falsePer100k.toFixed(3));
  if (cost) {
    out.rules_cost_us_per_msg = Number(((cost.rulesMs * 1000) / cost.messages).toFixed(3));
    out.rules_cost_pct_of_decode_state = Number(((cost.rulesMs / cost.decodeStateMs) * 100).toFixed(1));
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  const header = ['rule', 'injected', 'alerts', 'precision', 'recall', 'target', ''];
  const table = rows.map((r) => [
    r.rule,
    String(r.truths),
    String(r.alerts),
    r.precision.toFixed(3),
    r.recall.toFixed(3),
    `≥ ${r.goal.toFixed(2)}`,
    r.ok ? 'ok' : r.truths === 0 ? 'NO CASES' : 'BELOW TARGET',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  const out: string[] = [];
  out.push(
    `Detection over ${seeds} seeded sessions (${scenarioMessages.toLocaleString('en-US')} messages, all scenarios):`,
  );
  out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(line));
  out.push('');
  out.push(
    `Clean sessions: ${cleanAlerts} alerts in ${cleanTotal.toLocaleString('en-US')} messages = ${falsePer100k.toFixed(2)} per 100k (target ≤ 1)`,
  );
  if (cost) {
    const perMsg = (ms: number) => `${((ms * 1000) / cost!.messages).toFixed(3)} µs/msg`;
    out.push(
      `Cost (CPU, ${cost.messages.toLocaleString('en-US')} messages): decode+state ${perMsg(cost.decodeStateMs)}, state ${perMsg(cost.stateMs)}, rules ${perMsg(cost.rulesMs)} = ${((cost.rulesMs / cost.decodeStateMs) * 100).toFixed(1)}% of decode+state (journal not included)`,
    );
  }
  if (values.verbose || misses.length + falseAlerts.length + cleanExamples.length <= 20) {
    for (const m of [...misses, ...falseAlerts, ...cleanExamples]) out.push(`  ${m}`);
  } else {
    out.push(
      `  ${misses.length} misses, ${falseAlerts.length} unexpected alerts, ${cleanExamples.length} clean alerts (--verbose lists them)`,
    );
  }
  out.push(allOk ? 'All targets met.' : 'Some targets are not met.');
  process.stdout.write(`${out.join('\n')}\n`);
}
process.exitCode = allOk ? 0 : 1;
