// Row predicates of a view: AG Grid's simple text and number filter model (so a grid's column filters apply where
// the data is, unchanged), and quick search over a source's search fields.
import { fieldValue } from './sources';
import type { ColumnFilter, FilterCondition } from './spec';

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value));
}

function textMatches(value: unknown, condition: FilterCondition & { filterType: 'text' }): boolean {
  if (condition.type === 'blank') return isBlank(value);
  if (condition.type === 'notBlank') return !isBlank(value);
  const wanted = (condition.filter ?? '').toLowerCase();
  const text = isBlank(value) ? '' : String(value).toLowerCase();
  switch (condition.type) {
    case 'contains':
      return text.includes(wanted);
    case 'notContains':
      return !text.includes(wanted);
    case 'equals':
      return text === wanted;
    case 'notEqual':
      return text !== wanted;
    case 'startsWith':
      return text.startsWith(wanted);
    case 'endsWith':
      return text.endsWith(wanted);
  }
}

function numberMatches(value: unknown, condition: FilterCondition & { filterType: 'number' }): boolean {
  if (condition.type === 'blank') return isBlank(value);
  if (condition.type === 'notBlank') return !isBlank(value);
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  const wanted = condition.filter;
  if (wanted === null || wanted === undefined) return true; // a condition not filled in yet filters nothing
  switch (condition.type) {
    case 'equals':
      return value === wanted;
    case 'notEqual':
      return value !== wanted;
    case 'lessThan':
      return value < wanted;
    case 'lessThanOrEqual':
      return value <= wanted;
    case 'greaterThan':
      return value > wanted;
    case 'greaterThanOrEqual':
      return value >= wanted;
    case 'inRange': {
      const to = condition.filterTo;
      if (to === null || to === undefined) return value >= wanted;
      // AG Grid's default: both bounds exclusive.
      return value > Math.min(wanted, to) && value < Math.max(wanted, to);
    }
  }
}

function conditionMatches(value: unknown, condition: FilterCondition): boolean {
  return condition.filterType === 'text' ? textMatches(value, condition) : numberMatches(value, condition);
}

export function columnFilterMatches(value: unknown, filter: ColumnFilter): boolean {
  if ('conditions' in filter) {
    return filter.operator === 'AND'
      ? filter.conditions.every((condition) => conditionMatches(value, condition))
      : filter.conditions.some((condition) => conditionMatches(value, condition));
  }
  return conditionMatches(value, filter);
}

export function matchesFilters(row: unknown, filters: Record<string, ColumnFilter>): boolean {
  for (const field in filters) {
    if (!columnFilterMatches(fieldValue(row, field), filters[field] as ColumnFilter)) return false;
  }
  return true;
}

/** Quick-search text as it is compared (trimmed, lower case); empty: no search. */
export function normaliseSearch(search: string | undefined): string {
  return (search ?? '').trim().toLowerCase();
}

/** True when any search field of `row` contains `search` (already normalised). */
export function matchesSearch(row: unknown, fields: readonly string[], search: string): boolean {
  const record = row as Record<string, unknown>;
  for (const field of fields) {
    const value = record[field];
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value : String(value);
    if (text.toLowerCase().includes(search)) return true;
  }
  return false;
}
