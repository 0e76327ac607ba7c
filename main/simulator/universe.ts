// The full futures universe of the six Chinese exchanges (SHFE, DCE, CZCE, CFFEX, INE, GFEX): every product with
// its contract terms and the delivery months listed on the simulator's reference day (2026-03-19, the default
// trading day, which the default catalogue's contract ids also belong to). About 800 contracts.
//
// Sources for multipliers, ticks, limits, margins and listed months: the exchanges' contract specifications
// (shfe.com.cn, dce.com.cn, czce.com.cn, cffex.com.cn, ine.cn, gfex.com.cn) as summarised by JoinQuant's futures
// dictionary (joinquant.com/data/dict/sfData: CFFEX index and bond contracts), the futuresclock open-data table of
// contract sizes and ticks (huggingface.co/datasets/brucewangdatou/futuresclock-open-data), DCE's log futures
// notice (LG: 90 m³, tick 0.5, limit 6%, margin 8%, odd months) and GFEX's polysilicon notices (ps: 3 t, tick 5,
// limit 9%, margin 11%). Margin rates include a typical broker add-on; price levels are plausible for early 2026,
// not quotes of any real day.
import type { Exchange } from '../../shared/protocol';
import { INSTRUMENTS, type InstrumentSpec } from './catalogue';

/** Which delivery months a product lists. */
type Listing =
  /** The next 12 calendar months. */
  | 'serial'
  /** The next 12 calendar months whose month number is in the list. */
  | readonly number[]
  /** SHFE au: the next three months, then even months within about a year. */
  | 'gold'
  /** The next 12 months, then quarterly months out to three years (INE sc). */
  | 'serial+quarterly36'
  /** The next 6 months, then quarterly months out to two years (SHFE bu). */
  | 'serial6+quarterly24'
  /** CFFEX equity index: this month, next month and the next two quarterly months. */
  | 'index'
  /** CFFEX treasury bonds: the next three quarterly months. */
  | 'bond';

interface Product {
  exchange: Exchange;
  product: string;
  multiplier: number;
  priceTick: number;
  marginRate: number;
  limitPct: number;
  /** Typical price of the front contracts. */
  price: number;
  listing: Listing;
  /** Calendar months of the contracts the market concentrates on (the dominant one is the first ≥ 2 months out). */
  main: readonly number[];
  /** Relative activity of the product's dominant contract (the default catalogue's contracts use 6–14). */
  weight: number;
  /** Typical intraday swing of the fair value as a fraction of the price. */
  volatility?: number;
}

const ODD = [1, 3, 5, 7, 9, 11];
const EVEN = [2, 4, 6, 8, 10, 12];
const MEAL = [1, 3, 5, 7, 8, 9, 11, 12];

