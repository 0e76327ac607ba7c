// The simulated market's static data: instruments from six exchanges with realistic contract terms, the exchange
// trading hours (day session only), and the gateway's ~50 client accounts with their roles.
import type { Exchange, Phase } from '../../shared/protocol';

export interface InstrumentSpec {
  instrumentId: string;
  exchange: Exchange;
  product: string;
  multiplier: number;
  priceTick: number;
  marginRate: number;
  /** Daily price limit as a fraction of the pre-settlement price. */
  limitPct: number;
  preSettlement: number;
  positionLimit: number;
  maxOrderQty: number;
  /** Open interest at the start of the day. */
  openInterest: number;
  /** Exchange + broker fee per side: a fixed amount per lot, or a rate of turnover. */
  commission: { perLot: number } | { rate: number };
  /** Largest lots in one order of the rest of the market (outside this gateway). */
  externalLots: number;
  /** Largest lots in one background client order. */
  clientLots: number;
  /** Relative share of market activity. */
  weight: number;
  /** Typical intraday swing of the fair value, as a fraction of the price (its stationary standard deviation). */
  volatility: number;
}

// Contract terms are close to the exchanges' published terms (multiplier, tick, limit order caps); margin rates
// include a typical broker add-on; prices are plausible levels, not quotes of any real day.
export const INSTRUMENTS: readonly InstrumentSpec[] = [
  {
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    product: 'rb',
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.1,
    limitPct: 0.06,
    preSettlement: 3168,
    positionLimit: 90_000,
    maxOrderQty: 500,
    openInterest: 1_652_310,
    commission: { rate: 0.0001 },
    externalLots: 60,
    clientLots: 10,
    weight: 14,
    volatility: 0.005,
  },
  {
    instrumentId: 'cu2606',
    exchange: 'SHFE',
    product: 'cu',
    multiplier: 5,
    priceTick: 10,
    marginRate: 0.1,
    limitPct: 0.07,
    preSettlement: 79_540,
    positionLimit: 10_000,
    maxOrderQty: 500,
    openInterest: 183_420,
    commission: { rate: 0.00005 },
    externalLots: 15,
    clientLots: 3,
    weight: 9,
    volatility: 0.004,
  },
  {
    instrumentId: 'au2606',
    exchange: 'SHFE',
    product: 'au',
    multiplier: 1000,
    priceTick: 0.02,
    marginRate: 0.12,
    limitPct: 0.1,
    preSettlement: 778.42,
    positionLimit: 18_000,
    maxOrderQty: 500,
    openInterest: 221_876,
    commission: { perLot: 10 },
    externalLots: 20,
    clientLots: 3,
    weight: 8,
    volatility: 0.006,
  },
  {
    instrumentId: 'm2605',
    exchange: 'DCE',
    product: 'm',
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.08,
    limitPct: 0.06,
    preSettlement: 2916,
    positionLimit: 40_000,
    maxOrderQty: 1000,
    openInterest: 1_904_552,
    commission: { perLot: 1.5 },
    externalLots: 80,
    clientLots: 10,
    weight: 12,
    volatility: 0.005,
  },
  {
    instrumentId: 'i2605',
    exchange: 'DCE',
    product: 'i',
    multiplier: 100,
    priceTick: 0.5,
    marginRate: 0.11,
    limitPct: 0.11,
    preSettlement: 781.5,
    positionLimit: 15_000,
    maxOrderQty: 1000,
    openInterest: 781_204,
    commission: { rate: 0.0001 },
    externalLots: 40,
    clientLots: 5,
    weight: 10,
    volatility: 0.006,
  },
  {
    instrumentId: 'SR605',
    exchange: 'CZCE',
    product: 'SR',
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.08,
    limitPct: 0.06,
    preSettlement: 5683,
    positionLimit: 60_000,
    maxOrderQty: 1000,
    openInterest: 418_960,
    commission: { perLot: 3 },
    externalLots: 40,
    clientLots: 6,
    weight: 8,
    volatility: 0.004,
  },
  {
    instrumentId: 'TA605',
    exchange: 'CZCE',
    product: 'TA',
    multiplier: 5,
    priceTick: 2,
    marginRate: 0.08,
    limitPct: 0.06,
    preSettlement: 4736,
    positionLimit: 50_000,
    maxOrderQty: 1000,
    openInterest: 1_301_118,
    commission: { perLot: 3 },
    externalLots: 50,
    clientLots: 8,
    weight: 8,
    volatility: 0.005,
  },
  {
    instrumentId: 'IF2606',
    exchange: 'CFFEX',
    product: 'IF',
    multiplier: 300,
    priceTick: 0.2,
    marginRate: 0.12,
    limitPct: 0.1,
    preSettlement: 3946.8,
    positionLimit: 5000,
    maxOrderQty: 20,
    openInterest: 95_312,
    commission: { rate: 0.000023 },
    externalLots: 5,
    clientLots: 2,
    weight: 10,
    volatility: 0.006,
  },
  {
    instrumentId: 'sc2606',
    exchange: 'INE',
    product: 'sc',
    multiplier: 1000,
    priceTick: 0.1,
    marginRate: 0.12,
    limitPct: 0.08,
    preSettlement: 486.3,
    positionLimit: 3000,
    maxOrderQty: 500,
    openInterest: 44_870,
    commission: { perLot: 20 },
    externalLots: 15,
    clientLots: 3,
    weight: 7,
    volatility: 0.008,
  },
  {
    instrumentId: 'si2607',
    exchange: 'GFEX',
    product: 'si',
    multiplier: 5,
    priceTick: 5,
    marginRate: 0.1,
    limitPct: 0.07,
    preSettlement: 9215,
    positionLimit: 6000,
    maxOrderQty: 1000,
    openInterest: 321_540,
    commission: { rate: 0.0001 },
    externalLots: 20,
    clientLots: 3,
    weight: 6,
    volatility: 0.006,
  },
];

