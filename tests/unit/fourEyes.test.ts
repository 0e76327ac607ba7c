import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../../main/api/dispatcher';
import {
  AccountActionBook,
  LoggingBrokerAdapter,
  type AccountInstruction,
  type ActingOperator,
  type BrokerActionAdapter,
  type BrokerSendResult,
} from '../../main/auth/fourEyes';
import { AuditLog, auditDetails, type AuditRow } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';

const operator: ActingOperator = { operator: 'wang.fang', role: 'operator' };
const supervisor: ActingOperator = { operator: 'li.wei', role: 'supervisor' };
const otherSupervisor: ActingOperator = { operator: 'chen.jie', role: 'supervisor' };
const admin: ActingOperator = { operator: 'zhang.min', role: 'admin' };
const auditor: ActingOperator = { operator: 'zhao.lei', role: 'auditor' };

const freeze = {
  action: { kind: 'freeze_opening' as const, accountId: 'A001', params: {} },
  reason: 'margin call unanswered',
};

let dir: string;
let file: string;
let audit: AuditLog;
let now = 1_795_000_000_000;

class RecordingAdapter implements BrokerActionAdapter {
  readonly name = 'recording';
  readonly sent: AccountInstruction[] = [];
  constructor(private readonly answer: () => Promise<BrokerSendResult>) {}
  send(instruction: AccountInstruction): Promise<BrokerSendResult> {
    this.sent.push(instruction);
    return this.answer();
  }
}

function refusal(run: () => unknown): Promise<ApiFailure> {
  return Promise.resolve()
    .then(run)
    .then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(ApiFailure);
        return error as ApiFailure;
      },
    );
}

const actions = () => audit.readRows().map((row) => row.action);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-foureyes-'));
  file = path.join(dir, 'audit.sqlite');
  audit = AuditLog.open(file, { clock: () => (now += 1_000) });
});

