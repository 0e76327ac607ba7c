// Severity from the ratio to the threshold (shared/rules/severity): the same ratio gives the severity and the count
// bar, so a position-limit breach is never shown weaker than a 1/1 pattern, and not every alert is "high".
import { describe, expect, it } from 'vitest';
import {
  countBarFill,
  countScale,
  MARKING_CLOSE_SCALE,
  marginCallScale,
  PATTERN_SCALE,
  positionLimitScale,
  severityAt,
  thresholdRatio,
  type AlertMeasure,
} from '../../shared/rules/severity';

const measure = (rule: AlertMeasure['rule'], count: number, threshold: number | null, metrics = {}): AlertMeasure => ({
  rule,
  count,
  threshold,
  metrics,
});

describe('alert severity', () => {
  it('reads the ratio from each rule’s own measure', () => {
    expect(thresholdRatio(measure('position_limit', 1050, 1000))).toBeCloseTo(1.05);
    expect(thresholdRatio(measure('self_trade', 10, 5))).toBe(2);
    expect(thresholdRatio(measure('margin_call', 0, 1, { peakRiskDegree: 1.3 }))).toBeCloseTo(1.3);
    expect(thresholdRatio(measure('margin_call', 0, 1, { equityNonPositive: 1 }))).toBe(Number.POSITIVE_INFINITY);
    expect(thresholdRatio(measure('marking_close', 1, null, { share: 0.45, minShare: 0.3 }))).toBeCloseTo(1.5);
    expect(thresholdRatio(measure('spoofing', 1, 1))).toBe(1);
  });

  it('a position-limit breach is high from the first lot over and critical at the excess share', () => {
    const scale = positionLimitScale(0.1);
    expect(severityAt(thresholdRatio(measure('position_limit', 1001, 1000)), scale)).toBe('high');
    expect(severityAt(thresholdRatio(measure('position_limit', 1099, 1000)), scale)).toBe('high');
    expect(severityAt(thresholdRatio(measure('position_limit', 1100, 1000)), scale)).toBe('critical');
    // Below the limit (the 80 % large-trader level) it is a step below a breach.
    expect(severityAt(0.85, scale)).toBe('medium');
  });

  it('count standards start at the configured severity and rise at 2× and 4× the threshold', () => {
    const scale = countScale('medium');
    expect([1, 1.99, 2, 3.9, 4, 10].map((ratio) => severityAt(ratio, scale))).toEqual([
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    expect(severityAt(1, countScale('low'))).toBe('low');
  });

  it('patterns: one episode is medium, 2× high, 3× critical, layering one step up', () => {
    expect([1, 2, 3].map((episodes) => severityAt(episodes, PATTERN_SCALE))).toEqual(['medium', 'high', 'critical']);
    expect(severityAt(1, PATTERN_SCALE, 1)).toBe('high');
    expect(severityAt(3, PATTERN_SCALE, 1)).toBe('critical'); // capped
    expect(severityAt(1.5, MARKING_CLOSE_SCALE)).toBe('medium');
    expect(severityAt(2, MARKING_CLOSE_SCALE)).toBe('high');
  });

  it('margin calls: high at the call level, critical at the critical level, and with no equity', () => {
    const scale = marginCallScale(1, 1.2);
    expect(severityAt(1, scale)).toBe('high');
    expect(severityAt(1.19, scale)).toBe('high');
    expect(severityAt(1.2, scale)).toBe('critical');
    expect(severityAt(Number.POSITIVE_INFINITY, scale)).toBe('critical');
  });

  it('the count bar is the same ratio: a breach is as full as a 1/1 pattern, and more severe', () => {
    const breach = thresholdRatio(measure('position_limit', 1050, 1000));
    const pattern = thresholdRatio(measure('spoofing', 1, 1));
    expect(countBarFill(breach)).toBe(1);
    expect(countBarFill(pattern)).toBe(1);
    expect(countBarFill(0.8)).toBe(0.8);
    expect(countBarFill(Number.NaN)).toBe(0);
    expect(severityAt(breach, positionLimitScale(0.1))).toBe('high');
    expect(severityAt(pattern, PATTERN_SCALE)).toBe('medium');
  });
});
