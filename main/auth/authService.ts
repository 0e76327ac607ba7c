// Operators, logins and sessions, with every step in the audit log. The dispatcher asks guard(method, caller)
// before each API call: it resolves the caller's session, applies the idle lock, checks the role against the
// permission table, records refusals, and returns the acting operator.
// The stores are asynchronous (SQLite on a workstation, PostgreSQL for a team): every method that acts resolves
// only after its audit row is durable. guard() and the timers stay synchronous; the refusals and idle locks they
// record are written in the background (failures logged) and awaited by stop().
import { ApiFailure, type CallerContext } from '../api/dispatcher';
import type { AuditEntry } from '../store/auditLog';
import type { AuditStore } from '../store/auditStore';
import type { OperatorRepository } from './operatorRepository';
import { normaliseUsername, OperatorStoreError, USERNAME_PATTERN, type OperatorRecord } from './operatorStore';
import {
  DEFAULT_SCRYPT,
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyPassword,
  type ScryptParams,
} from './passwords';
import {
  addressKey,
  DEFAULT_LOGIN_THROTTLE,
  isLocalSource,
  LoginThrottle,
  type LoginSource,
  type LoginThrottlePolicy,
} from './loginThrottle';
import { authorize, isRole, LOCKED_SESSION_METHODS, PUBLIC_METHODS, type Role } from './permissions';
import { SessionManager, type Session, type SessionInfo } from './sessions';

export interface AuthServiceOptions {
  audit: AuditStore;
  operators: OperatorRepository;
  /** Where a refusal or idle lock that could not be audited is reported. */
  log?: (line: string) => void;
  /** Epoch ms; tests pass a fake clock. */
  clock?: () => number;
  /** Lock a session after this long without activity; 0 = never. Default 10 minutes. */
  idleLockMs?: number;
  /** How failed password checks slow down their source (never the account). Default DEFAULT_LOGIN_THROTTLE. */
  throttle?: LoginThrottlePolicy;
  /** How long a session whose windows all closed can be resumed with its token. Default 60 s. */
  resumeGraceMs?: number;
  scrypt?: ScryptParams;
}

/** The operator behind an API call. */
export interface Actor {
  operator: string;
  displayName: string;
  role: Role;
  sessionId: string;
  connectionId: string;
}

export interface AuthStatus {
  /** No operator exists yet: the first window must create the admin. */
  needsSetup: boolean;
  session: SessionInfo | null;
}

/** What login, setup and resume return. The token lets another connection of this operator join the session. */
export interface LoginResult extends SessionInfo {
  token: string;
}

type Caller = Pick<CallerContext, 'connectionId'> & Partial<Pick<CallerContext, 'transport' | 'remoteAddress'>>;

/** Where a password is checked: each is a guess an attacker could make, so each goes through the throttle. */
type PasswordCheck = 'login' | 'unlock' | 'change_password';

const WRONG_CREDENTIALS = 'wrong user name or password';
const DISPLAY_NAME_MAX = 64;
const REJECTION_BURST = 20;
const REJECTION_REFILL_MS = 1000;
/** What a second attempt sent while the first is being checked is told to wait (a check takes well under 1 s). */
const IN_FLIGHT_RETRY_MS = 1000;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Audit rows per connection for refusals a client can repeat at will: a burst, then one a second; the rest are
 * counted into the next row (or a summary row when the connection closes), so a flood cannot flood the disk.
 */
class AuditBudget {
  private readonly budgets = new Map<string, { tokens: number; at: number; suppressed: number }>();

  /** Whether to write a row now, and how many were held back before it. */
  take(connectionId: string, now: number): { write: boolean; suppressed: number } {
    const budget = this.budgets.get(connectionId) ?? { tokens: REJECTION_BURST, at: now, suppressed: 0 };
    budget.tokens = Math.min(REJECTION_BURST, budget.tokens + Math.max(0, now - budget.at) / REJECTION_REFILL_MS);
    budget.at = now;
    this.budgets.set(connectionId, budget);
    if (budget.tokens < 1) {
      budget.suppressed += 1;
      return { write: false, suppressed: 0 };
    }
    budget.tokens -= 1;
    const suppressed = budget.suppressed;
    budget.suppressed = 0;
    return { write: true, suppressed };
  }

