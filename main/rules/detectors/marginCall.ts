// margin_call (追保): an account's risk degree (margin ÷ equity, valued now) reaches the call level. Money is per
// account, so a control group does not sum here. Prices move risk without a trade of the account: each holder has a
// band of prices per contract within which no level can be crossed, indexed per contract, so a quote revalues only
// the holders whose band it left.
import type {
  CashMessage,
  InstrumentMessage,
  PositionMessage,
  QuoteMessage,
  TradeMessage,
} from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import { MarkRecency } from '../../engine/markRecency';
import { AlertRecord, type AlertRenderer } from '../alertBook';
import { BandIndex } from '../bandIndex';
import type { Detector, DetectorContext } from '../detector';
import type { AccountRec, InstrumentRec, PairRec, SideIndex } from '../records';

type Params = RuleParams['margin_call'];

/** Indexed band edges are placed for this part of the headroom and this multiple of the contracts held (see rebuildBands). */
const BASIS_HEADROOM_SLACK = 0.5;
const BASIS_HELD_SLACK = 2;
/** An account's band on a contract is found by scanning its list up to this many; beyond, through a Map. */
const BANDS_SCANNED_UP_TO = 8;
/** An account with at most this many bands has them walked at a check. */
const SHORT_BAND_LIST = 16;

/** One contract as margin_call sees it. */
interface MarginInstrument {
  readonly contract: InstrumentRec;
  /** The band of each account holding a position here today, in the order they came. */
  holderBands: PriceBand[];
  /**
   * The same bands ordered by their edges: while the last price stays strictly inside the tightest, no holder's
   * risk degree can cross a margin level, so a quote costs two comparisons; outside, it finds the broken bands only.
   */
  bands: BandIndex<PriceBand>;
  /** The last price quoted (NaN before any): a different one moves every holder's mark. */
  quotedLast: number;
  /** Stamp of the latest mark or contract change, and neighbours by it (see MarkRecency). */
  markStamp: number;
  newer: MarginInstrument | null;
  older: MarginInstrument | null;
}

/** One account as margin_call sees it. */
interface MarginAccount {
  readonly id: string;
  /**
   * Bands of the contracts held today, iterated on every valuation; found by contract through bandByInstrument
   * once there are more than a few (a short list is scanned: most accounts hold a few or none).
   */
  bandList: PriceBand[];
  bandByInstrument: Map<MarginInstrument, PriceBand> | null;
  /** Bands whose position's quantities changed since the last check. */
  dirtyBands: PriceBand[];
  /** Entries in use in dirtyBands (the array is reused, never shrunk: no allocation per trade). */
  dirtyCount: number;
  /** At the last check: headroom to the nearest margin level, contracts held, and the mark stamp. */
  headroom: number;
  held: number;
  checkStamp: number;
  /** Headroom and held count the indexed edges were computed with (each band's index edges are within its band while headroom ≥ this and held ≤ this). */
  basisHeadroom: number;
  basisHeld: number;
  margin: AlertRecord | null;
  /** Currently at or above the call level (a new crossing counts once). */
  inCall: boolean;
}

/**
 * Prices of one contract within which an account's risk degree cannot cross a level (see MarginCallDetector.rebuildBands):
 * mark ± headroom ÷ (held × weight), from the account's last check. The edges in the index (low, high) lie within
 * those (equal, or tighter while the account's headroom only grew), so every quote that leaves the band is found.
 */
export interface PriceBand {
  readonly inst: MarginInstrument;
  readonly acc: MarginAccount;
  /** Position in inst.holderBands (holders are checked in the order they came). */
  readonly ordinal: number;
  /** The account holds lots here (else the band is unbounded). */
  active: boolean;
  /** The position's mark and the price sensitivity of the account's margin levels here, at the last check. */
  mark: number;
  weight: number;
  /** The position's quantities changed since the last check (queued in acc.dirtyBands). */
  dirty: boolean;
  /** The rebuild pass that last refreshed it. */
  refreshed: number;
  /** Edges as indexed. */
  low: number;
  high: number;
  /** Slots in inst.bands (-1 while not indexed), and its visit mark there. */
  lowAt: number;
  highAt: number;
  seen: number;
}

