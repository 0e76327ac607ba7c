// Ordinary market activity: the rest of the market (external liquidity and takers that follow a drifting fair
// value), two market makers per instrument, and background clients (noise traders) of this gateway.
// Built so that a clean session carries none of the surveillance patterns by accident: a client (or its control
// group) never takes liquidity while it has resting orders on the side it would hit, so it cannot self-trade and
// never trades against its own working orders; background orders are small against visible depth; aggressive
// orders take one level only; cancels per client and contract stay under a cap far below the exchange counts.
import { NO_PRICE, type Side } from './matching';
import { type AccountState, type InstrumentState, type Market } from './market';
import { pickCumulative, type Rng } from './random';

/** External orders resting per side before the rest of the market starts cancelling instead of adding. */
const MAX_EXTERNAL_PER_SIDE = 50;
/** Cancels a background client may make on one contract in a day (frequent_cancel fires at 500, CFFEX IF at 400). */
export const BACKGROUND_CANCEL_CAP = 240;
export const BACKGROUND_CANCEL_CAP_INDEX = 180;
/** Working orders a background client keeps on one contract. */
const MAX_WORKING = 3;

export class Background {
  private active: InstrumentState[] = [];
  private cumulative: number[] = [];
  private totalWeight = 0;
  /** Client actions done today. */
  clientActions = 0;
  private activityVersion = -1;

  constructor(
    private readonly market: Market,
    private readonly rng: Rng,
    /** Probability that a step in continuous trading is a client action rather than the rest of the market. */
    public clientShare: number,
  ) {}

  get anyActive(): boolean {
    return this.active.length > 0;
  }

  /** Recomputes which instruments accept orders; call after phase changes. */
  refreshActive(): void {
    this.activityVersion = this.market.activityVersion;
    this.active = this.market.instruments.filter((i) => i.mode !== 0);
    this.cumulative = [];
    let total = 0;
    for (const inst of this.active) {
      total += inst.spec.weight * inst.activity;
      this.cumulative.push(total);
    }
    this.totalWeight = total;
  }

  /** One background step on a randomly chosen active instrument; may emit nothing (a change deep in the book). */
  step(): void {
    if (this.activityVersion !== this.market.activityVersion) this.refreshActive();
    if (this.active.length === 0) return;
    const inst = this.active[pickCumulative(this.cumulative, this.rng.next() * this.totalWeight)]!;
    if (inst.mode === 2 && this.rng.next() < this.clientShare) {
      this.clientActions++;
      if (inst.marketMakers.length > 0 && this.rng.next() < 0.3)
        this.marketMaker(this.rng.pick(inst.marketMakers), inst);
      else if (inst.traders.length > 0) this.noise(inst.pickTrader(this.rng), inst);
    } else {
      // One to three changes from the rest of the market, then one quote: a snapshot after a burst of activity,
      // as exchange feeds publish them.
      const changes = 1 + this.rng.int(3);
      for (let i = 0; i < changes; i++) this.external(inst);
    }
    this.market.flush();
  }

  moveFair(inst: InstrumentState): void {
    const target = inst.anchor + inst.bias;
    let fair = inst.fair + inst.reversion * (target - inst.fair) + inst.volTicks * this.rng.gauss();
    // Never drift further than 3% from the target, so clean sessions stay far from the price limits.
    const band = inst.preTicks * 0.03;
    if (fair > target + band) fair = target + band;
    else if (fair < target - band) fair = target - band;
    inst.fair = Math.min(inst.upper - 3, Math.max(inst.lower + 3, fair));
  }

  // ---- the rest of the market ----------------------------------------------------------------------------------

