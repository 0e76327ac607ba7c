// Four eyes on account actions: an operator requests (with a reason), a different supervisor or admin approves or
// rejects (approval reason optional, rejection reason required). Only an approved action takes effect, as one of
// the workstation's instructions; a broker adapter may carry it further (for now it only logs).
//
// The audit log is the store: requests and decisions are audit rows, and the book is rebuilt from them at start
// (open()). So a decision and its record can never disagree, and there is no second file to keep in step. The log is
// an AuditStore (SQLite or the team's PostgreSQL): requests and decisions are written one at a time, each checked
// against the book as the write before it left it (two approvers at once: the second is told who decided).
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ApiFailure } from '../api/dispatcher';
import { auditDetails, type AuditRow } from '../store/auditLog';
import { AuditConflictError, type AuditStore, type SharedAuditChain } from '../store/auditStore';
import { WriteQueue } from '../util/writeQueue';
import { AccountActionSchema, type AccountAction, type AccountActionKind } from '../../shared/api/methods/auth';
import { authorize, isRole, type Role } from './permissions';

export { AccountActionSchema, type AccountAction, type AccountActionKind } from '../../shared/api/methods/auth';
import type { AccountRestrictions } from '../../shared/api/methods/auth';

export const ACCOUNT_ACTION_KINDS: readonly AccountActionKind[] = [
  'freeze_opening',
  'unfreeze_opening',
  'set_position_limit',
  'set_order_limit',
  'mark_forced_liquidation',
  'client_contact_note',
];

const checkAction = TypeCompiler.Compile(AccountActionSchema);

export type AccountActionStatus = 'pending' | 'approved' | 'rejected';

export interface AccountActionRequest {
  /** The id of the audit row that recorded the request. */
  id: number;
  action: AccountAction;
  reason: string;
  requestedBy: string;
  requestedByRole: string;
  requestedAt: number;
  status: AccountActionStatus;
  decidedBy: string | null;
  decidedByRole: string | null;
  decidedAt: number | null;
  decisionReason: string | null;
  /** The audit row of the decision. */
  decisionId: number | null;
}

/** An approved action: an instruction of the workstation. */
export type AccountInstruction = AccountActionRequest & { status: 'approved' };

/** What the account's approved instructions add up to (for views and for the risk engine). */
export type AccountControls = AccountRestrictions;

export interface BrokerSendResult {
  status: 'sent' | 'not_sent' | 'failed';
  detail: string;
  /** The broker system's reference, when sent. */
  reference?: string;
}

/** Carries an approved instruction to a broker's system. Implementations must not throw for a refusal. */
export interface BrokerActionAdapter {
  readonly name: string;
  send(instruction: AccountInstruction): Promise<BrokerSendResult>;
}

/** The adapter until a broker integration exists: logs the instruction, sends nothing. */
export class LoggingBrokerAdapter implements BrokerActionAdapter {
  readonly name = 'log-only';
  constructor(private readonly log: (line: string) => void = () => {}) {}

  send(instruction: AccountInstruction): Promise<BrokerSendResult> {
    const { kind, accountId, params } = instruction.action;
    this.log(
      `instruction #${instruction.id} ${kind} ${accountId} ${JSON.stringify(params)} (not sent: no broker adapter)`,
    );
    return Promise.resolve({
      status: 'not_sent',
      detail: 'no broker adapter configured: recorded on the workstation only',
    });
  }
}

/** Who acts: the operator and their role from the session. */
export interface ActingOperator {
  operator: string;
  role: Role;
}

const SEND_TIMEOUT_MS = 10_000;
const REQUEST_ACTIONS = ['account_action_requested', 'account_action_approved', 'account_action_rejected'];
const DECISIONS = ['account_action_approved', 'account_action_rejected'];

export class AccountActionBook {
  private readonly requests = new Map<number, AccountActionRequest>();
  /** Approved request ids in approval order. */
  private readonly approvedOrder: number[] = [];
  /** Audit rows that could not be replayed (only after a hand edit). */
  readonly replayProblems: string[] = [];
  private readonly writes = new WriteQueue();
  /** The newest audit row applied: a row at or before it is never applied twice. */
  private appliedThrough = 0;

  /**
   * The book rebuilt from the audit log's request and decision rows. On a log other servers append to (`shared`),
   * every row, this book's own too, is applied through it (applyRows), in chain order.
   */
  static async open(
    audit: AuditStore,
    adapter: BrokerActionAdapter = new LoggingBrokerAdapter(),
    shared?: SharedAuditChain,
  ): Promise<AccountActionBook> {
    const rows = await audit.readRows({ actions: REQUEST_ACTIONS });
    return new AccountActionBook(audit, adapter, rows, shared ?? null);
  }

  private constructor(
    private readonly audit: AuditStore,
    private readonly adapter: BrokerActionAdapter,
    rows: readonly AuditRow[],
    private readonly shared: SharedAuditChain | null,
  ) {
    this.applyRows(rows);
  }