/** Seconds since midnight (China Standard Time). */
export const hms = (h: number, m: number, s = 0): number => h * 3600 + m * 60 + s;

export interface PhaseEvent {
  at: number;
  exchange: Exchange;
  phase: Phase;
}

const COMMODITY_DAY: ReadonlyArray<[number, Phase]> = [
  [hms(8, 50), 'preopen'],
  [hms(8, 55), 'auction'],
  [hms(9, 0), 'continuous'],
  [hms(10, 15), 'break'],
  [hms(10, 30), 'continuous'],
  [hms(11, 30), 'break'],
  [hms(13, 30), 'continuous'],
  [hms(15, 0), 'closed'],
];
const CFFEX_DAY: ReadonlyArray<[number, Phase]> = [
  [hms(8, 50), 'preopen'],
  [hms(9, 25), 'auction'],
  [hms(9, 30), 'continuous'],
  [hms(11, 30), 'break'],
  [hms(13, 0), 'continuous'],
  [hms(15, 0), 'closed'],
];

export const DAY_START = hms(8, 50);
export const DAY_CLOSE = hms(15, 0);

export function scheduleOf(exchange: Exchange): ReadonlyArray<[number, Phase]> {
  return exchange === 'CFFEX' ? CFFEX_DAY : COMMODITY_DAY;
}

/** Every phase change of the day for the given exchanges, in time order (ties keep exchange order). */
export function phaseEvents(exchanges: readonly Exchange[]): PhaseEvent[] {
  const events: PhaseEvent[] = [];
  for (const exchange of exchanges) {
    for (const [at, phase] of scheduleOf(exchange)) events.push({ at, exchange, phase });
  }
  return events.sort((a, b) => a.at - b.at || exchanges.indexOf(a.exchange) - exchanges.indexOf(b.exchange));
}

/** The exchange's phase at a time of day. */
export function phaseAt(exchange: Exchange, at: number): Phase {
  let phase: Phase = 'preopen';
  for (const [start, p] of scheduleOf(exchange)) {
    if (start <= at) phase = p;
    else break;
  }
  return phase;
}

/** Continuous-trading intervals [start, end) of an exchange. */
export function continuousIntervals(exchange: Exchange): Array<[number, number]> {
  const schedule = scheduleOf(exchange);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < schedule.length; i++) {
    const [start, phase] = schedule[i]!;
    if (phase === 'continuous') out.push([start, schedule[i + 1]?.[0] ?? DAY_CLOSE]);
  }
  return out;
}

/** Times when any exchange accepts orders (auction or continuous): the simulator's clock runs only inside these. */
export function activeIntervals(exchanges: readonly Exchange[]): Array<[number, number]> {
  const raw: Array<[number, number]> = [];
  for (const exchange of new Set(exchanges)) {
    const schedule = scheduleOf(exchange);
    for (let i = 0; i < schedule.length; i++) {
      const [start, phase] = schedule[i]!;
      if (phase === 'auction' || phase === 'continuous') raw.push([start, schedule[i + 1]?.[0] ?? DAY_CLOSE]);
    }
  }
  raw.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of raw) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export type AccountRole = 'market_maker' | 'noise' | 'scenario';

export interface AccountSpec {
  accountId: string;
  name: string;
  role: AccountRole;
  controlGroup?: string;
  /** Instruments this account trades in the background (and may hold from yesterday). */
  instruments: string[];
  /**
   * Weight of the account among an instrument's background traders (default 1); 0 = idle today (it may still hold
   * positions from yesterday).
   */
  activity?: number;
}

