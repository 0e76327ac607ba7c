// Messages between the core worker thread and its owner (CoreProcess) on the main side.
import type { TopicUpdate } from '../../shared/api/contract';
import type { FeedGap, FeedState, HealthSnapshot } from '../../shared/domain/types';
import type { RulesConfig } from '../../shared/rules/config';
import type { ViewFrame } from '../../shared/views/spec';
import type { BackoffOptions } from '../feed/backoff';
import type { ViewRequest } from '../views/viewRequests';
import type { EngineTopic } from './publisher';
import type { AuditHeadAnchor } from '../store/auditAnchors';
import type { LogLevel } from './log';

export interface CoreWorkerData {
  /** Absent: the worker loads and waits for a `configure` message (the simulator is still starting). */
  feedUrl?: string;
  /** Backup gateways tried in turn when `feedUrl` cannot be reached. */
  feedFallbackUrls?: string[];
  /** PEM CA for a wss:// gateway (policy `feedCaFile`). */
  feedCa?: string;
  /** Publication tick, ms (clamped to ≥ 50). */
  publishIntervalMs?: number;
  healthIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  backoff?: Omit<BackoffOptions, 'random'>;
  /** Shown in the health row when the core runs on the embedded simulator. */
  simulator?: HealthSnapshot['simulator'];
  /** Session recording: null/absent = off. */
  recording?: CoreRecordingOptions | null;
  /** Surveillance rules (loadRulesConfig's result, checked on the main side): null = off; absent = the default. */
  rules?: RulesConfig | null;
  /** The audit chain's newest head, anchored in the session file the core records (a restarted worker keeps it). */
  auditHead?: AuditHeadAnchor | null;
  /**
   * The clock of alert rows' createdAt/updatedAt: 'wall' (default, live) or 'session' (a replay: the source ts of
   * the message that raised the alert, so an alert's age reads in session time).
   */
  alertTimes?: 'wall' | 'session';
  /** Engine topics published whole from the start (default all); the rest only through views. See CoreWholeTopics. */
  wholeTopics?: EngineTopic[];
}

export interface CoreRecordingOptions {
  /** Session files go to `<dataDir>/sessions/<tradingDay>-<sessionId>.fwsession`. */
  dataDir: string;
  /** Script of the journal thread (resolved on the main thread: a bundled worker cannot find it itself). */
  journalWorkerFile?: string;
  /** Test hook: SQLite max_page_count, to simulate a full disk. */
  maxPageCount?: number;
}

/** The audit chain moved (main side → core): anchor the head in the session file being recorded. No reply. */
export interface CoreAuditHead {
  type: 'auditHead';
  head: AuditHeadAnchor;
}

/** Which engine topics the main side takes whole now (someone subscribed to them). No reply. */
export interface CoreWholeTopics {
  type: 'wholeTopics';
  topics: EngineTopic[];
}

/** Sent once to a worker started without a feed URL. */
export interface CoreConfigure {
  type: 'configure';
  data: CoreWorkerData;
}

export type CoreRequestOp =
  'reconnect' | 'stop' | 'health' | 'accountDetail' | 'accountCounters' | 'reloadRules' | 'view';

export interface CoreRequest {
  type: 'request';
  id: number;
  op: CoreRequestOp;
  /** accountDetail / accountCounters: the account. */
  accountId?: string;
  /** reloadRules: the new effective thresholds (checked on the main side). */
  rules?: RulesConfig;
  /** view: the views request. */
  view?: ViewRequest;
}

export type CoreEvent =
  | { type: 'ready' }
  | { type: 'topic'; update: TopicUpdate }
  /** Frames of the engine's views whose range changed this tick. */
  | { type: 'views'; frames: ViewFrame[] }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'state'; state: FeedState; lastError: string | null }
  | { type: 'gap'; gap: FeedGap }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> };
