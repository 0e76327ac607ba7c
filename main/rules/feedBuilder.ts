// Builds small fw-feed/1 sessions message by message (seq and ts filled in): the rule tests and the bench's
// scenarios written from the exchange standards use it. Plain data out; nothing here knows the rules.
import type {
  BookLevel,
  Exchange,
  InstrumentMessage,
  Phase,
  SequencedMessage,
  ServerMessage,
} from '../../shared/protocol';

export interface InstrumentSpecInput {
  instrumentId: string;
  exchange: Exchange;
  product?: string;
  multiplier?: number;
  priceTick?: number;
  marginRate?: number;
  preSettlement?: number;
  positionLimit?: number;
  maxOrderQty?: number;
}

export interface TradeSide {
  accountId: string | null;
  orderId: string | null;
}

/** A sequenced message before seq and ts are filled in (distributes over the union). */
type Unsequenced = SequencedMessage extends infer M
  ? M extends SequencedMessage
    ? Omit<M, 'seq' | 'ts'>
    : never
  : never;

/** 2026-11-24 09:00:00 China time. */
export const DEFAULT_START_TS = Date.UTC(2026, 10, 24, 1, 0, 0);

export class FeedBuilder {
  readonly messages: ServerMessage[] = [];
  seq = 0;
  ts: number;
  private orderCounter = 0;
  private tradeCounter = 0;

  constructor(options: { tradingDay?: string | null; startTs?: number } = {}) {
    this.ts = options.startTs ?? DEFAULT_START_TS;
    const day = options.tradingDay === undefined ? '20261124' : options.tradingDay;
    if (day !== null) this.hello(day);
  }

  /** Moves the clock forward. */
  advance(ms: number): this {
    this.ts += ms;
    return this;
  }

  at(ts: number): this {
    this.ts = ts;
    return this;
  }

  hello(tradingDay: string): this {
    this.messages.push({
      type: 'hello',
      ts: this.ts,
      protocol: 'fw-feed/1',
      nextSeq: this.seq + 1,
      sessionId: `S${tradingDay}`,
      tradingDay,
      source: 'feedBuilder',
    });
    return this;
  }

  private push(message: Unsequenced): SequencedMessage {
    const full = { seq: ++this.seq, ts: this.ts, ...message } as SequencedMessage;
    this.messages.push(full);
    return full;
  }

  instrument(spec: InstrumentSpecInput): this {
    const pre = spec.preSettlement ?? 3500;
    const message: Omit<InstrumentMessage, 'seq' | 'ts'> = {
      type: 'instrument',
      instrumentId: spec.instrumentId,
      exchange: spec.exchange,
      product: spec.product ?? spec.instrumentId.replace(/[0-9]+$/, ''),
      multiplier: spec.multiplier ?? 10,
      priceTick: spec.priceTick ?? 1,
      marginRate: spec.marginRate ?? 0.1,
      upperLimit: pre * 1.1,
      lowerLimit: pre * 0.9,
      preSettlement: pre,
    };
    if (spec.positionLimit !== undefined) message.positionLimit = spec.positionLimit;
    if (spec.maxOrderQty !== undefined) message.maxOrderQty = spec.maxOrderQty;
    this.push(message);
    return this;
  }

  account(accountId: string, options: { controlGroup?: string; preBalance?: number } = {}): this {
    const message = {
      type: 'account' as const,
      accountId,
      name: `Client ${accountId}`,
      preBalance: options.preBalance ?? 10_000_000,
      ...(options.controlGroup ? { controlGroup: options.controlGroup } : {}),
    };
    this.push(message);
    return this;
  }

  position(accountId: string, instrumentId: string, longQty: number, shortQty: number, price: number): this {
    this.push({
      type: 'position',
      accountId,
      instrumentId,
      longQty,
      longAvgPrice: longQty > 0 ? price : 0,
      shortQty,
      shortAvgPrice: shortQty > 0 ? price : 0,
    });
    return this;
  }

  cash(accountId: string, amount: number): this {
    this.push({ type: 'cash', accountId, amount });
    return this;
  }

  phase(exchange: Exchange, phase: Phase, instrumentId?: string): this {
    this.push({ type: 'phase', exchange, phase, ...(instrumentId ? { instrumentId } : {}) });
    return this;
  }

  quote(instrumentId: string, last: number, bids: BookLevel[], asks: BookLevel[], volume = 0, openInterest = 0): this {
    this.push({ type: 'quote', instrumentId, last, volume, openInterest, bids, asks });
    return this;
  }

  /** Enters an order; returns its id. */
  order(
    accountId: string,
    instrumentId: string,
    side: 'buy' | 'sell',
    qty: number,
    price: number,
    offset: 'open' | 'close' = 'open',
  ): string {
    const orderId = `O${++this.orderCounter}`;
    this.push({ type: 'order', event: 'new', orderId, accountId, instrumentId, side, offset, price, qty });
    return orderId;
  }

  cancel(orderId: string, cancelledQty: number): this {
    this.push({ type: 'order', event: 'cancel', orderId, cancelledQty });
    return this;
  }

  reject(orderId: string, reason = 'rejected'): this {
    this.push({ type: 'order', event: 'reject', orderId, reason });
    return this;
  }

  trade(
    instrumentId: string,
    price: number,
    qty: number,
    buy: TradeSide,
    sell: TradeSide,
    aggressor: 'buy' | 'sell',
  ): this {
    this.push({
      type: 'trade',
      tradeId: `T${++this.tradeCounter}`,
      instrumentId,
      price,
      qty,
      buyOrderId: buy.orderId,
      sellOrderId: sell.orderId,
      buyAccountId: buy.accountId,
      sellAccountId: sell.accountId,
      aggressor,
    });
    return this;
  }

  /** A buy of `buyer` and a sell of `seller` at one price, matched in one trade (a self-trade when one client). */
  cross(
    instrumentId: string,
    buyer: string,
    seller: string,
    qty: number,
    price: number,
    aggressor: 'buy' | 'sell' = 'buy',
  ): this {
    const buy = this.order(buyer, instrumentId, 'buy', qty, price);
    const sell = this.order(seller, instrumentId, 'sell', qty, price);
    return this.trade(
      instrumentId,
      price,
      qty,
      { accountId: buyer, orderId: buy },
      { accountId: seller, orderId: sell },
      aggressor,
    );
  }

  /** An order of `accountId` entered and cancelled in full. */
  orderAndCancel(accountId: string, instrumentId: string, side: 'buy' | 'sell', qty: number, price: number): this {
    return this.cancel(this.order(accountId, instrumentId, side, qty, price), qty);
  }

  /** An order of `accountId` filled in full against the rest of the market (one trade). */
  fill(
    accountId: string,
    instrumentId: string,
    side: 'buy' | 'sell',
    qty: number,
    price: number,
    offset: 'open' | 'close' = 'open',
    aggressive = true,
  ): this {
    const orderId = this.order(accountId, instrumentId, side, qty, price, offset);
    const mine = { accountId, orderId };
    const market = { accountId: null, orderId: null };
    const aggressor = aggressive ? side : side === 'buy' ? 'sell' : 'buy';
    return side === 'buy'
      ? this.trade(instrumentId, price, qty, mine, market, aggressor)
      : this.trade(instrumentId, price, qty, market, mine, aggressor);
  }

  end(): this {
    this.push({ type: 'end' });
    return this;
  }
}
