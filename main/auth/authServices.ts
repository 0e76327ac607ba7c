// Opens everything operators, permissions, the audit log and four eyes need, from the data folder, for one
// composition root (the headless host or the Electron app): the audit log (verified at start), the operator store,
// the AuthService (the dispatcher's gate), the account action book, their API handlers and the `actions` topic.
// One owner: close() stops the sweep, logs every session out and closes both files.
import { rowKey, type TopicName, type TopicUpdate } from '../../shared/api/contract';
import type { AccountActionRequest } from '../../shared/api/methods/auth';
import type { ApiGate, MethodHandlers, TopicSource } from '../api/dispatcher';
import { TopicHub } from '../api/topicHub';
import { findAuditAnchors } from '../store/auditAnchorSources';
import { AuditLog, type AuditVerifyResult } from '../store/auditLog';
import { auditLogPath, floorwatchDataDir, operatorsPath } from '../store/auditPaths';
import { createAuthHandlers } from './apiHandlers';
import { AuthService } from './authService';
import { AccountActionBook, LoggingBrokerAdapter, type BrokerActionAdapter } from './fourEyes';
import { OperatorStore } from './operatorStore';
import type { ScryptParams } from './passwords';

export interface AuthServicesOptions {
  /** The data folder; default FLOORWATCH_DATA_DIR or the OS user-data folder (floorwatchDataDir()). */
  dataDir?: string;
  /** Idle lock, ms; default from FLOORWATCH_IDLE_LOCK_MINUTES, else 10 minutes. 0 = never. */
  idleLockMs?: number;
  clock?: () => number;
  scrypt?: ScryptParams;
  adapter?: BrokerActionAdapter;
  /** One line per notable event (audit chain broken at start, broker instruction logged). */
  log?: (line: string) => void;
  /** Which app opened the files, for the app_started row. */
  app: 'host' | 'electron';
  version: string;
}

/** The audit chain check made at start, as windows show it. */
export interface AuditStartupCheck {
  ok: boolean;
  rows: number;
  message: string;
}

export interface AuthServices {
  readonly dataDir: string;
  readonly audit: AuditLog;
  readonly operators: OperatorStore;
  readonly auth: AuthService;
  readonly accountActions: AccountActionBook;
  /** The full result of audit.verify() at start. */
  readonly startupVerify: AuditVerifyResult;
  readonly auditCheck: AuditStartupCheck;
  /** For createBackend: the gate, the auth/operators/actions/audit handlers and the `actions` topic. */
  readonly gate: ApiGate;
  readonly services: Partial<MethodHandlers>;
  readonly topics: Partial<Record<TopicName, TopicSource>>;
  /** The session token of a connection (to hand to a window it opens, so that window resumes the session). */
  sessionToken(connectionId: string): string | null;
  close(): void;
}

/** FLOORWATCH_IDLE_LOCK_MINUTES (0 = never), else undefined (the AuthService default applies). */
export function idleLockMsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.FLOORWATCH_IDLE_LOCK_MINUTES?.trim();
  if (!raw) return undefined;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > 24 * 60) {
    throw new Error(`FLOORWATCH_IDLE_LOCK_MINUTES must be a number of minutes from 0 to 1440 (got "${raw}")`);
  }
  return Math.round(minutes * 60_000);
}

function startupCheckOf(result: AuditVerifyResult): AuditStartupCheck {
  if (result.ok) {
    const anchors = result.anchors.checked > 0 ? `, ${result.anchors.checked} anchors agree` : '';
    return {
      ok: true,
      rows: result.rows,
      message: `audit log verified: ${result.rows} rows, head ${result.headHash}${anchors}`,
    };
  }
  const more = result.findings.length > 1 ? ` (and ${result.findings.length - 1} more finding(s))` : '';
  return { ok: false, rows: result.rows, message: `${result.message}${more}` };
}

/**
 * Publishes four-eyes requests (pending ones, and those decided since start of the local day) as `actions`, and each
 * account's active restrictions (what its approved instructions add up to) as `restrictions`.
 */
class ActionsTopic implements TopicSource {
  private readonly hub = new TopicHub();

  constructor(
    private readonly book: AccountActionBook,
    audit: AuditLog,
    private readonly clock: () => number,
  ) {
    const startOfDay = new Date(clock());
    startOfDay.setHours(0, 0, 0, 0);
    const decidedToday = audit
      .readRows({ actions: ['account_action_approved', 'account_action_rejected'] })
      .filter((row) => row.time >= startOfDay.getTime())
      .map((row) => {
        const requestId = (JSON.parse(row.details) as { requestId?: unknown }).requestId;
        return typeof requestId === 'number' ? book.get(requestId) : null;
      })
      .filter((request): request is AccountActionRequest => request !== null);
    const rows = new Map<number, AccountActionRequest>();
    for (const request of [...book.pending(), ...decidedToday]) rows.set(request.id, request);
    this.publish([...rows.values()], true);
    const accounts = new Set(book.instructions().map((instruction) => instruction.action.accountId));
    this.publishRestrictions([...accounts], true);
  }

