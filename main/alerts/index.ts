// The alerts services of a workstation, built once by the composition root (host, Electron): the workflow (topic
// `alerts` and alerts.*), the thresholds (rules.*) and case review (cases.*). Wire with
// `createBackend({ …, services: alerts.services, topics: alerts.topics })` and call `alerts.stop()` at shutdown.
import path from 'node:path';
import { ApiFailure, type MethodHandlers, type TopicSource } from '../api/dispatcher';
import type { AuditStore, SharedAuditChain } from '../store/auditStore';
import type { RulesConfig } from '../../shared/rules/config';
import type { TopicName } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import { actorFrom, createAlertHandlers, createCaseHandlers, createRulesHandlers } from './handlers';
import { RulesService, type WhatIfRunner } from './rulesService';
import { AlertWorkflow } from './workflow';
import { CurrentSession } from './currentSession';
import { TeamWorkflow } from './teamWorkflow';
import type { CallerContext } from '../api/dispatcher';
import type { Role } from '../../shared/api/methods/auth';

export { AlertWorkflow, ALERT_TRANSITIONS, TERMINAL_STATES, type WorkflowActor } from './workflow';
export { RulesService, WorkerWhatIfRunner, inlineWhatIfRunner, type WhatIfRunner } from './rulesService';
export { readCaseWindow, CASE_DEFAULTS } from './caseWindow';
export { runWhatIf, compareAlerts } from './whatIf';
export { CurrentSession } from './currentSession';
export { TeamWorkflow, TEAM_AUDIT_ACTIONS } from './teamWorkflow';
export { actorFrom, createAlertHandlers, createCaseHandlers, createRulesHandlers, type ActorOf } from './handlers';

/** The user rules file's name in the data folder. */
export const USER_RULES_FILE = 'rules.json';

export interface AlertServicesOptions {
  audit: AuditStore;
  /** A log other servers append to: the workflow applies every row through it (AlertWorkflow.applyRows). */
  shared?: SharedAuditChain;
  /** The data folder (the user rules file lives there). */
  dataDir: string;
  /** Raw alerts from the core (its `alerts` topic); absent: none until attach(). */
  core?: TopicSource;
  /** The auth service (actor per caller); absent: every action is the 'system' actor. */
  auth?: {
    requireActor(caller: CallerContext): { operator: string; role: string };
    /** The operator accounts (escalations may name an enabled one). */
    listOperators?(): Promise<readonly { username: string; disabled: boolean; role: Role }[]>;
    /** Ends an operator's sessions (their account scope changed: they log in again). */
    endSessionsOf?(username: string): Promise<void>;
  };
  /** The session recorded or reviewed now (what-if and case review default to it); default: what follow() sees. */
  currentSessionFile?: () => string | null;
  /** Hands adopted thresholds to the live core. */
  applyRules?: (config: RulesConfig) => Promise<void> | void;
  /**
   * The folder of recorded sessions: a `file` named by a window must be inside it (or be the current session).
   * Absent (tests, tools): any session file.
   */
  sessionsDir?: string;
  whatIfRunner?: WhatIfRunner;
  /** A review window's review (its file and replayed alerts), for case review from that window. */
  reviewOf?: (caller: CallerContext) => { file: string; alert(id: string): AlertRow | null } | null;
  log?: (line: string) => void;
  /** Clock of the SLA ageing (tests). */
  clock?: () => number;
  /** SLA sweep period; 0: none (tests sweep by hand). */
  slaSweepMs?: number;
}

export interface AlertServices {
  workflow: AlertWorkflow;
  /** Team settings, account scopes (createBackend's `scopes`), the SLA sweep. */
  team: TeamWorkflow;
  rules: RulesService;
  services: Partial<MethodHandlers>;
  topics: Partial<Record<TopicName, TopicSource>>;
  /**
   * Follows what the windows are served (the Workstation or core the backend gets): the reviewed or recorded session
   * file and a reviewed session's alerts, for what-if and case review. Call once, after building the backend's source.
   */
  follow(view: TopicSource): void;
  stop(): Promise<void>;
}

/** Builds the services; the workflow is rebuilt from the audit log first. */
export async function createAlertServices(options: AlertServicesOptions): Promise<AlertServices> {
  let current: CurrentSession | null = null;
  const currentSessionFile = options.currentSessionFile ?? (() => current?.file() ?? null);
  const actorOf = actorFrom(options.auth);
  const resolveFile = (file: string): string => {
    if (options.sessionsDir === undefined) return file;
    const folder = path.resolve(options.sessionsDir);
    const resolved = path.resolve(folder, file);
    if (resolved.startsWith(folder + path.sep) || resolved === currentSessionFile()) return resolved;
    throw new ApiFailure('bad_arguments', `only sessions in ${folder} can be opened from a window`);
  };
  const auth = options.auth;
  const isOperator = auth?.listOperators
    ? async (username: string) => (await auth.listOperators!()).some((o) => o.username === username && !o.disabled)
    : undefined;
  const workflow = await AlertWorkflow.open({
    audit: options.audit,
    log: options.log,
    isOperator,
    ...(options.shared ? { shared: options.shared } : {}),
  });
  if (options.core) workflow.attach(options.core);
  const team = await TeamWorkflow.open({
    audit: options.audit,
    workflow,
    actorOf,
    ...(auth?.listOperators
      ? {
          operatorRole: async (username: string) =>
            (await auth.listOperators!()).find((o) => o.username === username && !o.disabled)?.role ?? null,
        }
      : {}),
    ...(auth?.endSessionsOf ? { endSessionsOf: (username: string) => auth.endSessionsOf!(username) } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.slaSweepMs !== undefined ? { sweepMs: options.slaSweepMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const rules = new RulesService({
    audit: options.audit,
    userFile: path.join(options.dataDir, USER_RULES_FILE),
    currentSessionFile,
    applyRules: options.applyRules,
    runner: options.whatIfRunner,
    log: options.log,
  });
  return {
    workflow,
    team,
    rules,
    services: {
      ...createAlertHandlers({ workflow, actorOf }),
      ...team.handlers,
      ...createRulesHandlers({ rules, actorOf, resolveFile }),
      ...createCaseHandlers({
        workflow,
        currentSessionFile,
        otherAlert: (id) => current?.alert(id) ?? null,
        ...(options.reviewOf ? { reviewOf: options.reviewOf } : {}),
        resolveFile,
      }),
    },
    topics: { alerts: workflow },
    follow(view) {
      current?.stop();
      current = new CurrentSession(view);
    },
    async stop() {
      current?.stop();
      current = null;
      await team.stop();
      await workflow.stop();
      await rules.stop();
    },
  };
}
