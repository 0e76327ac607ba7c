// generateSession: the simulator's whole trading day as a pure, synchronous, seeded sequence of fw-feed/1 messages.
// No socket, no timers: the WebSocket server (server.ts) paces it; journal, rules and benchmark code use it directly
// to make test data. Same options → same messages (with virtualClock, byte-identical JSON).
//
// The day: static data (instruments, accounts, start-of-day positions) at 08:50 China time, then each exchange's
// phases (pre-open, auction 08:55 / CFFEX 09:25, continuous, the 10:15 and lunch breaks, close at 15:00) and `end`.
// `messages` sets the day's length in sequenced messages: the simulated clock spreads them over the trading hours,
// so a short file and a long live session have the same shape. Misconduct cases (scenarios.ts) run at times of day
// picked from the seed and report ground truth through `onTruth` (and `truth`), never into the feed.
import type { InstrumentMessage, SequencedMessage } from '../../shared/protocol';
import { positionMargin } from '../../shared/domain/risk';
import { DAY_START, INSTRUMENTS, activeIntervals, phaseEvents, type PhaseEvent } from './catalogue';
import { DEFAULT_ACCOUNTS, buildFloor } from './floor';
import { Background } from './background';
import { clientProfile, deliveryTerms, terminalOf } from './feedProfile';
import { AccountState, InstrumentState, Market, type TradingMode } from './market';
import { Rng } from './random';
import {
  planScenarios,
  resolveScenarios,
  type GroundTruth,
  type RuleId,
  type ScenarioCase,
  type ScenarioContext,
  type ScenarioSelection,
} from './scenarios';

export interface GenerateOptions {
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** Length of the day in sequenced messages, static data and `end` included (default 1,000,000; ± a few). */
  messages?: number;
  /** Misconduct to inject (default 'none'). */
  scenarios?: ScenarioSelection;
  /**
   * true (default): `ts` is the simulated time of day on `tradingDay`, so output is byte-identical for a seed.
   * false: `ts` is the wall clock when each step is generated (the live server overwrites it at send anyway).
   */
  virtualClock?: boolean;
  /** YYYYMMDD (default 20260319). */
  tradingDay?: string;
  /**
   * Client accounts on the floor (default 50, at least 50: the first 50 are the catalogue's market makers, control
   * groups and scenario roles; the rest a broker's client base, mostly idle on the day).
   */
  accounts?: number;
  /** Instruments: N (≤ 10: the catalogue's first N, else the full universe's first N, most-traded first) or 'all'. */
  instruments?: number | 'all';
  /** Called with each injected case's ground truth when the case completes. */
  onTruth?: (truth: GroundTruth) => void;
  /** Called with a line of explanation when a case could not complete (it then has no ground truth). */
  onNote?: (message: string) => void;
}

export const DEFAULT_TRADING_DAY = '20260319';
export const DEFAULT_MESSAGES = 1_000_000;
/** Shortest day: static data, phases and some trading. */
export const MIN_MESSAGES = 2_000;
/** Shortest day with scenarios: the cases need about 6,000 messages and a market around them. */
export const MIN_MESSAGES_WITH_SCENARIOS = 50_000;
/** Client actions (orders, cancels) of a whole day; the rest of the day's messages are the wider market's. */
const CLIENT_ACTIONS_PER_DAY = 60_000;

/** Epoch ms of midnight China Standard Time (UTC+8) on a YYYYMMDD day. */
export function dayEpochMs(tradingDay: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(tradingDay);
  if (!match) throw new RangeError(`trading day "${tradingDay}" must be YYYYMMDD`);
  const [, y, m, d] = match;
  const epoch = Date.UTC(Number(y), Number(m) - 1, Number(d)) - 8 * 3600_000;
  if (!Number.isFinite(epoch) || new Date(epoch + 8 * 3600_000).getUTCDate() !== Number(d)) {
    throw new RangeError(`trading day "${tradingDay}" is not a calendar date`);
  }
  return epoch;
}

