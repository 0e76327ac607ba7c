// One pass over a session (session file or NDJSON, through `surveil`'s own input loading) that gathers what every
// report needs: the alerts exactly as `floorwatch surveil` prints them, the run counters, the feed's seq gaps, and —
// from a second rule engine fed the same messages with every count threshold lowered to 1 — each client's tally on
// each count rule, so a report can list the clients closest to a threshold without re-implementing a rule.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isSequenced, type Exchange, type ServerMessage } from '../../shared/protocol';
import { resolveRuleParams, type RulesConfig } from '../../shared/rules/config';
import { ruleEntry, rulesOfKind } from '../../shared/rules/catalogue';
import type { Alert, RuleId } from '../../shared/rules/types';
import { replayInput, type RunCounters } from '../cli/commands/surveil';
import { Surveillance } from '../rules/surveillance';
import type { SessionGap } from '../store/sessionFormat';

/** The exchange abnormal-trading standards (异常交易监控标准) that count events against a threshold. */
export const COUNT_RULES: readonly RuleId[] = rulesOfKind('standard');
export type CountRule = RuleId;

/** A client's tally on one count rule, whether or not it reached the threshold. */
export interface Tally {
  rule: CountRule;
  exchange: Exchange | null;
  subjectId: string;
  subjectType: string;
  instrumentId: string | null;
  count: number;
  /** The real threshold for this contract (limit for position_limit); null when none is known. */
  threshold: number | null;
  /** count / threshold (1 = reached). */
  ratio: number;
  reached: boolean;
}

export interface FeedGap {
  fromSeq: number;
  toSeq: number;
  reason: string;
}

export interface SessionFacts {
  input: string;
  /** SHA-256 (hex) of the input file's bytes. */
  inputSha256: string;
  tradingDay: string;
  rulesVersion: string;
  counters: RunCounters;
  /** As `surveil` prints them (firstSeq, then id). */
  alerts: Alert[];
  tallies: Tally[];
  gaps: FeedGap[];
  firstTs: number | null;
  lastTs: number | null;
}

export interface CollectOptions {
  input: string;
  config: RulesConfig;
  tradingDay?: string;
  /** Called every `progressEvery` messages with the number applied so far. */
  onProgress?: (messages: number) => void;
  progressEvery?: number;
  /** Also sees every applied message and its line (e.g. to keep a slice). */
  onMessage?: (message: ServerMessage, line: string) => void;
}

/** A copy of `config` where every count rule raises at its first event (the shadow engine's view of the tallies). */
export function shadowConfig(config: RulesConfig): RulesConfig {
  const shadow = structuredClone(config);
  // Each rule's catalogue entry names the parameters that make it raise at its first event.
  const lower = (rules: Record<string, Record<string, unknown>> | undefined) => {
    if (!rules) return;
    for (const rule of COUNT_RULES) {
      const firstEvent = ruleEntry(rule).firstEventParams;
      const params = rules[rule];
      if (!firstEvent || !params) continue;
      for (const [param, value] of Object.entries(firstEvent)) if (param in params) params[param] = value;
    }
  };
  lower(shadow.rules as unknown as Record<string, Record<string, unknown>>);
  for (const override of Object.values(shadow.exchanges ?? {})) {
    lower(override.rules as Record<string, Record<string, unknown>> | undefined);
    for (const product of Object.values(override.products ?? {})) {
      lower(product.rules as Record<string, Record<string, unknown>>);
    }
  }
  return shadow;
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

export async function collectSession(options: CollectOptions): Promise<SessionFacts> {
  const shadow = new Surveillance({ config: shadowConfig(options.config), tradingDay: options.tradingDay });
  const gaps: FeedGap[] = [];
  let lastSeq = 0;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  let applied = 0;
  const every = options.progressEvery ?? 100_000;
  const { run, counters, sessionGaps, sessionDay } = await replayInput({
    input: options.input,
    config: options.config,
    tradingDay: options.tradingDay,
    label: 'report',
    onMessage(message, line) {
      // The shadow engine needs its own state: the real run's state already holds this message.
      shadow.apply(message);
      if (isSequenced(message)) {
        if (lastSeq > 0 && message.seq > lastSeq + 1) {
          gaps.push({ fromSeq: lastSeq + 1, toSeq: message.seq - 1, reason: 'seq jump in the input' });
        }
        lastSeq = message.seq;
        if (firstTs === null) firstTs = message.ts;
        lastTs = message.ts;
      }
      options.onMessage?.(message, line);
      if (++applied % every === 0) options.onProgress?.(applied);
    },
  });
  // A session file records its own gaps (feed-reported losses, unwritable messages): those are the ones it names.
  const feedGaps = sessionGaps && sessionGaps.length > 0 ? sessionGaps.map((g: SessionGap) => ({ ...g })) : gaps;
  const inputSha256 = options.input === '-' ? '' : await fileSha256(options.input);
  const tradingDay = run.rules.currentTradingDay ?? options.tradingDay ?? sessionDay ?? 'unknown';
  return {
    input: options.input,
    inputSha256,
    tradingDay,
    rulesVersion: options.config.version,
    counters,
    alerts: run.alerts(),
    tallies: talliesOf(shadow, run, options.config),
    gaps: feedGaps,
    firstTs,
    lastTs,
  };
}

function talliesOf(shadow: Surveillance, real: Surveillance, config: RulesConfig): Tally[] {
  const realById = new Map(real.alerts().map((a) => [a.id, a]));
  const tallies: Tally[] = [];
  for (const alert of shadow.alerts()) {
    if (!(COUNT_RULES as readonly string[]).includes(alert.rule) || alert.count === null) continue;
    const rule = alert.rule as CountRule;
    const reached = realById.get(alert.id);
    const threshold = reached ? reached.threshold : realThreshold(config, real, rule, alert);
    const count = reached?.count ?? alert.count;
    tallies.push({
      rule,
      exchange: alert.exchange,
      subjectId: alert.subjectId,
      subjectType: alert.subjectType,
      instrumentId: alert.instrumentId,
      count,
      threshold,
      ratio: threshold ? count / threshold : 0,
      reached: reached !== undefined,
    });
  }
  return tallies;
}

/** The threshold the real engine compares this tally with (same resolution as the engine: exchange, product). */
function realThreshold(config: RulesConfig, real: Surveillance, rule: CountRule, alert: Alert): number | null {
  const instrument = alert.instrumentId ? real.state.instrument(alert.instrumentId) : undefined;
  const entry = ruleEntry(rule);
  // Scoped wider than a contract (order_burst: per exchange), the rule takes no product override.
  const product = entry.scope === 'contract' ? (instrument?.product ?? null) : null;
  const params = resolveRuleParams(config, rule, alert.exchange, product) as Record<string, unknown>;
  return entry.threshold(params, { positionLimit: instrument?.positionLimit ?? null });
}

export type { RuleId };
