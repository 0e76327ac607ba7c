// Feed messages as evidence: the names of message types, of their fields and of their coded values, and the fields
// an evidence row shows, in order (case review, evidence packs).
import {
  TERMINAL_FIELDS,
  type HedgeFlag,
  type SequencedMessage,
  type ServerMessageType,
  type TimeCondition,
} from '../protocol/schema';
import { EXCHANGE_NAMES, PHASE_NAMES } from './market';
import { nameOf, term, type Term, type VocabularyLanguage } from './term';

export const MESSAGE_TYPE_NAMES: Readonly<Record<ServerMessageType, Term>> = {
  hello: term('Session start', '会话开始'),
  instrument: term('Instrument', '合约信息'),
  account: term('Account', '账户信息'),
  terminal: term('Terminal login', '终端信息'),
  cash: term('Cash in/out', '出入金'),
  position: term('Position', '持仓'),
  phase: term('Trading phase', '交易阶段'),
  quote: term('Quote', '行情'),
  order: term('Order', '委托'),
  trade: term('Trade', '成交'),
  heartbeat: term('Heartbeat', '心跳'),
  end: term('Session end', '会话结束'),
  error: term('Error', '错误'),
};

export const ORDER_EVENT_NAMES: Readonly<Record<'new' | 'cancel' | 'reject', Term>> = {
  new: term('Order entered', '报单'),
  cancel: term('Cancel', '撤单'),
  reject: term('Rejected', '拒单'),
};

export const SIDE_NAMES: Readonly<Record<'buy' | 'sell', Term>> = {
  buy: term('Buy', '买'),
  sell: term('Sell', '卖'),
};

export const TIME_CONDITION_NAMES: Readonly<Record<TimeCondition, Term>> = {
  GFD: term('Good for day', '当日有效'),
  FAK: term('Fill and kill', '即时成交剩余撤销'),
  FOK: term('Fill or kill', '即时全部成交否则撤销'),
};

export const HEDGE_FLAG_NAMES: Readonly<Record<HedgeFlag, Term>> = {
  speculation: term('Speculation', '投机'),
  arbitrage: term('Arbitrage', '套利'),
  hedge: term('Hedge', '套保'),
};

export const OFFSET_NAMES: Readonly<Record<'open' | 'close', Term>> = {
  open: term('Open', '开仓'),
  close: term('Close', '平仓'),
};

/** Field names of the feed messages an operator reads as evidence. */
export const EVIDENCE_FIELD_NAMES = {
  seq: term('Seq', '序号'),
  ts: term('Time', '时间'),
  type: term('Type', '类型'),
  event: term('Event', '事件'),
  accountId: term('Account', '账户'),
  instrumentId: term('Contract', '合约'),
  exchange: term('Exchange', '交易所'),
  phase: term('Phase', '阶段'),
  side: term('Side', '买卖'),
  offset: term('Open/close', '开平'),
  price: term('Price', '价格'),
  qty: term('Lots', '手数'),
  cancelledQty: term('Lots cancelled', '撤单手数'),
  orderId: term('Order id', '委托号'),
  tradeId: term('Trade id', '成交编号'),
  aggressor: term('Aggressor', '主动方'),
  buyAccountId: term('Buyer', '买方账户'),
  sellAccountId: term('Seller', '卖方账户'),
  buyOrderId: term('Buy order', '买方委托号'),
  sellOrderId: term('Sell order', '卖方委托号'),
  commission: term('Commission', '手续费'),
  reason: term('Reason', '原因'),
  last: term('Last', '最新价'),
  volume: term('Volume', '成交量'),
  openInterest: term('Open interest', '持仓量'),
  amount: term('Amount', '金额'),
  longQty: term('Long lots', '多头手数'),
  shortQty: term('Short lots', '空头手数'),
  timeCondition: term('Time condition', '有效期类型'),
  hedgeFlag: term('Hedge flag', '投机套保标志'),
  ip: term('IP address', 'IP地址'),
  publicIp: term('Public IP', '公网IP'),
  mac: term('MAC address', 'MAC地址'),
  diskSerial: term('Disk serial', '硬盘序列号'),
  cpuSerial: term('CPU serial', 'CPU序列号'),
  biosSerial: term('BIOS serial', 'BIOS序列号'),
  deviceName: term('Device name', '设备名'),
  os: term('Operating system', '操作系统'),
  appId: term('App id', '应用标识'),
} as const satisfies Record<string, Term>;
export type EvidenceField = keyof typeof EVIDENCE_FIELD_NAMES;

/** Coded values of a field and their names. */
export const EVIDENCE_VALUE_NAMES: Partial<Record<EvidenceField, Readonly<Record<string, Term>>>> = {
  event: ORDER_EVENT_NAMES,
  side: SIDE_NAMES,
  aggressor: SIDE_NAMES,
  offset: OFFSET_NAMES,
  timeCondition: TIME_CONDITION_NAMES,
  hedgeFlag: HEDGE_FLAG_NAMES,
  exchange: EXCHANGE_NAMES,
  phase: PHASE_NAMES,
};

/** The fields an evidence row shows, in reading order (type, seq and time have columns of their own). */
const SHOWN_FIELDS: readonly EvidenceField[] = [
  'accountId',
  'instrumentId',
  'exchange',
  'phase',
  'side',
  'offset',
  'price',
  'qty',
  'timeCondition',
  'hedgeFlag',
  'cancelledQty',
  'orderId',
  'buyAccountId',
  'sellAccountId',
  'aggressor',
  'last',
  'volume',
  'reason',
  'amount',
  ...TERMINAL_FIELDS,
];

export interface EvidenceEntry {
  field: EvidenceField;
  /** The raw value: a number stays a number (the reader formats it), a code is translated in `text`. */
  value: string | number;
  text: string;
}

/** The kind of an evidence message: an order's event (报单, 撤单), else its type (成交). */
export function evidenceKind(message: SequencedMessage, language: VocabularyLanguage): string {
  if (message.type === 'order') return nameOf(ORDER_EVENT_NAMES, message.event, language);
  return nameOf(MESSAGE_TYPE_NAMES, message.type, language);
}

/** The fields of an evidence message worth reading, coded values translated. */
export function evidenceEntries(message: SequencedMessage, language: VocabularyLanguage): EvidenceEntry[] {
  const fields = message as unknown as Record<string, unknown>;
  const entries: EvidenceEntry[] = [];
  for (const field of SHOWN_FIELDS) {
    const value = fields[field];
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const names = EVIDENCE_VALUE_NAMES[field];
    const text = names && typeof value === 'string' ? nameOf(names, value, language) : String(value);
    entries.push({ field, value, text });
  }
  return entries;
}
