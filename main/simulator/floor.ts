// The simulated floor at any size: which instruments (the default catalogue or the first N of the full universe)
// and which client accounts. The first 50 accounts are always the catalogue's (market makers, control groups
// G01–G05, scenario roles A033–A050), so misconduct injection works on any floor. Accounts beyond them are a
// broker's client base: most idle on a given day (they may hold positions from yesterday), a minority active and
// a few heavy (a Pareto-like weight), in the odd control group, with names.
import { FIRMS, INSTRUMENTS, buildAccounts, type AccountSpec, type InstrumentSpec } from './catalogue';
import { Rng, pickCumulative } from './random';
import { instrumentsOf } from './universe';

export const DEFAULT_ACCOUNTS = 50;
/** The catalogue's accounts: every floor starts with them. */
export const MIN_ACCOUNTS = 50;
export const MAX_ACCOUNTS = 1_000_000;

export interface FloorOptions {
  /** Client accounts (default 50, at least 50). */
  accounts?: number;
  /** Instruments: a count (≤ 10: the catalogue's first N; more: the universe's first N) or 'all' (default 10). */
  instruments?: number | 'all';
}

export interface Floor {
  instruments: readonly InstrumentSpec[];
  accounts: AccountSpec[];
}

/** Share of the extra accounts that trade on the day, and of those that trade heavily. */
export const ACTIVE_SHARE = 0.2;
export const HEAVY_SHARE = 0.01;

// prettier-ignore
const SURNAMES = [
  'Zhang 张', 'Wang 王', 'Li 李', 'Liu 刘', 'Chen 陈', 'Yang 杨', 'Zhao 赵', 'Huang 黄', 'Zhou 周', 'Wu 吴',
  'Xu 徐', 'Sun 孙', 'Ma 马', 'Zhu 朱', 'Hu 胡', 'Guo 郭', 'He 何', 'Lin 林', 'Gao 高', 'Luo 罗',
  'Zheng 郑', 'Liang 梁', 'Song 宋', 'Xie 谢', 'Tang 唐', 'Han 韩', 'Feng 冯', 'Deng 邓', 'Cao 曹', 'Peng 彭',
];
// prettier-ignore
const GIVEN = [
  'Wei 伟', 'Fang 芳', 'Na 娜', 'Yang 洋', 'Jing 静', 'Lei 磊', 'Min 敏', 'Tao 涛', 'Jie 杰', 'Xia 霞',
  'Qiang 强', 'Li 丽', 'Jun 骏', 'Hong 红', 'Bin 斌', 'Ping 平', 'Yan 燕', 'Feng 峰', 'Xiang 翔', 'Hui 辉',
  'Kai 凯', 'Yu 宇', 'Ning 宁', 'Ming 明', 'Hao 浩', 'Lin 琳', 'Bo 波', 'Chao 超', 'Xin 欣', 'Yun 云',
  'Peng 鹏', 'Hua 华', 'Jian 建', 'Dan 丹', 'Gang 刚', 'Ying 颖', 'Rui 睿', 'Qing 青', 'Long 龙', 'Zhi 志',
];

function personName(rng: Rng): string {
  const [surEn, surZh] = rng.pick(SURNAMES).split(' ') as [string, string];
  const [givenEn, givenZh] = rng.pick(GIVEN).split(' ') as [string, string];
  return `${surEn} ${givenEn} ${surZh}${givenZh}`;
}

/** A firm name from the catalogue's firms' parts (their first word with another's kind: Hengtai Investment 恒泰投资). */
function firmName(rng: Rng): string {
  const [brandEn, , brandZh] = rng.pick(FIRMS).split(' ') as [string, string, string];
  const [, kindEn, kindZh] = rng.pick(FIRMS).split(' ') as [string, string, string];
  return `${brandEn} ${kindEn} ${brandZh.slice(0, 2)}${kindZh.slice(2)}`;
}