  /** Forgets a connection; returns how many of its refusals are not yet in the log. */
  release(connectionId: string): number {
    const suppressed = this.budgets.get(connectionId)?.suppressed ?? 0;
    this.budgets.delete(connectionId);
    return suppressed;
  }

  keys(): string[] {
    return [...this.budgets.keys()];
  }
}

export class AuthService {
  readonly sessions: SessionManager;
  private readonly audit: AuditStore;
  private readonly operators: OperatorRepository;
  private readonly log: (line: string) => void;
  /** Audit rows written in the background (from guard() and the timers), until durable. */
  private readonly backgroundWrites = new Set<Promise<void>>();
  private readonly clock: () => number;
  private readonly throttle: LoginThrottle;
  private readonly scrypt: ScryptParams;
  private dummyHash: Promise<string> | null = null;
  private readonly rejectionBudget = new AuditBudget();
  private readonly throttledBudget = new AuditBudget();
  /** Connections with a password check running. */
  private readonly checking = new Set<string>();
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(options: AuthServiceOptions) {
    this.audit = options.audit;
    this.operators = options.operators;
    this.log = options.log ?? (() => {});
    this.clock = options.clock ?? Date.now;
    this.throttle = new LoginThrottle(options.throttle ?? DEFAULT_LOGIN_THROTTLE);
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.sessions = new SessionManager({
      idleLockMs: options.idleLockMs ?? 10 * 60_000,
      resumeGraceMs: options.resumeGraceMs ?? 60_000,
    });
  }

  // ---- the dispatcher's hooks -------------------------------------------------------------------------------

  /**
   * Call before every API method. Returns the acting operator (null for a public method called by nobody), or
   * throws ApiFailure('forbidden') after recording the refusal in the audit log.
   */
  guard(method: string, caller: Caller): Actor | null {
    const session = this.sessionOf(caller);
    if (PUBLIC_METHODS.has(method)) return session ? this.actorOf(session, caller) : null;
    if (!session) throw this.refuse(method, caller, null, 'not logged in: log in first');
    const now = this.clock();
    if (session.isLocked(now)) {
      if (LOCKED_SESSION_METHODS.has(method)) return this.actorOf(session, caller);
      throw this.refuse(method, caller, session, 'the session is locked: enter your password to unlock it');
    }
    if (!authorize(session.role, method)) {
      throw this.refuse(method, caller, session, `the ${session.role} role may not use ${clip(method, 80)}`);
    }
    // Any permitted call is the operator at work; background data arrives by topic subscription, not by calls.
    session.touch(now);
    return this.actorOf(session, caller);
  }

  /** True when `caller` may receive topic data: logged in and not locked. */
  canSubscribe(caller: Caller): boolean {
    const session = this.sessionOf(caller);
    return session !== null && !session.isLocked(this.clock());
  }

  /** The logged-in, unlocked operator behind `caller`, for handlers that run after guard(). */
  requireActor(caller: Caller): Actor {
    const session = this.sessionOf(caller);
    if (!session) throw new ApiFailure('forbidden', 'not logged in: log in first');
    if (session.isLocked(this.clock())) throw new ApiFailure('forbidden', 'the session is locked');
    return this.actorOf(session, caller);
  }

  /** The dispatcher's RejectionLog: bad arguments and unknown methods, audited as api_rejected (rate-limited). */
  readonly recordRejection = (entry: { method: string; code: string; message: string; caller: Caller }): void => {
    this.inBackground(
      this.auditRejection(entry.caller, this.sessions.forConnection(entry.caller.connectionId), {
        method: clip(entry.method, 80),
        code: entry.code,
        message: clip(entry.message, 300),
      }),
    );
  };

  /** A window connection closed. Its session survives for resumeGraceMs if no other window uses it. */
  disconnect(connectionId: string): void {
    this.sessions.detach(connectionId, this.clock());
    this.throttle.forgetConnection(connectionId);
    this.inBackground(this.flushRejections(connectionId));
  }

  // ---- API methods ------------------------------------------------------------------------------------------

  async status(caller: Caller): Promise<AuthStatus> {
    const session = this.sessionOf(caller);
    const needsSetup = (await this.operators.count()) === 0;
    return { needsSetup, session: session ? session.info(this.clock()) : null };
  }

