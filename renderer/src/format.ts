// Number formatting for the grids: fixed decimals per instrument tick for prices, grouped money and lots.
import { decimalsForTick } from '../../shared/domain/risk';
import { marketStore } from './stores/market';

const fixedFormats = new Map<string, Intl.NumberFormat>();

function fixed(decimals: number, grouping: boolean): Intl.NumberFormat {
  const key = `${decimals}|${grouping}`;
  let format = fixedFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: grouping,
    });
    fixedFormats.set(key, format);
  }
  return format;
}

const DASH = '—';

/** A price with the instrument's tick decimals; prices are not grouped (as on exchange screens). */
export function formatPrice(value: number | null | undefined, decimals: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : fixed(decimals, false).format(value);
}

/** A price difference with an explicit sign. */
export function formatSignedPrice(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = fixed(decimals, false).format(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/** Money: two decimals, grouped thousands, minus sign for losses. */
export function formatMoney(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = fixed(2, true).format(Math.abs(value));
  return value < 0 ? `−${text}` : text;
}

/** Lots and counts: grouped integers. */
export function formatQty(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : fixed(0, true).format(value);
}

/** A value already in percent (MarketRow.changePct: 0.67 means 0.67%), signed, two decimals. */
export function formatSignedPct(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return DASH;
  const text = `${fixed(2, false).format(Math.abs(percent))}%`;
  return percent > 0 ? `+${text}` : percent < 0 ? `−${text}` : text;
}

/** A ratio as a percentage (risk degree); Infinity (margin held against no equity) shows as ∞. */
export function formatRatioPct(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  if (!Number.isFinite(value)) return '∞';
  return `${fixed(1, true).format(value * 100)}%`;
}

const decimalsByTick = new Map<number, number>();

export function decimalsOf(priceTick: number): number {
  let decimals = decimalsByTick.get(priceTick);
  if (decimals === undefined) {
    decimals = decimalsForTick(priceTick);
    decimalsByTick.set(priceTick, decimals);
  }
  return decimals;
}

/** Price decimals of an instrument known to the market store (2 until its static data arrives). */
export function decimalsOfInstrument(instrumentId: string): number {
  const row = marketStore.use.getState().rows.get(instrumentId);
  return row ? decimalsOf(row.priceTick) : 2;
}

/** CSS class for a signed value under the up/down colour setting (applied via CSS variables). */
export function signClass(value: number | null | undefined): string {
  if (value === null || value === undefined || value === 0 || !Number.isFinite(value)) return 'fw-flat';
  return value > 0 ? 'fw-up' : 'fw-down';
}

// ---- locale-aware times and sizes (the current i18n language) ----

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeFormat(localeTag: string, withMs: boolean, withDate: boolean, timeZone?: string): Intl.DateTimeFormat {
  const key = `${localeTag}|${withMs}|${withDate}|${timeZone ?? ''}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(localeTag, {
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
      ...(withMs ? { fractionalSecondDigits: 3 } : {}),
      ...(timeZone ? { timeZone } : {}),
    });
    timeFormats.set(key, format);
  }
  return format;
}

const isTime = (epochMs: number | null | undefined): epochMs is number =>
  epochMs !== null && epochMs !== undefined && Number.isFinite(epochMs) && epochMs > 0;

/**
 * Wall-clock time of an epoch ms in the given locale (24 h), optionally with milliseconds, in the computer's time zone
 * unless `timeZone` names one (exchange times: EXCHANGE_TIME_ZONE).
 */
export function formatTime(
  epochMs: number | null | undefined,
  localeTag: string,
  withMs = false,
  timeZone?: string,
): string {
  return isTime(epochMs) ? timeFormat(localeTag, withMs, false, timeZone).format(epochMs) : DASH;
}

/** Date and time of an epoch ms in the given locale (24 h), optionally with milliseconds. */
export function formatDateTime(epochMs: number | null | undefined, localeTag: string, withMs = false): string {
  return isTime(epochMs) ? timeFormat(localeTag, withMs, true).format(epochMs) : DASH;
}

/** A duration as the two largest units: 45s, 3m 12s, 2h 05m (3分12秒 in Chinese). */
export function formatAge(ms: number, zh: boolean): string {
  if (!Number.isFinite(ms) || ms < 0) return DASH;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (zh)
    return h > 0
      ? `${h}时${String(m).padStart(2, '0')}分`
      : m > 0
        ? `${m}分${String(sec).padStart(2, '0')}秒`
        : `${sec}秒`;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Bytes as KB/MB/GB (binary units). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${fixed(unit === 0 ? 0 : 1, true).format(value)} ${units[unit]}`;
}
