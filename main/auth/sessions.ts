// Logged-in sessions. A session belongs to one operator and is used by one or more window connections (the
// connection that logged in, plus any that resume it with its token, e.g. after a page reload on the host).
// A session locks when the operator locks it or when nothing happened for `idleLockMs`; a locked session keeps
// its operator, and only that operator's password unlocks it.
import { randomBytes } from 'node:crypto';
import type { Role } from './permissions';

export interface SessionInfo {
  operator: string;
  displayName: string;
  role: Role;
  locked: boolean;
  /** Idle time after which the session locks itself, ms. */
  idleLockMs: number;
}

export class Session {
  /** Secret that lets another connection join this session (sent once, at login). */
  readonly token = randomBytes(32).toString('base64url');
  readonly id = randomBytes(8).toString('hex');
  readonly connections = new Set<string>();
  lastActivity: number;
  lockedAt: number | null = null;
  lockReason: 'manual' | 'idle' | null = null;
  /** When the last connection left; the session is dropped after a grace period. */
  orphanedAt: number | null = null;

  constructor(
    readonly operator: string,
    readonly displayName: string,
    readonly role: Role,
    readonly createdAt: number,
    private readonly idleLockMs: number,
  ) {
    this.lastActivity = createdAt;
  }

  /** Records activity; a locked session stays locked. */
  touch(now: number): void {
    if (this.lockedAt === null) this.lastActivity = Math.max(this.lastActivity, now);
  }

  /** True when locked by hand, or idle for idleLockMs (the caller then records the idle lock). */
  isLocked(now: number): boolean {
    return this.lockedAt !== null || this.idleExpired(now);
  }

  /** Idle for too long but not yet marked locked. */
  idleExpired(now: number): boolean {
    return this.lockedAt === null && this.idleLockMs > 0 && now - this.lastActivity >= this.idleLockMs;
  }

  lock(now: number, reason: 'manual' | 'idle'): void {
    if (this.lockedAt !== null) return;
    this.lockedAt = reason === 'idle' ? this.lastActivity + this.idleLockMs : now;
    this.lockReason = reason;
  }

  unlock(now: number): void {
    this.lockedAt = null;
    this.lockReason = null;
    this.lastActivity = now;
  }

  info(now: number): SessionInfo {
    return {
      operator: this.operator,
      displayName: this.displayName,
      role: this.role,
      locked: this.isLocked(now),
      idleLockMs: this.idleLockMs,
    };
  }
}

export class SessionManager {
  private readonly byConnection = new Map<string, Session>();
  private readonly byToken = new Map<string, Session>();

  constructor(private readonly options: { idleLockMs: number; resumeGraceMs: number }) {}

  get idleLockMs(): number {
    return this.options.idleLockMs;
  }

  /** Starts a session for `connectionId`, replacing (and returning) the one it had. */
  open(
    connectionId: string,
    operator: { username: string; displayName: string; role: Role },
    now: number,
  ): { session: Session; replaced: Session | null } {
    const replaced = this.detach(connectionId, now);
    const session = new Session(operator.username, operator.displayName, operator.role, now, this.options.idleLockMs);
    session.connections.add(connectionId);
    this.byConnection.set(connectionId, session);
    this.byToken.set(session.token, session);
    return { session, replaced: replaced && !this.isLive(replaced) ? replaced : null };
  }

  forConnection(connectionId: string): Session | null {
    return this.byConnection.get(connectionId) ?? null;
  }

  /** Joins `connectionId` to the session holding `token`; null when the token is unknown. */
  attach(connectionId: string, token: string, now: number): Session | null {
    const session = this.byToken.get(token);
    if (!session) return null;
    const previous = this.byConnection.get(connectionId);
    if (previous && previous !== session) this.detach(connectionId, now);
    session.connections.add(connectionId);
    session.orphanedAt = null;
    this.byConnection.set(connectionId, session);
    return session;
  }

  /** A connection went away (window closed). Returns its session, which may now be orphaned. */
  detach(connectionId: string, now: number): Session | null {
    const session = this.byConnection.get(connectionId);
    if (!session) return null;
    this.byConnection.delete(connectionId);
    session.connections.delete(connectionId);
    if (session.connections.size === 0) session.orphanedAt = now;
    return session;
  }

  /** Ends a session for all its connections. */
  end(session: Session): void {
    for (const connectionId of session.connections) this.byConnection.delete(connectionId);
    session.connections.clear();
    this.byToken.delete(session.token);
  }

  /** Sessions of one operator (to end them when the account is disabled or its role changes). */
  ofOperator(username: string): Session[] {
    return [...this.byToken.values()].filter((session) => session.operator === username);
  }

  all(): Session[] {
    return [...this.byToken.values()];
  }

  /** Orphaned sessions whose grace period is over. */
  expiredOrphans(now: number): Session[] {
    return this.all().filter(
      (session) => session.orphanedAt !== null && now - session.orphanedAt >= this.options.resumeGraceMs,
    );
  }

  private isLive(session: Session): boolean {
    return this.byToken.has(session.token) && session.connections.size > 0;
  }
}
