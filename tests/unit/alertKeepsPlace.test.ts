// The alert pane redraws a changed alert where it is only when the change cannot move it or hide it.
import { describe, expect, it } from 'vitest';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { alertKeepsPlace } from '../../renderer/src/windows/alertPlace';

const alert = (extra: Partial<AlertRow> = {}) =>
  ({
    id: 'a1',
    rule: 'spoofing',
    severity: 'high',
    state: 'new',
    exchange: 'SHFE',
    assignee: null,
    count: 1,
    score: 10,
    ...extra,
  }) as unknown as AlertRow;

const noFilter = { rule: '', severity: '', state: 'open', exchange: '', mine: false, q: '' } as never;
const bySeverity = new Set(['severity']);

describe('alertKeepsPlace', () => {
  it('keeps counts, scores and times in place under the default sort, or none', () => {
    expect(alertKeepsPlace(alert(), alert({ count: 2, score: 40 }), bySeverity, noFilter)).toBe(true);
    expect(alertKeepsPlace(alert(), alert({ count: 2 }), new Set(), noFilter)).toBe(true);
  });

  it('not when a field the sort, a filter or the row classes read changed', () => {
    for (const change of [
      { severity: 'critical' },
      { state: 'acknowledged' },
      { rule: 'wash' },
      { exchange: 'DCE' },
      { assignee: 'op1' },
    ] as Partial<AlertRow>[]) {
      expect(alertKeepsPlace(alert(), alert(change), bySeverity, noFilter)).toBe(false);
    }
  });

  it('not while sorted by another column or searching', () => {
    expect(alertKeepsPlace(alert(), alert({ count: 2 }), new Set(['severity', 'count']), noFilter)).toBe(false);
    expect(
      alertKeepsPlace(alert(), alert({ count: 2 }), bySeverity, { ...(noFilter as object), q: 'x' } as never),
    ).toBe(false);
  });
});
