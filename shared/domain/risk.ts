// Pure position, P&L, margin and risk maths (Chinese futures broker conventions).

export interface Contract {
  multiplier: number;
  marginRate: number;
}

/** Unrealised P&L of a long and a short leg valued at `mark`. */
export function positionPnl(
  contract: Contract,
  mark: number,
  longQty: number,
  longAvgPrice: number,
  shortQty: number,
  shortAvgPrice: number,
): number {
  return ((mark - longAvgPrice) * longQty + (shortAvgPrice - mark) * shortQty) * contract.multiplier;
}

/** Margin held for both legs: price × lots × multiplier × rate (one rate for both sides in fw-feed/1). */
export function positionMargin(contract: Contract, mark: number, longQty: number, shortQty: number): number {
  return mark * (longQty + shortQty) * contract.multiplier * contract.marginRate;
}

/** New average price after adding `qty` at `price` to a leg of `heldQty` at `avgPrice`. */
export function averageAfterOpen(heldQty: number, avgPrice: number, qty: number, price: number): number {
  const total = heldQty + qty;
  return total === 0 ? 0 : (heldQty * avgPrice + qty * price) / total;
}

/** Realised P&L of closing `qty` lots of a leg opened at `avgPrice`, at `price`. */
export function closeProfit(
  contract: Contract,
  leg: 'long' | 'short',
  avgPrice: number,
  price: number,
  qty: number,
): number {
  const perLot = leg === 'long' ? price - avgPrice : avgPrice - price;
  return perLot * qty * contract.multiplier;
}

export interface EquityInputs {
  preBalance: number;
  cash: number;
  closePnl: number;
  positionPnl: number;
  commission: number;
}

/** Dynamic equity (动态权益). */
export function equityOf(inputs: EquityInputs): number {
  return inputs.preBalance + inputs.cash + inputs.closePnl + inputs.positionPnl - inputs.commission;
}

/** Risk degree (风险度) = margin ÷ equity. 0 with no margin; Infinity when margin is held against equity ≤ 0. */
export function riskDegree(margin: number, equity: number): number {
  if (margin <= 0) return 0;
  if (equity <= 0) return Number.POSITIVE_INFINITY;
  return margin / equity;
}

export type RiskBand = 'normal' | 'watch' | 'warning' | 'call' | 'critical';

/** Colour bands the Accounts window uses: ≥ 100% is a margin call, ≥ 120% is critical (defaults of the rules file). */
export function riskBand(degree: number, callLevel = 1, criticalLevel = 1.2): RiskBand {
  if (degree >= criticalLevel) return 'critical';
  if (degree >= callLevel) return 'call';
  if (degree >= 0.9) return 'warning';
  if (degree >= 0.8) return 'watch';
  return 'normal';
}

/** Share of a position limit from which a client is watched (the large-trader report level, 大户报告: 80%). */
export const LIMIT_WATCH_SHARE = 0.8;

export type LimitLevel = 'normal' | 'watch' | 'breach';

/** A one-side position as a share of its limit: over 100% is a breach (the position_limit rule's alert), from 80%
 * a watch. */
export function limitLevel(share: number): LimitLevel {
  if (share > 1) return 'breach';
  if (share >= LIMIT_WATCH_SHARE) return 'watch';
  return 'normal';
}

/** Number of decimals a price tick needs (0.2 → 1, 0.5 → 1, 1 → 0, 0.02 → 2). */
export function decimalsForTick(tick: number): number {
  if (!Number.isFinite(tick) || tick <= 0) return 2;
  for (let decimals = 0; decimals <= 8; decimals++) {
    const scaled = tick * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return decimals;
  }
  return 8;
}
