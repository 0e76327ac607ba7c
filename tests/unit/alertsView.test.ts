// The alert pane's view against a brute-force reference: random alert queues, the pane's filters as an operator
// sets them (rule, severity at least, open/all/one state, exchange, queue, quick search) and its column sorts; the
// view of the `alerts` source must list exactly the alerts the pane means, in its order (severity by rank, the
// oldest first among equals), and count them by state and severity, before and after the queue changes.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../main/simulator/random';
import { ALERT_STATES, type AlertRow, type AlertState } from '../../shared/api/methods/alerts';
import { EXCHANGES } from '../../shared/protocol/schema';
import { thresholdRatio } from '../../shared/rules/severity';
import { RULE_IDS, SEVERITIES, type Severity } from '../../shared/rules/types';
import type { SortColumn, ViewSpec } from '../../shared/views/spec';
import { ViewTable } from '../../shared/views/viewTable';
import { RULE_NAMES } from '../../shared/vocabulary/alerts';
import { exchangeLabel, productName } from '../../shared/vocabulary/market';
import { alertViewScope, DEFAULT_ALERT_SORT, type AlertFilter } from '../../renderer/src/windows/alertFilter';
import { inQueueView, QUEUE_VIEWS } from '../../shared/domain/teamWorkflow';

const OPERATORS = ['alice', 'bob', 'chen'];
const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

function randomAlert(rng: Rng, n: number): AlertRow {
  const rule = pick(rng, RULE_IDS);
  const account = `A${1000 + rng.int(40)}`;
  const threshold = rng.chance(0.8) ? 1 + rng.int(20) : null;
  return {
    id: `20261207:${rule}:${account}:${n}`,
    rule,
    subjectType: 'account',
    subjectId: account,
    accountIds: [account],
    instrumentId: rng.chance(0.9) ? `cu26${String(n % 12).padStart(2, '0')}` : null,
    exchange: pick(rng, EXCHANGES),
    severity: pick(rng, SEVERITIES),
    score: rng.int(100),
    firstSeq: n,
    lastSeq: n,
    count: threshold === null ? null : rng.int(60),
    threshold,
    tradingDay: '20261207',
    message: `${rule} on ${account} #${n}`,
    messageZh: `预警 ${account} 第${n}`,
    metrics: {},
    state: pick(rng, ALERT_STATES),
    assignee: rng.chance(0.5) ? pick(rng, OPERATORS) : null,
    notes: rng.int(3),
    // Some alerts share a creation time: ties fall to arrival order.
    createdAt: 1_800_000_000_000 + rng.int(500) * 1_000,
    updatedAt: 0,
    firstTs: 0,
  } as AlertRow;
}

/** What the pane means by its filters, written out plainly. */
function shownByPane(alert: AlertRow, filter: AlertFilter, operator: string): boolean {
  if (filter.rule && alert.rule !== filter.rule) return false;
  if (filter.severity && RANK[alert.severity] < RANK[filter.severity as Severity]) return false;
  if (filter.state === 'open' && (alert.state === 'dismissed' || alert.state === 'closed')) return false;
  if (!['open', 'all', ''].includes(filter.state) && alert.state !== filter.state) return false;
  if (filter.exchange && alert.exchange !== filter.exchange) return false;
  if (!inQueueView(filter.queue, alert, operator)) return false;
  const q = filter.q.trim().toLowerCase();
  if (q) {
    const text = [alert.id, alert.rule, alert.subjectId, alert.instrumentId, alert.exchange, alert.message]
      .concat([alert.messageZh, alert.assignee, alert.accountIds.join(' ')])
      // The names the pane shows for the codes, in both languages.
      .concat([RULE_NAMES[alert.rule].en, RULE_NAMES[alert.rule].zh])
      .concat([exchangeLabel(alert.exchange, 'en'), exchangeLabel(alert.exchange, 'zh-CN')])
      .concat([productName(alert.instrumentId, 'en'), productName(alert.instrumentId, 'zh-CN')])
      .join('\n')
      .toLowerCase();
    if (!text.includes(q)) return false;
  }
  return true;
}

/** The grid columns' values as they sort (what the operator sees ordered). */
const SORTED_BY: Record<string, (alert: AlertRow) => number | string | null> = {
  severity: (a) => RANK[a.severity],
  score: (a) => a.score,
  age: (a) => -a.createdAt,
  count: (a) => thresholdRatio(a),
  client: (a) => a.subjectId,
  rule: (a) => a.rule,
};