// prettier-ignore
const PRODUCTS: readonly Product[] = [
  // SHFE
  { exchange: 'SHFE', product: 'cu', multiplier: 5, priceTick: 10, marginRate: 0.1, limitPct: 0.07, price: 79_540, listing: 'serial', main: [6, 5], weight: 9 },
  { exchange: 'SHFE', product: 'al', multiplier: 5, priceTick: 5, marginRate: 0.09, limitPct: 0.06, price: 20_560, listing: 'serial', main: [5, 6], weight: 6 },
  { exchange: 'SHFE', product: 'zn', multiplier: 5, priceTick: 5, marginRate: 0.09, limitPct: 0.06, price: 23_840, listing: 'serial', main: [5, 6], weight: 4 },
  { exchange: 'SHFE', product: 'pb', multiplier: 5, priceTick: 5, marginRate: 0.09, limitPct: 0.06, price: 17_120, listing: 'serial', main: [5, 6], weight: 1.5 },
  { exchange: 'SHFE', product: 'ni', multiplier: 1, priceTick: 10, marginRate: 0.12, limitPct: 0.08, price: 128_600, listing: 'serial', main: [5, 6], weight: 5 },
  { exchange: 'SHFE', product: 'sn', multiplier: 1, priceTick: 10, marginRate: 0.13, limitPct: 0.09, price: 265_400, listing: 'serial', main: [5, 6], weight: 3 },
  { exchange: 'SHFE', product: 'ao', multiplier: 20, priceTick: 1, marginRate: 0.1, limitPct: 0.07, price: 3_310, listing: 'serial', main: [5, 9], weight: 5 },
  { exchange: 'SHFE', product: 'au', multiplier: 1000, priceTick: 0.02, marginRate: 0.12, limitPct: 0.1, price: 778.42, listing: 'gold', main: [6, 12], weight: 8, volatility: 0.006 },
  { exchange: 'SHFE', product: 'ag', multiplier: 15, priceTick: 1, marginRate: 0.13, limitPct: 0.12, price: 8_230, listing: 'serial', main: [6, 12], weight: 9, volatility: 0.008 },
  { exchange: 'SHFE', product: 'rb', multiplier: 10, priceTick: 1, marginRate: 0.1, limitPct: 0.06, price: 3_168, listing: 'serial', main: [5, 10, 1], weight: 14 },
  { exchange: 'SHFE', product: 'hc', multiplier: 10, priceTick: 1, marginRate: 0.1, limitPct: 0.06, price: 3_312, listing: 'serial', main: [5, 10, 1], weight: 7 },
  { exchange: 'SHFE', product: 'ss', multiplier: 5, priceTick: 5, marginRate: 0.09, limitPct: 0.06, price: 13_050, listing: 'serial', main: [5, 6], weight: 3 },
  { exchange: 'SHFE', product: 'wr', multiplier: 10, priceTick: 1, marginRate: 0.1, limitPct: 0.06, price: 3_520, listing: 'serial', main: [5, 10], weight: 0.02 },
  { exchange: 'SHFE', product: 'bu', multiplier: 10, priceTick: 1, marginRate: 0.12, limitPct: 0.07, price: 3_490, listing: 'serial6+quarterly24', main: [6, 9, 12], weight: 4 },
  { exchange: 'SHFE', product: 'ru', multiplier: 10, priceTick: 5, marginRate: 0.1, limitPct: 0.07, price: 16_480, listing: [1, 3, 4, 5, 6, 7, 8, 9, 10, 11], main: [5, 9, 1], weight: 5 },
  { exchange: 'SHFE', product: 'fu', multiplier: 10, priceTick: 1, marginRate: 0.12, limitPct: 0.08, price: 2_920, listing: 'serial', main: [5, 9, 1], weight: 6, volatility: 0.007 },
  { exchange: 'SHFE', product: 'sp', multiplier: 10, priceTick: 2, marginRate: 0.09, limitPct: 0.06, price: 5_520, listing: 'serial', main: [5, 9, 1], weight: 4 },
  { exchange: 'SHFE', product: 'br', multiplier: 5, priceTick: 5, marginRate: 0.12, limitPct: 0.08, price: 12_480, listing: 'serial', main: [5, 6], weight: 3 },
  // INE
  { exchange: 'INE', product: 'sc', multiplier: 1000, priceTick: 0.1, marginRate: 0.12, limitPct: 0.08, price: 486.3, listing: 'serial+quarterly36', main: [6, 5], weight: 7, volatility: 0.008 },
  { exchange: 'INE', product: 'lu', multiplier: 10, priceTick: 1, marginRate: 0.12, limitPct: 0.08, price: 3_410, listing: 'serial', main: [5, 6], weight: 3, volatility: 0.007 },
  { exchange: 'INE', product: 'nr', multiplier: 10, priceTick: 5, marginRate: 0.1, limitPct: 0.07, price: 13_020, listing: 'serial', main: [5, 6], weight: 1.5 },
  { exchange: 'INE', product: 'bc', multiplier: 5, priceTick: 10, marginRate: 0.1, limitPct: 0.07, price: 71_020, listing: 'serial', main: [5, 6], weight: 1 },
  { exchange: 'INE', product: 'ec', multiplier: 50, priceTick: 0.1, marginRate: 0.2, limitPct: 0.18, price: 1_812.4, listing: EVEN, main: [6, 8], weight: 6, volatility: 0.012 },
  // DCE
  { exchange: 'DCE', product: 'm', multiplier: 10, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 2_916, listing: MEAL, main: [5, 9, 1], weight: 12 },
  { exchange: 'DCE', product: 'y', multiplier: 10, priceTick: 2, marginRate: 0.08, limitPct: 0.06, price: 8_120, listing: MEAL, main: [5, 9, 1], weight: 6 },
  { exchange: 'DCE', product: 'p', multiplier: 10, priceTick: 2, marginRate: 0.1, limitPct: 0.07, price: 8_940, listing: 'serial', main: [5, 9, 1], weight: 8 },
  { exchange: 'DCE', product: 'a', multiplier: 10, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 4_030, listing: ODD, main: [5, 7, 9], weight: 3 },
  { exchange: 'DCE', product: 'b', multiplier: 10, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 3_720, listing: 'serial', main: [5, 7, 9], weight: 2 },
  { exchange: 'DCE', product: 'c', multiplier: 10, priceTick: 1, marginRate: 0.07, limitPct: 0.05, price: 2_254, listing: ODD, main: [5, 7, 9], weight: 5 },
  { exchange: 'DCE', product: 'cs', multiplier: 10, priceTick: 1, marginRate: 0.07, limitPct: 0.05, price: 2_612, listing: ODD, main: [5, 7, 9], weight: 2 },
  { exchange: 'DCE', product: 'jd', multiplier: 10, priceTick: 1, marginRate: 0.09, limitPct: 0.06, price: 3_318, listing: 'serial', main: [5, 9, 1], weight: 3 },
  { exchange: 'DCE', product: 'lh', multiplier: 16, priceTick: 5, marginRate: 0.12, limitPct: 0.08, price: 12_540, listing: ODD, main: [5, 7, 9], weight: 4 },
  { exchange: 'DCE', product: 'l', multiplier: 5, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 7_310, listing: 'serial', main: [5, 9, 1], weight: 5 },
  { exchange: 'DCE', product: 'v', multiplier: 5, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 4_920, listing: 'serial', main: [5, 9, 1], weight: 5 },
  { exchange: 'DCE', product: 'pp', multiplier: 5, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 7_040, listing: 'serial', main: [5, 9, 1], weight: 6 },
  { exchange: 'DCE', product: 'eg', multiplier: 10, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 4_318, listing: 'serial', main: [5, 9, 1], weight: 6 },
  { exchange: 'DCE', product: 'eb', multiplier: 5, priceTick: 1, marginRate: 0.09, limitPct: 0.07, price: 7_216, listing: 'serial', main: [5, 6], weight: 5 },
  { exchange: 'DCE', product: 'pg', multiplier: 20, priceTick: 1, marginRate: 0.09, limitPct: 0.07, price: 4_412, listing: 'serial', main: [5, 6], weight: 4 },
  { exchange: 'DCE', product: 'i', multiplier: 100, priceTick: 0.5, marginRate: 0.11, limitPct: 0.11, price: 781.5, listing: 'serial', main: [5, 9, 1], weight: 10, volatility: 0.006 },
  { exchange: 'DCE', product: 'j', multiplier: 100, priceTick: 0.5, marginRate: 0.15, limitPct: 0.11, price: 1_652, listing: 'serial', main: [5, 9, 1], weight: 3, volatility: 0.007 },
  { exchange: 'DCE', product: 'jm', multiplier: 60, priceTick: 0.5, marginRate: 0.15, limitPct: 0.11, price: 1_154, listing: 'serial', main: [5, 9, 1], weight: 4, volatility: 0.007 },
  { exchange: 'DCE', product: 'lg', multiplier: 90, priceTick: 0.5, marginRate: 0.1, limitPct: 0.06, price: 812, listing: ODD, main: [7, 9], weight: 1 },
  { exchange: 'DCE', product: 'rr', multiplier: 10, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 3_620, listing: 'serial', main: [5, 9], weight: 0.03 },
  { exchange: 'DCE', product: 'fb', multiplier: 10, priceTick: 0.5, marginRate: 0.12, limitPct: 0.06, price: 1_310, listing: 'serial', main: [5, 9], weight: 0.02 },
  { exchange: 'DCE', product: 'bb', multiplier: 500, priceTick: 0.05, marginRate: 0.2, limitPct: 0.06, price: 158.5, listing: 'serial', main: [5, 9], weight: 0.01 },
  // CZCE
  { exchange: 'CZCE', product: 'SR', multiplier: 10, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 5_683, listing: ODD, main: [5, 9, 1], weight: 8 },
  { exchange: 'CZCE', product: 'CF', multiplier: 5, priceTick: 5, marginRate: 0.08, limitPct: 0.06, price: 13_840, listing: ODD, main: [5, 9, 1], weight: 6 },
  { exchange: 'CZCE', product: 'CY', multiplier: 5, priceTick: 5, marginRate: 0.08, limitPct: 0.06, price: 19_820, listing: 'serial', main: [5, 9], weight: 0.4 },
  { exchange: 'CZCE', product: 'TA', multiplier: 5, priceTick: 2, marginRate: 0.08, limitPct: 0.06, price: 4_736, listing: 'serial', main: [5, 9, 1], weight: 8 },
  { exchange: 'CZCE', product: 'MA', multiplier: 10, priceTick: 1, marginRate: 0.09, limitPct: 0.07, price: 2_452, listing: 'serial', main: [5, 9, 1], weight: 9 },
  { exchange: 'CZCE', product: 'FG', multiplier: 20, priceTick: 1, marginRate: 0.1, limitPct: 0.07, price: 1_104, listing: 'serial', main: [5, 9, 1], weight: 7 },
  { exchange: 'CZCE', product: 'SA', multiplier: 20, priceTick: 1, marginRate: 0.1, limitPct: 0.07, price: 1_312, listing: 'serial', main: [5, 9, 1], weight: 8 },
  { exchange: 'CZCE', product: 'UR', multiplier: 20, priceTick: 1, marginRate: 0.08, limitPct: 0.06, price: 1_752, listing: 'serial', main: [5, 9, 1], weight: 5 },
  { exchange: 'CZCE', product: 'RM', multiplier: 10, priceTick: 1, marginRate: 0.09, limitPct: 0.06, price: 2_456, listing: [1, 3, 5, 7, 8, 9, 11], main: [5, 9, 1], weight: 6 },
  { exchange: 'CZCE', product: 'OI', multiplier: 10, priceTick: 1, marginRate: 0.09, limitPct: 0.06, price: 9_312, listing: ODD, main: [5, 9, 1], weight: 5 },
  { exchange: 'CZCE', product: 'AP', multiplier: 10, priceTick: 1, marginRate: 0.1, limitPct: 0.07, price: 7_618, listing: [1, 3, 4, 5, 10, 11, 12], main: [5, 10], weight: 4 },
  { exchange: 'CZCE', product: 'CJ', multiplier: 5, priceTick: 5, marginRate: 0.12, limitPct: 0.08, price: 9_510, listing: [1, 3, 5, 7, 9, 12], main: [5, 9], weight: 2 },
  { exchange: 'CZCE', product: 'PK', multiplier: 5, priceTick: 2, marginRate: 0.1, limitPct: 0.07, price: 8_216, listing: [1, 3, 4, 10, 11, 12], main: [4, 10], weight: 2 },
  { exchange: 'CZCE', product: 'PF', multiplier: 5, priceTick: 2, marginRate: 0.08, limitPct: 0.06, price: 6_418, listing: 'serial', main: [5, 6], weight: 3 },
  { exchange: 'CZCE', product: 'SF', multiplier: 5, priceTick: 2, marginRate: 0.12, limitPct: 0.08, price: 5_812, listing: 'serial', main: [5, 9, 1], weight: 3 },
  { exchange: 'CZCE', product: 'SM', multiplier: 5, priceTick: 2, marginRate: 0.12, limitPct: 0.08, price: 5_916, listing: 'serial', main: [5, 9, 1], weight: 3 },
  { exchange: 'CZCE', product: 'SH', multiplier: 30, priceTick: 1, marginRate: 0.1, limitPct: 0.07, price: 2_408, listing: 'serial', main: [5, 9, 1], weight: 4 },
  { exchange: 'CZCE', product: 'PX', multiplier: 5, priceTick: 2, marginRate: 0.09, limitPct: 0.07, price: 6_812, listing: 'serial', main: [5, 9, 1], weight: 4 },
  { exchange: 'CZCE', product: 'PR', multiplier: 15, priceTick: 2, marginRate: 0.08, limitPct: 0.06, price: 5_914, listing: 'serial', main: [5, 6], weight: 2 },
  { exchange: 'CZCE', product: 'ZC', multiplier: 100, priceTick: 0.2, marginRate: 0.5, limitPct: 0.1, price: 801.4, listing: 'serial', main: [5, 9], weight: 0.01 },
  { exchange: 'CZCE', product: 'WH', multiplier: 20, priceTick: 1, marginRate: 0.15, limitPct: 0.1, price: 2_452, listing: ODD, main: [5, 9], weight: 0.02 },
  { exchange: 'CZCE', product: 'PM', multiplier: 50, priceTick: 1, marginRate: 0.15, limitPct: 0.1, price: 2_610, listing: ODD, main: [5, 9], weight: 0.01 },
  { exchange: 'CZCE', product: 'RI', multiplier: 20, priceTick: 1, marginRate: 0.15, limitPct: 0.1, price: 2_620, listing: ODD, main: [5, 9], weight: 0.01 },
  { exchange: 'CZCE', product: 'LR', multiplier: 20, priceTick: 1, marginRate: 0.15, limitPct: 0.1, price: 2_640, listing: ODD, main: [5, 9], weight: 0.01 },
  { exchange: 'CZCE', product: 'JR', multiplier: 20, priceTick: 1, marginRate: 0.15, limitPct: 0.1, price: 2_910, listing: ODD, main: [5, 9], weight: 0.01 },
  { exchange: 'CZCE', product: 'RS', multiplier: 10, priceTick: 1, marginRate: 0.2, limitPct: 0.1, price: 5_820, listing: [7, 8, 9, 11], main: [7, 8], weight: 0.01 },
  // CFFEX
  { exchange: 'CFFEX', product: 'IF', multiplier: 300, priceTick: 0.2, marginRate: 0.12, limitPct: 0.1, price: 3_946.8, listing: 'index', main: [6, 4], weight: 10, volatility: 0.006 },
  { exchange: 'CFFEX', product: 'IH', multiplier: 300, priceTick: 0.2, marginRate: 0.12, limitPct: 0.1, price: 2_714.6, listing: 'index', main: [6, 4], weight: 4, volatility: 0.006 },
  { exchange: 'CFFEX', product: 'IC', multiplier: 200, priceTick: 0.2, marginRate: 0.14, limitPct: 0.1, price: 5_842.4, listing: 'index', main: [6, 4], weight: 6, volatility: 0.007 },
  { exchange: 'CFFEX', product: 'IM', multiplier: 200, priceTick: 0.2, marginRate: 0.15, limitPct: 0.1, price: 6_318.2, listing: 'index', main: [6, 4], weight: 7, volatility: 0.008 },
  { exchange: 'CFFEX', product: 'TS', multiplier: 20_000, priceTick: 0.002, marginRate: 0.006, limitPct: 0.005, price: 102.514, listing: 'bond', main: [6], weight: 3, volatility: 0.0004 },
  { exchange: 'CFFEX', product: 'TF', multiplier: 10_000, priceTick: 0.005, marginRate: 0.013, limitPct: 0.012, price: 106.12, listing: 'bond', main: [6], weight: 4, volatility: 0.0008 },
  { exchange: 'CFFEX', product: 'T', multiplier: 10_000, priceTick: 0.005, marginRate: 0.022, limitPct: 0.02, price: 108.545, listing: 'bond', main: [6], weight: 5, volatility: 0.0012 },
  { exchange: 'CFFEX', product: 'TL', multiplier: 10_000, priceTick: 0.01, marginRate: 0.037, limitPct: 0.035, price: 118.42, listing: 'bond', main: [6], weight: 4, volatility: 0.002 },
  // GFEX
  { exchange: 'GFEX', product: 'si', multiplier: 5, priceTick: 5, marginRate: 0.1, limitPct: 0.07, price: 9_215, listing: 'serial', main: [7, 5, 9], weight: 6 },
  { exchange: 'GFEX', product: 'lc', multiplier: 1, priceTick: 20, marginRate: 0.12, limitPct: 0.09, price: 75_240, listing: 'serial', main: [5, 7, 9], weight: 8, volatility: 0.009 },
  { exchange: 'GFEX', product: 'ps', multiplier: 3, priceTick: 5, marginRate: 0.12, limitPct: 0.09, price: 50_120, listing: 'serial', main: [5, 6], weight: 4, volatility: 0.009 },
];