  /** First start only: creates the admin and logs them in on this connection. */
  async setupAdmin(
    caller: Caller,
    args: { username: string; displayName: string; password: string },
  ): Promise<LoginResult> {
    if ((await this.operators.count()) > 0) throw new ApiFailure('forbidden', 'setup is done: log in instead');
    const fields = this.checkNewOperator(args.username, args.displayName, args.password);
    const passwordHash = await hashPassword(args.password, this.scrypt);
    let created: OperatorRecord;
    try {
      created = await this.operators.insert({ ...fields, role: 'admin', passwordHash }, this.clock(), {
        onlyIfEmpty: true,
      });
    } catch (error) {
      if (error instanceof OperatorStoreError) throw new ApiFailure('forbidden', 'setup is done: log in instead');
      throw error;
    }
    await this.record({
      operator: created.username,
      role: 'admin',
      action: 'admin_created',
      target: `operator:${created.username}`,
      details: { displayName: created.displayName, ...this.where(caller) },
    });
    return this.startSession(caller, created);
  }

  async login(caller: Caller, args: { username: string; password: string }): Promise<LoginResult> {
    const username = normaliseUsername(args.username);
    const wellFormed = USERNAME_PATTERN.test(username);
    // Only a well-formed name goes into the operator column; anything else is kept, clipped, in the details.
    const tried = wellFormed
      ? { operator: username, role: 'none' }
      : { operator: '?', role: 'none', attempted: clip(username, 64) };
    const { operator, lockBypass } = await this.oneCheckAtATime(caller, 'login', tried, async () => {
      const found = wellFormed ? await this.operators.get(username) : null;
      if (!found) {
        await verifyPassword(args.password, await this.dummy()); // same work as a real check: no user enumeration
        const { attempted, ...who } = tried;
        throw await this.passwordFailed(caller, who, 'login', 'unknown_operator', attempted ? { attempted } : {});
      }
      return { operator: found, lockBypass: await this.checkPassword(caller, found, args.password, 'login') };
    });
    if (operator.disabled) {
      await this.loginFailed(caller, { operator: operator.username, role: operator.role }, 'disabled', {});
      throw new ApiFailure('forbidden', 'this account is disabled: ask an admin');
    }
    if (needsRehash(operator.passwordHash, this.scrypt)) {
      const rehashed = await hashPassword(args.password, this.scrypt);
      await this.operators.setPasswordHash(operator.username, rehashed, this.clock());
    }
    return this.startSession(caller, operator, lockBypass);
  }

  /** Joins this connection to an existing session (page reload, second window) with its token. */
  async resume(caller: Caller, args: { token: string }): Promise<LoginResult> {
    const session = this.sessions.attach(caller.connectionId, args.token, this.clock());
    if (!session) {
      await this.auditRejection(caller, null, {
        method: 'auth.resume',
        code: 'forbidden',
        message: 'unknown session token',
      });
      throw new ApiFailure('forbidden', 'the session has ended: log in again');
    }
    await this.record({
      ...this.who(session),
      action: 'session_resumed',
      target: `session:${session.id}`,
      details: this.where(caller),
    });
    return { ...session.info(this.clock()), token: session.token };
  }

  async logout(caller: Caller): Promise<void> {
    const session = this.sessions.forConnection(caller.connectionId);
    if (session) await this.endSession(session, 'manual', caller);
  }

  async lock(caller: Caller): Promise<SessionInfo> {
    const session = this.sessionOf(caller);
    if (!session) throw new ApiFailure('forbidden', 'not logged in');
    const now = this.clock();
    if (!session.isLocked(now)) {
      session.lock(now, 'manual');
      await this.record({
        ...this.who(session),
        action: 'lock',
        target: `session:${session.id}`,
        details: { reason: 'manual', ...this.where(caller) },
      });
    }
    return session.info(now);
  }

  async unlock(caller: Caller, args: { password: string }): Promise<SessionInfo> {
    const session = this.sessionOf(caller);
    if (!session) throw new ApiFailure('forbidden', 'not logged in');
    if (!session.isLocked(this.clock())) return session.info(this.clock());
    const operator = await this.operators.get(session.operator);
    if (!operator || operator.disabled) {
      await this.endSession(session, 'account_changed', caller);
      throw new ApiFailure('forbidden', 'this account is no longer active: log in again');
    }
    await this.oneCheckAtATime(caller, 'unlock', this.who(session), () =>
      this.checkPassword(caller, operator, args.password, 'unlock'),
    );
    const now = this.clock();
    const lockedFor = session.lockedAt === null ? 0 : now - session.lockedAt;
    session.unlock(now);
    await this.record({
      ...this.who(session),
      action: 'unlock',
      target: `session:${session.id}`,
      details: { lockedForMs: lockedFor, ...this.where(caller) },
    });
    return session.info(now);
  }

