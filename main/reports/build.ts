// Builds the daily surveillance and abnormal-trading report documents from the collected session facts. Every
// figure comes from the alerts `surveil` prints (or the shadow tallies for the near-threshold list).
import { RULE_IDS, SEVERITIES, type Alert } from '../../shared/rules/types';
import { ALERT_STATES } from '../../shared/api/methods/alerts';
import { auditDetails, type AuditRow } from '../store/auditLog';
import { activityOf } from './auditActivity';
import { COUNT_RULES, type SessionFacts } from './collect';
import { ALERT_STATE_NAMES, REPORT_COLUMN_NAMES, RULE_NAMES } from '../../shared/vocabulary';
import { both, t, type Bilingual, type Cell, type Column, type ReportDocument, type ReportTable } from './model';

/** Disposition of an alert: the workflow state when an audit log tells it, else "new". */
export type DispositionOf = (alertId: string) => string;

export interface DailyOptions {
  facts: SessionFacts;
  disposition?: DispositionOf;
  /** Audit rows of the day (null: no audit log given). */
  auditRows?: AuditRow[] | null;
  generatedAt: string;
  /** How many clients per exchange × rule the near-threshold table lists. */
  nearestPerRule?: number;
}

const col = (key: string, en: string, zh: string, numeric = false): Column => ({ key, title: t(en, zh), numeric });
/** A column whose header is a shared vocabulary term (the same word as in the windows). */
const named = (key: string, name: keyof typeof REPORT_COLUMN_NAMES, numeric = false): Column => ({
  key,
  title: REPORT_COLUMN_NAMES[name],
  numeric,
});

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export function factsHeader(facts: SessionFacts, generatedAt: string): ReportDocument['facts'] {
  const time = (ts: number | null) => (ts === null ? '—' : new Date(ts).toISOString().replace('T', ' ').slice(0, 19));
  return [
    { label: t('Trading day', '交易日'), value: facts.tradingDay },
    { label: t('Input', '输入数据'), value: facts.input },
    { label: t('Input SHA-256', '输入数据 SHA-256'), value: facts.inputSha256 || '—' },
    { label: t('Messages applied', '已处理消息'), value: String(facts.counters.messages) },
    { label: t('Session time (UTC)', '行情时间 (UTC)'), value: `${time(facts.firstTs)} – ${time(facts.lastTs)}` },
    { label: t('Rules version', '规则版本'), value: facts.rulesVersion },
    { label: t('Generated at (UTC)', '生成时间 (UTC)'), value: generatedAt },
  ];
}

function alertListTable(alerts: readonly Alert[], disposition: DispositionOf): ReportTable {
  return {
    id: 'alerts',
    title: t('Alert list', '预警明细'),
    columns: [
      named('id', 'alertId'),
      named('rule', 'rule'),
      named('exchange', 'exchange'),
      named('subjectId', 'client'),
      named('instrumentId', 'contract'),
      named('severity', 'severity'),
      named('score', 'score', true),
      named('count', 'count', true),
      named('threshold', 'threshold', true),
      named('disposition', 'disposition'),
    ],
    rows: alerts.map((a) => ({
      id: a.id,
      rule: a.rule,
      exchange: a.exchange,
      subjectId: a.subjectId,
      instrumentId: a.instrumentId,
      severity: a.severity,
      score: a.score,
      count: a.count,
      threshold: a.threshold,
      disposition: disposition(a.id),
    })),
    empty: t('No alerts this trading day.', '本交易日无预警。'),
  };
}

function tallyTable(id: string, title: Bilingual, keyTitle: Column, counts: Map<string, number>, order: string[]) {
  const rows: Array<Record<string, Cell>> = order
    .filter((key) => counts.has(key))
    .map((key) => ({ [keyTitle.key]: key, alerts: counts.get(key) ?? 0 }));
  const table: ReportTable = {
    id,
    title,
    columns: [keyTitle, named('alerts', 'alerts', true)],
    rows,
    chart: { label: keyTitle.key, value: 'alerts' },
    empty: t('No alerts.', '无预警。'),
  };
  return table;
}