export class MarginCallDetector implements Detector {
  readonly rule = 'margin_call';
  private readonly view: DetectorContext['view'];
  private readonly margin: Params;
  private readonly marginRenderer: AlertRenderer;
  /** Scratch for rebuildBands: the bands refreshed in this pass (reused, never shrunk: no allocation per check). */
  private readonly refreshedScratch: PriceBand[] = [];
  private refreshedCount = 0;
  private rebuildPass = 0;
  /** Contracts by latest mark change: the bands a check must refresh are those of contracts that moved since. */
  private readonly marks = new MarkRecency<MarginInstrument>();
  /** Scratch for breakBand. */
  private readonly brokenScratch: PriceBand[] = [];

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {
    this.view = context.view;
    this.margin = resolveRuleParams(context.config, this.rule);
    this.marginRenderer = RULES.margin_call.message(this.margin);
  }

  /** One level for every contract and account. */
  paramsFor(): Params {
    return this.margin;
  }

  onInstrument(contract: InstrumentRec, m: InstrumentMessage): void {
    // New contract terms (margin rate, multiplier) move the holders' risk and the weight of their bands.
    const inst = this.instrumentOf(contract);
    this.marks.touch(inst);
    const holderBands = inst.holderBands;
    for (let i = 0; i < holderBands.length; i++) this.checkMargin((holderBands[i] as PriceBand).acc, m.seq);
  }

  onPosition(account: AccountRec, contract: InstrumentRec, m: PositionMessage): void {
    const acc = this.accountOf(account);
    this.holdPosition(acc, this.instrumentOf(contract));
    this.checkMargin(acc, m.seq);
  }

  onClientTrade(account: AccountRec, pair: PairRec, _side: SideIndex, m: TradeMessage): void {
    const acc = this.accountOf(account);
    this.holdPosition(acc, this.instrumentOf(pair.inst));
    this.checkMargin(acc, m.seq);
  }

  onCash(account: AccountRec, m: CashMessage): void {
    const acc = account.states[this.slot] as MarginAccount | null;
    if (acc && acc.bandList.length > 0) this.checkMargin(acc, m.seq);
  }

  onQuote(contract: InstrumentRec, m: QuoteMessage): void {
    const inst = this.instrumentOf(contract);
    if (m.last !== inst.quotedLast) {
      inst.quotedLast = m.last;
      this.marks.touch(inst);
    }
    const bands = inst.bands;
    if (m.last <= bands.tightestLow || m.last >= bands.tightestHigh) this.breakBand(inst, m.last, m.seq);
  }

  resetDay(): void {
    for (const account of this.context.accounts.values()) {
      const acc = account.states[this.slot] as MarginAccount | null;
      if (!acc) continue;
      acc.margin = null;
      acc.inCall = false;
      acc.bandByInstrument = null;
      acc.bandList = [];
      resetBandBasis(acc);
    }
    for (const contract of this.context.instruments.values()) {
      const inst = contract.states[this.slot] as MarginInstrument | null;
      if (!inst) continue;
      inst.holderBands = [];
      inst.bands = new BandIndex();
    }
  }

  private instrumentOf(contract: InstrumentRec): MarginInstrument {
    let inst = contract.states[this.slot] as MarginInstrument | null;
    if (!inst) {
      inst = {
        contract,
        holderBands: [],
        bands: new BandIndex(),
        quotedLast: Number.NaN,
        markStamp: 0,
        newer: null,
        older: null,
      };
      contract.states[this.slot] = inst;
    }
    return inst;
  }

  private accountOf(account: AccountRec): MarginAccount {
    let acc = account.states[this.slot] as MarginAccount | null;
    if (!acc) {
      acc = {
        id: account.id,
        bandList: [],
        bandByInstrument: null,
        dirtyBands: [],
        dirtyCount: 0,
        headroom: 0,
        held: 0,
        checkStamp: 0,
        // As resetBandBasis leaves them.
        basisHeadroom: Number.POSITIVE_INFINITY,
        basisHeld: 0,
        margin: null,
        inCall: false,
      };
      account.states[this.slot] = acc;
    }
    return acc;
  }

  /** The account's position on the contract may have changed (a trade or a position message). */
  private holdPosition(acc: MarginAccount, inst: MarginInstrument): void {
    const held = bandOf(acc, inst);
    if (held) {
      if (!held.dirty) {
        held.dirty = true;
        acc.dirtyBands[acc.dirtyCount++] = held;
      }
      return;
    }
    const band: PriceBand = {
      inst,
      acc,
      ordinal: inst.holderBands.length,
      active: false,
      mark: 0,
      weight: 0,
      dirty: true,
      refreshed: 0,
      low: Number.NEGATIVE_INFINITY,
      high: Number.POSITIVE_INFINITY,
      lowAt: -1,
      highAt: -1,
      seen: 0,
    };
    acc.bandList.push(band);
    if (acc.bandByInstrument !== null) acc.bandByInstrument.set(inst, band);
    else if (acc.bandList.length > BANDS_SCANNED_UP_TO) {
      const byInstrument = new Map<MarginInstrument, PriceBand>();
      for (const listed of acc.bandList) byInstrument.set(listed.inst, listed);
      acc.bandByInstrument = byInstrument;
    }
    acc.dirtyBands[acc.dirtyCount++] = band;
    inst.holderBands.push(band);
    inst.bands.place(band, band.low, band.high);
  }