  async changePassword(caller: Caller, args: { currentPassword: string; newPassword: string }): Promise<void> {
    const actor = this.requireActor(caller);
    const operator = await this.operators.get(actor.operator);
    if (!operator) throw new ApiFailure('forbidden', 'this account no longer exists');
    await this.oneCheckAtATime(caller, 'change_password', this.whoActor(actor), () =>
      this.checkPassword(caller, operator, args.currentPassword, 'change_password'),
    );
    const problem = passwordProblem(args.newPassword);
    if (problem) throw new ApiFailure('bad_arguments', problem);
    const newHash = await hashPassword(args.newPassword, this.scrypt);
    await this.operators.setPasswordHash(operator.username, newHash, this.clock());
    await this.record({ ...this.whoActor(actor), action: 'password_changed', target: `operator:${actor.operator}` });
  }

  // ---- operator administration (admin only; guard() checks the role) -------------------------------------

  listOperators(): Promise<OperatorRecord[]> {
    return this.operators.list();
  }

  async createOperator(
    actor: Actor,
    args: { username: string; displayName: string; role: Role; password: string },
  ): Promise<OperatorRecord> {
    if (!isRole(args.role)) throw new ApiFailure('bad_arguments', `unknown role "${String(args.role)}"`);
    const fields = this.checkNewOperator(args.username, args.displayName, args.password);
    if (await this.operators.get(fields.username)) {
      throw new ApiFailure('bad_arguments', `an operator named "${fields.username}" already exists`);
    }
    const passwordHash = await hashPassword(args.password, this.scrypt);
    let created: OperatorRecord;
    try {
      created = await this.operators.insert({ ...fields, role: args.role, passwordHash }, this.clock());
    } catch (error) {
      if (error instanceof OperatorStoreError) throw new ApiFailure('bad_arguments', error.message);
      throw error;
    }
    await this.record({
      ...this.whoActor(actor),
      action: 'operator_created',
      target: `operator:${created.username}`,
      details: { role: created.role, displayName: created.displayName },
    });
    return created;
  }

  async updateOperator(
    actor: Actor,
    args: { username: string; displayName?: string; role?: Role; disabled?: boolean },
  ): Promise<OperatorRecord> {
    const current = await this.operators.get(args.username);
    if (!current) throw new ApiFailure('bad_arguments', `no operator "${normaliseUsername(args.username)}"`);
    if (args.role !== undefined && !isRole(args.role)) throw new ApiFailure('bad_arguments', 'unknown role');
    if (args.displayName !== undefined) this.checkDisplayName(args.displayName);
    const losesAdmin = current.role === 'admin' && ((args.role && args.role !== 'admin') || args.disabled === true);
    const activeAdmins = losesAdmin
      ? (await this.operators.list()).filter((o) => o.role === 'admin' && !o.disabled)
      : [];
    if (losesAdmin && activeAdmins.length <= 1) {
      throw new ApiFailure('forbidden', 'at least one active admin must remain');
    }
    const updated = await this.operators.update(current.username, args, this.clock());
    const changes = {
      ...(args.displayName !== undefined && args.displayName !== current.displayName
        ? { displayName: [current.displayName, updated.displayName] }
        : {}),
      ...(updated.role !== current.role ? { role: [current.role, updated.role] } : {}),
      ...(updated.disabled !== current.disabled ? { disabled: [current.disabled, updated.disabled] } : {}),
    };
    await this.record({
      ...this.whoActor(actor),
      action: 'operator_updated',
      target: `operator:${updated.username}`,
      details: { changes },
    });
    if (updated.role !== current.role || updated.disabled !== current.disabled) {
      // Permissions come from the session; a changed account must log in again.
      await this.endSessionsOf(updated.username);
    }
    return updated;
  }