export function buildDailyReport(options: DailyOptions): ReportDocument {
  const { facts } = options;
  const disposition = options.disposition ?? (() => 'new');
  const alerts = facts.alerts;
  const exchanges = [...new Set(alerts.map((a) => a.exchange ?? '—'))].sort();
  const states = [...ALERT_STATES];
  const byDisposition = countBy(alerts, (a) => disposition(a.id));
  const tables: ReportTable[] = [
    {
      id: 'summary',
      title: t('Summary', '概要'),
      columns: [col('item', 'Item', '项目'), col('value', 'Value', '数值', true)],
      rows: [
        { item: both('Alerts', '预警总数'), value: alerts.length },
        { item: both('Open alerts (not closed or dismissed)', '未结预警'), value: openCount(alerts, disposition) },
        { item: both('Messages applied', '已处理消息'), value: facts.counters.messages },
        { item: both('Input lines', '输入行数'), value: facts.counters.lines },
        { item: both('Rejected lines', '拒绝行数'), value: facts.counters.rejected },
        { item: both('Duplicate seq dropped', '重复序号丢弃'), value: facts.counters.duplicates },
        { item: both('Seq gaps', '序号缺口'), value: facts.counters.gaps },
      ],
    },
    tallyTable(
      'by-rule',
      t('Alerts by rule', '按规则统计'),
      named('rule', 'rule'),
      countBy(alerts, (a) => a.rule),
      [...RULE_IDS],
    ),
    tallyTable(
      'by-exchange',
      t('Alerts by exchange', '按交易所统计'),
      named('exchange', 'exchange'),
      countBy(alerts, (a) => a.exchange ?? '—'),
      exchanges,
    ),
    tallyTable(
      'by-severity',
      t('Alerts by severity', '按级别统计'),
      named('severity', 'severity'),
      countBy(alerts, (a) => a.severity),
      [...SEVERITIES].reverse(),
    ),
    {
      ...tallyTable(
        'by-disposition',
        t('Alerts by disposition', '按处置状态统计'),
        named('disposition', 'disposition'),
        byDisposition,
        states,
      ),
      note: options.auditRows
        ? t('From the alert workflow in the audit log.', '来自审计日志中的预警处置流程。')
        : t(
            'Offline run without an audit log: every alert is "new".',
            '离线运行且未提供审计日志：所有预警均为"新建"。',
          ),
    },
    alertListTable(alerts, disposition),
    nearThresholdTable(facts, options.nearestPerRule ?? 5),
    dispositionsTable(options.auditRows ?? null, alerts),
    operatorTable(options.auditRows ?? null),
    feedQualityTable(facts),
  ];
  return {
    kind: 'daily',
    title: t('Daily Surveillance Report', '每日交易监控报告'),
    tradingDay: facts.tradingDay,
    facts: factsHeader(facts, options.generatedAt),
    tables,
    footnote: t(
      'Alerts are those of `floorwatch surveil` on the same input and rules. Near-threshold tallies come from the same rule engine run with every count threshold lowered to 1.',
      '预警与同一输入、同一规则下 `floorwatch surveil` 的输出一致。临近阈值的统计来自同一规则引擎（各计数阈值降为 1 运行）。',
    ),
  };
}

function openCount(alerts: readonly Alert[], disposition: DispositionOf): number {
  return alerts.filter((a) => !['closed', 'dismissed'].includes(disposition(a.id))).length;
}