  /** Applies request and decision rows in chain order (others are skipped, none twice); returns what they changed. */
  applyRows(rows: readonly AuditRow[]): AccountActionRequest[] {
    const changed: AccountActionRequest[] = [];
    for (const row of rows) {
      if (row.id <= this.appliedThrough) continue;
      this.appliedThrough = row.id;
      if (!REQUEST_ACTIONS.includes(row.action)) continue;
      const request = this.replay(row);
      if (request) changed.push(request);
    }
    return changed;
  }

  /** This book's own row, applied (on a shared log, with every row before it); the request it recorded. */
  private async applyOwn(row: AuditRow, requestId: number): Promise<AccountActionRequest> {
    if (this.shared) await this.shared.catchUp(row.id);
    else this.applyRows([row]);
    return this.get(requestId) as AccountActionRequest;
  }

  request(actor: ActingOperator, args: { action: AccountAction; reason: string }): Promise<AccountActionRequest> {
    return this.writes.run(() => this.recordRequest(actor, args));
  }

  private async recordRequest(
    actor: ActingOperator,
    args: { action: AccountAction; reason: string },
  ): Promise<AccountActionRequest> {
    if (!authorize(actor.role, 'actions.request')) {
      throw await this.refuse(actor, 'actions.request', null, `the ${actor.role} role may not request account actions`);
    }
    if (!checkAction.Check(args.action)) {
      const first = checkAction.Errors(args.action).First();
      throw new ApiFailure(
        'bad_arguments',
        `account action: ${first?.path || 'value'} ${first?.message ?? 'is invalid'}`,
      );
    }
    const reason = this.reasonOf(args.reason, true);
    const action = structuredClone(args.action);
    const row = await this.audit.append({
      operator: actor.operator,
      role: actor.role,
      action: 'account_action_requested',
      target: `account:${action.accountId}`,
      details: { kind: action.kind, accountId: action.accountId, params: action.params },
      reason,
    });
    return this.applyOwn(row, row.id);
  }

  /** Approves and makes the action effective, then hands it to the broker adapter. */
  async approve(
    actor: ActingOperator,
    args: { requestId: number; reason?: string },
  ): Promise<{ request: AccountInstruction; delivery: BrokerSendResult }> {
    const instruction = (await this.writes.run(() =>
      this.recordDecision(actor, 'account_action_approved', args.requestId, args.reason ?? '', false),
    )) as AccountInstruction;
    // Delivery waits on the broker, not on the book: other requests and decisions go on meanwhile.
    const delivery = await this.deliver(instruction);
    await this.audit.append({
      operator: actor.operator,
      role: actor.role,
      action: 'account_action_delivery',
      target: `account:${instruction.action.accountId}`,
      details: { requestId: instruction.id, adapter: this.adapter.name, ...delivery },
    });
    return { request: instruction, delivery };
  }

  reject(actor: ActingOperator, args: { requestId: number; reason: string }): Promise<AccountActionRequest> {
    return this.writes.run(() =>
      this.recordDecision(actor, 'account_action_rejected', args.requestId, args.reason, true),
    );
  }

  /** An approver's decision on a pending request, durable in the audit log before it takes effect. */
  private async recordDecision(
    actor: ActingOperator,
    decision: 'account_action_approved' | 'account_action_rejected',
    requestId: number,
    givenReason: string,
    reasonRequired: boolean,
  ): Promise<AccountActionRequest> {
    const method = decision === 'account_action_approved' ? 'actions.approve' : 'actions.reject';
    const request = await this.decidable(actor, method, requestId);
    const reason = this.reasonOf(givenReason, reasonRequired);
    const target = `account:${request.action.accountId}`;
    let row: AuditRow;
    try {
      // One decision per request, whichever server it is made on: checked by the log inside the append.
      [row] = (await this.audit.appendBatch(
        [
          {
            operator: actor.operator,
            role: actor.role,
            action: decision,
            target,
            details: { requestId: request.id, kind: request.action.kind, requestedBy: request.requestedBy },
            reason,
          },
        ],
        { unchangedSince: { target, actions: DECISIONS, afterId: 0, detail: { key: 'requestId', value: request.id } } },
      )) as [AuditRow];
    } catch (error) {
      if (!(error instanceof AuditConflictError)) throw error;
      await this.shared?.catchUp(error.row.id).catch(() => undefined);
      const status = error.row.action === 'account_action_approved' ? 'approved' : 'rejected';
      const at = new Date(error.row.time).toTimeString().slice(0, 8);
      throw new ApiFailure(
        'conflict',
        `request #${requestId} was already ${status} by ${error.row.operator} at ${at}; your decision was not recorded`,
      );
    }
    return this.applyOwn(row, request.id);
  }

  get(requestId: number): AccountActionRequest | null {
    const found = this.requests.get(requestId);
    return found ? structuredClone(found) : null;
  }

  /** Requests waiting for a decision, oldest first. */
  pending(): AccountActionRequest[] {
    return [...this.requests.values()].filter((r) => r.status === 'pending').map((r) => structuredClone(r));
  }

  /** The workstation's instruction list: approved actions in approval order. */
  instructions(accountId?: string): AccountInstruction[] {
    return this.approvedOrder
      .map((id) => this.requests.get(id) as AccountInstruction)
      .filter((r) => accountId === undefined || r.action.accountId === accountId)
      .map((r) => structuredClone(r));
  }

