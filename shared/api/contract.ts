// The one API contract between windows and the main side. Both transports (Electron IPC + MessagePort, and the
// headless host's WebSocket bridge) carry exactly these methods and topics; arguments are validated against the
// schemas here on the main side before anything runs.
import { Type, type Static } from '@sinclair/typebox';
import type { AccountRow, HealthSnapshot, MarketRow, PositionRow } from '../domain/types';
import { method } from './method';
import { accountApiMethods } from './methods/accounts';
import { alertApiMethods, type AlertRow } from './methods/alerts';
import { caseApiMethods } from './methods/cases';
import { rulesApiMethods } from './methods/rules';
import { reportApiMethods } from './methods/reports';
import { authApiMethods, type AccountActionRequest, type AccountRestrictions } from './methods/auth';
import { sessionApiMethods, type ReplayState } from './methods/sessions';
import { settingsApiMethods } from './methods/settings';
import { viewApiMethods } from './methods/views';
import { teamApiMethods } from './methods/team';
import type { ViewFrame } from '../views/spec';
import type { ServerLinkState } from './wire';

export const WINDOW_KINDS = [
  'marketWatch',
  'positions',
  'accounts',
  'alerts',
  'account',
  'case',
  'health',
  'sessions',
  'whatIf',
  'reports',
  'settings',
] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** FDC3-style colour channels that link windows. */
export const LINK_CHANNELS = ['red', 'green', 'blue', 'yellow'] as const;
export type LinkChannel = (typeof LINK_CHANNELS)[number];

const WindowKindSchema = Type.Union(WINDOW_KINDS.map((k) => Type.Literal(k)));
const LinkChannelSchema = Type.Union(LINK_CHANNELS.map((c) => Type.Literal(c)));

/** An FDC3-like context: `fdc3.instrument` ({ id: { ticker } }) or `fdc3.account`-like ({ id: { accountId } }). */
export const LinkContextSchema = Type.Union([
  Type.Object({
    type: Type.Literal('fdc3.instrument'),
    id: Type.Object({ ticker: Type.String({ minLength: 1, maxLength: 64 }) }),
  }),
  Type.Object({
    type: Type.Literal('fdc3.account'),
    id: Type.Object({ accountId: Type.String({ minLength: 1, maxLength: 64 }) }),
  }),
  Type.Null(),
]);
export type LinkContext = Static<typeof LinkContextSchema>;
export type LinkState = Record<LinkChannel, { instrument: string | null; account: string | null }>;

export const AppInfoSchema = Type.Object({
  product: Type.String(),
  version: Type.String(),
  transport: Type.Union([Type.Literal('electron'), Type.Literal('host')]),
  mode: Type.Union([Type.Literal('live'), Type.Literal('review')]),
  feedUrl: Type.String(),
  simulator: Type.Boolean(),
  /** The review workspace of the calling window, absent for a live window. */
  reviewId: Type.Optional(Type.String()),
});
export type AppInfo = Static<typeof AppInfoSchema>;

const Empty = Type.Object({});

/** A review workspace's id (sessions.open's `reviewId`; a review window's `?review=`). */
export const ReviewIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** Every method: name → argument schema (one object) and result schema. Groups live in ./methods/. */
export const apiMethods = {
  ...authApiMethods,
  ...alertApiMethods,
  ...rulesApiMethods,
  ...caseApiMethods,
  ...sessionApiMethods,
  ...accountApiMethods,
  ...settingsApiMethods,
  ...reportApiMethods,
  ...viewApiMethods,
  ...teamApiMethods,
  'app.info': method(Empty, AppInfoSchema),
  // focusExisting: bring the newest open window of the kind forward instead of opening another (Electron; the
  // host cannot focus a browser tab and answers with the URL as always: the page asks the open tabs itself).
  'window.open': method(
    Type.Object({
      kind: WindowKindSchema,
      channel: Type.Optional(LinkChannelSchema),
      /** A window of this review workspace (default: the caller's own workspace, live or review). */
      review: Type.Optional(ReviewIdSchema),
      /** A window of the live floor, even when a review window asks (its way back to live). */
      live: Type.Optional(Type.Boolean()),
      /** Bring the newest open window of this kind forward instead of opening one, where the transport can. */
      focusExisting: Type.Optional(Type.Boolean()),
    }),
    Type.Object({ opened: Type.Boolean(), focused: Type.Optional(Type.Boolean()), url: Type.Optional(Type.String()) }),
  ),
  'link.set': method(Type.Object({ channel: LinkChannelSchema, context: LinkContextSchema }), Type.Null()),
  'feed.reconnect': method(Empty, Type.Null()),
} as const;