  external(inst: InstrumentState): void {
    this.moveFair(inst);
    const book = inst.book;
    if (inst.mode === 1) {
      if (inst.externalCount[0]! + inst.externalCount[1]! < 2 * MAX_EXTERNAL_PER_SIDE * 0.6) {
        this.externalPassive(inst, this.rng.next() < 0.5 ? 'buy' : 'sell');
      }
      return;
    }
    if (book.bestBid === NO_PRICE || inst.externalCount[0]! < 5) return this.externalPassive(inst, 'buy');
    if (book.bestAsk === NO_PRICE || inst.externalCount[1]! < 5) return this.externalPassive(inst, 'sell');
    const r = this.rng.next();
    if (r < 0.42) {
      const side: Side = this.rng.next() < 0.5 ? 'buy' : 'sell';
      if (inst.externalCount[side === 'buy' ? 0 : 1]! >= MAX_EXTERNAL_PER_SIDE) this.externalCancel(inst, side);
      else this.externalPassive(inst, side);
    } else if (r < 0.68) {
      const side: Side = inst.externalCount[0]! > inst.externalCount[1]! ? 'buy' : 'sell';
      this.externalCancel(inst, this.rng.next() < 0.7 ? side : side === 'buy' ? 'sell' : 'buy');
    } else {
      this.externalAggress(inst);
    }
  }

  externalPassive(inst: InstrumentState, side: Side): void {
    const book = inst.book;
    const halfSpread = 0.3 + this.rng.next() * 0.9;
    const depth = Math.min(15, Math.floor(-Math.log(1 - this.rng.next()) * 2.2));
    let ticks: number;
    if (side === 'buy') {
      ticks = Math.floor(inst.fair - halfSpread) - depth;
      if (book.bestAsk !== NO_PRICE && ticks >= book.bestAsk) ticks = book.bestAsk - 1;
    } else {
      ticks = Math.ceil(inst.fair + halfSpread) + depth;
      if (book.bestBid !== NO_PRICE && ticks <= book.bestBid) ticks = book.bestBid + 1;
    }
    if (ticks < inst.lower || ticks > inst.upper) return;
    const u = this.rng.next();
    const qty = 1 + Math.floor(inst.spec.externalLots * u * u);
    this.market.externalOrder(inst, side, ticks, qty);
  }

  externalCancel(inst: InstrumentState, side: Side): void {
    if (this.rng.next() < 0.35) {
      this.market.externalCancelOldest(inst);
      return;
    }
    const u = this.rng.next();
    const price = inst.book.levelPrice(side, Math.floor(u * u * 6));
    if (price === NO_PRICE) return;
    const orders = inst.book.ordersAt(side, price);
    const start = this.rng.int(orders.length);
    for (let k = 0; k < orders.length; k++) {
      const order = orders[(start + k) % orders.length]!;
      if (order.ref === null) {
        this.market.externalCancel(inst, order);
        return;
      }
    }
  }

  /** A taker from the rest of the market: one level, leaning toward the fair value. */
  externalAggress(inst: InstrumentState, forcedSide?: Side): void {
    const book = inst.book;
    if (book.bestBid === NO_PRICE || book.bestAsk === NO_PRICE) return;
    let side = forcedSide;
    if (!side) {
      const x = (inst.fair - (book.bestBid + book.bestAsk) / 2) / 1.5;
      side = this.rng.next() < 0.5 + (0.4 * x) / (1 + Math.abs(x)) ? 'buy' : 'sell';
    }
    const best = side === 'buy' ? book.bestAsk : book.bestBid;
    const available = book.levelQty(side === 'buy' ? 'sell' : 'buy', best);
    const qty = Math.min(available, 1 + Math.floor(this.rng.next() * Math.min(available, inst.spec.externalLots)));
    if (qty > 0) this.market.externalOrder(inst, side, best, qty);
  }

  // ---- this gateway's clients ----------------------------------------------------------------------------------

  private cancelCap(inst: InstrumentState): number {
    return inst.spec.exchange === 'CFFEX' ? BACKGROUND_CANCEL_CAP_INDEX : BACKGROUND_CANCEL_CAP;
  }

