// Builders of fw-feed/1 messages for the feed, state and core tests: a message with sensible defaults, the
// fields under test overridden.
import type {
  AccountMessage,
  CashMessage,
  EndMessage,
  InstrumentMessage,
  OrderCancelMessage,
  OrderNewMessage,
  OrderRejectMessage,
  PhaseMessage,
  PositionMessage,
  QuoteMessage,
  SequencedMessage,
  TradeMessage,
} from '../../../shared/protocol';

export const T0 = 1_795_482_000_000;

type Fields<M> = Partial<Omit<M, 'type'>>;

export const instrument = (f: Fields<InstrumentMessage> = {}): InstrumentMessage => ({
  type: 'instrument',
  seq: 1,
  ts: T0,
  instrumentId: 'rb2605',
  exchange: 'SHFE',
  product: 'rb',
  multiplier: 10,
  priceTick: 1,
  marginRate: 0.1,
  upperLimit: 3675,
  lowerLimit: 3325,
  preSettlement: 3500,
  positionLimit: 90_000,
  maxOrderQty: 500,
  ...f,
});

export const account = (f: Fields<AccountMessage> = {}): AccountMessage => ({
  type: 'account',
  seq: 1,
  ts: T0,
  accountId: 'A001',
  name: 'Client A001',
  preBalance: 5_000_000,
  ...f,
});

export const cash = (f: Fields<CashMessage> = {}): CashMessage => ({
  type: 'cash',
  seq: 1,
  ts: T0,
  accountId: 'A001',
  amount: 0,
  ...f,
});

export const position = (f: Fields<PositionMessage> = {}): PositionMessage => ({
  type: 'position',
  seq: 1,
  ts: T0,
  accountId: 'A001',
  instrumentId: 'rb2605',
  longQty: 0,
  longAvgPrice: 0,
  shortQty: 0,
  shortAvgPrice: 0,
  ...f,
});

export const phase = (f: Fields<PhaseMessage> = {}): PhaseMessage => ({
  type: 'phase',
  seq: 1,
  ts: T0,
  exchange: 'SHFE',
  phase: 'continuous',
  ...f,
});

export const quote = (f: Fields<QuoteMessage> = {}): QuoteMessage => ({
  type: 'quote',
  seq: 1,
  ts: T0,
  instrumentId: 'rb2605',
  last: 3500,
  volume: 1000,
  openInterest: 10_000,
  bids: [[3499, 10]],
  asks: [[3500, 10]],
  ...f,
});

export const orderNew = (f: Fields<OrderNewMessage> = {}): OrderNewMessage => ({
  type: 'order',
  event: 'new',
  seq: 1,
  ts: T0,
  orderId: 'O1',
  accountId: 'A001',
  instrumentId: 'rb2605',
  side: 'buy',
  offset: 'open',
  price: 3500,
  qty: 1,
  ...f,
});

export const orderCancel = (f: Fields<OrderCancelMessage> = {}): OrderCancelMessage => ({
  type: 'order',
  event: 'cancel',
  seq: 1,
  ts: T0,
  orderId: 'O1',
  cancelledQty: 1,
  ...f,
});

export const orderReject = (f: Fields<OrderRejectMessage> = {}): OrderRejectMessage => ({
  type: 'order',
  event: 'reject',
  seq: 1,
  ts: T0,
  orderId: 'O1',
  reason: 'price outside limits',
  ...f,
});

export const trade = (f: Fields<TradeMessage> = {}): TradeMessage => ({
  type: 'trade',
  seq: 1,
  ts: T0,
  tradeId: 'T1',
  instrumentId: 'rb2605',
  price: 3500,
  qty: 1,
  buyOrderId: null,
  sellOrderId: null,
  buyAccountId: null,
  sellAccountId: null,
  aggressor: 'buy',
  ...f,
});

export const end = (f: Fields<EndMessage> = {}): EndMessage => ({ type: 'end', seq: 1, ts: T0, ...f });

/** Numbers messages 1, 2, 3… (from `firstSeq`) and spaces their ts 1 ms apart, in place; returns them. */
export function sequence<M extends SequencedMessage>(messages: M[], firstSeq = 1, firstTs = T0): M[] {
  messages.forEach((message, index) => {
    message.seq = firstSeq + index;
    message.ts = firstTs + index;
  });
  return messages;
}

/**
 * A small but complete session of `length` messages (≥ 20): static data, start-of-day positions, then quotes,
 * orders, fills and cancels on two instruments for three accounts, closed by `end`. Deterministic.
 */
export function buildSession(length: number): SequencedMessage[] {
  const messages: SequencedMessage[] = [
    instrument(),
    instrument({
      instrumentId: 'cu2606',
      product: 'cu',
      multiplier: 5,
      priceTick: 10,
      marginRate: 0.08,
      preSettlement: 80_000,
      upperLimit: 86_400,
      lowerLimit: 73_600,
    }),
    account({ accountId: 'A1', controlGroup: 'G1', preBalance: 2_000_000 }),
    account({ accountId: 'A2', controlGroup: 'G1', preBalance: 1_000_000 }),
    account({ accountId: 'A3', preBalance: 500_000 }),
    position({ accountId: 'A1', longQty: 10, longAvgPrice: 3490 }),
    position({ accountId: 'A3', instrumentId: 'cu2606', shortQty: 2, shortAvgPrice: 80_100 }),
    phase({ exchange: 'SHFE', phase: 'continuous' }),
  ];
  const accounts = ['A1', 'A2', 'A3'];
  let step = 0;
  while (messages.length < length - 1) {
    const onCu = step % 3 === 2;
    const instrumentId = onCu ? 'cu2606' : 'rb2605';
    const base = onCu ? 80_000 : 3500;
    const tick = onCu ? 10 : 1;
    const last = base + tick * ((step % 11) - 5);
    const accountId = accounts[step % 3] as string;
    const orderId = `O${step}`;
    const side = step % 2 === 0 ? 'buy' : 'sell';
    const kind = step % 4;
    if (kind === 0) {
      messages.push(
        quote({
          instrumentId,
          last,
          volume: 1000 + step,
          openInterest: 10_000 + (step % 50),
          bids: [[last - tick, 5]],
          asks: [[last, 7]],
        }),
      );
    } else if (kind === 1) {
      messages.push(
        orderNew({ orderId, accountId, instrumentId, side, offset: 'open', price: last, qty: 1 + (step % 3) }),
      );
      messages.push(
        trade({
          tradeId: `T${step}`,
          instrumentId,
          price: last,
          qty: 1 + (step % 3),
          ...(side === 'buy'
            ? { buyOrderId: orderId, buyAccountId: accountId }
            : { sellOrderId: orderId, sellAccountId: accountId }),
          aggressor: side,
          commission: 2,
        }),
      );
    } else if (kind === 2) {
      messages.push(
        orderNew({ orderId, accountId, instrumentId, side, offset: 'open', price: last - tick * 3, qty: 2 }),
      );
    } else {
      messages.push(orderCancel({ orderId: `O${step - 1}`, cancelledQty: 2 }));
    }
    step++;
  }
  messages.length = Math.min(messages.length, length - 1);
  messages.push(end());
  return sequence(messages);
}