/** The floor for the options; seeded, and the default (50 accounts, 10 instruments) is exactly the catalogue. */
export function buildFloor(options: FloorOptions = {}, seed = 1): Floor {
  const accountCount = options.accounts ?? DEFAULT_ACCOUNTS;
  if (!Number.isSafeInteger(accountCount) || accountCount < MIN_ACCOUNTS || accountCount > MAX_ACCOUNTS) {
    throw new RangeError(
      `accounts must be a whole number from ${MIN_ACCOUNTS} (the catalogue's scenario and market-maker accounts) to ${MAX_ACCOUNTS.toLocaleString('en-US')} (got ${options.accounts})`,
    );
  }
  const instruments = instrumentsOf(options.instruments ?? INSTRUMENTS.length);
  const ids = instruments.map((i) => i.instrumentId);
  const accounts = buildAccounts(ids);
  if (accountCount === accounts.length) return { instruments, accounts };

  // The extra accounts come from their own stream, so the catalogue's part of the day keeps its random choices.
  const rng = new Rng((seed ^ 0x5eed_f100) >>> 0);
  const cumulative = new Float64Array(instruments.length);
  let total = 0;
  instruments.forEach((spec, i) => (cumulative[i] = total += spec.weight));
  const pickInstrument = () => ids[pickCumulative(cumulative, rng.next() * total)]!;
  let group = 5;
  let groupLeft = 0;
  for (let n = accounts.length + 1; n <= accountCount; n++) {
    const u = rng.next();
    const heavy = u < HEAVY_SHARE;
    const active = u < ACTIVE_SHARE;
    // Pareto-like weights: most active accounts trade a little, a few a lot; heavy ones (prop desks, quant
    // funds) dominate the contracts they trade.
    const activity = heavy ? 5 + rng.int(16) : active ? Math.min(10, Math.floor((1 - rng.next()) ** -0.9)) : 0;
    const count = heavy ? 4 + rng.int(9) : 1 + (rng.next() < 0.55 ? 1 : 0) + (rng.next() < 0.35 ? 1 : 0);
    const held = new Set<string>();
    for (let k = 0; k < count; k++) held.add(pickInstrument());
    if (groupLeft === 0 && rng.next() < 0.006) {
      group++;
      groupLeft = 2 + rng.int(3);
    }
    const controlGroup = groupLeft > 0 ? `G${String(group).padStart(2, '0')}` : undefined;
    if (groupLeft > 0) groupLeft--;
    const firm = heavy || rng.next() < 0.12;
    accounts.push({
      accountId: `A${String(n).padStart(3, '0')}`,
      name: firm ? firmName(rng) : personName(rng),
      role: 'noise',
      ...(controlGroup ? { controlGroup } : {}),
      instruments: [...held],
      activity,
    });
  }
  return { instruments, accounts };
}

/** Environment variables that size the embedded simulator's floor when workerData does not. */
export const SIM_ACCOUNTS_ENV = 'FLOORWATCH_SIM_ACCOUNTS';
export const SIM_INSTRUMENTS_ENV = 'FLOORWATCH_SIM_INSTRUMENTS';

/** The floor size from workerData, else from the environment; throws a one-line Error for a bad value. */
export function floorSizeOf(
  data: FloorOptions,
  env: NodeJS.ProcessEnv = process.env,
): { accounts?: number; instruments?: number | 'all' } {
  const accountsText = env[SIM_ACCOUNTS_ENV]?.trim();
  const instrumentsText = env[SIM_INSTRUMENTS_ENV]?.trim();
  const accounts =
    data.accounts ?? (accountsText ? (parseFloorCount(accountsText, SIM_ACCOUNTS_ENV, false) as number) : undefined);
  const instruments =
    data.instruments ?? (instrumentsText ? parseFloorCount(instrumentsText, SIM_INSTRUMENTS_ENV, true) : undefined);
  return {
    ...(accounts !== undefined ? { accounts } : {}),
    ...(instruments !== undefined ? { instruments } : {}),
  };
}

/** N, or (for instruments) all; throws a one-line Error naming `name` otherwise. */
export function parseFloorCount(text: string, name: string, allowAll: boolean): number | 'all' {
  if (allowAll && text === 'all') return 'all';
  if (!/^\d+$/.test(text)) throw new Error(`${name}="${text}" must be a whole number${allowAll ? ' or all' : ''}`);
  return Number(text);
}
