// API methods of operators, login, four-eyes account actions and the audit log (spread into `apiMethods`).
import { Type, type Static } from '@sinclair/typebox';
import { method } from '../method';

export const ROLES = ['operator', 'supervisor', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

const Empty = Type.Object({});
export const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
const Username = Type.String({ minLength: 1, maxLength: 64 });
const DisplayName = Type.String({ minLength: 1, maxLength: 64 });
/** Length rules for new passwords are checked by the server (after NFKC), this only bounds the input. */
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const AccountId = Type.String({ minLength: 1, maxLength: 64 });
const InstrumentId = Type.String({ minLength: 1, maxLength: 64 });
const Lots = Type.Integer({ minimum: 0, maximum: 100_000_000 });
const NoParams = Type.Object({}, { additionalProperties: false });
const EpochMs = Type.Integer();

export const SessionInfoSchema = Type.Object({
  operator: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  locked: Type.Boolean(),
  idleLockMs: Type.Integer({ minimum: 0 }),
});
export const LoginResultSchema = Type.Object({ ...SessionInfoSchema.properties, token: Type.String() });
/** The audit chain check made when the app started; every window shows a red banner when it failed. */
export const AuditStartupCheckSchema = Type.Object({
  ok: Type.Boolean(),
  rows: Type.Integer(),
  message: Type.String(),
});
export const AuthStatusSchema = Type.Object({
  needsSetup: Type.Boolean(),
  session: Type.Union([SessionInfoSchema, Type.Null()]),
  auditCheck: Type.Optional(AuditStartupCheckSchema),
});

export const OperatorSchema = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  disabled: Type.Boolean(),
  failedLogins: Type.Integer({ minimum: 0 }),
  lockedUntil: Type.Union([EpochMs, Type.Null()]),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});

/** One account action, by kind. `instrumentId` absent = every instrument of the account. */
/** An enabled operator as every operator may see it (to pick an escalation target). */
export const OperatorDirectoryEntrySchema = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
});

export const AccountActionSchema = Type.Union([
  Type.Object({ kind: Type.Literal('freeze_opening'), accountId: AccountId, params: NoParams }),
  Type.Object({ kind: Type.Literal('unfreeze_opening'), accountId: AccountId, params: NoParams }),
  Type.Object({
    kind: Type.Literal('set_position_limit'),
    accountId: AccountId,
    params: Type.Object({ instrumentId: Type.Optional(InstrumentId), maxLots: Lots }, { additionalProperties: false }),
  }),
  Type.Object({
    kind: Type.Literal('set_order_limit'),
    accountId: AccountId,
    params: Type.Object(
      { instrumentId: Type.Optional(InstrumentId), maxOrderQty: Lots },
      { additionalProperties: false },
    ),
  }),
  Type.Object({
    kind: Type.Literal('mark_forced_liquidation'),
    accountId: AccountId,
    params: Type.Object({ instrumentId: Type.Optional(InstrumentId) }, { additionalProperties: false }),
  }),
  Type.Object({
    kind: Type.Literal('client_contact_note'),
    accountId: AccountId,
    params: Type.Object(
      {
        note: Type.String({ minLength: 1, maxLength: 2000 }),
        channel: Type.Optional(
          Type.Union([Type.Literal('phone'), Type.Literal('email'), Type.Literal('in_person'), Type.Literal('other')]),
        ),
      },
      { additionalProperties: false },
    ),
  }),
]);
export type AccountAction = Static<typeof AccountActionSchema>;
export type AccountActionKind = AccountAction['kind'];

export const ReasonSchema = Type.String({ minLength: 1, maxLength: 1000 });
export const RequestIdSchema = Type.Integer({ minimum: 1 });

export const AccountActionRequestSchema = Type.Object({
  id: Type.Integer(),
  action: AccountActionSchema,
  reason: Type.String(),
  requestedBy: Type.String(),
  requestedByRole: Type.String(),
  requestedAt: EpochMs,
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedByRole: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([EpochMs, Type.Null()]),
  decisionReason: Type.Union([Type.String(), Type.Null()]),
  decisionId: Type.Union([Type.Integer(), Type.Null()]),
});

export type AccountActionRequest = Static<typeof AccountActionRequestSchema>;

