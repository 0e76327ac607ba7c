// API of surveillance alerts: the live alert rows with their workflow, the workflow transitions (audited), and the
// rules file with what-if tuning. Owner: the core/alerts work (issue 5, 7).
import { Type, type Static } from '@sinclair/typebox';
import type { Alert } from '../../rules/types';
import type { EscalationTarget } from '../../domain/alertWorkflow';
import { method } from '../method';
import { RoleSchema } from './auth';

/** Workflow states; the moves between them are in shared/domain/alertWorkflow.ts. */
export const ALERT_STATES = ['new', 'acknowledged', 'investigating', 'escalated', 'dismissed', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const AlertStateSchema = Type.Union(ALERT_STATES.map((s) => Type.Literal(s)));

/** An alert as windows see it: the engine's alert plus its workflow. Topic `alerts`, keyed by `id`. */
export interface AlertRow extends Alert {
  state: AlertState;
  assignee: string | null;
  notes: number;
  /** Epoch ms of the alert's creation (first seen by this workstation) and of its last workflow change. */
  createdAt: number;
  updatedAt: number;
  /** Source ts of the first counted message. */
  firstTs: number;
  /** Who the alert was escalated to (its latest escalation), else null. */
  escalatedTo?: EscalationTarget | null;
  /** Seq of the message that raised the alert (its latest counted message when first seen); absent when unknown. */
  firedSeq?: number;
}

export interface AlertNote {
  at: number;
  operator: string;
  text: string;
}

export interface AlertHistoryEntry {
  at: number;
  operator: string;
  from: AlertState;
  to: AlertState;
  reason: string | null;
  /** On an escalation: who it went to. */
  target?: EscalationTarget | null;
}

/** The operator (username) or role an escalation goes to. */
export const EscalationTargetSchema = Type.Union([
  Type.Object({ kind: Type.Literal('operator'), id: Type.String({ minLength: 1, maxLength: 64 }) }),
  Type.Object({ kind: Type.Literal('role'), id: RoleSchema }),
]);

const AlertId = Type.String({ minLength: 1, maxLength: 256 });
const Text = Type.String({ minLength: 1, maxLength: 4000 });

export const alertApiMethods = {
  /** One alert with its notes and workflow history. */
  'alerts.get': method(
    Type.Object({ id: AlertId }),
    Type.Object({
      alert: Type.Unsafe<AlertRow>(Type.Object({})),
      notes: Type.Array(Type.Unsafe<AlertNote>(Type.Object({}))),
      history: Type.Array(Type.Unsafe<AlertHistoryEntry>(Type.Object({}))),
    }),
  ),
  /**
   * A workflow transition (shared/domain/alertWorkflow.ts): closing, dismissing, reopening and escalating need a
   * reason; escalating names its target. Acknowledging an unassigned alert assigns it to the caller in the same
   * audited write. Durable (audited) before it resolves.
   */
  'alerts.setState': method(
    Type.Object({
      id: AlertId,
      state: AlertStateSchema,
      reason: Type.Optional(Text),
      target: Type.Optional(EscalationTargetSchema),
    }),
    Type.Unsafe<AlertRow>(Type.Object({})),
  ),
  'alerts.assign': method(
    Type.Object({ id: AlertId, assignee: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]) }),
    Type.Unsafe<AlertRow>(Type.Object({})),
  ),
  'alerts.addNote': method(Type.Object({ id: AlertId, text: Text }), Type.Unsafe<AlertRow>(Type.Object({}))),
} as const;

export type AlertApiMethod = keyof typeof alertApiMethods;
export type AlertStateArgs = Static<(typeof alertApiMethods)['alerts.setState']['args']>;