  /**
   * An account's role or status changed through another server (on a shared database): its sessions here end too,
   * as they do on the server that made the change (permissions come from the session).
   */
  accountChangedElsewhere(username: string): Promise<void> {
    return this.endSessionsOf(username);
  }

  /**
   * Ends every session of `username` (their role, status or account scope changed): they log in again. Each session
   * once, though two paths may end them at once.
   */
  async endSessionsOf(username: string): Promise<void> {
    for (const session of this.sessions.ofOperator(username)) {
      if (!this.sessions.ofOperator(username).includes(session)) continue;
      await this.endSession(session, 'account_changed');
    }
  }

  /** Sets a new password and lifts a lockout. */
  async resetPassword(actor: Actor, args: { username: string; password: string }): Promise<void> {
    const current = await this.operators.get(args.username);
    if (!current) throw new ApiFailure('bad_arguments', `no operator "${normaliseUsername(args.username)}"`);
    const problem = passwordProblem(args.password);
    if (problem) throw new ApiFailure('bad_arguments', problem);
    const passwordHash = await hashPassword(args.password, this.scrypt);
    const now = this.clock();
    await this.operators.setPasswordHash(current.username, passwordHash, now);
    await this.operators.clearFailures(current.username, now);
    await this.record({ ...this.whoActor(actor), action: 'password_reset', target: `operator:${current.username}` });
  }

  // ---- housekeeping -----------------------------------------------------------------------------------------

  /** Records idle locks that are due and ends sessions whose windows are gone. Called by the timer from start(). */
  sweep(): void {
    const now = this.clock();
    for (const session of this.sessions.all()) this.applyIdleLock(session, now);
    for (const session of this.sessions.expiredOrphans(now)) {
      this.inBackground(this.endSession(session, 'disconnected'));
    }
    this.throttle.sweep(now);
  }

