// The core worker's review mode: a ReplaySession — the live CoreRuntime (engine, rules, alerts, publisher) fed
// from the file through its `applyBatch` seam — paced by the session's source timestamps, plus the `replay`
// position topic. Runs in the core worker, so a heavy replay or a long seek
// never blocks the main thread.
import { performance } from 'node:perf_hooks';
import type { TopicUpdate } from '../../shared/api/contract';
import type { ReplayControl, ReplayState } from '../../shared/api/methods/sessions';
import type { HealthSnapshot } from '../../shared/domain/types';
import type { RulesConfig } from '../../shared/rules/config';
import { loadRulesConfig } from '../rules/loadRules';
import type { LogFn } from '../core/log';
import type { CoreEvent } from '../core/messages';
import { MIN_PUBLISH_INTERVAL_MS } from '../core/publisher';
import { answerViewRequest } from '../core/engineViews';
import type { ViewRequest } from '../views/viewRequests';
import { ReplaySession } from './replaySession';

/** A core request as the review worker reads it (CoreRequest plus the replay op and its control). */
export interface ReviewRequest {
  type: 'request';
  id: number;
  op: string;
  replay?: ReplayControl;
  /** reloadRules: the new effective thresholds. */
  rules?: RulesConfig;
  /** view: the views request. */
  view?: ViewRequest;
}

export interface ReviewWorkerData {
  /** The session file to review (opened read-only). */
  file: string;
  /** Optional rules file merged over the shipped rules. */
  rulesFile?: string;
  /** The effective thresholds themselves (thresholds adopted since start); wins over `rulesFile`. */
  rules?: RulesConfig;
  publishIntervalMs?: number;
}

/** Longest a pacing slice may hold the worker's event loop (controls stay responsive during a fast replay). */
const SLICE_MS = 25;
/** Messages applied between two clock checks within a slice. */
const SLICE_CHUNK = 2048;
/** Pause between two paced slices at a finite speed. */
const PACE_INTERVAL_MS = 10;

export class ReviewRuntime {
  readonly session: ReplaySession;
  private playing = false;
  private speed = 1;
  /** Wall clock and source ts the pacing counts from (re-anchored on play, speed change, seek, and catch-up). */
  private anchorWall = 0;
  private anchorTs = 0;
  private paceTimer: NodeJS.Timeout | null = null;
  private paceImmediate: NodeJS.Immediate | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private replayDirty = true;
  private readonly publishIntervalMs: number;
  private stopped = false;
  /** The last read failure (damaged file), shown by the review window until the review ends. */
  private error: string | null = null;

  constructor(
    data: ReviewWorkerData,
    private readonly sink: (event: CoreEvent) => void,
    private readonly log: LogFn,
  ) {
    const rules = data.rules ?? loadRulesConfig(data.rulesFile).config;
    this.session = ReplaySession.open(data.file, { rules, sink, log });
    this.publishIntervalMs = Math.max(MIN_PUBLISH_INTERVAL_MS, data.publishIntervalMs ?? MIN_PUBLISH_INTERVAL_MS);
    this.log('info', `review: opened ${data.file}`, { messages: this.session.meta.count });
  }

  start(): void {
    this.session.runtime.start();
    this.flush();
    this.flushTimer = setInterval(() => this.flush(), this.publishIntervalMs);
  }

  /**
   * Applies one control and answers with the replay state right after it. A damaged part of the file stops it: the
   * review pauses before the damage, the replay state carries the error, and the error is thrown for the caller.
   */
  control(control: ReplayControl): ReplayState {
    return this.survivingDamage(() => this.applyControl(control));
  }

  private applyControl(control: ReplayControl): ReplayState {
    switch (control.action) {
      case 'play':
        if (this.session.atEnd) this.session.reset(); // play at the end starts over
        this.playing = true;
        this.anchor();
        this.schedule();
        break;
      case 'pause':
        this.playing = false;
        this.unschedule();
        break;
      case 'step':
        this.playing = false;
        this.unschedule();
        this.session.step(control.count ?? 1);
        break;
      case 'speed':
        this.speed = control.speed;
        this.anchor();
        if (this.playing) this.schedule();
        break;
      case 'seek':
        if (control.seq !== undefined) this.session.seekSeq(control.seq);
        else if (control.ts !== undefined) this.session.seekTs(control.ts);
        else throw new Error('seek needs a seq or a ts');
        this.anchor();
        break;
      default:
        throw new Error(`unknown replay action ${JSON.stringify((control as { action?: unknown }).action)}`);
    }
    this.replayDirty = true;
    this.session.runtime.publisher.flush(); // the windows follow a seek or step at once, not on the next tick
    this.flush();
    return this.replayState();
  }

  /** New thresholds: the session is replayed again up to the same position under them (alerts as they make them). */
  reloadRules(config: RulesConfig): ReplayState {
    return this.survivingDamage(() => this.replayUnder(config));
  }

