// Exchanges, products and trading phases. One display rule for exchanges everywhere: the exchange's Chinese short
// name in Chinese (上期所), its code in English (SHFE); the full name is for tooltips and report notes.
import type { Exchange, Phase } from '../protocol/schema';
import { nameOf, say, term, type Term, type VocabularyLanguage } from './term';

export const EXCHANGE_NAMES: Readonly<Record<Exchange, Term>> = {
  SHFE: term('SHFE', '上期所'),
  DCE: term('DCE', '大商所'),
  CZCE: term('CZCE', '郑商所'),
  CFFEX: term('CFFEX', '中金所'),
  INE: term('INE', '上期能源'),
  GFEX: term('GFEX', '广期所'),
};

export const EXCHANGE_FULL_NAMES: Readonly<Record<Exchange, Term>> = {
  SHFE: term('Shanghai Futures Exchange', '上海期货交易所'),
  DCE: term('Dalian Commodity Exchange', '大连商品交易所'),
  CZCE: term('Zhengzhou Commodity Exchange', '郑州商品交易所'),
  CFFEX: term('China Financial Futures Exchange', '中国金融期货交易所'),
  INE: term('Shanghai International Energy Exchange', '上海国际能源交易中心'),
  GFEX: term('Guangzhou Futures Exchange', '广州期货交易所'),
};

/** An exchange as every window and report shows it (上期所 / SHFE); an unknown code as it is. */
export function exchangeLabel(code: string | null | undefined, language: VocabularyLanguage): string {
  return nameOf(EXCHANGE_NAMES, code, language);
}

export const PHASE_NAMES: Readonly<Record<Phase, Term>> = {
  preopen: term('Pre-open', '开盘前'),
  auction: term('Auction', '集合竞价'),
  continuous: term('Trading', '连续交易'),
  break: term('Break', '休市'),
  closed: term('Closed', '收盘'),
};

/**
 * Exchange times are Beijing time: the exchanges' sessions, trading days and the times in their rules are all
 * UTC+8, so case review and the chart show feed times there whatever the operator's computer says.
 */
export const EXCHANGE_TIME_ZONE = 'Asia/Shanghai';
export const EXCHANGE_TIME_ZONE_NAME = term('Beijing time (UTC+8)', '北京时间');

/** Product names by product code (the instrument id's letters: rb2510 → rb). */
export const PRODUCT_NAMES: Readonly<Record<string, Term>> = {
  rb: term('Rebar', '螺纹钢'),
  hc: term('Hot-rolled coil', '热轧卷板'),
  cu: term('Copper', '铜'),
  al: term('Aluminium', '铝'),
  zn: term('Zinc', '锌'),
  ni: term('Nickel', '镍'),
  au: term('Gold', '黄金'),
  ag: term('Silver', '白银'),
  ru: term('Rubber', '天然橡胶'),
  fu: term('Fuel oil', '燃料油'),
  bu: term('Bitumen', '沥青'),
  sp: term('Pulp', '纸浆'),
  m: term('Soybean meal', '豆粕'),
  y: term('Soybean oil', '豆油'),
  a: term('Soybean No.1', '豆一'),
  c: term('Corn', '玉米'),
  i: term('Iron ore', '铁矿石'),
  j: term('Coke', '焦炭'),
  jm: term('Coking coal', '焦煤'),
  p: term('Palm oil', '棕榈油'),
  pp: term('Polypropylene', '聚丙烯'),
  l: term('LLDPE', '塑料'),
  v: term('PVC', 'PVC'),
  eg: term('Ethylene glycol', '乙二醇'),
  sr: term('White sugar', '白糖'),
  cf: term('Cotton', '棉花'),
  ta: term('PTA', 'PTA'),
  ma: term('Methanol', '甲醇'),
  fg: term('Glass', '玻璃'),
  sa: term('Soda ash', '纯碱'),
  oi: term('Rapeseed oil', '菜籽油'),
  rm: term('Rapeseed meal', '菜籽粕'),
  ap: term('Apple', '苹果'),
  if: term('CSI 300 index', '沪深300股指'),
  ih: term('SSE 50 index', '上证50股指'),
  ic: term('CSI 500 index', '中证500股指'),
  im: term('CSI 1000 index', '中证1000股指'),
  t: term('10-year T-bond', '10年期国债'),
  tf: term('5-year T-bond', '5年期国债'),
  ts: term('2-year T-bond', '2年期国债'),
  sc: term('Crude oil', '原油'),
  lu: term('Low-sulphur fuel oil', '低硫燃料油'),
  nr: term('TSR 20 rubber', '20号胶'),
  bc: term('Intl. copper', '国际铜'),
  ec: term('Container freight index', '集运指数'),
  si: term('Industrial silicon', '工业硅'),
  lc: term('Lithium carbonate', '碳酸锂'),
  ps: term('Polysilicon', '多晶硅'),
};

/** The product code of an instrument id (its leading letters, lower case). */
export function productCode(instrumentId: string): string {
  return (/^[A-Za-z]+/.exec(instrumentId)?.[0] ?? instrumentId).toLowerCase();
}

/** The product name of an instrument (rb2510 → 螺纹钢 / Rebar); the code in capitals when unknown. */
export function productName(instrumentId: string | null | undefined, language: VocabularyLanguage): string {
  if (!instrumentId) return '—';
  const code = productCode(instrumentId);
  const names = PRODUCT_NAMES[code];
  return names ? say(names, language) : code.toUpperCase();
}