/** The reference day's year and month (March 2026): contract months are counted from here. */
const REFERENCE_YEAR = 2026;
const REFERENCE_MONTH = 3;

interface ContractMonth {
  year: number;
  month: number;
  /** Months after the reference month (0 = this month). */
  ahead: number;
}

function monthAhead(ahead: number): ContractMonth {
  const index = REFERENCE_YEAR * 12 + (REFERENCE_MONTH - 1) + ahead;
  return { year: Math.floor(index / 12), month: (index % 12) + 1, ahead };
}

const QUARTERLY = (m: ContractMonth) => m.month % 3 === 0;

function listedMonths(listing: Listing): ContractMonth[] {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => monthAhead(from + i));
  if (listing === 'serial') return range(1, 12);
  if (Array.isArray(listing)) return range(1, 12).filter((m) => listing.includes(m.month));
  switch (listing) {
    case 'gold':
      return [...range(1, 3), ...range(4, 11).filter((m) => m.month % 2 === 0)];
    case 'serial+quarterly36':
      return [...range(1, 12), ...range(13, 36).filter(QUARTERLY)];
    case 'serial6+quarterly24':
      return [...range(1, 6), ...range(7, 24).filter(QUARTERLY)];
    case 'index':
      return [...range(0, 1), ...range(2, 12).filter(QUARTERLY).slice(0, 2)];
    case 'bond':
      return range(1, 12).filter(QUARTERLY).slice(0, 3);
    default:
      throw new RangeError(`unknown listing ${String(listing)}`);
  }
}