  /** What the approved instructions for `accountId` add up to. */
  controls(accountId: string): AccountControls {
    const controls: AccountControls = {
      accountId,
      openingFrozen: false,
      positionLimits: {},
      orderLimits: {},
      forcedLiquidation: [],
      contactNotes: 0,
    };
    for (const { action } of this.instructions(accountId)) {
      switch (action.kind) {
        case 'freeze_opening':
          controls.openingFrozen = true;
          break;
        case 'unfreeze_opening':
          controls.openingFrozen = false;
          break;
        case 'set_position_limit':
          controls.positionLimits[action.params.instrumentId ?? '*'] = action.params.maxLots;
          break;
        case 'set_order_limit':
          controls.orderLimits[action.params.instrumentId ?? '*'] = action.params.maxOrderQty;
          break;
        case 'mark_forced_liquidation': {
          const instrument = action.params.instrumentId ?? '*';
          if (!controls.forcedLiquidation.includes(instrument)) controls.forcedLiquidation.push(instrument);
          break;
        }
        case 'client_contact_note':
          controls.contactNotes += 1;
          break;
      }
    }
    return controls;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  /** A pending request that `actor` may decide on, or a refusal (audited). */
  private async decidable(actor: ActingOperator, method: string, requestId: number): Promise<AccountActionRequest> {
    if (!authorize(actor.role, 'actions.approve')) {
      throw await this.refuse(actor, method, requestId, `the ${actor.role} role may not decide on account actions`);
    }
    const request = this.requests.get(requestId);
    if (!request) throw new ApiFailure('bad_arguments', `no account action request #${requestId}`);
    if (request.status !== 'pending') {
      throw new ApiFailure('forbidden', `request #${requestId} is already ${request.status} by ${request.decidedBy}`);
    }
    if (request.requestedBy === actor.operator) {
      throw await this.refuse(
        actor,
        method,
        requestId,
        'four eyes: a different supervisor must decide on your own request',
      );
    }
    return request;
  }

  private reasonOf(reason: string, required: boolean): string {
    const trimmed = typeof reason === 'string' ? reason.trim() : '';
    if (required && trimmed.length === 0) throw new ApiFailure('bad_arguments', 'a reason is required');
    if (trimmed.length > 1000) throw new ApiFailure('bad_arguments', 'a reason may have at most 1000 characters');
    return trimmed;
  }

  private async refuse(
    actor: ActingOperator,
    method: string,
    requestId: number | null,
    message: string,
  ): Promise<ApiFailure> {
    await this.audit.append({
      operator: actor.operator,
      role: actor.role,
      action: 'api_rejected',
      target: requestId === null ? '' : `request:${requestId}`,
      details: { method, code: 'forbidden', message },
    });
    return new ApiFailure('forbidden', message);
  }

  private async deliver(instruction: AccountInstruction): Promise<BrokerSendResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.adapter.send(structuredClone(instruction)),
        new Promise<BrokerSendResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ status: 'failed', detail: `no answer from ${this.adapter.name} in ${SEND_TIMEOUT_MS} ms` }),
            SEND_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      return { status: 'failed', detail: `${this.adapter.name}: ${(error as Error).message}` };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Applies one audit row to the book; returns the request it touched. */
  private replay(row: AuditRow): AccountActionRequest | null {
    const details = auditDetails(row);
    if (row.action === 'account_action_requested') {
      const action = { kind: details.kind, accountId: details.accountId, params: details.params };
      if (!checkAction.Check(action)) {
        this.replayProblems.push(`audit row ${row.id}: unreadable account action request`);
        return null;
      }
      const request: AccountActionRequest = {
        id: row.id,
        action,
        reason: row.reason,
        requestedBy: row.operator,
        requestedByRole: row.role,
        requestedAt: row.time,
        status: 'pending',
        decidedBy: null,
        decidedByRole: null,
        decidedAt: null,
        decisionReason: null,
        decisionId: null,
      };
      this.requests.set(row.id, request);
      return structuredClone(request);
    }
    const requestId = details.requestId;
    const request = typeof requestId === 'number' ? this.requests.get(requestId) : undefined;
    if (!request || request.status !== 'pending') {
      this.replayProblems.push(
        `audit row ${row.id}: decision for unknown or already decided request ${String(requestId)}`,
      );
      return null;
    }
    if (row.operator === request.requestedBy || !(isRole(row.role) && authorize(row.role, 'actions.approve'))) {
      // Only a hand-written row can get here; it does not count as a second pair of eyes.
      this.replayProblems.push(`audit row ${row.id}: decision by ${row.operator} (${row.role}) breaks four eyes`);
      return null;
    }
    request.status = row.action === 'account_action_approved' ? 'approved' : 'rejected';
    request.decidedBy = row.operator;
    request.decidedByRole = row.role;
    request.decidedAt = row.time;
    request.decisionReason = row.reason;
    request.decisionId = row.id;
    if (request.status === 'approved') this.approvedOrder.push(request.id);
    return structuredClone(request);
  }
}
