// An explicit test gate for tests of the transports and windows that do not test login: every connection acts as
// one pre-logged-in operator (admin unless told otherwise), and the role is still checked against the real
// permission table. Never used by a composition root: the host and the app always pass the AuthService.
import type { ApiGate, CallerContext } from '../../main/api/dispatcher';
import { ApiFailure } from '../../main/api/dispatcher';
import { authorize, type Role } from '../../main/auth/permissions';

export interface TestGate extends ApiGate {
  readonly role: Role;
  /** Calls refused before the gate (unknown method, bad arguments), as the dispatcher reported them. */
  readonly rejections: { method: string; code: string; message: string; connectionId: string }[];
  /** Connections that closed. */
  readonly disconnected: string[];
  /** When false, no connection may subscribe (as if the session were locked). */
  subscriptionsAllowed: boolean;
  /** Thrown by the next guard() call, once (a refusal as the AuthService would make it). */
  refuseNext: ApiFailure | null;
}

export function testGate(options: { role?: Role } = {}): TestGate {
  const role = options.role ?? 'admin';
  const gate: TestGate = {
    role,
    rejections: [],
    disconnected: [],
    subscriptionsAllowed: true,
    refuseNext: null,
    guard(method: string) {
      const refusal = gate.refuseNext;
      gate.refuseNext = null;
      if (refusal) throw refusal;
      if (!authorize(role, method)) throw new ApiFailure('forbidden', `the ${role} role may not use ${method}`);
      return { operator: 'test', role };
    },
    canSubscribe: () => gate.subscriptionsAllowed,
    recordRejection(entry: { method: string; code: string; message: string; caller: CallerContext }) {
      gate.rejections.push({
        method: entry.method,
        code: entry.code,
        message: entry.message,
        connectionId: entry.caller.connectionId,
      });
    },
    disconnect(connectionId: string) {
      gate.disconnected.push(connectionId);
    },
  };
  return gate;
}
