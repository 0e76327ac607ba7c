// Server side of the alerts, rules and cases method groups. The dispatcher validates arguments (and, with auth
// wired, checks the caller's role) first; these handlers act for the caller's operator.
import { existsSync } from 'node:fs';
import { ApiFailure, type CallerContext, type MethodHandlers } from '../api/dispatcher';
import { SYSTEM_ACTOR } from '../store/auditLog';
import { SessionFileError } from '../store/sessionFormat';
import { SessionReader } from '../store/sessionReader';
import type { alertApiMethods, AlertRow } from '../../shared/api/methods/alerts';
import type { caseApiMethods } from '../../shared/api/methods/cases';
import type { rulesApiMethods } from '../../shared/api/methods/rules';
import { readCaseWindow } from './caseWindow';
import type { RulesService } from './rulesService';
import type { AlertWorkflow, WorkflowActor } from './workflow';

/** The operator behind a call: the auth service's actor; 'system' where no auth service is wired (tests, tools). */
export type ActorOf = (caller: CallerContext) => WorkflowActor;

export function actorFrom(auth?: { requireActor(caller: CallerContext): WorkflowActor }): ActorOf {
  if (!auth) return () => ({ ...SYSTEM_ACTOR });
  return (caller) => {
    const actor = auth.requireActor(caller);
    return { operator: actor.operator, role: actor.role };
  };
}

type Group<G> = Pick<MethodHandlers, keyof G & keyof MethodHandlers>;

export function createAlertHandlers(deps: {
  workflow: AlertWorkflow;
  actorOf: ActorOf;
}): Group<typeof alertApiMethods> {
  const { workflow, actorOf } = deps;
  return {
    'alerts.get': (args) => workflow.get(args.id),
    'alerts.setState': (args, caller) => workflow.setState(actorOf(caller), args),
    'alerts.assign': (args, caller) => workflow.assign(actorOf(caller), args),
    'alerts.addNote': (args, caller) => workflow.addNote(actorOf(caller), args),
  };
}

/** Maps a session file named by a window to the path to open (or refuses it). */
export type ResolveFile = (file: string) => string;
const anyFile: ResolveFile = (file) => file;

export function createRulesHandlers(deps: {
  rules: RulesService;
  actorOf: ActorOf;
  resolveFile?: ResolveFile;
}): Group<typeof rulesApiMethods> {
  const { rules, actorOf } = deps;
  const resolveFile = deps.resolveFile ?? anyFile;
  return {
    'rules.get': () => rules.info(),
    'rules.whatIf': (args) =>
      rules.whatIf({ overrides: args.overrides, ...(args.file !== undefined ? { file: resolveFile(args.file) } : {}) }),
    'rules.adopt': (args, caller) => rules.adopt(actorOf(caller), args),
  };
}

export function createCaseHandlers(deps: {
  workflow: AlertWorkflow;
  /** The session recorded or reviewed now. */
  currentSessionFile: () => string | null;
  /** Alerts without a workflow here (a reviewed session's), looked up after the workflow's. */
  otherAlert?: (id: string) => AlertRow | null;
  /** A review window's case: its review's file and replayed alert (null for a live window). */
  reviewOf?: (caller: CallerContext) => { file: string; alert(id: string): AlertRow | null } | null;
  resolveFile?: ResolveFile;
}): Group<typeof caseApiMethods> {
  const resolveFile = deps.resolveFile ?? anyFile;
  return {
    'cases.window': (args, caller) => {
      const review = caller ? (deps.reviewOf?.(caller) ?? null) : null;
      const alert =
        review?.alert(args.alertId) ?? deps.workflow.row(args.alertId) ?? deps.otherAlert?.(args.alertId) ?? null;
      if (!alert) throw new ApiFailure('bad_arguments', `no alert "${args.alertId}" on this workstation`);
      const file = args.file !== undefined ? resolveFile(args.file) : (review?.file ?? deps.currentSessionFile());
      if (!file) throw new ApiFailure('unavailable', 'no session is being recorded or reviewed: name a session file');
      if (!existsSync(file)) throw new ApiFailure('bad_arguments', `no session file ${file}`);
      let reader: SessionReader;
      try {
        reader = SessionReader.open(file);
      } catch (error) {
        if (error instanceof SessionFileError) throw new ApiFailure('bad_arguments', error.message);
        throw error;
      }
      try {
        reader.refresh();
        return readCaseWindow(reader, alert, args);
      } finally {
        reader.close();
      }
    },
  };
}
