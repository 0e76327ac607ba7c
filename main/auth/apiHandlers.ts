// Server side of the methods in shared/api/methods/auth.ts. The dispatcher validates arguments and calls auth.guard(method,
// caller) first; these handlers then act for the caller's operator. Spread them into the backend's handlers once
// the methods are in the contract.
import { ApiFailure, type CallerContext } from '../api/dispatcher';
import type { AuditStore } from '../store/auditStore';
import type { AuthApiArgs, AuthApiMethod, AuthApiResult } from '../../shared/api/methods/auth';
import type { AuthService } from './authService';
import type { AccountActionBook } from './fourEyes';

export type AuthMethodHandlers = {
  [M in AuthApiMethod]: (args: AuthApiArgs<M>, caller: CallerContext) => Promise<AuthApiResult<M>> | AuthApiResult<M>;
};

export function createAuthHandlers(deps: {
  auth: AuthService;
  audit: AuditStore;
  accountActions: AccountActionBook;
}): AuthMethodHandlers {
  const { auth, audit, accountActions } = deps;
  const actor = (caller: CallerContext) => auth.requireActor(caller);
  return {
    'auth.status': (_args, caller) => auth.status(caller),
    'auth.setupAdmin': (args, caller) => auth.setupAdmin(caller, args),
    'auth.login': (args, caller) => auth.login(caller, args),
    'auth.resume': (args, caller) => auth.resume(caller, args),
    'auth.logout': async (_args, caller) => {
      await auth.logout(caller);
      return null;
    },
    'auth.lock': (_args, caller) => auth.lock(caller),
    'auth.unlock': (args, caller) => auth.unlock(caller, args),
    'auth.touch': async (_args, caller) => {
      const session = (await auth.status(caller)).session;
      if (!session) throw new ApiFailure('forbidden', 'not logged in');
      return session;
    },
    'auth.changePassword': async (args, caller) => {
      await auth.changePassword(caller, args);
      return null;
    },
    'operators.list': () => auth.listOperators(),
    'operators.directory': async () =>
      (await auth.listOperators())
        .filter((o) => !o.disabled)
        .map((o) => ({ username: o.username, displayName: o.displayName, role: o.role })),
    'operators.create': (args, caller) => auth.createOperator(actor(caller), args),
    'operators.update': (args, caller) => auth.updateOperator(actor(caller), args),
    'operators.resetPassword': async (args, caller) => {
      await auth.resetPassword(actor(caller), args);
      return null;
    },
    'actions.request': (args, caller) => accountActions.request(actor(caller), args),
    'actions.approve': (args, caller) => accountActions.approve(actor(caller), args),
    'actions.reject': (args, caller) => accountActions.reject(actor(caller), args),
    'actions.pending': () => accountActions.pending(),
    'actions.instructions': (args) => accountActions.instructions(args.accountId),
    'audit.verify': async (_args, caller) => {
      const who = actor(caller);
      const result = await audit.verify();
      await audit.append({
        operator: who.operator,
        role: who.role,
        action: 'audit_verified',
        target: 'audit_log',
        details: result.ok
          ? { ok: true, rows: result.rows, headId: result.headId, headHash: result.headHash }
          : { ok: false, brokenRow: result.brokenRow, problem: result.problem },
      });
      return result;
    },
    'audit.export': async (args, caller) => {
      const who = actor(caller);
      const head = await audit.head();
      const content = await audit.exportText(args.format);
      // The export row is written after reading, so it is not in the file it describes; its details name the head.
      await audit.append({
        operator: who.operator,
        role: who.role,
        action: 'export',
        target: 'audit_log',
        details: { format: args.format, rows: head.id, headId: head.id, headHash: head.hash },
      });
      return { format: args.format, rows: head.id, headId: head.id, headHash: head.hash, content };
    },
    'audit.recent': (args) => audit.readRows({ limit: args.limit, beforeId: args.beforeId, newestFirst: true }),
  };
}