/** Today's date in China (the trading day a live session reports). */
export function chinaToday(now = Date.now()): string {
  const d = new Date(now + 8 * 3600_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export class SessionGenerator implements Iterable<SequencedMessage> {
  readonly seed: number;
  readonly messageTarget: number;
  readonly tradingDay: string;
  readonly virtualClock: boolean;
  readonly scenarios: ReadonlySet<RuleId>;
  /** Ground truth of the cases completed so far, in completion order. */
  readonly truth: GroundTruth[] = [];
  readonly notes: string[] = [];
  /** Messages of the start-of-day static data (instruments, accounts, positions): seqs 1 to this. */
  readonly staticMessages: number;
  private readonly market: Market;
  private readonly rng: Rng;
  private readonly background: Background;
  private readonly cases: ScenarioCase[];
  private readonly epoch: number;
  private readonly phases: PhaseEvent[];
  private phaseIndex = 0;
  private readonly active: Array<[number, number]>;
  private readonly context: ScenarioContext;
  private readonly onTruth?: (truth: GroundTruth) => void;
  private readonly onNote?: (message: string) => void;
  private started = false;
  private finished = false;
  private head = 0;
  private nextBackgroundAt: number;
  private scenarioAt = Infinity;
  private reserve = 0;
  private steps = 0;
  private idleSteps = 0;

  constructor(options: GenerateOptions = {}) {
    this.seed = options.seed ?? 1;
    if (!Number.isInteger(this.seed)) throw new RangeError(`seed ${this.seed} must be an integer`);
    this.scenarios = resolveScenarios(options.scenarios);
    this.messageTarget = options.messages ?? DEFAULT_MESSAGES;
    const minimum = this.scenarios.size > 0 ? MIN_MESSAGES_WITH_SCENARIOS : MIN_MESSAGES;
    if (!Number.isSafeInteger(this.messageTarget) || this.messageTarget < minimum) {
      throw new RangeError(
        `messages must be a whole number ≥ ${minimum.toLocaleString('en-US')}${this.scenarios.size > 0 ? ' with scenarios' : ''} (got ${options.messages})`,
      );
    }
    this.tradingDay = options.tradingDay ?? DEFAULT_TRADING_DAY;
    this.epoch = dayEpochMs(this.tradingDay);
    this.virtualClock = options.virtualClock ?? true;
    this.onTruth = options.onTruth;
    this.onNote = options.onNote;
    this.rng = new Rng(this.seed);

    const floor = buildFloor({ accounts: options.accounts, instruments: options.instruments }, this.seed);
    if (this.scenarios.size > 0) {
      const listed = new Set(floor.instruments.map((i) => i.instrumentId));
      const missing = INSTRUMENTS.filter((i) => !listed.has(i.instrumentId)).map((i) => i.instrumentId);
      if (missing.length > 0) {
        throw new RangeError(
          `scenarios need the catalogue's ${INSTRUMENTS.length} contracts (${missing.join(', ')} missing): use at least ${INSTRUMENTS.length} instruments`,
        );
      }
    }
    const specs = floor.accounts;
    // Self-trade subjects: one number per account, then one per control group (its members share it).
    const groupSubject = new Map<string, number>();
    for (const spec of specs) {
      if (spec.controlGroup && !groupSubject.has(spec.controlGroup))
        groupSubject.set(spec.controlGroup, specs.length + groupSubject.size);
    }
    const instruments = floor.instruments.map((spec, i) => new InstrumentState(i, spec));
    const accounts = specs.map((spec, i) => {
      const subject = spec.controlGroup ? groupSubject.get(spec.controlGroup)! : i;
      return new AccountState(i, spec, subject, 0);
    });
    this.market = new Market(instruments, accounts, this.rng);
    this.startOfDay();
    this.cases = planScenarios(this.market, this.rng, this.scenarios, this.messageTarget);
    let positions = 0;
    for (const account of accounts)
      for (const pos of account.holdings.values()) if (pos.longQty !== 0 || pos.shortQty !== 0) positions++;
    // Instruments, accounts, their terminals, positions.
    this.staticMessages = instruments.length + 2 * accounts.length + positions;
    for (const account of accounts) {
      const activity = account.spec.activity ?? 1;
      if (!account.background || activity <= 0) continue;
      for (const id of account.spec.instruments) {
        const inst = this.market.byInstrumentId.get(id)!;
        if (account.spec.role === 'market_maker') inst.marketMakers.push(account);
        else inst.addTrader(account, activity);
      }
    }

    const exchanges = [...new Set(floor.instruments.map((i) => i.exchange))];
    this.phases = phaseEvents(exchanges);
    this.active = activeIntervals(exchanges);
    this.nextBackgroundAt = this.active[0]?.[0] ?? Infinity;
    const expectedSteps = this.messageTarget / 0.9;
    // A bigger client base sends more orders (sub-linearly: most of it is idle), up to a quarter of the steps.
    const clientActions = CLIENT_ACTIONS_PER_DAY * Math.sqrt(Math.max(1, specs.length / DEFAULT_ACCOUNTS));
    this.background = new Background(this.market, this.rng, Math.min(0.25, clientActions / expectedSteps));
    this.context = {
      market: this.market,
      rng: this.rng,
      advance: (ms) => {
        if (this.virtualClock) this.market.ts += ms;
        this.market.clock += ms / 1000;
      },
      report: (truth) => {
        this.truth.push(truth);
        this.onTruth?.(truth);
      },
      note: (message) => {
        this.notes.push(message);
        this.onNote?.(message);
      },
    };
    this.scenarioAt = Math.min(Infinity, ...this.cases.map((c) => c.nextAt));
    this.market.clock = DAY_START;
    this.market.ts = this.virtualClock ? this.tsAt(DAY_START) : Date.now();
  }

  /** Sequenced messages generated so far (the seq of the newest). */
  get generated(): number {
    return this.market.seq;
  }

  /** True once `end` has been handed out. */
  get done(): boolean {
    return this.finished && this.head >= this.market.out.length;
  }

  /** The simulated time of day of the newest message, seconds after midnight China time. */
  get clock(): number {
    return this.market.clock;
  }

  next(): SequencedMessage | undefined {
    const out = this.market.out;
    while (this.head >= out.length) {
      if (this.finished) return undefined;
      this.recycle();
      this.step();
    }
    return out[this.head++];
  }

  /** Empties the output queue once it has been read, now and then (clearing an array is not free). */
  private recycle(): void {
    if (this.head > 2048) {
      this.market.out.length = 0;
      this.head = 0;
    }
  }

  /** Appends up to `max` messages to `into` (fewer only at the end of the day); returns `into`. */
  take(max: number, into: SequencedMessage[] = []): SequencedMessage[] {
    const out = this.market.out;
    let left = max;
    while (left > 0) {
      if (this.head >= out.length) {
        if (this.finished) break;
        this.recycle();
        this.step();
        continue;
      }
      const n = Math.min(left, out.length - this.head);
      for (let i = 0; i < n; i++) into.push(out[this.head + i]!);
      this.head += n;
      left -= n;
    }
    return into;
  }

  *[Symbol.iterator](): Iterator<SequencedMessage> {
    for (let m = this.next(); m !== undefined; m = this.next()) yield m;
  }

  // ---- the day -------------------------------------------------------------------------------------------------

  private tsAt(clock: number): number {
    return this.epoch + Math.round(clock * 1000);
  }

  private setClock(at: number): void {
    const market = this.market;
    if (at > market.clock) market.clock = at;
    market.ts = this.virtualClock ? Math.max(market.ts, this.tsAt(market.clock)) : Date.now();
  }

  private step(): void {
    if (!this.started) {
      this.started = true;
      this.emitStaticData();
      return;
    }
    const phaseAt = this.phases[this.phaseIndex]?.at ?? Infinity;
    const eventAt = phaseAt < this.scenarioAt ? phaseAt : this.scenarioAt;
    if (this.nextBackgroundAt < eventAt) {
      this.setClock(this.nextBackgroundAt);
      const before = this.market.seq;
      this.background.step();
      this.scheduleBackground(this.market.seq - before);
      return;
    }
    if (phaseAt <= this.scenarioAt && phaseAt !== Infinity) {
      this.setClock(phaseAt);
      this.applyPhase(this.phases[this.phaseIndex++]!);
      if (this.phaseIndex === this.phases.length) this.endDay();
      return;
    }
    if (this.scenarioAt === Infinity) {
      this.endDay();
      return;
    }
    this.setClock(this.scenarioAt);
    const clock = this.market.clock;
    for (const c of this.cases) {
      if (c.nextAt <= clock) {
        c.run(this.context);
        // A burst may have moved the message clock on by milliseconds.
        if (this.virtualClock) this.market.clock = Math.max(this.market.clock, (this.market.ts - this.epoch) / 1000);
      }
    }
    this.scenarioAt = Math.min(Infinity, ...this.cases.map((c) => c.nextAt));
    if (this.nextBackgroundAt < this.market.clock) this.nextBackgroundAt = this.market.clock;
  }

  private scheduleBackground(produced: number): void {
    if (this.steps++ % 256 === 0) {
      this.reserve = this.phases.length - this.phaseIndex + 1;
      for (const c of this.cases) this.reserve += c.remainingMessages();
    }
    const budget = this.messageTarget - this.market.seq - this.reserve;
    const clock = this.market.clock;
    const remaining = this.remainingActive(clock);
    if (budget <= 0 || remaining <= 0) {
      this.nextBackgroundAt = Infinity;
      return;
    }
    const perMessage = remaining / budget;
    // Steps that change nothing visible (the auction once its book is built) move the clock on ever faster, so a
    // dense day does not spend millions of empty steps crossing them.
    this.idleSteps = produced > 0 ? 0 : this.idleSteps + 1;
    const dt = perMessage * (produced > 0 ? produced : 0.3 * this.idleSteps) * (0.5 + this.rng.next());
    this.nextBackgroundAt = this.advanceActive(clock, dt);
  }

  private remainingActive(t: number): number {
    let sum = 0;
    for (const [s, e] of this.active) if (e > t) sum += e - (s > t ? s : t);
    return sum;
  }

  /** The time `dt` seconds of trading hours after `t` (skipping the lunch break). */
  private advanceActive(t: number, dt: number): number {
    let left = dt;
    for (const [s, e] of this.active) {
      if (e <= t) continue;
      const from = s > t ? s : t;
      if (from + left < e) return from + left;
      left -= e - from;
    }
    return Infinity;
  }

  private applyPhase(event: PhaseEvent): void {
    const market = this.market;
    market.emit({ seq: market.takeSeq(), ts: market.ts, type: 'phase', exchange: event.exchange, phase: event.phase });
    const mode: TradingMode = event.phase === 'continuous' ? 2 : event.phase === 'auction' ? 1 : 0;
    for (const inst of market.instruments) {
      if (inst.exchange !== event.exchange) continue;
      inst.mode = mode;
      inst.phase = event.phase;
      // A first quote (empty book, last = pre-settlement) so every instrument shows before it trades.
      if (event.phase === 'preopen') market.markDirty(inst);
    }
    market.flush();
    this.background.refreshActive();
    if (this.nextBackgroundAt === Infinity && this.background.anyActive) this.scheduleBackground(1);
  }

  private endDay(): void {
    for (const c of this.cases) if (c.nextAt !== Infinity) c.abandon(this.context);
    this.scenarioAt = Infinity;
    const market = this.market;
    market.emit({ seq: market.takeSeq(), ts: market.ts, type: 'end' });
    this.finished = true;
  }

  // ---- start of day --------------------------------------------------------------------------------------------

  /** Balances and yesterday's positions of the background accounts (scenario accounts are set by their case). */
  private startOfDay(): void {
    const { market, rng } = this;
    for (const account of market.accounts) {
      const mm = account.spec.role === 'market_maker';
      let worstMargin = 0;
      for (const id of account.spec.instruments) {
        const inst = market.byInstrumentId.get(id)!;
        const pos = account.on(inst.index);
        const lots = mm ? Math.max(1, Math.round(inst.spec.externalLots / 5)) * 4 : inst.spec.clientLots * 3;
        if (rng.next() < (mm ? 0.7 : 0.6)) {
          const qty = 1 + rng.int(lots);
          const avg = inst.price(inst.preTicks + rng.range(-20, 20));
          if (rng.next() < 0.5) {
            pos.longQty = qty;
            pos.longAvg = avg;
          } else {
            pos.shortQty = qty;
            pos.shortAvg = avg;
          }
        }
        // Worst case for the day: the start-of-day lots plus a full background position (market makers: inventory cap).
        const dayLots =
          (mm ? Math.max(1, Math.round(inst.spec.externalLots / 5)) * 12 : inst.spec.clientLots * 5) + lots;
        worstMargin += positionMargin(inst.spec, inst.spec.preSettlement * 1.05, dayLots, 0);
      }
      // Well capitalised: even at the worst case the risk degree stays near a third (margin calls are scenarios only).
      // (Market makers quoting hundreds of contracts of a full universe get capital to match.)
      const balance = mm
        ? Math.max(80_000_000 + rng.int(70) * 1_000_000, worstMargin / 0.3)
        : worstMargin / (0.18 + rng.next() * 0.15);
      account.preBalance = Math.max(300_000, Math.round(balance / 1000) * 1000);
    }
  }

  private emitStaticData(): void {
    const market = this.market;
    const ts = market.ts;
    for (const inst of market.instruments) {
      const s = inst.spec;
      const message: InstrumentMessage = {
        seq: market.takeSeq(),
        ts,
        type: 'instrument',
        instrumentId: s.instrumentId,
        exchange: s.exchange,
        product: s.product,
        multiplier: s.multiplier,
        priceTick: s.priceTick,
        marginRate: s.marginRate,
        upperLimit: inst.price(inst.upper),
        lowerLimit: inst.price(inst.lower),
        preSettlement: s.preSettlement,
        positionLimit: s.positionLimit,
        maxOrderQty: s.maxOrderQty,
        ...deliveryTerms(s, this.tradingDay),
      };
      market.emit(message);
    }
    for (const account of market.accounts) {
      market.emit({
        seq: market.takeSeq(),
        ts,
        type: 'account',
        accountId: account.id,
        name: account.spec.name,
        preBalance: account.preBalance,
        ...(account.controlGroup ? { controlGroup: account.controlGroup } : {}),
        ...clientProfile(account.spec),
      });
    }
    // Every client's login terminal (看穿式监管), collected before the day's trading.
    for (const account of market.accounts) {
      market.emit({ seq: market.takeSeq(), ts, type: 'terminal', accountId: account.id, ...terminalOf(account.spec) });
    }
    for (const account of market.accounts) {
      for (const index of account.heldInstruments()) {
        const inst = market.instruments[index]!;
        const pos = account.on(index);
        if (pos.longQty === 0 && pos.shortQty === 0) continue;
        market.emit({
          seq: market.takeSeq(),
          ts,
          type: 'position',
          accountId: account.id,
          instrumentId: inst.id,
          longQty: pos.longQty,
          longAvgPrice: pos.longAvg,
          shortQty: pos.shortQty,
          shortAvgPrice: pos.shortAvg,
        });
      }
    }
  }
}

/** The simulator's trading day as a lazy sequence of messages; see GenerateOptions. Iterate it, or call take(). */
export function generateSession(options: GenerateOptions = {}): SessionGenerator {
  return new SessionGenerator(options);
}

/** The whole day in memory: messages plus the ground truth of the injected cases. */
export function generateSessionArray(options: GenerateOptions = {}): {
  messages: SequencedMessage[];
  truth: GroundTruth[];
  notes: string[];
} {
  const generator = new SessionGenerator(options);
  const messages = generator.take(Number.MAX_SAFE_INTEGER);
  return { messages, truth: generator.truth, notes: generator.notes };
}
