// Operator accounts as the rest of the app should see them: asynchronous, so one interface fits the single seat's
// SQLite file (operators.sqlite) and the team's PostgreSQL database. Both reject with OperatorStoreError.
import type { OperatorRecord, OperatorStore } from './operatorStore';
import type { Role } from './permissions';

export interface NewOperator {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
}

export interface OperatorChanges {
  displayName?: string;
  role?: Role;
  disabled?: boolean;
}

export interface OperatorRepository {
  /** How many operators exist (0: first-start set-up is due). */
  count(): Promise<number>;
  /** The operator with their password hash, or null. The user name is matched case-insensitively. */
  get(username: string): Promise<(OperatorRecord & { passwordHash: string }) | null>;
  /** Every operator, by user name. */
  list(): Promise<OperatorRecord[]>;
  /** Adds an operator; with `onlyIfEmpty` the check and the insert are atomic (one first admin, however many race). */
  insert(operator: NewOperator, now: number, options?: { onlyIfEmpty?: boolean }): Promise<OperatorRecord>;
  update(username: string, changes: OperatorChanges, now: number): Promise<OperatorRecord>;
  setPasswordHash(username: string, passwordHash: string, now: number): Promise<void>;
  /** Counts a failed password check; resolves with the count since the last success. */
  countFailure(username: string, now: number): Promise<number>;
  /** After a successful login, a password reset or an unlock: no lock, no failures counted. */
  clearFailures(username: string, now: number): Promise<void>;
  /** Lifts a lock (and, with `enable`, a disable); resolves with the record before and after. */
  unlock(
    username: string,
    now: number,
    options?: { enable?: boolean },
  ): Promise<{ before: OperatorRecord; after: OperatorRecord }>;
  close(): Promise<void>;
}

/** The single seat's operators.sqlite behind the asynchronous interface (its file format does not change). */
export class SqliteOperatorRepository implements OperatorRepository {
  constructor(readonly store: OperatorStore) {}

  async count() {
    return this.store.count();
  }

  async get(username: string) {
    return this.store.get(username);
  }

  async list() {
    return this.store.list();
  }

  async insert(operator: NewOperator, now: number, options?: { onlyIfEmpty?: boolean }) {
    return this.store.insert(operator, now, options);
  }

  async update(username: string, changes: OperatorChanges, now: number) {
    return this.store.update(username, changes, now);
  }

  async setPasswordHash(username: string, passwordHash: string, now: number) {
    this.store.setPasswordHash(username, passwordHash, now);
  }

  async countFailure(username: string, now: number) {
    return this.store.countFailure(username, now);
  }

  async clearFailures(username: string, now: number) {
    this.store.clearFailures(username, now);
  }

  async unlock(username: string, now: number, options?: { enable?: boolean }) {
    return this.store.unlock(username, now, options);
  }

  async close() {
    this.store.close();
  }
}
