// A stand-in core for developing and screenshotting the windows without the simulator: plausible instruments,
// accounts and positions that move at 20 Hz, published through a TopicHub exactly like the real core's topics.
// Not used by the E2E tests (they run the real `floorwatch host`); run it with `npx tsx tests/e2e/support/syntheticHost.ts`.
import type { CoreHandle } from '../../../main/api/backend';
import { TopicHub } from '../../../main/api/topicHub';
import type { AccountRow, HealthSnapshot, MarketRow, PositionRow } from '../../../shared/domain/types';
import { equityOf, positionMargin, positionPnl, riskDegree } from '../../../shared/domain/risk';
import type { Exchange } from '../../../shared/protocol/schema';

const SPECS: Array<[string, Exchange, number, number, number, number]> = [
  // id, exchange, multiplier, tick, marginRate, preSettlement
  ['rb2605', 'SHFE', 10, 1, 0.1, 3500],
  ['cu2606', 'SHFE', 5, 10, 0.12, 71230],
  ['au2606', 'SHFE', 1000, 0.02, 0.1, 552.36],
  ['m2605', 'DCE', 10, 1, 0.08, 2980],
  ['i2605', 'DCE', 100, 0.5, 0.13, 786.5],
  ['SR605', 'CZCE', 10, 1, 0.07, 6120],
  ['TA605', 'CZCE', 5, 2, 0.07, 5840],
  ['IF2606', 'CFFEX', 300, 0.2, 0.12, 3862.4],
  ['T2606', 'CFFEX', 10000, 0.005, 0.02, 108.455],
  ['sc2606', 'INE', 1000, 0.1, 0.15, 548.3],
  ['si2606', 'GFEX', 5, 5, 0.09, 12600],
];

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticCore extends TopicHub implements CoreHandle {
  readonly feedUrl = 'synthetic://dev';
  readonly simulatorRunning = true;
  readonly mode = 'live' as const;
  private readonly random = mulberry32(7);
  private readonly market = new Map<string, MarketRow>();
  private readonly positions = new Map<string, PositionRow>();
  private readonly accounts = new Map<string, AccountRow>();
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();

  constructor() {
    super();
    for (const [id, exchange, multiplier, tick, marginRate, pre] of SPECS) {
      const limit = Math.round((pre * 0.07) / tick) * tick;
      this.market.set(id, {
        instrumentId: id,
        exchange,
        product: id.replace(/\d+$/, ''),
        multiplier,
        priceTick: tick,
        marginRate,
        preSettlement: pre,
        upperLimit: pre + limit,
        lowerLimit: pre - limit,
        positionLimit: 90000,
        maxOrderQty: 500,
        phase: 'continuous',
        last: pre,
        change: 0,
        changePct: 0,
        bid: pre - tick,
        bidQty: 10,
        ask: pre,
        askQty: 12,
        volume: Math.floor(this.random() * 100000),
        openInterest: 50000 + Math.floor(this.random() * 200000),
        quoteTs: Date.now(),
        seq: 1,
      });
    }
    for (let a = 1; a <= 48; a++) {
      const accountId = `A${String(a).padStart(3, '0')}`;
      const preBalance = Math.round((0.3 + this.random() * 6) * 1_000_000);
      this.accounts.set(accountId, {
        accountId,
        name: `Client ${accountId}`,
        controlGroup: a % 9 === 0 ? 'G1' : a % 13 === 0 ? 'G2' : null,
        preBalance,
        cash: 0,
        closePnl: 0,
        positionPnl: 0,
        commission: Math.round(this.random() * 3000),
        equity: preBalance,
        margin: 0,
        available: preBalance,
        riskDegree: 0,
        workingOrders: Math.floor(this.random() * 12),
        tradesToday: Math.floor(this.random() * 300),
        limitShare: 0,
        limitInstrument: null,
      });
      const instruments = [...this.market.values()].filter(() => this.random() < 0.35);
      for (const m of instruments) {
        const long = this.random() < 0.6 ? 1 + Math.floor(this.random() * (a < 5 ? 400 : 40)) : 0;
        const short = this.random() < 0.4 ? 1 + Math.floor(this.random() * 30) : 0;
        if (!long && !short) continue;
        const key = `${accountId}|${m.instrumentId}`;
        this.positions.set(key, {
          key,
          accountId,
          instrumentId: m.instrumentId,
          exchange: m.exchange,
          longQty: long,
          longAvgPrice: long ? m.preSettlement * (1 + (this.random() - 0.5) * 0.02) : 0,
          shortQty: short,
          shortAvgPrice: short ? m.preSettlement * (1 + (this.random() - 0.5) * 0.02) : 0,
          mark: m.preSettlement,
          positionPnl: 0,
          closePnl: Math.round((this.random() - 0.5) * 20000),
          margin: 0,
        });
      }
    }
    this.revalue();
    const now = Date.now();
    this.publish({
      topic: 'market',
      snapshot: true,
      rows: [...this.market.values()],
      removed: [],
      at: now,
      sourceTs: now,
    });
    this.publish({
      topic: 'positions',
      snapshot: true,
      rows: [...this.positions.values()],
      removed: [],
      at: now,
      sourceTs: now,
    });
    this.publish({
      topic: 'accounts',
      snapshot: true,
      rows: [...this.accounts.values()],
      removed: [],
      at: now,
      sourceTs: now,
    });
    this.publish({ topic: 'health', snapshot: true, rows: [this.health(now)], removed: [], at: now, sourceTs: now });
  }

  async reconnect(): Promise<void> {}

  start(): this {
    this.timer = setInterval(() => this.tick(), 50);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private revalue(): void {
    for (const account of this.accounts.values()) {
      account.positionPnl = 0;
      account.margin = 0;
      account.closePnl = 0;
    }
    for (const p of this.positions.values()) {
      const m = this.market.get(p.instrumentId)!;
      p.mark = m.last ?? m.preSettlement;
      p.positionPnl = positionPnl(m, p.mark, p.longQty, p.longAvgPrice, p.shortQty, p.shortAvgPrice);
      p.margin = positionMargin(m, p.mark, p.longQty, p.shortQty);
      const account = this.accounts.get(p.accountId)!;
      account.positionPnl += p.positionPnl;
      account.margin += p.margin;
      account.closePnl += p.closePnl;
    }
    for (const account of this.accounts.values()) {
      account.equity = equityOf(account);
      account.available = account.equity - account.margin;
      account.riskDegree = riskDegree(account.margin, account.equity);
    }
  }

  private health(now: number): HealthSnapshot {
    return {
      feedState: 'live',
      feedUrl: this.feedUrl,
      sessionId: 'dev',
      tradingDay: '20260105',
      source: 'synthetic',
      lastSeq: 0,
      messages: 0,
      bytes: 0,
      frames: 0,
      rejects: 0,
      rejectsByReason: {},
      duplicates: 0,
      gaps: 0,
      unrecoverableGaps: [],
      reconnects: 0,
      lagMs: 3 + this.random() * 8,
      messagesPerSecond: 2000 + this.random() * 100,
      lastMessageAt: now,
      lastError: null,
      uptimeMs: now - this.started,
      simulator: null,
      cpuPercent: 12,
      rssBytes: 1e8,
      heapUsedBytes: 5e7,
    };
  }

  private tick(): void {
    const now = Date.now();
    const changed: MarketRow[] = [];
    for (const m of this.market.values()) {
      if (this.random() < 0.5) continue;
      const steps = Math.round((this.random() - 0.5) * 4);
      const last = Math.min(m.upperLimit, Math.max(m.lowerLimit, (m.last ?? m.preSettlement) + steps * m.priceTick));
      m.last = Number(last.toFixed(6));
      m.change = m.last - m.preSettlement;
      m.changePct = (m.change / m.preSettlement) * 100;
      m.bid = Number((m.last - m.priceTick).toFixed(6));
      m.ask = m.last;
      m.bidQty = 1 + Math.floor(this.random() * 60);
      m.askQty = 1 + Math.floor(this.random() * 60);
      m.volume += Math.floor(this.random() * 20);
      m.quoteTs = now;
      changed.push({ ...m });
    }
    this.revalue();
    this.publish({ topic: 'market', snapshot: false, rows: changed, removed: [], at: now, sourceTs: now });
    this.publish({
      topic: 'positions',
      snapshot: false,
      rows: [...this.positions.values()].map((p) => ({ ...p })),
      removed: [],
      at: now,
      sourceTs: now,
    });
    this.publish({
      topic: 'accounts',
      snapshot: false,
      rows: [...this.accounts.values()].map((a) => ({ ...a })),
      removed: [],
      at: now,
      sourceTs: now,
    });
    if (Math.floor(now / 1000) !== Math.floor((now - 50) / 1000)) {
      this.publish({ topic: 'health', snapshot: true, rows: [this.health(now)], removed: [], at: now, sourceTs: now });
    }
  }
}