  /** margin_call: the account's risk degree (margin ÷ equity, valued now) reaches the call level. */
  private checkMargin(acc: MarginAccount, seq: number): void {
    const params = this.margin;
    if (!params.enabled) return;
    const degree = this.view.accountRiskDegree(acc.id);
    if (degree === undefined) return;
    if (degree < params.callLevel) {
      acc.inCall = false;
      this.rebuildBands(acc);
      return;
    }
    let record = acc.margin;
    if (!record) {
      record = new AlertRecord('margin_call', 'account', acc.id, null, null, '', params.callLevel, this.marginRenderer);
      acc.margin = record;
    }
    let changed = false;
    if (!acc.inCall) {
      acc.inCall = true;
      record.note(seq, acc.id);
      changed = true;
    }
    if (!Number.isFinite(degree)) {
      if (record.metrics.equityNonPositive !== 1) {
        record.metrics.equityNonPositive = 1;
        record.addEvidence(seq);
        changed = true;
      }
    } else if (degree > (record.metrics.peakRiskDegree ?? 0)) {
      // Evidence at the crossing and at each new critical peak, not at every tick of a rising degree.
      const crossesCritical =
        degree >= params.criticalLevel && (record.metrics.peakRiskDegree ?? 0) < params.criticalLevel;
      record.metrics.peakRiskDegree = degree;
      if (crossesCritical) record.addEvidence(seq);
      changed = true;
    }
    if (changed) {
      record.lastSeq = Math.max(record.lastSeq, seq);
      this.context.alertBook.raise(record);
    }
    this.rebuildBands(acc);
  }

  /**
   * Prices move risk without a trade of the account. Risk degree = margin ÷ equity, both linear in each mark, so
   * with headroom h = min |margin − L × equity| over the levels L (call, critical), a move of Δp on a contract shifts
   * margin − L × equity by at most |Δp| × multiplier × (gross lots × margin rate + L × |net lots|). Giving each held
   * contract an equal part of h makes a band of prices within which no level can be crossed; only a quote outside a
   * holder's band revalues that holder (through the engine state's own maths).
   *
   * A check refreshes only the bands whose position or mark changed since the last one. The others keep their mark
   * and weight, so their band only widened if the headroom did not shrink and no contract was added: their indexed
   * edges stay (within the band, see breakBand); otherwise every band is indexed afresh.
   */
  private rebuildBands(acc: MarginAccount): void {
    const row = this.view.account(acc.id);
    if (!row) return;
    const call = this.margin.callLevel;
    const critical = this.margin.criticalLevel;
    const equity = row.equity;
    const margin = row.margin;
    const headroom = equity > 0 ? Math.min(Math.abs(margin - call * equity), Math.abs(margin - critical * equity)) : 0;
    const pass = ++this.rebuildPass;
    const refreshed = this.refreshedScratch;
    let held = acc.held;
    const dirty = acc.dirtyBands;
    const dirtyCount = acc.dirtyCount;
    for (let i = 0; i < dirtyCount; i++) {
      const band = dirty[i] as PriceBand;
      band.dirty = false;
      held += this.refreshBand(band, pass, refreshed);
    }
    acc.dirtyCount = 0;
    const bands = acc.bandList;
    const since = acc.checkStamp;
    // A short list is walked (a stamp test per band); a long one only where contracts moved since.
    if (bands.length > SHORT_BAND_LIST && this.marks.movedWithin(since, bands.length)) {
      for (let inst = this.marks.newest; inst !== null && inst.markStamp > since; inst = inst.older) {
        const band = bandOf(acc, inst);
        if (band) held += this.refreshBand(band, pass, refreshed);
      }
    } else {
      for (let b = 0; b < bands.length; b++) {
        const band = bands[b] as PriceBand;
        if (band.inst.markStamp > since) held += this.refreshBand(band, pass, refreshed);
      }
    }
    acc.checkStamp = this.marks.stamp;
    acc.headroom = headroom;
    acc.held = held;
    if (headroom >= acc.basisHeadroom && held <= acc.basisHeld) {
      for (let i = 0; i < this.refreshedCount; i++) {
        placeBand(refreshed[i] as PriceBand, acc.basisHeadroom, acc.basisHeld);
      }
    } else {
      // With slack: the next checks may shrink the headroom to a half, or double the contracts held (a start of
      // day's positions arriving one by one), without indexing every band again.
      indexBandsAfresh(acc, headroom * BASIS_HEADROOM_SLACK, Math.max(1, held * BASIS_HELD_SLACK));
    }
    this.refreshedCount = 0;
  }