  /**
   * Runs a replay step; a read failure (damaged file) pauses the review where it stands, publishes the error in the
   * replay state and is rethrown (the request answers with it). The worker and the review stay up.
   */
  private survivingDamage<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      this.stopOnReadFailure(error);
      throw error;
    }
  }

  private stopOnReadFailure(error: unknown): void {
    this.playing = false;
    this.unschedule();
    this.error = (error as Error)?.message ?? String(error);
    this.replayDirty = true;
    this.log('warn', `review: ${this.error}`, { positionSeq: this.session.positionSeq });
    try {
      this.session.runtime.publisher.flush();
    } catch {
      // the state shown stays the last one published
    }
    this.flush();
  }

  private replayUnder(config: RulesConfig): ReplayState {
    const position = this.session.positionSeq;
    this.session.runtime.useRulesConfig(config);
    this.session.reset();
    this.session.seekSeq(position);
    this.anchor();
    this.replayDirty = true;
    this.session.runtime.publisher.flush();
    this.flush();
    return this.replayState();
  }

  replayState(): ReplayState {
    const session = this.session;
    const meta = session.meta;
    return {
      mode: 'review',
      file: meta.file,
      sessionId: meta.sessionId,
      tradingDay: meta.tradingDay,
      playing: this.playing,
      speed: this.speed,
      positionSeq: session.positionSeq,
      positionTs: session.positionTs,
      firstSeq: meta.firstSeq ?? 0,
      lastSeq: meta.lastSeq ?? 0,
      firstTs: meta.firstTs ?? 0,
      lastTs: meta.lastTs ?? 0,
      marks: session.marks(),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** The runtime's health row (feed state 'review'), naming the session under review. */
  health(): HealthSnapshot {
    const meta = this.session.meta;
    return {
      ...this.session.runtime.health(),
      feedUrl: meta.file,
      sessionId: meta.sessionId,
      tradingDay: meta.tradingDay,
      source: meta.source,
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unschedule();
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    await this.session.runtime.stop();
    this.flush();
    this.session.close();
  }

  /** Publishes the replay position when it moved (engine topics and alerts go out on the runtime's own tick). */
  private flush(): void {
    if (this.replayDirty || this.session.positionSeq !== this.lastPublishedSeq) {
      this.replayDirty = false;
      this.lastPublishedSeq = this.session.positionSeq;
      const now = Date.now();
      const update: TopicUpdate<'replay'> = {
        topic: 'replay',
        snapshot: true,
        rows: [this.replayState()],
        removed: [],
        at: now,
        sourceTs: this.session.positionTs,
      };
      this.sink({ type: 'topic', update });
    }
  }

  private lastPublishedSeq = -1;

  private anchor(): void {
    this.anchorWall = performance.now();
    this.anchorTs = this.session.positionSeq === 0 ? (this.session.nextTs() ?? 0) : this.session.positionTs;
  }

  private schedule(): void {
    if (!this.playing || this.stopped || this.paceTimer || this.paceImmediate) return;
    if (this.speed === 0) this.paceImmediate = setImmediate(() => this.pace());
    else this.paceTimer = setTimeout(() => this.pace(), PACE_INTERVAL_MS);
  }

  private unschedule(): void {
    if (this.paceTimer) clearTimeout(this.paceTimer);
    if (this.paceImmediate) clearImmediate(this.paceImmediate);
    this.paceTimer = null;
    this.paceImmediate = null;
  }

  /** One slice of play: as many messages as the speed allows (or as fit in SLICE_MS at "as fast as possible"). */
  private pace(): void {
    this.paceTimer = null;
    this.paceImmediate = null;
    if (!this.playing || this.stopped) return;
    try {
      this.paceSlice();
    } catch (error) {
      this.stopOnReadFailure(error);
    }
  }

  private paceSlice(): void {
    const session = this.session;
    const sliceStart = performance.now();
    let behind = false;
    for (;;) {
      let applied: number;
      if (this.speed === 0) applied = session.step(SLICE_CHUNK);
      else {
        const targetTs = this.anchorTs + (performance.now() - this.anchorWall) * this.speed;
        applied = session.applyToTs(targetTs, SLICE_CHUNK);
        if (applied < SLICE_CHUNK) break; // caught up with the pace
      }
      if (applied === 0 || session.atEnd) break;
      if (performance.now() - sliceStart >= SLICE_MS) {
        behind = this.speed !== 0;
        break;
      }
    }
    if (session.atEnd) {
      this.playing = false;
      this.replayDirty = true;
      return;
    }
    // Too slow for the asked speed: play on from here rather than pile up a debt to catch up later.
    if (behind) this.anchor();
    this.schedule();
  }
}

/**
 * Answers one core request in review mode (the core worker hands every request here while it reviews): replay
 * controls, health, stop. `onStopped` runs after a stop was answered (the worker closes its port).
 */
export function handleReviewRequest(
  runtime: ReviewRuntime,
  request: ReviewRequest,
  post: (event: CoreEvent) => void,
  onStopped: () => void,
): void {
  const reply = (value: unknown) => post({ type: 'reply', id: request.id, ok: true, value });
  const fail = (error: unknown) =>
    post({ type: 'reply', id: request.id, ok: false, error: String((error as Error)?.message ?? error) });
  try {
    switch (request.op) {
      case 'replay':
        if (!request.replay) return fail(new Error('replay request without a control'));
        return reply(runtime.control(request.replay));
      case 'health':
        return reply(runtime.health());
      case 'view':
        return answerViewRequest(runtime.session.runtime.publisher.views, request.view, reply, fail);
      case 'reloadRules':
        if (!request.rules) return fail(new Error('reloadRules without rules'));
        return reply(runtime.reloadRules(request.rules));
      case 'stop':
        runtime.stop().then(() => {
          reply(null);
          onStopped();
        }, fail);
        return;
      default:
        return fail(new Error(`${request.op} is not available while reviewing a recorded session`));
    }
  } catch (error) {
    fail(error);
  }
}