  private marketMaker(mm: AccountState, inst: InstrumentState): void {
    const book = inst.book;
    if (book.bestBid === NO_PRICE || book.bestAsk === NO_PRICE) return;
    const side: Side = this.rng.next() < 0.5 ? 'buy' : 'sell';
    const holding = mm.on(inst.index);
    const working = holding.working;
    const current = working.find((o) => o.side === side);
    const halfSpread = 1 + this.rng.int(2);
    const target =
      side === 'buy'
        ? Math.min(Math.floor(inst.fair) - halfSpread, book.bestAsk - 1)
        : Math.max(Math.ceil(inst.fair) + halfSpread, book.bestBid + 1);
    if (target < inst.lower || target > inst.upper) return;
    const size = Math.max(1, Math.round(inst.spec.externalLots / 5));
    const net = holding.longQty - holding.shortQty;
    const inventoryCap = size * 12;
    if (current) {
      if (Math.abs(current.price - target) < 3 || holding.cancels >= this.cancelCap(inst) - 1) return;
      this.market.cancelOrder(current);
    }
    if (side === 'buy' ? net >= inventoryCap : net <= -inventoryCap) return;
    this.market.placeOrder(mm, inst, side, target, size);
  }

  private noise(trader: AccountState, inst: InstrumentState): void {
    const book = inst.book;
    const market = this.market;
    if (book.bestBid === NO_PRICE || book.bestAsk === NO_PRICE) return;
    const holding = trader.on(inst.index);
    const working = holding.working;
    const canCancel = holding.cancels < this.cancelCap(inst);
    if (working.length > 0 && (working.length >= MAX_WORKING || this.rng.next() < 0.45)) {
      if (canCancel) {
        market.cancelOrder(working[this.rng.int(working.length)]!);
        return;
      }
      if (working.length >= MAX_WORKING) return;
    }
    const r = this.rng.next();
    if (r < 0.0015) {
      const price = inst.price(inst.upper + 1 + this.rng.int(5));
      market.rejectOrder(
        trader,
        inst,
        'buy',
        price,
        1 + this.rng.int(inst.spec.clientLots),
        `price ${price} is above the upper limit ${inst.price(inst.upper)}`,
      );
      return;
    }
    if (r < 0.004) {
      market.cash(trader, Math.round((trader.preBalance * (0.01 + this.rng.next() * 0.05)) / 1000) * 1000);
      return;
    }
    const restingBuy = inst.restingOf(trader.subject, 0);
    const restingSell = inst.restingOf(trader.subject, 1);
    const net = holding.longQty - holding.shortQty;
    const maxPosition = inst.spec.clientLots * 5;
    let side: Side;
    // A client (or its group) works one side of a contract at a time: it never hits its own resting orders.
    if (restingBuy > 0) side = 'buy';
    else if (restingSell > 0) side = 'sell';
    else side = net >= maxPosition ? 'sell' : net <= -maxPosition ? 'buy' : this.rng.next() < 0.5 ? 'buy' : 'sell';
    if (side === 'buy' ? net >= maxPosition : net <= -maxPosition) return;
    let qty = 1 + this.rng.int(inst.spec.clientLots);
    const opposingOwn = side === 'buy' ? restingSell : restingBuy;
    if (opposingOwn === 0 && this.rng.next() < 0.5) {
      const best = side === 'buy' ? book.bestAsk : book.bestBid;
      qty = Math.min(qty, book.levelQty(side === 'buy' ? 'sell' : 'buy', best));
      if (qty > 0) market.placeOrder(trader, inst, side, best, qty);
      return;
    }
    if (!canCancel) return;
    const improve = book.bestAsk - book.bestBid >= 2 && this.rng.next() < 0.2;
    const away = this.rng.int(4);
    const ticks =
      side === 'buy'
        ? improve
          ? book.bestBid + 1
          : book.bestBid - away
        : improve
          ? book.bestAsk - 1
          : book.bestAsk + away;
    if (ticks < inst.lower || ticks > inst.upper) return;
    market.placeOrder(trader, inst, side, ticks, qty);
  }
}
