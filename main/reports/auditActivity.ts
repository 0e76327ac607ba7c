// Which audit rows belong to a trading day's report, and what each one was (acknowledge, close, approve…).
//
// A trading day is not a calendar day: the night session of day D starts the evening before, and operators work
// its alerts into the evening after the close. Wall-clock windows alone lose real work (an operator closing alerts
// at 19:00 China time falls into the next day's window while the live feed still reports day D), so a row belongs
// to the report when
//   - it acts on an alert of that trading day (the day recorded in the alert's `alert_created` row), whenever it
//     was done, or
//   - it happened during the trading day's window (18:00 China time the evening before to 18:00 on the day), or
//     while the session being reported was received (its first to last message time, wall clock on a live feed).
import { auditDetails, type AuditRow } from '../store/auditLog';
import { verbOf } from '../../shared/domain/alertWorkflow';
import { ALERT_STATES, type AlertState } from '../../shared/api/methods/alerts';

const CHINA_OFFSET_MS = 8 * 3600_000;
const HOUR_MS = 3600_000;

/** Epoch ms interval [from, to) of a YYYYMMDD trading day: 18:00 China the evening before to 18:00 on the day. */
export function tradingDayWindow(tradingDay: string): { from: number; to: number } | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(tradingDay);
  if (!match) return null;
  const midnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) - CHINA_OFFSET_MS;
  return { from: midnight - 6 * HOUR_MS, to: midnight + 18 * HOUR_MS };
}

export interface SessionSpan {
  firstTs: number | null;
  lastTs: number | null;
}

/** Operators' audit rows (not the system's) that belong to `tradingDay`'s report; see the file comment. */
export function operatorRowsOfDay(rows: readonly AuditRow[], tradingDay: string, span?: SessionSpan): AuditRow[] {
  const window = tradingDayWindow(tradingDay);
  if (!window) return rows.filter((r) => r.operator !== 'system');
  const alertDay = new Map<string, string>();
  for (const row of rows) {
    if (row.action !== 'alert_created') continue;
    const alert = auditDetails(row).alert as { tradingDay?: unknown } | undefined;
    if (typeof alert?.tradingDay === 'string') alertDay.set(row.target, alert.tradingDay);
  }
  const inSpan = (time: number) =>
    span?.firstTs != null && span.lastTs != null && time >= span.firstTs && time <= span.lastTs;
  return rows.filter((row) => {
    if (row.operator === 'system') return false;
    const day = alertDay.get(row.target);
    if (day !== undefined) return day === tradingDay;
    return (row.time >= window.from && row.time < window.to) || inSpan(row.time);
  });
}

/** What an audit row was, as an operator says it: a workflow verb, a note, a four-eyes step, else the action. */
export function activityOf(row: AuditRow): { code: string; en: string; zh: string } {
  const details = auditDetails(row);
  switch (row.action) {
    case 'alert_state_changed': {
      if (details.change === 'assign') return { code: 'assign', en: 'Assign', zh: '分派' };
      const from = details.from;
      const to = details.to;
      if (isState(from) && isState(to)) {
        const verb = verbOf(from, to);
        return { code: verb, ...VERB_NAMES[verb] };
      }
      return { code: row.action, en: row.action, zh: row.action };
    }
    case 'note_added':
      return { code: 'note', en: 'Note', zh: '备注' };
    case 'account_action_requested':
      return { code: 'request', en: 'Four-eyes request', zh: '双人复核申请' };
    case 'account_action_approved':
      return { code: 'approve', en: 'Approve', zh: '批准' };
    case 'account_action_rejected':
      return { code: 'reject', en: 'Reject', zh: '拒绝' };
    default:
      return { code: row.action, en: row.action.replace(/_/g, ' '), zh: row.action.replace(/_/g, ' ') };
  }
}

const VERB_NAMES: Record<ReturnType<typeof verbOf>, { en: string; zh: string }> = {
  acknowledge: { en: 'Acknowledge', zh: '确认' },
  investigate: { en: 'Investigate', zh: '调查' },
  escalate: { en: 'Escalate', zh: '上报' },
  dismiss: { en: 'Dismiss', zh: '驳回' },
  close: { en: 'Close', zh: '结案' },
  reopen: { en: 'Reopen', zh: '重新打开' },
};

function isState(value: unknown): value is AlertState {
  return typeof value === 'string' && (ALERT_STATES as readonly string[]).includes(value);
}