  changed(request: AccountActionRequest): void {
    this.publish([request], false);
    if (request.status === 'approved') this.publishRestrictions([request.action.accountId], false);
  }

  private publishRestrictions(accounts: string[], snapshot: boolean): void {
    const now = this.clock();
    const rows = accounts.sort().map((accountId) => this.book.controls(accountId));
    this.hub.publish({ topic: 'restrictions', snapshot, rows, removed: [], at: now, sourceTs: now });
  }

  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    return this.hub.subscribe(topic, listener);
  }

  private publish(rows: AccountActionRequest[], snapshot: boolean): void {
    const now = this.clock();
    rows.sort((a, b) => Number(rowKey('actions', a)) - Number(rowKey('actions', b)));
    this.hub.publish({ topic: 'actions', snapshot, rows, removed: [], at: now, sourceTs: now });
  }
}

export function openAuthServices(options: AuthServicesOptions): AuthServices {
  const dataDir = options.dataDir ?? floorwatchDataDir();
  const clock = options.clock ?? Date.now;
  const log = options.log ?? (() => {});
  const audit = AuditLog.open(auditLogPath(dataDir), {
    clock,
    onSlow: (what, ms) => log(`slow audit write: ${what} took ${ms.toFixed(0)} ms`),
    onAnchorProblem: log,
  });
  let operators: OperatorStore | null = null;
  try {
    operators = OperatorStore.open(operatorsPath(dataDir));
    // The chain against every anchor in the data folder: the anchor file, the session files, the evidence packs.
    const anchors = findAuditAnchors({ dataDir, expectAnchorFile: audit.head().id > 0 });
    for (const warning of anchors.warnings) log(`audit anchors: ${warning}`);
    const startupVerify = audit.verify({ anchors: anchors.anchors });
    const auditCheck = startupCheckOf(startupVerify);
    if (!auditCheck.ok) log(`AUDIT LOG CHECK FAILED at start: ${auditCheck.message}`);
    audit.append({
      operator: 'system',
      role: 'system',
      action: 'app_started',
      target: `app:${options.app}`,
      details: {
        version: options.version,
        auditCheck: startupVerify.ok
          ? { ok: true, rows: startupVerify.rows, headHash: startupVerify.headHash }
          : { ok: false, brokenRow: startupVerify.brokenRow, problem: startupVerify.problem },
      },
    });
    const auth = new AuthService({
      audit,
      operators,
      clock,
      idleLockMs: options.idleLockMs ?? idleLockMsFromEnv(),
      ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    });
    const accountActions = new AccountActionBook(
      audit,
      options.adapter ?? new LoggingBrokerAdapter((line) => log(line)),
    );
    const actionsTopic = new ActionsTopic(accountActions, audit, clock);
    const handlers = createAuthHandlers({ auth, audit, accountActions });
    const services: Partial<MethodHandlers> = {
      ...handlers,
      'auth.status': (args, caller) => ({ ...handlers['auth.status'](args, caller), auditCheck }),
      'actions.request': (args, caller) => {
        const request = accountActions.request(auth.requireActor(caller), args);
        actionsTopic.changed(request);
        return request;
      },
      'actions.approve': async (args, caller) => {
        const result = await accountActions.approve(auth.requireActor(caller), args);
        actionsTopic.changed(result.request);
        return result;
      },
      'actions.reject': (args, caller) => {
        const request = accountActions.reject(auth.requireActor(caller), args);
        actionsTopic.changed(request);
        return request;
      },
    };
    auth.start();
    const openedOperators = operators;
    let closed = false;
    return {
      dataDir,
      audit,
      operators: openedOperators,
      auth,
      accountActions,
      startupVerify,
      auditCheck,
      gate: auth,
      services,
      topics: { actions: actionsTopic, restrictions: actionsTopic },
      sessionToken: (connectionId) => auth.sessions.forConnection(connectionId)?.token ?? null,
      close() {
        if (closed) return;
        closed = true;
        try {
          auth.stop();
        } finally {
          openedOperators.close();
          audit.close();
        }
      },
    };
  } catch (error) {
    operators?.close();
    audit.close();
    throw error;
  }
}