/** What an account's approved four-eyes instructions add up to now. Topic `restrictions`, keyed by accountId. */
export interface AccountRestrictions {
  accountId: string;
  openingFrozen: boolean;
  /** Most lots per instrument; '*' = any instrument without its own limit. */
  positionLimits: Record<string, number>;
  orderLimits: Record<string, number>;
  /** Instruments marked for forced liquidation; '*' = the whole account. */
  forcedLiquidation: string[];
  contactNotes: number;
}

export const BrokerSendResultSchema = Type.Object({
  status: Type.Union([Type.Literal('sent'), Type.Literal('not_sent'), Type.Literal('failed')]),
  detail: Type.String(),
  reference: Type.Optional(Type.String()),
});

export const AuditVerifyResultSchema = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    rows: Type.Integer(),
    headId: Type.Integer(),
    headHash: Type.String(),
    warnings: Type.Array(Type.String()),
  }),
  Type.Object({
    ok: Type.Literal(false),
    rows: Type.Integer(),
    brokenRow: Type.Integer(),
    problem: Type.String(),
    message: Type.String(),
    warnings: Type.Array(Type.String()),
  }),
]);

export const AuditRowSchema = Type.Object({
  id: Type.Integer(),
  time: EpochMs,
  operator: Type.String(),
  role: Type.String(),
  action: Type.String(),
  target: Type.String(),
  details: Type.String(),
  reason: Type.String(),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const AuditExportFormatSchema = Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]);

export const authApiMethods = {
  'auth.status': method(Empty, AuthStatusSchema),
  'auth.setupAdmin': method(
    Type.Object({ username: Username, displayName: DisplayName, password: Password }),
    LoginResultSchema,
  ),
  'auth.login': method(Type.Object({ username: Username, password: Password }), LoginResultSchema),
  'auth.resume': method(Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }), LoginResultSchema),
  'auth.logout': method(Empty, Type.Null()),
  'auth.lock': method(Empty, SessionInfoSchema),
  'auth.unlock': method(Type.Object({ password: Password }), SessionInfoSchema),
  'auth.touch': method(Empty, SessionInfoSchema),
  'auth.changePassword': method(Type.Object({ currentPassword: Password, newPassword: Password }), Type.Null()),
  'operators.list': method(Empty, Type.Array(OperatorSchema)),
  /** Enabled operators' names and roles, for every role (escalation targets); no account details. */
  'operators.directory': method(Empty, Type.Array(OperatorDirectoryEntrySchema)),
  'operators.create': method(
    Type.Object({ username: Username, displayName: DisplayName, role: RoleSchema, password: Password }),
    OperatorSchema,
  ),
  'operators.update': method(
    Type.Object({
      username: Username,
      displayName: Type.Optional(DisplayName),
      role: Type.Optional(RoleSchema),
      disabled: Type.Optional(Type.Boolean()),
    }),
    OperatorSchema,
  ),
  'operators.resetPassword': method(Type.Object({ username: Username, password: Password }), Type.Null()),
  'actions.request': method(
    Type.Object({ action: AccountActionSchema, reason: ReasonSchema }),
    AccountActionRequestSchema,
  ),
  'actions.approve': method(
    Type.Object({ requestId: RequestIdSchema, reason: Type.Optional(Type.String({ maxLength: 1000 })) }),
    Type.Object({ request: AccountActionRequestSchema, delivery: BrokerSendResultSchema }),
  ),
  'actions.reject': method(
    Type.Object({ requestId: RequestIdSchema, reason: ReasonSchema }),
    AccountActionRequestSchema,
  ),
  'actions.pending': method(Empty, Type.Array(AccountActionRequestSchema)),
  'actions.instructions': method(
    Type.Object({ accountId: Type.Optional(AccountId) }),
    Type.Array(AccountActionRequestSchema),
  ),
  'audit.verify': method(Empty, AuditVerifyResultSchema),
  'audit.export': method(
    Type.Object({ format: AuditExportFormatSchema }),
    Type.Object({
      format: AuditExportFormatSchema,
      rows: Type.Integer(),
      headId: Type.Integer(),
      headHash: Type.String(),
      content: Type.String(),
    }),
  ),
  'audit.recent': method(
    Type.Object({
      limit: Type.Integer({ minimum: 1, maximum: 500 }),
      beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
    Type.Array(AuditRowSchema),
  ),
} as const;

export type AuthApiMethod = keyof typeof authApiMethods;
export type AuthApiArgs<M extends AuthApiMethod> = Static<(typeof authApiMethods)[M]['args']>;
export type AuthApiResult<M extends AuthApiMethod> = Static<(typeof authApiMethods)[M]['result']>;