  /** Starts the periodic sweep (idle locks show up in the audit log on time, not only at the next call). */
  start(intervalMs = 5_000): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), intervalMs);
    this.sweepTimer.unref();
  }

  /**
   * Stops the sweep and logs every open session out (app closing); resolves when every row is written (failures
   * logged). Does not close the stores.
   */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const connectionId of new Set([...this.rejectionBudget.keys(), ...this.throttledBudget.keys()])) {
      this.inBackground(this.flushRejections(connectionId));
    }
    for (const session of this.sessions.all()) this.inBackground(this.endSession(session, 'app_closed'));
    await this.settled();
  }

  /** Resolves when the rows written in the background so far are durable (or their failure logged). */
  async settled(): Promise<void> {
    while (this.backgroundWrites.size > 0) await Promise.all([...this.backgroundWrites]);
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private sessionOf(caller: Caller): Session | null {
    const session = this.sessions.forConnection(caller.connectionId);
    if (session) this.applyIdleLock(session, this.clock());
    return session;
  }

  private applyIdleLock(session: Session, now: number): void {
    if (!session.idleExpired(now)) return;
    session.lock(now, 'idle');
    this.inBackground(
      this.record({
        ...this.who(session),
        action: 'lock',
        target: `session:${session.id}`,
        details: { reason: 'idle', idleLockMs: this.sessions.idleLockMs, lastActivity: session.lastActivity },
      }),
    );
  }

  private async startSession(caller: Caller, operator: OperatorRecord, extra: object = {}): Promise<LoginResult> {
    const now = this.clock();
    await this.operators.clearFailures(operator.username, now);
    const { session, replaced } = this.sessions.open(caller.connectionId, operator, now);
    if (replaced) await this.endSession(replaced, 'replaced', caller);
    await this.record({
      ...this.who(session),
      action: 'login',
      target: `session:${session.id}`,
      details: { ...extra, ...this.where(caller) },
    });
    return { ...session.info(now), token: session.token };
  }

  private async endSession(session: Session, reason: string, caller?: Caller): Promise<void> {
    this.sessions.end(session);
    await this.record({
      ...this.who(session),
      action: 'logout',
      target: `session:${session.id}`,
      details: { reason, ...(caller ? this.where(caller) : {}) },
    });
  }

  /**
   * Checks a password. Refused at once (no check) while the source must wait or the account is locked; a wrong
   * password makes the source wait longer, never the account. An admin on this machine is let in despite an
   * account lock (returned as details for the login row), so the desk always keeps its admin.
   */
  private async checkPassword(
    caller: Caller,
    operator: OperatorRecord & { passwordHash: string },
    password: string,
    during: PasswordCheck,
  ): Promise<{ accountLockBypassed?: true; lockedUntil?: number }> {
    const who = { operator: operator.username, role: operator.role };
    const now = this.clock();
    let bypass = {};
    if (operator.lockedUntil !== null && now < operator.lockedUntil) {
      if (operator.role === 'admin' && isLocalSource(caller.transport, caller.remoteAddress)) {
        bypass = { accountLockBypassed: true as const, lockedUntil: operator.lockedUntil };
      } else {
        await this.loginFailed(caller, who, 'account_locked', { during, lockedUntil: operator.lockedUntil });
        const minutes = Math.max(1, Math.ceil((operator.lockedUntil - now) / 60_000));
        throw new ApiFailure(
          'forbidden',
          `this account is locked for ${minutes} more min: ask an admin, or run "floorwatch operators unlock ` +
            `${operator.username}" on the workstation`,
        );
      }
    }
    if (await verifyPassword(password, operator.passwordHash)) {
      this.throttle.recordSuccess(this.sourceOf(caller));
      return bypass;
    }
    const failedLogins = await this.operators.countFailure(operator.username, this.clock());
    throw await this.passwordFailed(caller, who, during, 'wrong_password', { failedLogins });
  }

  /**
   * Runs one password check for `caller`, or refuses (and audits) it unchecked while its source must wait. A
   * connection has one check in flight at most: otherwise calls sent together would all be checked before the
   * first failure counts.
   */
  private async oneCheckAtATime<T>(
    caller: Caller,
    during: PasswordCheck,
    who: { operator: string; role: string; attempted?: string },
    check: () => Promise<T>,
  ): Promise<T> {
    await this.admit(caller, during, who);
    try {
      return await check();
    } finally {
      this.checking.delete(caller.connectionId);
    }
  }

  /** Lets the check run (marking the connection as checking) or refuses it, audited. */
  private async admit(
    caller: Caller,
    during: PasswordCheck,
    who: { operator: string; role: string; attempted?: string },
  ): Promise<void> {
    const wait = this.checking.has(caller.connectionId)
      ? { scope: 'in_flight' as const, waitMs: IN_FLIGHT_RETRY_MS }
      : this.throttle.check(this.sourceOf(caller), this.clock());
    if (!wait) {
      // Marked before anything is awaited, so a second call sent at once sees this one in flight.
      this.checking.add(caller.connectionId);
      return;
    }
    const seconds = Math.ceil(wait.waitMs / 1000);
    const budget = this.throttledBudget.take(caller.connectionId, this.clock());
    if (budget.write) {
      const { attempted, ...operator } = who;
      await this.loginFailed(caller, operator, 'throttled', {
        during,
        ...(attempted ? { attempted } : {}),
        scope: wait.scope,
        retryAfterMs: wait.waitMs,
        ...(budget.suppressed > 0 ? { suppressedBefore: budget.suppressed } : {}),
      });
    }
    throw new ApiFailure(
      'forbidden',
      {
        in_flight: `a password of this window is still being checked: try again in ${seconds} s`,
        connection: `too many failed attempts in this window: try again in ${seconds} s`,
        address: `too many failed attempts from this address: try again in ${seconds} s`,
      }[wait.scope],
      wait.waitMs,
    );
  }

  /** A checked password was wrong (or the name unknown): the source waits longer; audited; the refusal to throw. */
  private async passwordFailed(
    caller: Caller,
    who: { operator: string; role: string },
    during: PasswordCheck,
    reason: 'wrong_password' | 'unknown_operator',
    extra: object,
  ): Promise<ApiFailure> {
    const source = this.sourceOf(caller);
    const retryAfterMs = this.throttle.recordFailure(source, this.clock());
    const failures = this.throttle.failuresOf(source);
    await this.loginFailed(caller, who, reason, {
      during,
      ...extra,
      connectionFailures: failures.connection,
      addressFailures: failures.address,
      retryAfterMs,
    });
    // No retryAfterMs on the refusal: that field means "not looked at, send the same call again later".
    return new ApiFailure('forbidden', during === 'login' ? WRONG_CREDENTIALS : 'wrong password');
  }

  private loginFailed(
    caller: Caller,
    who: { operator: string; role: string },
    reason: string,
    extra: object,
  ): Promise<void> {
    return this.record({
      ...who,
      action: 'login_failed',
      target: `operator:${who.operator}`,
      details: { reason, ...extra, ...this.where(caller) },
    });
  }

  private sourceOf(caller: Caller): LoginSource {
    return { connectionId: caller.connectionId, address: addressKey(caller.transport, caller.remoteAddress) };
  }

  private refuse(method: string, caller: Caller, session: Session | null, message: string): ApiFailure {
    this.inBackground(this.auditRejection(caller, session, { method: clip(method, 80), code: 'forbidden', message }));
    return new ApiFailure('forbidden', message);
  }

  private async auditRejection(caller: Caller, session: Session | null, details: Record<string, unknown>) {
    const budget = this.rejectionBudget.take(caller.connectionId, this.clock());
    if (!budget.write) return;
    await this.record({
      ...(session ? this.who(session) : { operator: 'anonymous', role: 'none' }),
      action: 'api_rejected',
      target: `connection:${clip(caller.connectionId, 200)}`,
      details: {
        ...details,
        ...this.where(caller),
        ...(budget.suppressed > 0 ? { suppressedBefore: budget.suppressed } : {}),
      },
    });
  }

  /** Writes the count of refusals the rate limits held back, so none goes unrecorded. */
  private async flushRejections(connectionId: string): Promise<void> {
    const target = `connection:${clip(connectionId, 200)}`;
    const rejected = this.rejectionBudget.release(connectionId);
    const throttled = this.throttledBudget.release(connectionId);
    if (rejected > 0) {
      await this.record({
        operator: 'anonymous',
        role: 'none',
        action: 'api_rejected',
        target,
        details: { summary: true, suppressed: rejected },
      });
    }
    if (throttled > 0) {
      await this.record({
        operator: 'anonymous',
        role: 'none',
        action: 'login_failed',
        target,
        details: { reason: 'throttled', summary: true, suppressed: throttled },
      });
    }
  }

  private checkNewOperator(username: string, displayName: string, password: string) {
    const normalised = normaliseUsername(username);
    if (!USERNAME_PATTERN.test(normalised)) {
      throw new ApiFailure('bad_arguments', 'a user name is 2-32 letters, digits, dots, dashes or underscores');
    }
    this.checkDisplayName(displayName);
    const problem = passwordProblem(password);
    if (problem) throw new ApiFailure('bad_arguments', problem);
    return { username: normalised, displayName: displayName.trim() };
  }

  private checkDisplayName(displayName: string): void {
    const trimmed = displayName.trim();
    if (trimmed.length === 0 || trimmed.length > DISPLAY_NAME_MAX) {
      throw new ApiFailure('bad_arguments', `a display name is 1-${DISPLAY_NAME_MAX} characters`);
    }
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword('not-a-real-password', this.scrypt);
    return this.dummyHash;
  }

  private actorOf(session: Session, caller: Caller): Actor {
    return {
      operator: session.operator,
      displayName: session.displayName,
      role: session.role,
      sessionId: session.id,
      connectionId: caller.connectionId,
    };
  }

  private who(session: Session): { operator: string; role: string } {
    return { operator: session.operator, role: session.role };
  }

  private whoActor(actor: Actor): { operator: string; role: string } {
    return { operator: actor.operator, role: actor.role };
  }

  private where(caller: Caller): { connectionId: string; transport?: string; remoteAddress?: string } {
    return {
      connectionId: clip(caller.connectionId, 200),
      ...(caller.transport ? { transport: caller.transport } : {}),
      ...(caller.remoteAddress ? { remoteAddress: clip(caller.remoteAddress, 64) } : {}),
    };
  }

  /** Appends durably; a failure here fails the operation (nothing is acknowledged unrecorded). */
  private async record(entry: AuditEntry): Promise<void> {
    await this.audit.append(entry);
  }

  /** A row written from a synchronous path (guard, timers): kept until durable, a failure logged, never lost silently. */
  private inBackground(write: Promise<void>): void {
    const tracked = write.catch((error: unknown) => {
      this.log(`audit: a refusal, lock or logout could not be recorded: ${(error as Error).message}`);
    });
    this.backgroundWrites.add(tracked);
    void tracked.finally(() => this.backgroundWrites.delete(tracked));
  }
}