afterEach(() => {
  audit.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('four eyes on account actions', () => {
  it('takes effect only when a different supervisor approves; both steps audited', async () => {
    const adapter = new RecordingAdapter(() => Promise.resolve({ status: 'sent', detail: 'ok', reference: 'B-1' }));
    const book = await AccountActionBook.open(new SqliteAuditStore(audit), adapter);
    const request = await book.request(operator, freeze);
    expect(request).toMatchObject({ status: 'pending', requestedBy: 'wang.fang', reason: 'margin call unanswered' });
    expect(book.pending().map((r) => r.id)).toEqual([request.id]);
    expect(book.controls('A001').openingFrozen).toBe(false);
    expect(book.instructions()).toEqual([]);
    expect(adapter.sent).toEqual([]);

    const { request: approved, delivery } = await book.approve(supervisor, { requestId: request.id, reason: 'agreed' });
    expect(approved).toMatchObject({
      id: request.id,
      status: 'approved',
      decidedBy: 'li.wei',
      decisionReason: 'agreed',
    });
    expect(delivery).toEqual({ status: 'sent', detail: 'ok', reference: 'B-1' });
    expect(book.controls('A001').openingFrozen).toBe(true);
    expect(book.pending()).toEqual([]);
    expect(book.instructions().map((i) => i.id)).toEqual([request.id]);
    expect(adapter.sent.map((i) => i.action.kind)).toEqual(['freeze_opening']);

    expect(actions()).toEqual(['account_action_requested', 'account_action_approved', 'account_action_delivery']);
    const [requested, decided, delivered] = audit.readRows() as [AuditRow, AuditRow, AuditRow];
    expect(requested).toMatchObject({
      operator: 'wang.fang',
      role: 'operator',
      target: 'account:A001',
      reason: 'margin call unanswered',
    });
    expect(decided).toMatchObject({ operator: 'li.wei', role: 'supervisor', reason: 'agreed' });
    expect(auditDetails(decided)).toMatchObject({ requestId: request.id, requestedBy: 'wang.fang' });
    expect(auditDetails(delivered)).toMatchObject({ requestId: request.id, adapter: 'recording', status: 'sent' });
  });

  it('refuses the requester deciding on their own request, even as supervisor or admin, and audits the attempt', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const own = await book.request(supervisor, freeze);
    expect((await refusal(() => book.approve(supervisor, { requestId: own.id }))).message).toMatch(/four eyes/);
    expect((await refusal(() => book.reject(supervisor, { requestId: own.id, reason: 'never mind' }))).message).toMatch(
      /four eyes/,
    );
    const byAdmin = await book.request(admin, freeze);
    expect((await refusal(() => book.approve(admin, { requestId: byAdmin.id }))).code).toBe('forbidden');
    expect(book.pending()).toHaveLength(2);
    expect(book.controls('A001').openingFrozen).toBe(false);
    const rejected = audit.readRows({ actions: ['api_rejected'] });
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toMatchObject({ operator: 'li.wei', target: `request:${own.id}` });
    // a different admin may decide
    await book.approve(admin, { requestId: own.id });
    expect(book.controls('A001').openingFrozen).toBe(true);
  });

  it('lets no operator or auditor decide, and no auditor request', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const request = await book.request(operator, freeze);
    const colleague: ActingOperator = { operator: 'liu.yang', role: 'operator' };
    expect((await refusal(() => book.approve(colleague, { requestId: request.id }))).message).toMatch(
      /operator role may not/,
    );
    expect((await refusal(() => book.approve(auditor, { requestId: request.id }))).code).toBe('forbidden');
    expect((await refusal(() => book.request(auditor, freeze))).message).toMatch(/auditor role may not request/);
    expect(book.pending()).toHaveLength(1);
  });

  it('rejects with a reason only; a decided request cannot be decided again', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const request = await book.request(operator, {
      action: { kind: 'set_position_limit', accountId: 'A002', params: { instrumentId: 'rb2605', maxLots: 200 } },
      reason: 'concentration',
    });
    expect((await refusal(() => book.reject(supervisor, { requestId: request.id, reason: '   ' }))).message).toMatch(
      /reason is required/,
    );
    const rejected = await book.reject(supervisor, { requestId: request.id, reason: 'limit already set by exchange' });
    expect(rejected).toMatchObject({ status: 'rejected', decisionReason: 'limit already set by exchange' });
    expect(book.controls('A002').positionLimits).toEqual({});
    expect((await refusal(() => book.approve(otherSupervisor, { requestId: request.id }))).message).toMatch(
      /already rejected by li.wei/,
    );
    expect((await refusal(() => book.approve(otherSupervisor, { requestId: 999 }))).code).toBe('bad_arguments');
  });

  it('validates the action and requires a reason for a request', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const bad = { action: { kind: 'set_order_limit', accountId: 'A1', params: { maxOrderQty: -1 } }, reason: 'x' };
    expect((await refusal(() => book.request(operator, bad as never))).code).toBe('bad_arguments');
    const unknown = { action: { kind: 'close_account', accountId: 'A1', params: {} }, reason: 'x' };
    expect((await refusal(() => book.request(operator, unknown as never))).code).toBe('bad_arguments');
    expect((await refusal(() => book.request(operator, { ...freeze, reason: '' }))).message).toMatch(
      /reason is required/,
    );
    expect(audit.readRows()).toEqual([]);
  });

  it('adds up every kind of approved instruction per account', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const approve = async (action: Parameters<AccountActionBook['request']>[1]['action']) => {
      const r = await book.request(operator, { action, reason: 'test' });
      await book.approve(supervisor, { requestId: r.id });
    };
    await approve({ kind: 'freeze_opening', accountId: 'A1', params: {} });
    await approve({ kind: 'set_position_limit', accountId: 'A1', params: { maxLots: 500 } });
    await approve({ kind: 'set_position_limit', accountId: 'A1', params: { instrumentId: 'rb2605', maxLots: 100 } });
    await approve({ kind: 'set_order_limit', accountId: 'A1', params: { maxOrderQty: 20 } });
    await approve({ kind: 'mark_forced_liquidation', accountId: 'A1', params: { instrumentId: 'i2609' } });
    await approve({
      kind: 'client_contact_note',
      accountId: 'A1',
      params: { note: 'called, no answer', channel: 'phone' },
    });
    await approve({ kind: 'unfreeze_opening', accountId: 'A1', params: {} });
    await approve({ kind: 'freeze_opening', accountId: 'B2', params: {} });
    expect(book.controls('A1')).toEqual({
      accountId: 'A1',
      openingFrozen: false,
      positionLimits: { '*': 500, rb2605: 100 },
      orderLimits: { '*': 20 },
      forcedLiquidation: ['i2609'],
      contactNotes: 1,
    });
    expect(book.controls('B2').openingFrozen).toBe(true);
    expect(book.instructions('A1')).toHaveLength(7);
  });

  it('rebuilds pending requests and instructions from the audit log after a restart', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const first = await book.request(operator, freeze);
    const second = await book.request(operator, {
      action: { kind: 'client_contact_note', accountId: 'A001', params: { note: 'asked to add margin' } },
      reason: 'record the call',
    });
    await book.approve(supervisor, { requestId: first.id });
    audit.close();
    audit = AuditLog.open(file, { clock: () => (now += 1_000) });
    const reopened = await AccountActionBook.open(new SqliteAuditStore(audit));
    expect(reopened.pending().map((r) => r.id)).toEqual([second.id]);
    expect(reopened.instructions().map((r) => [r.id, r.decidedBy])).toEqual([[first.id, 'li.wei']]);
    expect(reopened.controls('A001').openingFrozen).toBe(true);
    expect(reopened.replayProblems).toEqual([]);
  });

  it('does not count a hand-written self-approval when replaying', async () => {
    const book = await AccountActionBook.open(new SqliteAuditStore(audit));
    const request = await book.request(supervisor, freeze);
    // a row appended through the API but breaking four eyes, as a hand edit would have to
    audit.append({
      operator: 'li.wei',
      role: 'supervisor',
      action: 'account_action_approved',
      target: 'account:A001',
      details: { requestId: request.id },
    });
    const replayed = await AccountActionBook.open(new SqliteAuditStore(audit));
    expect(replayed.pending().map((r) => r.id)).toEqual([request.id]);
    expect(replayed.replayProblems[0]).toMatch(/breaks four eyes/);
  });

  it('records a failing or silent broker adapter without undoing the approval', async () => {
    const failing = await AccountActionBook.open(
      new SqliteAuditStore(audit),
      new RecordingAdapter(() => Promise.reject(new Error('link down'))),
    );
    const request = await failing.request(operator, freeze);
    const result = await failing.approve(supervisor, { requestId: request.id });
    expect(result.delivery).toEqual({ status: 'failed', detail: 'recording: link down' });
    expect(failing.controls('A001').openingFrozen).toBe(true);
    const delivery = audit.readRows({ actions: ['account_action_delivery'] });
    expect(auditDetails(delivery[0] as AuditRow)).toMatchObject({ status: 'failed', detail: 'recording: link down' });
  });

  it('gives up waiting for a silent broker adapter after 10 s and records that', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const silent = await AccountActionBook.open(
        new SqliteAuditStore(audit),
        new RecordingAdapter(() => new Promise<BrokerSendResult>(() => {})),
      );
      const request = await silent.request(operator, freeze);
      const pending = silent.approve(supervisor, { requestId: request.id });
      await vi.advanceTimersByTimeAsync(10_000);
      expect((await pending).delivery).toEqual({ status: 'failed', detail: 'no answer from recording in 10000 ms' });
      expect(silent.controls('A001').openingFrozen).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('has a log-only adapter that sends nothing and says so', async () => {
    const lines: string[] = [];
    const book = await AccountActionBook.open(
      new SqliteAuditStore(audit),
      new LoggingBrokerAdapter((line) => lines.push(line)),
    );
    const request = await book.request(operator, freeze);
    const { delivery } = await book.approve(supervisor, { requestId: request.id });
    expect(delivery.status).toBe('not_sent');
    expect(lines[0]).toMatch(new RegExp(`instruction #${request.id} freeze_opening A001`));
    // the requests and decisions stay verifiable evidence
    expect(audit.verify().ok).toBe(true);
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).toBe(3);
    db.close();
  });
});
