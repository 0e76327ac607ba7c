// Opens everything operators, permissions, the audit log and four eyes need, for one composition root (the headless
// host, the Electron app, the team server): the audit log (verified at start), the operators, the AuthService (the
// dispatcher's gate), the account action book, their API handlers and the `actions` topic. openAuthServices opens
// the data folder's SQLite files; createAuthServices takes any AuditStore and OperatorRepository (the team's
// PostgreSQL). One owner: close() stops the sweep, logs every session out and closes both stores.
import { rowKey, type TopicName, type TopicUpdate } from '../../shared/api/contract';
import type { AccountActionRequest } from '../../shared/api/methods/auth';
import type { ApiGate, MethodHandlers, TopicSource } from '../api/dispatcher';
import { TopicHub } from '../api/topicHub';
import { findAuditAnchors } from '../store/auditAnchorSources';
import type { SourcedAnchor } from '../store/auditAnchors';
import { AuditLog, auditDetails, type AuditRow, type AuditVerifyResult } from '../store/auditLog';
import { SqliteAuditStore, type AuditStore, type SharedAuditChain } from '../store/auditStore';
import { auditLogPath, floorwatchDataDir, operatorsPath } from '../store/auditPaths';
import { createAuthHandlers } from './apiHandlers';
import { AuthService } from './authService';
import { AccountActionBook, LoggingBrokerAdapter, type BrokerActionAdapter } from './fourEyes';
import { SqliteOperatorRepository, type OperatorRepository } from './operatorRepository';
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
  /** Which app opened the stores, for the app_started row. */
  app: 'host' | 'electron' | 'server';
  version: string;
}

/** The stores the services run on, already open; closed by AuthServices.close(). */
export interface AuthStores {
  audit: AuditStore;
  operators: OperatorRepository;
  /** Anchors of the audit head found outside the log (a workstation's data folder), checked at start. */
  anchors?: readonly SourcedAnchor[];
  /** A log other servers append to: four-eyes rows are applied through it (AuthServices.applyAuditRows). */
  shared?: SharedAuditChain;
}

/** The audit chain check made at start, as windows show it. */
export interface AuditStartupCheck {
  ok: boolean;
  rows: number;
  message: string;
}

export interface AuthServices {
  readonly audit: AuditStore;
  readonly operators: OperatorRepository;
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
  /**
   * Rows other servers wrote to a shared log (and this server's own, applied once): four-eyes requests and decisions
   * reach the `actions` and `restrictions` topics, and a changed account's sessions end here too.
   */
  applyAuditRows(rows: readonly AuditRow[]): void;
  /** Logs every session out (audited), then closes the stores. */
  close(): Promise<void>;
}

/** A workstation's services: on the data folder's SQLite files. */
export interface WorkstationAuthServices extends AuthServices {
  readonly dataDir: string;
  /** The SQLite audit log itself (the anchor sinks and the report jobs read its file). */
  readonly auditLog: AuditLog;
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
    decisionRows: readonly AuditRow[],
    private readonly clock: () => number,
  ) {
    const startOfDay = new Date(clock());
    startOfDay.setHours(0, 0, 0, 0);
    const decidedToday = decisionRows
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

/** The workstation's services on the data folder's SQLite files (audit.sqlite, operators.sqlite). */
export async function openAuthServices(options: AuthServicesOptions): Promise<WorkstationAuthServices> {
  const dataDir = options.dataDir ?? floorwatchDataDir();
  const log = options.log ?? (() => {});
  const auditLog = AuditLog.open(auditLogPath(dataDir), {
    clock: options.clock ?? Date.now,
    onSlow: (what, ms) => log(`slow audit write: ${what} took ${ms.toFixed(0)} ms`),
    onAnchorProblem: log,
  });
  let operators: OperatorStore | null = null;
  try {
    operators = OperatorStore.open(operatorsPath(dataDir));
    // The chain against every anchor in the data folder: the anchor file, the session files, the evidence packs.
    const anchors = findAuditAnchors({ dataDir, expectAnchorFile: auditLog.head().id > 0 });
    for (const warning of anchors.warnings) log(`audit anchors: ${warning}`);
    const services = await createAuthServices(options, {
      audit: new SqliteAuditStore(auditLog),
      operators: new SqliteOperatorRepository(operators),
      anchors: anchors.anchors,
    });
    return { ...services, dataDir, auditLog };
  } catch (error) {
    operators?.close();
    auditLog.close();
    throw error;
  }
}

/** The services on stores already open (closed here if the start fails). */
export async function createAuthServices(
  options: Omit<AuthServicesOptions, 'dataDir'>,
  stores: AuthStores,
): Promise<AuthServices> {
  const { audit, operators } = stores;
  const clock = options.clock ?? Date.now;
  const log = options.log ?? (() => {});
  try {
    const startupVerify = await audit.verify({ anchors: stores.anchors ?? [] });
    const auditCheck = startupCheckOf(startupVerify);
    if (!auditCheck.ok) log(`AUDIT LOG CHECK FAILED at start: ${auditCheck.message}`);
    await audit.append({
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
      log,
      idleLockMs: options.idleLockMs ?? idleLockMsFromEnv(),
      ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    });
    const accountActions = await AccountActionBook.open(
      audit,
      options.adapter ?? new LoggingBrokerAdapter((line) => log(line)),
      stores.shared,
    );
    const decisionRows = await audit.readRows({ actions: ['account_action_approved', 'account_action_rejected'] });
    const actionsTopic = new ActionsTopic(accountActions, decisionRows, clock);
    const handlers = createAuthHandlers({ auth, audit, accountActions });
    const services: Partial<MethodHandlers> = {
      ...handlers,
      'auth.status': async (args, caller) => ({ ...(await handlers['auth.status'](args, caller)), auditCheck }),
      'actions.request': async (args, caller) => {
        const request = await accountActions.request(auth.requireActor(caller), args);
        actionsTopic.changed(request);
        return request;
      },
      'actions.approve': async (args, caller) => {
        const result = await accountActions.approve(auth.requireActor(caller), args);
        actionsTopic.changed(result.request);
        return result;
      },
      'actions.reject': async (args, caller) => {
        const request = await accountActions.reject(auth.requireActor(caller), args);
        actionsTopic.changed(request);
        return request;
      },
    };
    auth.start();
    let closing: Promise<void> | null = null;
    return {
      audit,
      operators,
      auth,
      accountActions,
      startupVerify,
      auditCheck,
      gate: auth,
      services,
      topics: { actions: actionsTopic, restrictions: actionsTopic },
      sessionToken: (connectionId) => auth.sessions.forConnection(connectionId)?.token ?? null,
      applyAuditRows(rows) {
        for (const request of accountActions.applyRows(rows)) actionsTopic.changed(request);
        for (const row of rows) {
          if (row.action !== 'operator_updated' || !row.target.startsWith('operator:')) continue;
          const changes = auditDetails(row).changes as Record<string, unknown> | undefined;
          if (!changes || !('role' in changes || 'disabled' in changes)) continue;
          auth
            .accountChangedElsewhere(row.target.slice('operator:'.length))
            .catch((error: Error) => log(`sessions of ${row.target}: ${error.message}`));
        }
      },
      close() {
        closing ??= (async () => {
          try {
            await auth.stop();
          } finally {
            await operators.close();
            await audit.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await operators.close();
    await audit.close();
    throw error;
  }
}