/** CZCE contract ids carry a 3-digit year-month (SR605); the other exchanges 4 digits (cu2605). */
export function contractId(exchange: Exchange, product: string, year: number, month: number): string {
  const mm = String(month).padStart(2, '0');
  return exchange === 'CZCE' ? `${product}${year % 10}${mm}` : `${product}${String(year % 100).padStart(2, '0')}${mm}`;
}

const DEFAULT_MAX_ORDER: Record<Exchange, number> = {
  SHFE: 500,
  INE: 500,
  DCE: 1000,
  CZCE: 1000,
  GFEX: 1000,
  CFFEX: 20,
};

function roundToTick(price: number, tick: number): number {
  const ticks = Math.round(price / tick);
  const decimals = (String(tick).split('.')[1] ?? '').length;
  return Number((ticks * tick).toFixed(decimals));
}

function contractSpec(p: Product, m: ContractMonth, weight: number, rank: number): InstrumentSpec {
  // A mild term structure: deferred months a little dearer or cheaper, by product.
  const carry = ((p.product.charCodeAt(0) % 5) - 2) * 0.002;
  const preSettlement = roundToTick(p.price * (1 + carry * Math.max(0, m.ahead - 1)), p.priceTick);
  const notional = preSettlement * p.multiplier;
  // Order sizes shrink with the contract's value: ~60 lots of rebar, ~15 of copper, ~5–10 of an index contract.
  const externalLots = Math.max(2, Math.min(80, Math.round(60 * Math.sqrt(31_680 / notional))));
  const bond = p.exchange === 'CFFEX' && p.multiplier >= 10_000;
  return {
    instrumentId: contractId(p.exchange, p.product, m.year, m.month),
    exchange: p.exchange,
    product: p.product,
    multiplier: p.multiplier,
    priceTick: p.priceTick,
    marginRate: p.marginRate,
    limitPct: p.limitPct,
    preSettlement,
    positionLimit: Math.max(500, Math.min(100_000, Math.round(1.5e9 / notional / 100) * 100)),
    maxOrderQty: bond ? 50 : DEFAULT_MAX_ORDER[p.exchange],
    openInterest: Math.max(20, Math.round(weight * 120_000 * (0.8 + ((rank * 37) % 41) / 100))),
    commission: p.exchange === 'DCE' || p.exchange === 'CZCE' ? { perLot: 2 } : { rate: 0.00005 },
    externalLots,
    clientLots: Math.max(1, Math.round(externalLots / 6)),
    weight,
    volatility: p.volatility ?? 0.005,
  };
}

