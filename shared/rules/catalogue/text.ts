// Helpers of the rules' alert sentences: numbers as the sentences print them and the count rules' common text.
import { countScale, severityAt } from '../severityScale';
import type { Severity } from '../severityLevels';
import { countRatio, type AlertFigures, type AlertText } from './entry';

export const clamp01 = (value: number): number => (value < 0 ? 0 : value > 1 ? 1 : value);
export const pct = (value: number): string => `${Number((value * 100).toFixed(1))}`;
export const num = (value: number): string => `${Number(value.toFixed(2))}`;
export const metric = (figures: AlertFigures, key: string): number => figures.metrics[key] ?? 0;

/** A count rule: score 60 at the threshold rising to 100 at twice it; severity on the count scale. */
export function countText(figures: AlertFigures, base: Severity, message: string, messageZh: string): AlertText {
  const threshold = figures.threshold ?? 1;
  const over = (figures.count - threshold) / threshold;
  return {
    message,
    messageZh,
    severity: severityAt(countRatio(figures), countScale(base)),
    score: 60 + 40 * clamp01(over),
  };
}