function nearThresholdTable(facts: SessionFacts, perRule: number): ReportTable {
  const groups = new Map<string, typeof facts.tallies>();
  for (const tally of facts.tallies) {
    if (tally.threshold === null) continue;
    const key = `${tally.exchange ?? '—'}\u0000${tally.rule}`;
    const list = groups.get(key) ?? [];
    list.push(tally);
    groups.set(key, list);
  }
  const rows: Array<Record<string, Cell>> = [];
  const keys = [...groups.keys()].sort((a, b) => {
    const [ea, ra] = a.split('\u0000') as [string, string];
    const [eb, rb] = b.split('\u0000') as [string, string];
    return ea !== eb ? (ea < eb ? -1 : 1) : COUNT_RULES.indexOf(ra as never) - COUNT_RULES.indexOf(rb as never);
  });
  for (const key of keys) {
    const list = (groups.get(key) ?? [])
      .slice()
      .sort((a, b) => b.ratio - a.ratio || (a.subjectId < b.subjectId ? -1 : 1))
      .slice(0, perRule);
    for (const tally of list) {
      rows.push({
        exchange: tally.exchange,
        rule: tally.rule,
        subjectId: tally.subjectId,
        instrumentId: tally.instrumentId,
        count: tally.count,
        threshold: tally.threshold,
        percent: Math.round(tally.ratio * 100),
        reached: tally.reached ? both('yes', '是') : both('no', '否'),
      });
    }
  }
  return {
    id: 'near-threshold',
    title: t('Clients closest to each exchange threshold', '临近交易所监控阈值的客户'),
    columns: [
      named('exchange', 'exchange'),
      col('rule', 'Standard', '监控标准'),
      named('subjectId', 'client'),
      col('instrumentId', 'Contract / scope', '合约 / 范围'),
      named('count', 'count', true),
      named('threshold', 'threshold', true),
      col('percent', '% of threshold', '占阈值 %', true),
      col('reached', 'Reached', '已达标准'),
    ],
    rows,
    empty: t('No client activity counted against a threshold.', '无客户计入监控阈值。'),
    note: t(
      `Top ${perRule} clients per exchange and standard, by count as a share of the threshold.`,
      `每个交易所、每项标准按次数占阈值比例列前 ${perRule} 名客户。`,
    ),
  };
}

function operatorTable(rows: AuditRow[] | null): ReportTable {
  const table: ReportTable = {
    id: 'operators',
    title: t('Operator activity', '操作员活动'),
    columns: [
      col('operator', 'Operator', '操作员'),
      col('role', 'Role', '角色'),
      col('activity', 'Activity', '操作'),
      col('action', 'Audit action', '审计操作'),
      col('count', 'Count', '次数', true),
    ],
    rows: [],
    empty: rows
      ? t('No operator actions in the audit log for this trading day.', '审计日志中本交易日无操作员操作。')
      : t('No audit log given (--audit FILE).', '未提供审计日志（--audit FILE）。'),
  };
  if (!rows) return table;
  const counts = new Map<string, { operator: string; role: string; activity: string; action: string; count: number }>();
  for (const row of rows) {
    const activity = activityOf(row);
    const key = `${row.operator}\u0000${row.role}\u0000${activity.code}`;
    const entry = counts.get(key) ?? {
      operator: row.operator,
      role: row.role,
      activity: both(activity.en, activity.zh),
      action: row.action,
      count: 0,
    };
    entry.count++;
    counts.set(key, entry);
  }
  table.rows = [...counts.values()].sort((a, b) =>
    a.operator !== b.operator ? (a.operator < b.operator ? -1 : 1) : a.activity < b.activity ? -1 : 1,
  );
  return table;
}

/** Every workflow move on the day's alerts, in order, with its rationale and (escalations) its target. */
function dispositionsTable(rows: AuditRow[] | null, alerts: readonly Alert[]): ReportTable {
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const moves = (rows ?? []).filter(
    (row) => row.action === 'alert_state_changed' && auditDetails(row).change !== 'assign',
  );
  return {
    id: 'dispositions',
    title: t('Dispositions', '预警处置记录'),
    columns: [
      col('time', 'Time (UTC)', '时间 (UTC)'),
      col('operator', 'Operator', '操作员'),
      col('alertId', 'Alert id', '预警编号'),
      col('rule', 'Rule', '规则'),
      col('subjectId', 'Client', '客户'),
      col('activity', 'Activity', '操作'),
      col('to', 'New state', '新状态'),
      col('reason', 'Rationale', '理由'),
      col('target', 'Escalated to', '上报对象'),
    ],
    rows: moves.map((row) => {
      const details = auditDetails(row);
      const alertId = typeof details.alertId === 'string' ? details.alertId : row.target.replace(/^alert:/, '');
      const alert = byId.get(alertId);
      const activity = activityOf(row);
      const target = details.target as { kind?: string; id?: string } | undefined;
      return {
        time: new Date(row.time).toISOString().replace('T', ' ').slice(0, 19),
        operator: row.operator,
        alertId,
        rule: alert?.rule ?? null,
        subjectId: alert?.subjectId ?? null,
        activity: both(activity.en, activity.zh),
        to:
          typeof details.to === 'string'
            ? both(stateName(details.to)?.en ?? details.to, stateName(details.to)?.zh ?? details.to)
            : null,
        reason: row.reason || null,
        target: target?.kind && target.id ? `${target.kind}:${target.id}` : null,
      };
    }),
    empty: rows
      ? t('No alert was worked on this trading day.', '本交易日无预警处置。')
      : t('No audit log given (--audit FILE).', '未提供审计日志（--audit FILE）。'),
  };
}

