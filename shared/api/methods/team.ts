// API of the team workflow: claiming an alert, the team settings (SLA per severity, account groups), operators'
// account scopes and the workload per operator. The rules themselves: shared/domain/teamWorkflow.ts.
import { Type } from '@sinclair/typebox';
import { SEVERITIES } from '../../rules/severityLevels';
import type { AccountGroup, TeamSettings, WorkloadRow } from '../../domain/teamWorkflow';
import { SLA_MAX_MINUTES } from '../../domain/teamWorkflow';
import { method } from '../method';
import type { AlertRow } from './alerts';

const Minutes = Type.Integer({ minimum: 1, maximum: SLA_MAX_MINUTES });
const SlaTargetSchema = Type.Object(
  { acknowledgeMinutes: Minutes, resolveMinutes: Minutes },
  { additionalProperties: false },
);
const GroupName = Type.String({ minLength: 1, maxLength: 64 });
const AccountGroupSchema = Type.Object(
  {
    name: GroupName,
    accounts: Type.Array(Type.String({ minLength: 1, maxLength: 65 }), { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export const TeamSettingsSchema = Type.Object(
  {
    sla: Type.Object(Object.fromEntries(SEVERITIES.map((s) => [s, SlaTargetSchema])), {
      additionalProperties: false,
    }),
    accountGroups: Type.Array(AccountGroupSchema, { maxItems: 500 }),
  },
  { additionalProperties: false },
);
const TeamSettingsResult = Type.Unsafe<TeamSettings>(Type.Object({}));

/** One operator's account scope: the account groups they are limited to (empty: every account). */
export interface OperatorScope {
  username: string;
  groups: string[];
}

export const teamApiMethods = {
  /**
   * Takes an unassigned alert for the caller (durable before it resolves). Refused with code `conflict`, naming
   * the owner, when someone else holds it; claiming one's own alert again answers with it unchanged.
   */
  'alerts.claim': method(
    Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
    Type.Unsafe<AlertRow>(Type.Object({})),
  ),
  /** The team settings: SLA targets per severity and the account groups. */
  'team.settings': method(Type.Object({}), TeamSettingsResult),
  /** Replaces the team settings (admin, audited). */
  'team.updateSettings': method(
    Type.Object({ settings: TeamSettingsSchema, reason: Type.Optional(Type.String({ maxLength: 1000 })) }),
    TeamSettingsResult,
  ),
  /** Every operator's account scope (admin). */
  'team.scopes': method(Type.Object({}), Type.Array(Type.Unsafe<OperatorScope>(Type.Object({})))),
  /** Limits an operator to account groups; no groups: every account again (admin, audited). */
  'team.setScope': method(
    Type.Object({
      username: Type.String({ minLength: 1, maxLength: 64 }),
      groups: Type.Array(GroupName, { maxItems: 100 }),
    }),
    Type.Unsafe<OperatorScope>(Type.Object({})),
  ),
  /** The open queue per assignee (the alerts the caller may see): counts by state, overdue, oldest age. */
  'team.workload': method(
    Type.Object({}),
    Type.Object({
      at: Type.Integer(),
      rows: Type.Array(Type.Unsafe<WorkloadRow>(Type.Object({}))),
    }),
  ),
} as const;

export type { AccountGroup, TeamSettings, WorkloadRow };