  /** Reads the band's position now (its mark and weight); returns the change in the account's held count. */
  private refreshBand(band: PriceBand, pass: number, refreshed: PriceBand[]): number {
    if (band.refreshed === pass) return 0;
    band.refreshed = pass;
    refreshed[this.refreshedCount++] = band;
    const wasActive = band.active;
    const inst = band.inst.contract;
    const position = this.view.position(band.acc.id, inst.id);
    const gross = position ? position.longQty + position.shortQty : 0;
    if (!position || gross === 0) {
      band.active = false;
    } else {
      band.active = true;
      band.mark = position.mark;
      band.weight =
        inst.multiplier *
        (gross * inst.marginRate + this.margin.criticalLevel * Math.abs(position.longQty - position.shortQty));
    }
    return (band.active ? 1 : 0) - (wasActive ? 1 : 0);
  }

  /**
   * A quote left the tightest indexed edge of a contract: check the holders whose own band it left (in the order
   * the holders came), and no other. A holder whose indexed edges were tighter than its band (its headroom grew)
   * and only those were crossed is indexed afresh instead.
   */
  private breakBand(inst: MarginInstrument, last: number, seq: number): void {
    const broken = this.brokenScratch;
    inst.bands.collectBroken(last, broken);
    let kept = 0;
    for (let i = 0; i < broken.length; i++) {
      const band = broken[i] as PriceBand;
      if (leftBand(band, last)) broken[kept++] = band;
      else indexBandsAfresh(band.acc, band.acc.headroom, band.acc.held);
    }
    broken.length = kept;
    if (broken.length > 1) broken.sort(byOrdinal);
    for (let i = 0; i < broken.length; i++) this.checkMargin((broken[i] as PriceBand).acc, seq);
    broken.length = 0;
  }
}

/** The account's band on the contract, if it held it today. */
function bandOf(acc: MarginAccount, inst: MarginInstrument): PriceBand | undefined {
  if (acc.bandByInstrument !== null) return acc.bandByInstrument.get(inst);
  const bands = acc.bandList;
  for (let i = 0; i < bands.length; i++) {
    const band = bands[i] as PriceBand;
    if (band.inst === inst) return band;
  }
  return undefined;
}

/** No bands yet: the first check indexes every band afresh. */
function resetBandBasis(acc: MarginAccount): void {
  acc.dirtyBands = [];
  acc.dirtyCount = 0;
  acc.headroom = 0;
  acc.held = 0;
  acc.checkStamp = 0;
  acc.basisHeadroom = Number.POSITIVE_INFINITY;
  acc.basisHeld = 0;
}

/** Half-width of a band for the given headroom and held count (unbounded for a band without margin sensitivity). */
function reachOf(band: PriceBand, headroom: number, held: number): number {
  return band.weight > 0 ? headroom / (held * band.weight) : Number.POSITIVE_INFINITY;
}

/** Indexes the band's edges as computed with the given headroom and held count. */
function placeBand(band: PriceBand, headroom: number, held: number): void {
  if (!band.active) {
    band.inst.bands.place(band, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    return;
  }
  const reach = reachOf(band, headroom, held);
  band.inst.bands.place(band, band.mark - reach, band.mark + reach);
}

/**
 * Indexes every band of the account with the given basis: at most the headroom and at least the held count of the
 * last check, so every indexed edge is within (or at) its band's.
 */
function indexBandsAfresh(acc: MarginAccount, basisHeadroom: number, basisHeld: number): void {
  acc.basisHeadroom = basisHeadroom;
  acc.basisHeld = basisHeld;
  const bands = acc.bandList;
  for (let b = 0; b < bands.length; b++) placeBand(bands[b] as PriceBand, basisHeadroom, basisHeld);
}

/** The price is outside the band from the account's last check (the edges a full reindex would put in the index). */
function leftBand(band: PriceBand, price: number): boolean {
  if (!band.active) return false;
  const reach = reachOf(band, band.acc.headroom, band.acc.held);
  return price <= band.mark - reach || price >= band.mark + reach;
}

function byOrdinal(a: PriceBand, b: PriceBand): number {
  return a.ordinal - b.ordinal;
}