function feedQualityTable(facts: SessionFacts): ReportTable {
  return {
    id: 'feed-gaps',
    title: t('Feed quality: gaps', '行情质量：缺口'),
    columns: [
      col('fromSeq', 'From seq', '起始序号', true),
      col('toSeq', 'To seq', '结束序号', true),
      col('missing', 'Missing messages', '缺失消息数', true),
      col('reason', 'Reason', '原因'),
    ],
    rows: facts.gaps.map((g) => ({
      fromSeq: g.fromSeq,
      toSeq: g.toSeq,
      missing: g.toSeq - g.fromSeq + 1,
      reason: g.reason,
    })),
    empty: t('No gaps: every seq number arrived.', '无缺口：所有序号均已收到。'),
  };
}

export function buildAbnormalReport(facts: SessionFacts, generatedAt: string): ReportDocument {
  const reached = facts.alerts.filter((a) => (COUNT_RULES as readonly string[]).includes(a.rule));
  const exchanges = [...new Set(reached.map((a) => a.exchange ?? '—'))].sort();
  const tables: ReportTable[] = [];
  const columns = [
    col('rule', 'Standard', '监控标准'),
    named('subjectId', 'client'),
    col('subjectType', 'Client type', '客户类型'),
    col('accountIds', 'Accounts', '账户'),
    col('instrumentId', 'Contract / scope', '合约 / 范围'),
    named('count', 'count', true),
    named('threshold', 'threshold', true),
    col('firstSeq', 'First seq', '首条序号', true),
    col('lastSeq', 'Last seq', '末条序号', true),
  ];
  for (const exchange of exchanges) {
    const rows = reached
      .filter((a) => (a.exchange ?? '—') === exchange)
      .sort(
        (a, b) =>
          COUNT_RULES.indexOf(a.rule as never) - COUNT_RULES.indexOf(b.rule as never) || a.firstSeq - b.firstSeq,
      )
      .map((a) => abnormalRow(a));
    tables.push({
      id: `exchange-${exchange}`,
      title: t(`Exchange ${exchange}`, `交易所 ${exchange}`),
      columns,
      rows,
    });
  }
  if (tables.length === 0) {
    tables.push({
      id: 'exchange-none',
      title: t('All exchanges', '全部交易所'),
      columns,
      rows: [],
      empty: t(
        'No client reached an exchange standard this trading day.',
        '本交易日无客户达到交易所异常交易监控标准。',
      ),
    });
  }
  return {
    kind: 'abnormal',
    title: t('Abnormal Trading Report', '异常交易行为报告'),
    tradingDay: facts.tradingDay,
    facts: factsHeader(facts, generatedAt),
    tables,
    footnote: t(
      `Clients and contracts that reached an exchange abnormal-trading standard (${COUNT_RULES.map((rule) => RULE_NAMES[rule].en).join(', ')}) on the trading day; an actual-control group counts as one client. Counts and thresholds as computed by \`floorwatch surveil\`.`,
      `本交易日达到交易所异常交易监控标准（${COUNT_RULES.map((rule) => RULE_NAMES[rule].zh).join('、')}）的客户及合约；实际控制关系账户组视为一个客户。次数与阈值与 \`floorwatch surveil\` 的计算一致。`,
    ),
  };
}

/** One machine-form row of the abnormal report (also the NDJSON line). */
export function abnormalRow(a: Alert): Record<string, Cell> {
  return {
    exchange: a.exchange,
    rule: a.rule,
    subjectId: a.subjectId,
    subjectType: a.subjectType,
    accountIds: a.accountIds.join(' '),
    instrumentId: a.instrumentId,
    count: a.count,
    threshold: a.threshold,
    firstSeq: a.firstSeq,
    lastSeq: a.lastSeq,
    alertId: a.id,
    tradingDay: a.tradingDay,
  };
}

function stateName(state: string): { en: string; zh: string } | undefined {
  return (ALERT_STATE_NAMES as Record<string, { en: string; zh: string } | undefined>)[state];
}