const PEOPLE = [
  'Zhang Wei 张伟',
  'Wang Fang 王芳',
  'Li Na 李娜',
  'Liu Yang 刘洋',
  'Chen Jing 陈静',
  'Yang Lei 杨磊',
  'Zhao Min 赵敏',
  'Huang Tao 黄涛',
  'Zhou Jie 周杰',
  'Wu Xia 吴霞',
  'Xu Qiang 徐强',
  'Sun Li 孙丽',
  'Ma Jun 马骏',
  'Zhu Hong 朱红',
  'Hu Bin 胡斌',
  'Guo Ping 郭平',
  'He Yan 何燕',
  'Lin Feng 林峰',
  'Gao Xiang 高翔',
  'Luo Hui 罗辉',
  'Zheng Kai 郑凯',
  'Liang Yu 梁宇',
  'Song Ning 宋宁',
  'Xie Ming 谢明',
];
export const FIRMS = [
  'Hengtai Capital 恒泰资本',
  'Jinyuan Investment 金元投资',
  'Ruifeng Asset 瑞丰资产',
  'Dingxin Trading 鼎信贸易',
  'Huaxia Steel 华夏钢贸',
  'Tianhe Metals 天和金属',
  'Minsheng Agri 民生农业',
  'Changjiang Energy 长江能源',
  'Haotian Quant 昊天量化',
  'Yongan Commodities 永安商贸',
  'Qianhai Partners 前海合伙',
  'Xinda Industrial 信达实业',
  'Baofeng Fund 宝丰基金',
  'Zhongheng Holdings 中恒控股',
  'Longsheng Materials 隆盛材料',
  'Fuyuan Grain 富源粮油',
  'Guotai Hedge 国泰对冲',
  'Shengshi Resources 盛世资源',
  'Kunlun Chemicals 昆仑化工',
  'Anda Logistics 安达物流',
  'Weiye Investment 伟业投资',
  'Hongtu Capital 宏图资本',
];
const MARKET_MAKERS = [
  'Jinqiao Market Making 金桥做市',
  'Donghai Liquidity 东海流动性',
  'Zhongcheng MM 中诚做市',
  'Huarui Quant MM 华瑞量化做市',
];

/** Account ids of the scenario roles (see scenarios.ts); they behave as background clients when their scenario is off. */
export const SCENARIO_ACCOUNTS = {
  selfTrade: 'A033',
  selfTradeGroup: ['A034', 'A035'],
  frequentCancel: 'A036',
  frequentCancelIndex: 'A037',
  largeCancelShfe: 'A038',
  largeCancelDce: 'A039',
  largeCancelCzce: 'A040',
  spoofing: 'A041',
  layering: 'A042',
  markingClose: 'A043',
  momentumIgnition: 'A044',
  positionLimit: 'A045',
  positionLimitGroup: ['A046', 'A047'],
  orderBurst: 'A048',
  marginCall: 'A049',
  marginCallCritical: 'A050',
} as const;

const GROUPS: Record<string, string> = {
  A010: 'G01',
  A011: 'G01',
  A012: 'G01',
  A020: 'G02',
  A021: 'G02',
  A028: 'G03',
  A029: 'G03',
  A034: 'G04',
  A035: 'G04',
  A046: 'G05',
  A047: 'G05',
};

/**
 * The gateway's 50 client accounts: 4 market makers, then background clients and scenario roles. `ids` are the
 * floor's instruments (default: the catalogue); the background clients trade the first ten of them and the market
 * makers split all of them, so each instrument has two.
 */
export function buildAccounts(ids: readonly string[] = INSTRUMENTS.map((i) => i.instrumentId)): AccountSpec[] {
  const traded = ids.slice(0, INSTRUMENTS.length);
  const accounts: AccountSpec[] = [];
  for (let n = 1; n <= 50; n++) {
    const accountId = `A${String(n).padStart(3, '0')}`;
    const group = GROUPS[accountId];
    let role: AccountRole;
    let name: string;
    let instruments: string[];
    if (n <= 4) {
      role = 'market_maker';
      name = MARKET_MAKERS[n - 1]!;
      // Each market maker quotes five instruments, so every instrument has two of them.
      instruments = ids.filter((_, i) => i % 2 === (n - 1) % 2);
    } else {
      role = n >= 33 ? 'scenario' : 'noise';
      name = n % 2 === 0 ? FIRMS[(n * 7) % FIRMS.length]! : PEOPLE[(n * 5) % PEOPLE.length]!;
      // Background clients trade three instruments each, spread so every instrument has several traders.
      instruments = [
        traded[n % traded.length]!,
        traded[(n * 3 + 1) % traded.length]!,
        traded[(n * 7 + 4) % traded.length]!,
      ];
      instruments = [...new Set(instruments)];
    }
    accounts.push({ accountId, name, role, ...(group ? { controlGroup: group } : {}), instruments });
  }
  return accounts;
}
