// API of surveillance alerts: the live alert rows with their workflow, the workflow transitions (audited), and the
// rules file with what-if tuning. Owner: the core/alerts work (issue 5, 7).
import { Type, type Static } from '@sinclair/typebox';
import type { Alert } from '../../rules/types';
import { method } from '../method';

/** Workflow states (issue 5): new → acknowledged → investigating → escalated | dismissed | closed. */
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
}

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
  /** A workflow transition; closing or dismissing needs a rationale. Durable (audited) before it resolves. */
  'alerts.setState': method(
    Type.Object({ id: AlertId, state: AlertStateSchema, reason: Type.Optional(Text) }),
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
