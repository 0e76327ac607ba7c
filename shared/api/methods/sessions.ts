// API of recorded sessions and offline review: list and open sessions, replay controls, the replay position topic.
// Owner: the review work (issue 4).
import { Type, type Static } from '@sinclair/typebox';
import { method } from '../method';

export interface SessionSummary {
  file: string;
  sessionId: string;
  tradingDay: string;
  source: string;
  messages: number;
  firstSeq: number;
  lastSeq: number;
  firstTs: number;
  lastTs: number;
  bytes: number;
  /** This is the session being recorded live right now. */
  live: boolean;
  /** Set when the file cannot be read (listed anyway, so the operator sees why it cannot be opened). */
  error?: string;
  /** The file is open in at least one review workspace now. */
  inReview?: boolean;
  /** `sessions.open`'s answer: the review workspace opened (its windows carry this id, `?review=<id>`). */
  reviewId?: string;
  /** Seq ranges the recording does not hold (feed losses, messages not recorded, e.g. on a full disk), at most 100. */
  gaps?: { fromSeq: number; toSeq: number; reason: string }[];
  /** Messages in those gaps. */
  missingMessages?: number;
  /** Set when opening found damage: what cannot be read (the rest can still be reviewed and exported). */
  damage?: string;
}

export const REPLAY_SPEEDS = [0.5, 1, 2, 5, 10, 50, 100, 1000] as const;

/** Topic `replay` (one row, key 'all'): where live or review stands. */
export interface ReplayState {
  mode: 'live' | 'review';
  file: string | null;
  sessionId: string | null;
  tradingDay: string | null;
  playing: boolean;
  /** Multiple of real time; 0 = as fast as possible. */
  speed: number;
  /** Last applied seq and its source ts (the session's time shown in REVIEW). */
  positionSeq: number;
  positionTs: number;
  firstSeq: number;
  lastSeq: number;
  firstTs: number;
  lastTs: number;
  /** Alerts as timeline marks. */
  marks: { seq: number; ts: number; rule: string; severity: string; alertId: string }[];
  /** In review: the review workspace this state belongs to, and the session's name for the window's band. */
  reviewId?: string;
  name?: string;
  /**
   * Why the review stopped short (a damaged part of the file): the damaged seqs and what can still be read. The
   * review pauses before the damage; playing or seeking on goes past it.
   */
  error?: string;
}

const File = Type.String({ minLength: 1, maxLength: 4096 });

/** Play, pause, step n messages, speed (0 = as fast as possible), seek to a seq or a source ts (epoch ms). */
export const ReplayControlSchema = Type.Union([
  Type.Object({ action: Type.Literal('play') }),
  Type.Object({ action: Type.Literal('pause') }),
  Type.Object({
    action: Type.Literal('step'),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  }),
  Type.Object({ action: Type.Literal('speed'), speed: Type.Number({ minimum: 0, maximum: 1000 }) }),
  Type.Object({
    action: Type.Literal('seek'),
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    ts: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
]);
export type ReplayControl = Static<typeof ReplayControlSchema>;

export const sessionApiMethods = {
  'sessions.list': method(Type.Object({}), Type.Array(Type.Unsafe<SessionSummary>(Type.Object({})))),
  /**
   * Opens a review workspace of a saved session (read-only, its own core, paused at its start) beside the live
   * floor; the answer's `reviewId` names it: `window.open` with `review` opens its windows. It ends when its last
   * window closes.
   */
  'sessions.open': method(Type.Object({ file: File }), Type.Unsafe<SessionSummary>(Type.Object({}))),
  /** A review window goes back to the live floor (the live core never stopped; starts it if none runs). */
  'sessions.live': method(Type.Object({}), Type.Null()),
  'replay.control': method(ReplayControlSchema, Type.Unsafe<ReplayState>(Type.Object({}))),
} as const;