function paneOrder(alerts: readonly AlertRow[], arrival: Map<string, number>, sort: readonly SortColumn[]): string[] {
  const compare = (x: number | string | null, y: number | string | null): number =>
    x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
  return [...alerts]
    .sort((a, b) => {
      for (const column of sort) {
        const read = SORTED_BY[column.colId] as (alert: AlertRow) => number | string | null;
        const c = compare(read(a), read(b));
        if (c !== 0) return column.sort === 'desc' && read(a) !== null && read(b) !== null ? -c : c;
      }
      return a.createdAt - b.createdAt || (arrival.get(a.id) as number) - (arrival.get(b.id) as number);
    })
    .map((a) => a.id);
}

function randomFilter(rng: Rng, alerts: readonly AlertRow[]): AlertFilter {
  const some = alerts.length > 0 ? pick(rng, alerts) : null;
  return {
    rule: rng.chance(0.3) ? pick(rng, RULE_IDS) : '',
    severity: rng.chance(0.4) ? pick(rng, SEVERITIES) : '',
    state: pick(rng, ['open', 'open', 'all', ...ALERT_STATES]),
    exchange: rng.chance(0.2) ? pick(rng, EXCHANGES) : '',
    queue: pick(rng, ['team', 'team', ...QUEUE_VIEWS]),
    q:
      rng.chance(0.35) && some
        ? pick(rng, [
            some.subjectId.toLowerCase(),
            '第1',
            'CU26',
            some.rule.slice(0, 6),
            RULE_NAMES[some.rule].zh,
            RULE_NAMES[some.rule].en.toUpperCase(),
            exchangeLabel(some.exchange, 'zh-CN'),
            productName(some.instrumentId, 'zh-CN'),
          ])
        : '',
  };
}

function randomSort(rng: Rng): SortColumn[] {
  if (rng.chance(0.4)) return [...DEFAULT_ALERT_SORT];
  const sort: SortColumn[] = [{ colId: pick(rng, Object.keys(SORTED_BY)), sort: rng.chance(0.5) ? 'asc' : 'desc' }];
  if (rng.chance(0.3)) sort.push({ colId: 'severity', sort: 'desc' });
  return sort;
}

describe('the alert pane’s view of the alerts source', () => {
  it('lists, orders and counts what the pane means, while alerts arrive and change state', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Rng(seed);
      let clock = 0;
      const table = new ViewTable<AlertRow>('alerts', { now: () => clock });
      const alerts = new Map<string, AlertRow>();
      const arrival = new Map<string, number>();
      let n = 0;
      const add = () => {
        const alert = randomAlert(rng, n++);
        alerts.set(alert.id, alert);
        arrival.set(alert.id, arrival.size);
        table.upsert(alert);
      };
      for (let i = 0; i < 60 + rng.int(200); i++) add();
      const operator = pick(rng, OPERATORS);
      const filter = randomFilter(rng, [...alerts.values()]);
      const sort = randomSort(rng);
      const spec: ViewSpec = {
        sort,
        filter: alertViewScope(filter, operator),
        ...(filter.q ? { search: filter.q } : {}),
      };
      const range = { start: 0, end: 1_000 };
      const view = table.open(spec, range);
      const all = table.open({}, { start: 0, end: 0 });

      for (let step = 0; step < 6; step++) {
        const where = `seed ${seed} step ${step} ${JSON.stringify({ filter, sort })}`;
        const expected = paneOrder(
          [...alerts.values()].filter((alert) => shownByPane(alert, filter, operator)),
          arrival,
          sort,
        );
        const block = table.rows(view.viewId, range);
        expect(block.keys, where).toEqual(expected);
        expect(block.total, where).toBe(expected.length);

        const counts = table.update(all.viewId, undefined, undefined).totals;
        const every = [...alerts.values()];
        expect(counts.__count, where).toBe(every.length);
        for (const state of ALERT_STATES) {
          expect(counts[`state:${state}`] ?? 0, where).toBe(every.filter((a) => a.state === state).length);
        }
        for (const severity of SEVERITIES) {
          const unacked = every.filter((a) => a.state === 'new' && a.severity === severity).length;
          expect(counts[`new:${severity}`] ?? 0, where).toBe(unacked);
        }

        // The queue moves: new alerts, workflow changes (a new row object, as the alerts topic sends), severities rising.
        for (let i = rng.int(8); i > 0; i--) add();
        for (const alert of [...alerts.values()]) {
          if (!rng.chance(0.15)) continue;
          const changed: AlertRow = {
            ...alert,
            state: pick(rng, ALERT_STATES) as AlertState,
            assignee: rng.chance(0.5) ? pick(rng, OPERATORS) : alert.assignee,
            severity: rng.chance(0.3) ? pick(rng, SEVERITIES) : alert.severity,
            score: rng.int(100),
          };
          alerts.set(alert.id, changed);
          table.upsert(changed);
        }
        clock += 5_000; // past any re-sort wait
        table.flush();
      }
    }
  });
});
