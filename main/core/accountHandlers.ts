// API handlers of the account tools (shared/api/methods/accounts.ts), answered by the core worker from live state.
// Wired by the composition roots: `services: { ...createAccountHandlers(core) }`.
import type { AccountCounters, AccountDetail, AccountApiMethod } from '../../shared/api/methods/accounts';
import { ApiFailure, type MethodHandlers } from '../api/dispatcher';

/** What the handlers need of a core (CoreProcess implements it; another core may not). */
export interface AccountDataSource {
  accountDetail(accountId: string): Promise<AccountDetail>;
  accountCounters(accountId: string): Promise<AccountCounters>;
}

function hasAccountData(core: unknown): core is AccountDataSource {
  const candidate = core as Partial<AccountDataSource> | null;
  return typeof candidate?.accountDetail === 'function' && typeof candidate.accountCounters === 'function';
}

/** Handlers for `accounts.*`; a core without account data answers `unavailable`. */
export function createAccountHandlers(core: unknown): Pick<MethodHandlers, AccountApiMethod> {
  const ask = async <T>(run: (source: AccountDataSource) => Promise<T>): Promise<T> => {
    if (!hasAccountData(core)) throw new ApiFailure('unavailable', 'account data is not available from this core');
    try {
      return await run(core);
    } catch (error) {
      const message = (error as Error).message;
      throw new ApiFailure(message.startsWith('unknown account') ? 'bad_arguments' : 'failed', message);
    }
  };
  return {
    'accounts.detail': (args) => ask((source) => source.accountDetail(args.accountId)),
    'accounts.counters': (args) => ask((source) => source.accountCounters(args.accountId)),
  };
}
