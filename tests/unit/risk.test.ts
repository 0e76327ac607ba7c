import { describe, expect, it } from 'vitest';
import {
  averageAfterOpen,
  closeProfit,
  decimalsForTick,
  equityOf,
  positionMargin,
  positionPnl,
  riskBand,
  riskDegree,
} from '../../shared/domain/risk';

const rebar = { multiplier: 10, marginRate: 0.1 };

describe('position maths (hand-computed)', () => {
  it('values a long and a short leg against their averages', () => {
    // long 20 @ 3480 and short 5 @ 3520, mark 3500: (20·20 + 20·5)·10 = 5000
    expect(positionPnl(rebar, 3500, 20, 3480, 5, 3520)).toBe(5000);
    // mark falls to 3450: (−30·20 + 70·5)·10 = −2500
    expect(positionPnl(rebar, 3450, 20, 3480, 5, 3520)).toBe(-2500);
  });

  it('holds margin on both legs at price × lots × multiplier × rate', () => {
    // 3500 × 25 × 10 × 0.1 = 87,500
    expect(positionMargin(rebar, 3500, 20, 5)).toBeCloseTo(87500, 6);
  });

  it('averages an added open and realises a close against the average', () => {
    expect(averageAfterOpen(10, 3500, 10, 3520)).toBe(3510);
    expect(averageAfterOpen(0, 0, 3, 3490)).toBe(3490);
    expect(closeProfit(rebar, 'long', 3510, 3530, 4)).toBe(800);
    expect(closeProfit(rebar, 'short', 3510, 3530, 4)).toBe(-800);
  });

  it('computes dynamic equity and the risk degree (margin ÷ equity)', () => {
    const equity = equityOf({
      preBalance: 1_000_000,
      cash: 50_000,
      closePnl: 2_000,
      positionPnl: -12_000,
      commission: 300,
    });
    expect(equity).toBe(1_039_700);
    expect(riskDegree(519_850, equity)).toBeCloseTo(0.5, 9);
    expect(riskDegree(0, -5)).toBe(0);
    expect(riskDegree(10, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('bands the risk degree with call at 100% and critical at 120%', () => {
    expect(riskBand(0.79)).toBe('normal');
    expect(riskBand(0.8)).toBe('watch');
    expect(riskBand(0.95)).toBe('warning');
    expect(riskBand(1)).toBe('call');
    expect(riskBand(1.2)).toBe('critical');
    expect(riskBand(1.1, 1, 1.1)).toBe('critical');
  });

  it('derives display decimals from the price tick', () => {
    expect(decimalsForTick(1)).toBe(0);
    expect(decimalsForTick(0.2)).toBe(1);
    expect(decimalsForTick(0.5)).toBe(1);
    expect(decimalsForTick(0.02)).toBe(2);
    expect(decimalsForTick(0.1)).toBe(1);
    expect(decimalsForTick(0.05)).toBe(2);
  });
});
