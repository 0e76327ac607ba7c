// A named quantity (a rule parameter or a figure on an alert) and the units it is counted in. Kept apart from the
// tables so the rule catalogue can label its own parameters without importing the tables built from it.
import { term, type Term } from './term';

export type Unit = 'lots' | 'ms' | 'ticks' | 'share' | 'ratio' | 'times' | 'orders' | 'levels';

export interface QuantityTerm {
  label: Term;
  unit: Unit | null;
  /** Coded values (a side 0/1, a yes/no flag) and their names. */
  values?: Readonly<Record<number, Term>>;
}

/** A quantity's label in both languages, its unit and, for coded values, their names. */
export const quantity = (en: string, zh: string, unit: Unit | null, values?: Record<number, Term>): QuantityTerm =>
  values ? { label: term(en, zh), unit, values } : { label: term(en, zh), unit };

export const BUY_SELL = { 0: term('Buy', '买入'), 1: term('Sell', '卖出') };
export const LONG_SHORT = { 0: term('Long', '多头'), 1: term('Short', '空头') };
export const YES_NO = { 0: term('No', '否'), 1: term('Yes', '是') };
