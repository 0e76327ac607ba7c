// Live rules reload: new thresholds for the running core without losing today's counts. The RuleEngine's tallies
// depend on the thresholds in force when each message arrived (a cancel is "large" by the lot size of the day's
// rule, a spoof by the depth ratio…), so swapping the config of the running engine would leave counts that no
// threshold ever made. Instead a new engine with the new thresholds is rebuilt by replaying today's messages from
// the session journal through a shadow EngineState (the rules read the book as it was), in slices so the live feed
// keeps flowing, then — in the same tick as the last slice reaches the live position — handed to the runtime, which
// from then on feeds it the live messages and points its view at the live state. Alerts already raised stay: the
// runtime keeps its alert rows and only adds or updates the ones the new engine raises.
import type { SequencedMessage } from '../../shared/protocol';
import type { RulesConfig } from '../../shared/rules/config';
import { EngineState } from '../engine/state';
import { RuleEngine } from '../rules';
import type { BookView, EngineView, WorkingOrder } from '../engine/view';
import { SessionReader } from '../store/sessionReader';

/** Messages replayed per slice before the core's event loop gets a turn (live batches, requests). */
const SLICE_MESSAGES = 20_000;
/** A rebuild that has not caught up with the live feed by then gives up (the thresholds then apply at next start). */
const REBUILD_TIMEOUT_MS = 60_000;

/** What a reload reports (the core request's reply). */
export interface RulesReloadResult {
  version: string;
  /** Messages replayed from the journal to rebuild today's counts. */
  replayedMessages: number;
  /** Alerts the rebuilt engine holds (created or updated in the runtime's rows). */
  alerts: number;
  /** Alerts raised under the old thresholds that the new ones do not raise (kept as they were). */
  keptAlerts: number;
  elapsedMs: number;
}

/** The messages the live core has applied this session, as recorded. */
export interface RulesHistory {
  /** Makes everything applied so far readable (the recorder's flush). */
  sync(): Promise<void>;
  /** Up to `max` recorded messages from the first one at or after `fromSeq`, in seq order. */
  read(fromSeq: number, max: number): SequencedMessage[];
  close(): void;
}

/** The live recorder's session file as a history (opened read-only beside the journal thread writing it). */
export function journalHistory(file: string, flush: () => Promise<void>): RulesHistory {
  let reader: SessionReader | null = null;
  return {
    sync: flush,
    read(fromSeq, max) {
      reader ??= SessionReader.open(file);
      return reader.readMessages(fromSeq, max);
    },
    close() {
      reader?.close();
      reader = null;
    },
  };
}

/** An EngineView that forwards to a target that can be swapped (the shadow state during the rebuild, then live). */
export class SwitchableView implements EngineView {
  constructor(public target: EngineView) {}
  get lastSeq(): number {
    return this.target.lastSeq;
  }
  get lastTs(): number {
    return this.target.lastTs;
  }
  get ended(): boolean {
    return this.target.ended;
  }
  instrument(id: string) {
    return this.target.instrument(id);
  }
  instruments() {
    return this.target.instruments();
  }
  book(id: string): BookView | undefined {
    return this.target.book(id);
  }
  mark(id: string) {
    return this.target.mark(id);
  }
  phase(id: string) {
    return this.target.phase(id);
  }
  account(id: string) {
    return this.target.account(id);
  }
  accounts() {
    return this.target.accounts();
  }
  valueAccount(id: string) {
    return this.target.valueAccount(id);
  }
  accountRiskDegree(id: string) {
    return this.target.accountRiskDegree(id);
  }
  accountsInGroup(group: string) {
    return this.target.accountsInGroup(group);
  }
  clientProfile(accountId: string) {
    return this.target.clientProfile(accountId);
  }
  deliveryTerms(instrumentId: string) {
    return this.target.deliveryTerms(instrumentId);
  }
  position(accountId: string, instrumentId: string) {
    return this.target.position(accountId, instrumentId);
  }
  positionsOf(accountId: string) {
    return this.target.positionsOf(accountId);
  }
  order(orderId: string): WorkingOrder | undefined {
    return this.target.order(orderId);
  }
  workingOrders(accountId: string) {
    return this.target.workingOrders(accountId);
  }
}

export interface RebuildRulesOptions {
  config: RulesConfig;
  /** The live rules' trading day (the rebuilt engine counts the same day). */
  tradingDay: string | null;
  history: RulesHistory;
  /** Seq of the last message the runtime applied (read at every slice: the feed goes on meanwhile). */
  appliedSeq: () => number;
  /** The live engine state the rebuilt rules read once caught up. */
  liveView: EngineView;
  /** Changes when the runtime starts another session: a rebuild across it is abandoned. */
  generation: () => number;
  /** Called synchronously with the caught-up engine: the runtime must make it its rules in the same tick. */
  adopt: (rules: RuleEngine) => void;
  timeoutMs?: number;
  sliceMessages?: number;
}

/** Rebuilds the rules over the history up to the live position and hands them over (see the file comment). */
export async function rebuildRules(options: RebuildRulesOptions): Promise<{ replayed: number }> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? REBUILD_TIMEOUT_MS;
  const slice = options.sliceMessages ?? SLICE_MESSAGES;
  const generation = options.generation();
  const shadow = new EngineState();
  const view = new SwitchableView(shadow);
  const rules = new RuleEngine({ config: options.config, view, tradingDay: options.tradingDay ?? undefined });
  let next = 1;
  let replayed = 0;
  let synced = false;
  try {
    for (;;) {
      if (options.generation() !== generation) throw new Error('the feed started another session during the reload');
      if (Date.now() - started > timeoutMs) {
        throw new Error(`the rebuild did not catch up with the live feed within ${timeoutMs} ms`);
      }
      const target = options.appliedSeq();
      if (shadow.lastSeq >= target) {
        // Caught up: from this tick on the runtime feeds these rules the live messages, read against the live state.
        view.target = options.liveView;
        options.adopt(rules);
        return { replayed };
      }
      const batch = options.history.read(next, slice);
      let applied = 0;
      for (const message of batch) {
        if (message.seq > target) break;
        shadow.apply(message);
        rules.apply(message);
        applied++;
      }
      replayed += applied;
      const last = batch[applied - 1];
      if (last) next = last.seq + 1;
      if (applied === 0) {
        // Nothing more on disk: flush the recorder once; if the journal still lacks what the core applied, the
        // counts cannot be rebuilt exactly.
        if (synced) throw new Error(`the session journal stops at seq ${shadow.lastSeq}; the core is at seq ${target}`);
        await options.history.sync();
        synced = true;
        continue;
      }
      synced = false;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    options.history.close();
  }
}
