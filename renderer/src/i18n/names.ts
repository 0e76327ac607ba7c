// Chinese and English names of the exchanges and of the common products (the product code is the instrument id's
// letters: rb2510 → rb). Operators on Chinese desks read 上期所 and 螺纹钢, not SHFE and rb.
import type { Language } from './index';

const EXCHANGES: Record<string, { zh: string; en: string }> = {
  SHFE: { zh: '上期所', en: 'SHFE' },
  DCE: { zh: '大商所', en: 'DCE' },
  CZCE: { zh: '郑商所', en: 'CZCE' },
  CFFEX: { zh: '中金所', en: 'CFFEX' },
  INE: { zh: '上期能源', en: 'INE' },
  GFEX: { zh: '广期所', en: 'GFEX' },
};

const PRODUCTS: Record<string, { zh: string; en: string }> = {
  rb: { zh: '螺纹钢', en: 'Rebar' },
  hc: { zh: '热轧卷板', en: 'Hot-rolled coil' },
  cu: { zh: '铜', en: 'Copper' },
  al: { zh: '铝', en: 'Aluminium' },
  zn: { zh: '锌', en: 'Zinc' },
  ni: { zh: '镍', en: 'Nickel' },
  au: { zh: '黄金', en: 'Gold' },
  ag: { zh: '白银', en: 'Silver' },
  ru: { zh: '天然橡胶', en: 'Rubber' },
  fu: { zh: '燃料油', en: 'Fuel oil' },
  bu: { zh: '沥青', en: 'Bitumen' },
  sp: { zh: '纸浆', en: 'Pulp' },
  m: { zh: '豆粕', en: 'Soybean meal' },
  y: { zh: '豆油', en: 'Soybean oil' },
  a: { zh: '豆一', en: 'Soybean No.1' },
  c: { zh: '玉米', en: 'Corn' },
  i: { zh: '铁矿石', en: 'Iron ore' },
  j: { zh: '焦炭', en: 'Coke' },
  jm: { zh: '焦煤', en: 'Coking coal' },
  p: { zh: '棕榈油', en: 'Palm oil' },
  pp: { zh: '聚丙烯', en: 'Polypropylene' },
  l: { zh: '塑料', en: 'LLDPE' },
  v: { zh: 'PVC', en: 'PVC' },
  eg: { zh: '乙二醇', en: 'Ethylene glycol' },
  sr: { zh: '白糖', en: 'White sugar' },
  cf: { zh: '棉花', en: 'Cotton' },
  ta: { zh: 'PTA', en: 'PTA' },
  ma: { zh: '甲醇', en: 'Methanol' },
  fg: { zh: '玻璃', en: 'Glass' },
  sa: { zh: '纯碱', en: 'Soda ash' },
  oi: { zh: '菜籽油', en: 'Rapeseed oil' },
  rm: { zh: '菜籽粕', en: 'Rapeseed meal' },
  ap: { zh: '苹果', en: 'Apple' },
  if: { zh: '沪深300股指', en: 'CSI 300 index' },
  ih: { zh: '上证50股指', en: 'SSE 50 index' },
  ic: { zh: '中证500股指', en: 'CSI 500 index' },
  im: { zh: '中证1000股指', en: 'CSI 1000 index' },
  t: { zh: '10年期国债', en: '10-year T-bond' },
  tf: { zh: '5年期国债', en: '5-year T-bond' },
  ts: { zh: '2年期国债', en: '2-year T-bond' },
  sc: { zh: '原油', en: 'Crude oil' },
  lu: { zh: '低硫燃料油', en: 'Low-sulphur fuel oil' },
  nr: { zh: '20号胶', en: 'TSR 20 rubber' },
  bc: { zh: '国际铜', en: 'Intl. copper' },
  ec: { zh: '集运指数', en: 'Container freight index' },
  si: { zh: '工业硅', en: 'Industrial silicon' },
  lc: { zh: '碳酸锂', en: 'Lithium carbonate' },
  ps: { zh: '多晶硅', en: 'Polysilicon' },
};

export function exchangeName(exchange: string | null | undefined, language: Language): string {
  if (!exchange) return '—';
  const names = EXCHANGES[exchange];
  return names ? (language === 'zh-CN' ? names.zh : names.en) : exchange;
}

/** The product code of an instrument id (its leading letters, lower case). */
export function productCode(instrumentId: string): string {
  return (/^[A-Za-z]+/.exec(instrumentId)?.[0] ?? instrumentId).toLowerCase();
}

/** The product name of an instrument (rb2510 → 螺纹钢 / Rebar); the code itself when unknown. */
export function productName(instrumentId: string | null | undefined, language: Language): string {
  if (!instrumentId) return '—';
  const code = productCode(instrumentId);
  const names = PRODUCTS[code];
  return names ? (language === 'zh-CN' ? names.zh : names.en) : code.toUpperCase();
}

export const EXCHANGE_CODES = Object.keys(EXCHANGES);