/** A product's contracts with their share of its activity: the dominant month 1, the next main month 0.25, others little. */
function productContracts(p: Product): InstrumentSpec[] {
  const months = listedMonths(p.listing);
  const mains = months.filter((m) => m.ahead >= 2 && p.main.includes(m.month));
  const dominant = mains[0];
  const second = mains[1];
  return months.map((m, rank) => {
    const share = m === dominant ? 1 : m === second ? 0.25 : m.ahead <= 1 ? 0.05 : 0.02;
    return contractSpec(p, m, p.weight * share, rank);
  });
}

let universe: readonly InstrumentSpec[] | null = null;

/**
 * Every listed futures contract of the six exchanges, most-traded first: the default catalogue's ten contracts
 * (the dominant contracts of the busiest products, with their exact terms) then the rest by activity weight.
 */
export function futuresUniverse(): readonly InstrumentSpec[] {
  if (universe) return universe;
  const catalogue = new Set(INSTRUMENTS.map((i) => i.instrumentId));
  const rest = PRODUCTS.flatMap(productContracts).filter((spec) => !catalogue.has(spec.instrumentId));
  rest.sort((a, b) => b.weight - a.weight || (a.instrumentId < b.instrumentId ? -1 : 1));
  universe = [...INSTRUMENTS, ...rest];
  return universe;
}

/** The first `count` instruments: the catalogue's first `count` when it has that many, else the universe's. */
export function instrumentsOf(count: number | 'all'): readonly InstrumentSpec[] {
  if (count === 'all') return futuresUniverse();
  if (!Number.isSafeInteger(count) || count < 1)
    throw new RangeError(`instruments must be a whole number ≥ 1 (got ${count})`);
  if (count <= INSTRUMENTS.length) return INSTRUMENTS.slice(0, count);
  const all = futuresUniverse();
  if (count > all.length)
    throw new RangeError(`instruments: the universe has ${all.length} contracts (asked for ${count}); use all`);
  return all.slice(0, count);
}
