// What the simulator says of its contracts and clients beyond prices and money (docs/protocol.md: instrument
// delivery terms, account client type / programmatic report / KYC persons, `terminal`, order time condition and
// hedge flag). Every value is a pure function of the contract, the account or the order — no draw from the
// session's random stream — so adding them leaves the day's trading exactly as it was.
import type { ClientType, Exchange, HedgeFlag, InstrumentMessage, TimeCondition } from '../../shared/protocol';
import type { AccountSpec, InstrumentSpec } from './catalogue';

/** A 32-bit hash of the parts (FNV-1a): stable across runs and platforms. */
function hash(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = `${part}|`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

const hex = (value: number, digits: number) => value.toString(16).toUpperCase().padStart(digits, '0').slice(-digits);

/** Lots a delivery-month position must be a multiple of (SHFE/INE set one per product; an illustrative table). */
const DELIVERY_UNITS: Partial<Record<string, number>> = { rb: 30, cu: 5, al: 5, zn: 5, au: 3, ag: 30, sc: 1 };

/** The year and month a contract id names: YYMM, or YMM on CZCE (the decade of the trading day). */
function contractMonth(spec: InstrumentSpec, tradingDay: string): { year: number; month: number } | null {
  const digits = /([0-9]{3,4})$/.exec(spec.instrumentId)?.[1];
  if (!digits) return null;
  const month = Number(digits.slice(-2));
  const thisYear = Number(tradingDay.slice(0, 4));
  let year: number;
  if (digits.length === 4) year = 2000 + Number(digits.slice(0, 2));
  else {
    year = thisYear - (thisYear % 10) + Number(digits[0]);
    if (year < thisYear - 1) year += 10;
  }
  return month >= 1 && month <= 12 ? { year, month } : null;
}

/**
 * The last trading day, by the exchanges' usual rules (holidays not known): CFFEX index futures the third Friday of
 * the month; commodity futures the 10th weekday of the delivery month (an approximation of "the 10th trading day").
 */
function lastTradingDayOf(exchange: Exchange, year: number, month: number): string {
  const weekdays: number[] = [];
  const fridays: number[] = [];
  for (let day = 1; day <= 31; day++) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1) break;
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) weekdays.push(day);
    if (weekday === 5) fridays.push(day);
  }
  const day = exchange === 'CFFEX' ? fridays[2] : weekdays[9];
  return `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}

/** The instrument message's delivery fields. */
export function deliveryTerms(
  spec: InstrumentSpec,
  tradingDay: string,
): Pick<InstrumentMessage, 'deliveryMonth' | 'lastTradingDay' | 'deliveryUnit'> {
  const named = contractMonth(spec, tradingDay);
  if (!named) return {};
  const unit = spec.exchange === 'SHFE' || spec.exchange === 'INE' ? DELIVERY_UNITS[spec.product] : undefined;
  return {
    deliveryMonth: `${named.year}${String(named.month).padStart(2, '0')}`,
    lastTradingDay: lastTradingDayOf(spec.exchange, named.year, named.month),
    ...(unit !== undefined ? { deliveryUnit: unit } : {}),
  };
}

/** Who a client is: market makers are reported programmatic institutions; most others individuals. */
export function clientProfile(spec: AccountSpec): {
  clientType: ClientType;
  programmatic?: { reported: boolean; reportedOn?: string };
  kyc: { authoriser: string; orderPlacer: string; fundTransferer: string; statementConfirmer: string };
} {
  const h = hash('client', spec.accountId);
  const institution = spec.role === 'market_maker' || h % 100 < 12;
  // A control group's accounts have one person behind them (that is what makes them one client).
  const owner = `P-${spec.controlGroup ?? spec.accountId}`;
  const placer = institution ? `P-${spec.accountId}-T${h % 3}` : owner;
  return {
    clientType: institution ? 'institution' : 'individual',
    ...(spec.role === 'market_maker'
      ? { programmatic: { reported: true, reportedOn: `202510${String(10 + (h % 20)).padStart(2, '0')}` } }
      : {}),
    kyc: { authoriser: owner, orderPlacer: placer, fundTransferer: owner, statementConfirmer: owner },
  };
}

/** The terminal a client logs in from; a control group's accounts share their office's machine. */
export function terminalOf(spec: AccountSpec) {
  const machine = spec.controlGroup ?? spec.accountId;
  const h = hash('terminal', machine);
  const g = hash('terminal-2', machine);
  const mac = [0x00, 0x1a, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff].map((b) => hex(b, 2));
  return {
    ip: `10.${(h >>> 16) & 0xff}.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`,
    publicIp: `203.0.${g & 0xff}.${((g >>> 8) & 0xfe) + 1}`,
    mac: mac.join('-'),
    diskSerial: `WD-${hex(h, 8)}${hex(g, 4)}`,
    cpuSerial: `BFEBFBFF${hex(g, 8)}`,
    biosSerial: `R9${hex(h ^ g, 6)}`,
    deviceName: `PC-${hex(g >>> 8, 5)}`,
    os: g % 10 < 8 ? 'Windows 10' : 'Windows 11',
    appId: spec.role === 'market_maker' ? 'mm_quoter_3.2' : g % 3 === 0 ? 'client_kuaiqi_4.1' : 'client_wenhua_8.0',
  };
}

/**
 * An order's time condition and hedge flag where they are not the defaults (GFD, speculation): a few orders. The
 * time condition only counts for an order that filled in full on entry (what a FAK or FOK order that traded is);
 * the market applies it after matching.
 */
export function orderTerms(
  orderId: string,
  clientType: ClientType,
): { timeCondition?: TimeCondition; hedgeFlag?: HedgeFlag } {
  const h = hash('order', orderId) % 1000;
  const terms: { timeCondition?: TimeCondition; hedgeFlag?: HedgeFlag } = {};
  if (h < 20) terms.timeCondition = 'FAK';
  else if (h < 25) terms.timeCondition = 'FOK';
  if (clientType === 'institution' && h >= 900) terms.hedgeFlag = h >= 980 ? 'arbitrage' : 'hedge';
  return terms;
}