export type ApiMethod = keyof typeof apiMethods;
export type ApiArgs<M extends ApiMethod> = Static<(typeof apiMethods)[M]['args']>;
export type ApiResult<M extends ApiMethod> = Static<(typeof apiMethods)[M]['result']>;

/** Streams a window can subscribe to. Rows are keyed; `health`, `links` and `replay` carry one row, key 'all'. */
export interface TopicRows {
  market: MarketRow;
  positions: PositionRow;
  accounts: AccountRow;
  health: HealthSnapshot;
  links: LinkState;
  alerts: AlertRow;
  replay: ReplayState;
  /** Four-eyes account action requests (pending and decided today), keyed by request id. */
  actions: AccountActionRequest;
  /** Accounts' active restrictions from approved four-eyes instructions, keyed by account id. */
  restrictions: AccountRestrictions;
  /** Frames of the calling window's own views (views.open), keyed by viewId; no other window receives them. */
  views: ViewFrame;
}
export type TopicName = keyof TopicRows;
export const TOPICS: readonly TopicName[] = [
  'market',
  'positions',
  'accounts',
  'health',
  'links',
  'alerts',
  'replay',
  'actions',
  'restrictions',
  'views',
];

/** One conflated publication: a full snapshot on subscribe, then deltas of changed rows at ≤ 20 Hz. */
export interface TopicUpdate<T extends TopicName = TopicName> {
  topic: T;
  snapshot: boolean;
  rows: TopicRows[T][];
  /** Keys of rows that no longer exist. */
  removed: string[];
  /** Wall-clock time of publication, epoch ms. */
  at: number;
  /** Newest source ts (epoch ms) among the messages folded into this update; for tick-to-screen latency. */
  sourceTs: number;
}

/** Key of a row within its topic. */
export function rowKey(topic: TopicName, row: unknown): string {
  switch (topic) {
    case 'market':
      return (row as MarketRow).instrumentId;
    case 'positions':
      return (row as PositionRow).key;
    case 'accounts':
      return (row as AccountRow).accountId;
    case 'alerts':
      return (row as AlertRow).id;
    case 'actions':
      return String((row as AccountActionRequest).id);
    case 'restrictions':
      return (row as AccountRestrictions).accountId;
    case 'views':
      return (row as ViewFrame).viewId;
    default:
      return 'all';
  }
}

/**
 * An API error as both transports deliver it: a stable code and an operator-readable message. `conflict`: someone
 * else changed the same thing first (an alert's state or assignee, a four-eyes decision); the message names who
 * did what, and the caller's change was not recorded.
 */
export interface ApiErrorShape {
  /**
   * `unconfirmed`: no answer came back (the link to the team server was lost before or while the call was on its
   * way), so whether it ran is not known; the window says so instead of "done" or "failed".
   */
  code: 'bad_arguments' | 'unknown_method' | 'forbidden' | 'unavailable' | 'failed' | 'conflict' | 'unconfirmed';
  message: string;
  /** Set when the same call may succeed after this many ms (a login refused while its source must wait). */
  retryAfterMs?: number;
}

/** What `window.floorwatch` is in every window, whatever the transport. */
export interface FloorwatchApi {
  call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>>;
  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void;
  /**
   * Where the transport knows it: the state of the workstation's link to its team server (Electron windows; a
   * browser window learns it on its own socket). Returns the function that stops listening.
   */
  onConnection?(listener: (state: ServerLinkState, detail: string) => void): () => void;
}
