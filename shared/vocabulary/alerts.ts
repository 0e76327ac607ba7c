// Names of the surveillance rules (from the rule catalogue), severities, alert states and operator roles.
//
// Chinese rule names follow the exchanges' and the CSRC's wording, not translations of English trade jargon:
// 自成交, 频繁报撤单, 大额报撤单 and 持仓超限 are the abnormal-trading categories of the exchanges' 异常交易行为管理办法;
// 虚假申报 (not 幌骗) and 尾市操纵 are the manipulation types the exchanges and the 2019 SPC/SPP interpretation on market
// manipulation name; 拉抬打压 (not 动量引燃) is how they describe pushing a price up or down with aggressive orders to
// trade against the move.
import type { AlertState } from '../api/methods/alerts';
import type { AccountActionKind, Role } from '../api/methods/auth';
import { RULE_CATALOGUE, type RuleId } from '../rules/catalogue';
import type { Severity } from '../rules/severityLevels';
import type { QueueView, SlaStage } from '../domain/teamWorkflow';
import { term, type Term } from './term';

/** Each rule's name, from its catalogue entry. */
export const RULE_NAMES: Readonly<Record<RuleId, Term>> = Object.fromEntries(
  RULE_CATALOGUE.map((entry) => [entry.id, entry.name]),
) as Record<RuleId, Term>;

export const SEVERITY_NAMES: Readonly<Record<Severity, Term>> = {
  low: term('Low', '低'),
  medium: term('Medium', '中'),
  high: term('High', '高'),
  critical: term('Critical', '严重'),
};

export const ALERT_STATE_NAMES: Readonly<Record<AlertState, Term>> = {
  new: term('New', '新建'),
  acknowledged: term('Acknowledged', '已确认'),
  investigating: term('Investigating', '调查中'),
  escalated: term('Escalated', '已上报'),
  dismissed: term('Dismissed', '已排除'),
  closed: term('Closed', '已结案'),
};

/** Operator roles (the role badge on every window, operator lists, reports). */
export const ROLE_NAMES: Readonly<Record<Role, Term>> = {
  operator: term('Operator', '监控员'),
  supervisor: term('Supervisor', '主管'),
  admin: term('Administrator', '管理员'),
  auditor: term('Auditor', '审计员'),
};

/** Account actions under four eyes. */
export const ACCOUNT_ACTION_NAMES: Readonly<Record<AccountActionKind, Term>> = {
  freeze_opening: term('Freeze opening', '限制开仓'),
  unfreeze_opening: term('Unfreeze opening', '解除限制开仓'),
  set_position_limit: term('Set position limit', '设置持仓限额'),
  set_order_limit: term('Set order limit', '设置单笔委托上限'),
  mark_forced_liquidation: term('Mark for forced liquidation', '标记强行平仓'),
  client_contact_note: term('Client contact note', '客户联系记录'),
};

/** The parts of the alert queue a window lists. */
export const QUEUE_VIEW_NAMES: Readonly<Record<QueueView, Term>> = {
  mine: term('Mine', '我的'),
  unassigned: term('Unassigned', '未分派'),
  team: term('Team', '全组'),
};

/** What an open alert waits for under its SLA. */
export const SLA_STAGE_NAMES: Readonly<Record<SlaStage, Term>> = {
  acknowledge: term('Acknowledge', '待确认'),
  resolve: term('Resolve', '待处理'),
};
