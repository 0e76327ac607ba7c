// Messages between the core worker thread and its owner (CoreProcess) on the main side.
import type { TopicUpdate } from '../../shared/api/contract';
import type { FeedGap, FeedState, HealthSnapshot } from '../../shared/domain/types';
import type { BackoffOptions } from '../feed/backoff';
import type { LogLevel } from './log';

export interface CoreWorkerData {
  /** Absent: the worker loads and waits for a `configure` message (the simulator is still starting). */
  feedUrl?: string;
  /** Publication tick, ms (clamped to ≥ 50). */
  publishIntervalMs?: number;
  healthIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  backoff?: Omit<BackoffOptions, 'random'>;
  /** Shown in the health row when the core runs on the embedded simulator. */
  simulator?: HealthSnapshot['simulator'];
}

/** Sent once to a worker started without a feed URL. */
export interface CoreConfigure {
  type: 'configure';
  data: CoreWorkerData;
}

export type CoreRequestOp = 'reconnect' | 'stop' | 'health';

export interface CoreRequest {
  type: 'request';
  id: number;
  op: CoreRequestOp;
}

export type CoreEvent =
  | { type: 'ready' }
  | { type: 'topic'; update: TopicUpdate }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'state'; state: FeedState; lastError: string | null }
  | { type: 'gap'; gap: FeedGap }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> };
