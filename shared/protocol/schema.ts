// fw-feed/1 message schemas (../shared/PROTOCOL.md). One TypeBox schema per message kind gives the static
// type, a JSON Schema for other tools, and a compiled validator (see decoder.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const PROTOCOL_VERSION = 'fw-feed/1';

export const EXCHANGES = ['SHFE', 'DCE', 'CZCE', 'CFFEX', 'INE', 'GFEX'] as const;
export type Exchange = (typeof EXCHANGES)[number];
export const PHASES = ['preopen', 'auction', 'continuous', 'break', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

const Seq = Type.Integer({ minimum: 1 });
const Ts = Type.Integer({ minimum: 0 });
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Price = Type.Number();
const Lots = Type.Integer({ minimum: 0 });
const PositiveLots = Type.Integer({ minimum: 1 });
const NullableId = Type.Union([Id, Type.Null()]);
const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
const ExchangeSchema = Type.Union(EXCHANGES.map((e) => Type.Literal(e)));
const PhaseSchema = Type.Union(PHASES.map((p) => Type.Literal(p)));
const BookSide = Type.Array(Type.Tuple([Price, Lots]), { maxItems: 20 });

/** Fields every sequenced server message carries. */
const sequenced = { seq: Seq, ts: Ts };

export const HelloSchema = Type.Object({
  type: Type.Literal('hello'),
  ts: Ts,
  protocol: Type.Literal(PROTOCOL_VERSION),
  nextSeq: Seq,
  sessionId: Id,
  tradingDay: Type.String({ pattern: '^[0-9]{8}$' }),
  source: Type.String({ maxLength: 256 }),
});

export const InstrumentSchema = Type.Object({
  type: Type.Literal('instrument'),
  ...sequenced,
  instrumentId: Id,
  exchange: ExchangeSchema,
  product: Id,
  multiplier: Type.Number({ exclusiveMinimum: 0 }),
  priceTick: Type.Number({ exclusiveMinimum: 0 }),
  marginRate: Type.Number({ minimum: 0, maximum: 1 }),
  upperLimit: Price,
  lowerLimit: Price,
  preSettlement: Price,
  positionLimit: Type.Optional(PositiveLots),
  maxOrderQty: Type.Optional(PositiveLots),
});

export const AccountSchema = Type.Object({
  type: Type.Literal('account'),
  ...sequenced,
  accountId: Id,
  name: Type.String({ maxLength: 256 }),
  preBalance: Type.Number(),
  controlGroup: Type.Optional(Id),
});

export const CashSchema = Type.Object({
  type: Type.Literal('cash'),
  ...sequenced,
  accountId: Id,
  amount: Type.Number(),
});

export const PositionSchema = Type.Object({
  type: Type.Literal('position'),
  ...sequenced,
  accountId: Id,
  instrumentId: Id,
  longQty: Lots,
  longAvgPrice: Price,
  shortQty: Lots,
  shortAvgPrice: Price,
});

export const PhaseMessageSchema = Type.Object({
  type: Type.Literal('phase'),
  ...sequenced,
  exchange: ExchangeSchema,
  instrumentId: Type.Optional(Id),
  phase: PhaseSchema,
});

export const QuoteSchema = Type.Object({
  type: Type.Literal('quote'),
  ...sequenced,
  instrumentId: Id,
  last: Price,
  volume: Lots,
  openInterest: Lots,
  bids: BookSide,
  asks: BookSide,
});

export const OrderNewSchema = Type.Object({
  type: Type.Literal('order'),
  ...sequenced,
  event: Type.Literal('new'),
  orderId: Id,
  accountId: Id,
  instrumentId: Id,
  side: Side,
  offset: Type.Union([Type.Literal('open'), Type.Literal('close')]),
  price: Price,
  qty: PositiveLots,
});

export const OrderCancelSchema = Type.Object({
  type: Type.Literal('order'),
  ...sequenced,
  event: Type.Literal('cancel'),
  orderId: Id,
  cancelledQty: Lots,
});

export const OrderRejectSchema = Type.Object({
  type: Type.Literal('order'),
  ...sequenced,
  event: Type.Literal('reject'),
  orderId: Id,
  reason: Type.String({ maxLength: 1024 }),
});

export const TradeSchema = Type.Object({
  type: Type.Literal('trade'),
  ...sequenced,
  tradeId: Id,
  instrumentId: Id,
  price: Price,
  qty: PositiveLots,
  buyOrderId: NullableId,
  sellOrderId: NullableId,
  buyAccountId: NullableId,
  sellAccountId: NullableId,
  aggressor: Side,
  commission: Type.Optional(Type.Number({ minimum: 0 })),
});

export const HeartbeatSchema = Type.Object({ type: Type.Literal('heartbeat'), ts: Ts });
export const EndSchema = Type.Object({ type: Type.Literal('end'), ...sequenced });
export const ErrorSchema = Type.Object({
  type: Type.Literal('error'),
  ts: Ts,
  code: Id,
  message: Type.String({ maxLength: 4096 }),
});

export const SubscribeSchema = Type.Object({
  type: Type.Literal('subscribe'),
  fromSeq: Type.Optional(Seq),
});

export type HelloMessage = Static<typeof HelloSchema>;
export type InstrumentMessage = Static<typeof InstrumentSchema>;
export type AccountMessage = Static<typeof AccountSchema>;
export type CashMessage = Static<typeof CashSchema>;
export type PositionMessage = Static<typeof PositionSchema>;
export type PhaseMessage = Static<typeof PhaseMessageSchema>;
export type QuoteMessage = Static<typeof QuoteSchema>;
export type OrderNewMessage = Static<typeof OrderNewSchema>;
export type OrderCancelMessage = Static<typeof OrderCancelSchema>;
export type OrderRejectMessage = Static<typeof OrderRejectSchema>;
export type OrderMessage = OrderNewMessage | OrderCancelMessage | OrderRejectMessage;
export type TradeMessage = Static<typeof TradeSchema>;
export type HeartbeatMessage = Static<typeof HeartbeatSchema>;
export type EndMessage = Static<typeof EndSchema>;
export type ErrorMessage = Static<typeof ErrorSchema>;
export type SubscribeMessage = Static<typeof SubscribeSchema>;
export type BookLevel = [price: number, qty: number];

/** Messages that carry `seq` and belong to the recorded session. */
export type SequencedMessage =
  | InstrumentMessage
  | AccountMessage
  | CashMessage
  | PositionMessage
  | PhaseMessage
  | QuoteMessage
  | OrderMessage
  | TradeMessage
  | EndMessage;

/** Every message a server may send. */
export type ServerMessage = SequencedMessage | HelloMessage | HeartbeatMessage | ErrorMessage;
export type ServerMessageType = ServerMessage['type'];

/** Schema per `type` (and per `event` for orders): the decoder dispatches on these instead of a slow union. */
export const schemaByType: Record<Exclude<ServerMessageType, 'order'>, TSchema> = {
  hello: HelloSchema,
  instrument: InstrumentSchema,
  account: AccountSchema,
  cash: CashSchema,
  position: PositionSchema,
  phase: PhaseMessageSchema,
  quote: QuoteSchema,
  trade: TradeSchema,
  heartbeat: HeartbeatSchema,
  end: EndSchema,
  error: ErrorSchema,
};
export const orderSchemaByEvent = {
  new: OrderNewSchema,
  cancel: OrderCancelSchema,
  reject: OrderRejectSchema,
} as const;

export function isSequenced(message: ServerMessage): message is SequencedMessage {
  return message.type !== 'hello' && message.type !== 'heartbeat' && message.type !== 'error';
}
