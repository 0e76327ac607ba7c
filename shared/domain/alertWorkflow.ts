// The one definition of the alert workflow: which state may follow which, what each move is called (a verb on a
// button), and what it needs (a rationale, a target). The main side enforces it (main/alerts/workflow.ts) and the
// windows derive their buttons from it, so a button is enabled exactly when the server would accept the move.
import { ROLES, type Role } from '../api/methods/auth';
import type { AlertState } from '../api/methods/alerts';

/** States an operator is still working on. */
export const OPEN_STATES: readonly AlertState[] = ['new', 'acknowledged', 'investigating', 'escalated'];

/** States that end the work on an alert: reaching them needs a rationale, leaving them (a reopen) a reason. */
export const TERMINAL_STATES: ReadonlySet<AlertState> = new Set(['dismissed', 'closed']);

/**
 * Allowed transitions. Close and dismiss are allowed from every open state (a "closed – no action" straight from
 * new is a normal disposition). A closed or dismissed alert can be reopened (back to investigating) with a reason;
 * an escalated one goes back to investigating when the supervisor returns it.
 */
export const ALERT_TRANSITIONS: Readonly<Record<AlertState, readonly AlertState[]>> = {
  new: ['acknowledged', 'investigating', 'escalated', 'dismissed', 'closed'],
  acknowledged: ['investigating', 'escalated', 'dismissed', 'closed'],
  investigating: ['escalated', 'dismissed', 'closed'],
  escalated: ['investigating', 'dismissed', 'closed'],
  dismissed: ['investigating'],
  closed: ['investigating'],
};

/** What an operator does to an alert, as the button says it. */
export const ALERT_VERBS = ['acknowledge', 'investigate', 'escalate', 'dismiss', 'close', 'reopen'] as const;
export type AlertVerb = (typeof ALERT_VERBS)[number];

const VERB_TARGET: Record<AlertVerb, AlertState> = {
  acknowledge: 'acknowledged',
  investigate: 'investigating',
  escalate: 'escalated',
  dismiss: 'dismissed',
  close: 'closed',
  reopen: 'investigating',
};

/** The state a verb leads to. */
export function stateOfVerb(verb: AlertVerb): AlertState {
  return VERB_TARGET[verb];
}

/** The verb of a move: going back to investigating from closed or dismissed is a reopen. */
export function verbOf(from: AlertState, to: AlertState): AlertVerb {
  if (to === 'investigating' && TERMINAL_STATES.has(from)) return 'reopen';
  return (Object.keys(VERB_TARGET) as AlertVerb[]).find((verb) => verb !== 'reopen' && VERB_TARGET[verb] === to)!;
}

/** The verbs that are valid from `state`, in button order. */
export function verbsFrom(state: AlertState): AlertVerb[] {
  const allowed = ALERT_TRANSITIONS[state];
  return ALERT_VERBS.filter((verb) => {
    const to = VERB_TARGET[verb];
    return allowed.includes(to) && verbOf(state, to) === verb;
  });
}

/** Whether a move needs typed text: a rationale to end the work, a reason to reopen it or to escalate. */
export function needsReason(from: AlertState, to: AlertState): boolean {
  return TERMINAL_STATES.has(to) || TERMINAL_STATES.has(from) || to === 'escalated';
}

/** Who an escalation goes to: a named operator or everyone with a role. */
export interface EscalationTarget {
  kind: 'operator' | 'role';
  id: string;
}

export function isEscalationRole(id: string): id is Role {
  return (ROLES as readonly string[]).includes(id);
}

/**
 * Why a move is refused (one line for the operator), or null when it is valid. The server adds its own checks
 * (the alert exists, the target operator exists); this is the part a window can know before asking.
 */
export function transitionProblem(
  from: AlertState,
  to: AlertState,
  reason: string,
  target?: EscalationTarget | null,
): string | null {
  if (from === to) return `the alert is already ${to}`;
  const allowed = ALERT_TRANSITIONS[from];
  if (!allowed.includes(to)) return `cannot go from ${from} to ${to} (from ${from}: ${allowed.join(', ')})`;
  const typed = reason.trim().length > 0;
  if (TERMINAL_STATES.has(to) && !typed)
    return `${to === 'closed' ? 'closing' : 'dismissing'} an alert needs a rationale`;
  if (TERMINAL_STATES.has(from) && !typed) return `reopening a ${from} alert needs a reason`;
  if (to === 'escalated') {
    if (!target) return 'escalating needs the operator or role it goes to';
    if (target.kind === 'role' && !isEscalationRole(target.id)) return `unknown role "${target.id}"`;
    if (!typed) return 'escalating needs a reason';
  }
  return null;
}

/** One line naming an escalation target: "role:supervisor" or "operator:zhao.min". */
export function escalationLabel(target: EscalationTarget): string {
  return `${target.kind}:${target.id}`;
}
