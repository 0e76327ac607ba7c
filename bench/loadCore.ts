// A core stand-in for the screen benchmarks: 10k positions (500 accounts × 20 instruments) and optional live alerts,
// publishing `rowUpdatesPerSecond` position-row updates through a TopicHub at 20 Hz, exactly as the real core's
// conflated topics arrive at the host. The real core cannot produce 50k position updates/s from a 2-core simulator.
import type { CoreHandle } from '../main/api/backend';
import { TopicHub } from '../main/api/topicHub';
import type { AlertRow } from '../shared/api/methods/alerts';
import { RULE_IDS, SEVERITIES } from '../shared/rules/types';
import type { AccountRow, MarketRow, PositionRow } from '../shared/domain/types';

const TICK_MS = 50;
const INSTRUMENTS = 20;
const ACCOUNTS = 500;

export interface LoadCoreOptions {
  rowUpdatesPerSecond: number;
  alerts?: number;
}

export class LoadCore extends TopicHub implements CoreHandle {
  readonly feedUrl = 'bench://load';
  readonly simulatorRunning = false;
  readonly mode = 'live' as const;
  private readonly positions: PositionRow[] = [];
  private readonly market: MarketRow[] = [];
  private readonly alerts: AlertRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private cursor = 0;
  private step = 0;

  constructor(private readonly options: LoadCoreOptions) {
    super();
    const now = Date.now();
    for (let i = 0; i < INSTRUMENTS; i++) {
      const price = 1000 + i * 250;
      this.market.push({
        instrumentId: `X${i}2605`,
        exchange: 'SHFE',
        product: `X${i}`,
        multiplier: 10,
        priceTick: 1,
        marginRate: 0.1,
        preSettlement: price,
        upperLimit: price * 1.07,
        lowerLimit: price * 0.93,
        positionLimit: 90000,
        maxOrderQty: 500,
        phase: 'continuous',
        last: price,
        change: 0,
        changePct: 0,
        bid: price - 1,
        bidQty: 5,
        ask: price,
        askQty: 7,
        volume: 0,
        openInterest: 10000,
        quoteTs: now,
        seq: 1,
      });
    }
    const accounts: AccountRow[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const accountId = `B${String(a).padStart(4, '0')}`;
      accounts.push({
        accountId,
        name: accountId,
        controlGroup: null,
        preBalance: 1e6,
        cash: 0,
        closePnl: 0,
        positionPnl: 0,
        commission: 0,
        equity: 1e6,
        margin: 0,
        available: 1e6,
        riskDegree: 0,
        workingOrders: 0,
        tradesToday: 0,
        limitShare: 0,
        limitInstrument: null,
      });
      for (const m of this.market) {
        this.positions.push({
          key: `${accountId}|${m.instrumentId}`,
          accountId,
          instrumentId: m.instrumentId,
          exchange: m.exchange,
          longQty: 10,
          longAvgPrice: m.preSettlement,
          shortQty: 0,
          shortAvgPrice: 0,
          mark: m.preSettlement,
          positionPnl: 0,
          closePnl: 0,
          margin: m.preSettlement * 10,
        });
      }
    }
    for (let i = 0; i < (options.alerts ?? 0); i++) {
      const rule = RULE_IDS[i % RULE_IDS.length]!;
      this.alerts.push({
        id: `20261125:${rule}:B${i}`,
        rule,
        subjectType: 'account',
        subjectId: `B${String(i % ACCOUNTS).padStart(4, '0')}`,
        accountIds: [`B${String(i % ACCOUNTS).padStart(4, '0')}`],
        instrumentId: this.market[i % INSTRUMENTS]!.instrumentId,
        exchange: 'SHFE',
        severity: SEVERITIES[i % 4]!,
        score: i % 100,
        firstSeq: i + 1,
        lastSeq: i + 1,
        count: 1,
        threshold: 5,
        tradingDay: '20261125',
        message: `bench alert ${i}`,
        messageZh: `基准告警 ${i}`,
        evidence: [i + 1],
        metrics: {},
        state: 'new',
        assignee: null,
        notes: 0,
        createdAt: now,
        updatedAt: now,
        firstTs: now,
      });
    }
    const snapshot = <T>(topic: Parameters<TopicHub['publish']>[0]['topic'], rows: T[]) =>
      this.publish({ topic, snapshot: true, rows: rows as never[], removed: [], at: now, sourceTs: now });
    snapshot('market', this.market);
    snapshot('positions', this.positions);
    snapshot('accounts', accounts);
    snapshot('alerts', this.alerts);
  }

  start(): this {
    const perTick = Math.round((this.options.rowUpdatesPerSecond * TICK_MS) / 1000);
    this.timer = setInterval(() => this.tick(perTick), TICK_MS);
    return this;
  }

  private tick(perTick: number): void {
    const now = Date.now();
    this.step++;
    const rows: PositionRow[] = [];
    for (let i = 0; i < perTick; i++) {
      const row = this.positions[this.cursor]!;
      this.cursor = (this.cursor + 1) % this.positions.length;
      const mark = row.longAvgPrice + ((this.step + i) % 21) - 10;
      rows.push({ ...row, mark, positionPnl: (mark - row.longAvgPrice) * row.longQty * 10 });
    }
    this.publish({ topic: 'positions', snapshot: false, rows, removed: [], at: now, sourceTs: now });
    const market = this.market.map((m) => ({ ...m, last: m.preSettlement + (this.step % 11) - 5, quoteTs: now }));
    this.publish({ topic: 'market', snapshot: false, rows: market, removed: [], at: now, sourceTs: now });
    if (this.alerts.length > 0) {
      // A few alerts change state/count each tick, as a live floor's would.
      const changed = [];
      for (let i = 0; i < 20; i++) {
        const alert = this.alerts[(this.step * 20 + i) % this.alerts.length]!;
        alert.count = (alert.count ?? 0) + 1;
        alert.updatedAt = now;
        changed.push({ ...alert });
      }
      this.publish({ topic: 'alerts', snapshot: false, rows: changed, removed: [], at: now, sourceTs: now });
    }
  }

  async reconnect(): Promise<void> {}

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
