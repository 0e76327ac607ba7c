// The workstation: the live floor (the live core and its services) and any number of review workspaces beside it,
// each a recorded session replayed by its own review core for the windows opened for it (`?review=<id>`). A review
// never touches the live floor: live windows keep their feed, alerts, badge and sound, and leaving a review is
// closing its windows. A review starts when a session is opened and ends when its last window closed.
import type { ViewHost } from '../views/viewRequests';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AppInfo, TopicName, TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { ReplayControl, ReplayState, SessionSummary } from '../../shared/api/methods/sessions';
import type { RulesConfig } from '../../shared/rules/config';
import type { CoreHandle, ReviewWorkspaces } from '../api/backend';
import { ApiFailure, type CallerContext, type MethodHandlers, type TopicSource } from '../api/dispatcher';
import { TopicHub } from '../api/topicHub';
import { stderrLog, type LogFn } from '../core/log';
import type { AuditRow } from '../store/auditLog';
import { floorwatchDataDir } from '../store/auditPaths';
import { SESSION_FILE_EXTENSION } from '../store/sessionFormat';
import { SessionReader, describeDamage } from '../store/sessionReader';
import { ReviewCore } from './reviewCore';
import { summaryOf } from './replaySession';
import { workflowTimelines } from './replayedAlerts';
import { DEFAULT_REVIEW_TIMERS, ReviewWorkspace, type ReviewWorkspaceTimers } from './reviewWorkspace';

/** The live core as the workstation needs it (CoreProcess). */
export interface LiveCore extends CoreHandle {
  stop(): Promise<void>;
  /** New thresholds for the running core (CoreProcess.reloadRules). */
  reloadRules?(config: RulesConfig): Promise<unknown>;
}

export interface WorkstationOptions {
  /** The running live core (owned by the caller). Absent: started with `startLive` when a live window connects. */
  live?: LiveCore | null;
  /** Starts a live core (then owned by the workstation) when a live window connects and none runs. */
  startLive?: () => Promise<LiveCore>;
  /** Live producers of topics the core does not publish (e.g. the alerts service). */
  liveTopics?: Partial<Record<TopicName, TopicSource>>;
  /** Folder of recorded sessions (default `<data dir>/sessions`). */
  sessionsDir?: string;
  /** Rules file merged over the shipped rules for review (as live uses). */
  rulesFile?: string;
  /** The file being recorded live right now, if any (marked `live` in the list). */
  liveSessionFile?: () => string | null;
  /** The audit log's alert workflow rows (WORKFLOW_AUDIT_ACTIONS), read when a review opens. */
  workflowRows?: () => AuditRow[];
  /** How long a review waits for its first window and outlives its last one. */
  reviewTimers?: ReviewWorkspaceTimers;
  log?: LogFn;
}

type SessionMethods = 'sessions.list' | 'sessions.open' | 'sessions.live' | 'replay.control';

interface Follower {
  topic: TopicName;
  listener: (update: TopicUpdate) => void;
  unsubscribe: (() => void) | null;
}

export function sessionsFolder(dataDir: string = floorwatchDataDir()): string {
  return path.join(dataDir, 'sessions');
}

export class Workstation implements CoreHandle, ReviewWorkspaces {
  private live: LiveCore | null;
  private ownsLive = false;
  private startingLive: Promise<LiveCore> | null = null;
  private readonly reviews = new Map<string, ReviewWorkspace>();
  /** Live subscriptions, moved to the live core once it starts (host --session starts it on demand). */
  private readonly followers = new Set<Follower>();
  /** The live `replay` row, and an empty source for topics nobody produces (an ended review's windows). */
  private readonly localHub = new TopicHub();
  private readonly emptyHub = new TopicHub();
  private readonly sessionsDir: string;
  /** Files the operator chose outside the sessions folder (command line, file dialog). */
  private readonly trustedFiles = new Set<string>();
  private readonly log: LogFn;
  private stopped = false;
  /** Thresholds adopted since start: reviews opened from now on use them. */
  private adoptedRules: RulesConfig | null = null;

  constructor(private readonly options: WorkstationOptions) {
    this.live = options.live ?? null;
    this.sessionsDir = path.resolve(options.sessionsDir ?? sessionsFolder());
    this.log = options.log ?? stderrLog;
    this.publishLiveReplay();
  }

  /** The live floor's mode: always live (a review is a workspace of its own, see reviewFile). */
  get mode(): AppInfo['mode'] {
    return 'live';
  }

  get feedUrl(): string {
    return this.live?.feedUrl ?? '';
  }

  get simulatorRunning(): boolean {
    return this.live?.simulatorRunning ?? false;
  }

  /** Open review workspaces (tests, the log). */
  get reviewIds(): string[] {
    return [...this.reviews.keys()];
  }

  /** Account tools (accounts.detail / accounts.counters) answer from the live core. */
  accountDetail(accountId: string): Promise<unknown> {
    return this.liveAccountCall('accountDetail', accountId);
  }

  accountCounters(accountId: string): Promise<unknown> {
    return this.liveAccountCall('accountCounters', accountId);
  }

  /** The live core's engine views (it holds the engine tables). */
  viewHost(): ViewHost | null {
    return this.live?.viewHost?.() ?? null;
  }

  reviewViewHost(reviewId: string): ViewHost | null {
    return this.reviews.get(reviewId)?.core ?? null;
  }

  async reconnect(): Promise<void> {
    if (!this.live) throw new ApiFailure('unavailable', 'the live core is not running');
    await this.live.reconnect();
  }

  /** The live floor's topics. */
  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    const follower: Follower = { topic, listener: listener as (update: TopicUpdate) => void, unsubscribe: null };
    this.followers.add(follower);
    this.attach(follower);
    return () => {
      follower.unsubscribe?.();
      follower.unsubscribe = null;
      this.followers.delete(follower);
    };
  }

  // ---- review workspaces (ReviewWorkspaces) ------------------------------------------------------------------

  reviewTopic(reviewId: string, topic: TopicName): TopicSource | null {
    const review = this.reviews.get(reviewId);
    if (!review) return topic === 'replay' || topic === 'alerts' ? this.emptyHub : null;
    return review.source(topic);
  }

  reviewFile(reviewId: string): string | null {
    return this.reviews.get(reviewId)?.file ?? null;
  }

  /** The review of a review window (its file and replayed alerts), for case review; null for a live window. */
  reviewOf(caller: CallerContext): { file: string; alert(id: string): AlertRow | null } | null {
    const review = caller.review !== undefined ? this.reviews.get(caller.review) : undefined;
    return review ? { file: review.file, alert: (id) => review.alert(id) } : null;
  }

  /** The replay state of a review (tests, tools). */
  reviewState(reviewId: string): ReplayState | null {
    return this.reviews.get(reviewId)?.core.replayState ?? null;
  }

  join(caller: CallerContext): void {
    if (caller.review === undefined) {
      // A live window with no live core yet (host --session): start it now.
      if (!this.live && this.options.startLive && !this.stopped) {
        this.ensureLive().catch((error: unknown) =>
          this.log('error', `live: the core did not start: ${(error as Error).message}`),
        );
      }
      return;
    }
    this.reviews.get(caller.review)?.join(caller.connectionId);
  }

  leave(caller: CallerContext): void {
    if (caller.review !== undefined) this.reviews.get(caller.review)?.leave(caller.connectionId);
  }

  /** Topic producers to pass to createBackend (the live floor's). */
  topics(): Partial<Record<TopicName, TopicSource>> {
    return { ...this.options.liveTopics, replay: this };
  }

  /** Handlers of the sessions API group, for createBackend's `services`. */
  services(): Pick<MethodHandlers, SessionMethods> {
    return {
      'sessions.list': () => this.listSessions(),
      'sessions.open': (args) => this.openSession(this.resolveApiFile(args.file)),
      'sessions.live': async () => {
        await this.goLive();
        return null;
      },
      'replay.control': (args, caller) => this.control(args, caller?.review),
    };
  }

  /** Recorded sessions of the sessions folder, newest name first; an unreadable file is listed with its error. */
  listSessions(): SessionSummary[] {
    let names: string[];
    try {
      names = readdirSync(this.sessionsDir).filter((name) => name.endsWith(SESSION_FILE_EXTENSION));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ApiFailure('failed', `cannot list ${this.sessionsDir}: ${(error as Error).message}`);
    }
    const liveFile = this.options.liveSessionFile?.() ?? null;
    const reviewed = new Set([...this.reviews.values()].map((review) => review.file));
    return names
      .sort()
      .reverse()
      .map((name) => {
        const summary = this.summarize(path.join(this.sessionsDir, name), liveFile);
        return reviewed.has(summary.file) ? { ...summary, inReview: true } : summary;
      });
  }

  /**
   * Opens a review workspace of `file`, paused at its start, beside the live floor and any other review; the answer
   * carries its `reviewId`. `trusted` files (command line, file dialog) may lie outside the sessions folder; a
   * `pinned` review stays open without windows (the host's --session).
   */
  async openSession(file: string, options: { trusted?: boolean; pinned?: boolean } = {}): Promise<SessionSummary> {
    const resolved = path.resolve(file);
    if (options.trusted) this.trustedFiles.add(resolved);
    if (this.stopped) throw new ApiFailure('failed', 'the workstation is stopping');
    let summary: SessionSummary;
    try {
      // Checked here first: a bad file is one clear message and no worker is started.
      summary = this.readSummary(resolved, this.options.liveSessionFile?.() ?? null);
    } catch (error) {
      throw new ApiFailure('failed', (error as Error).message);
    }
    const data = {
      file: resolved,
      rulesFile: this.options.rulesFile,
      ...(this.adoptedRules ? { rules: this.adoptedRules } : {}),
    };
    const core = await ReviewCore.start(data, this.log).catch((error: unknown) => {
      throw new ApiFailure('failed', `cannot review ${resolved}: ${(error as Error).message}`);
    });
    let workflow;
    try {
      workflow = workflowTimelines(this.options.workflowRows?.() ?? []);
    } catch (error) {
      // The replay still runs; its alerts then show as raised, without their audited workflow.
      this.log('warn', `review: the alert workflow could not be read: ${(error as Error).message}`);
      workflow = new Map();
    }
    if (this.stopped) {
      await core.stop();
      throw new ApiFailure('failed', 'the workstation is stopping');
    }
    const id = randomBytes(6)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x');
    const workspace = new ReviewWorkspace(
      id,
      core,
      workflow,
      this.options.reviewTimers ?? DEFAULT_REVIEW_TIMERS,
      (idle) => void this.closeReview(idle.id, 'its last window closed'),
      options.pinned ?? false,
    );
    this.reviews.set(id, workspace);
    this.log('info', `review ${id}: reviewing ${resolved}`, { reviews: this.reviews.size });
    return { ...summary, inReview: true, reviewId: id };
  }

  /** Ends review `reviewId` (its core stops; windows still open get empty topics). */
  async closeReview(reviewId: string, why = 'closed'): Promise<void> {
    const review = this.reviews.get(reviewId);
    if (!review) return;
    this.reviews.delete(reviewId);
    await review.stop().catch((error: unknown) => {
      this.log('warn', `review ${reviewId}: did not stop cleanly: ${(error as Error).message}`);
    });
    this.log('info', `review ${reviewId}: ended (${why})`, { reviews: this.reviews.size });
  }

  /** The live floor, started if no live core runs yet (it never stops for a review). */
  async goLive(): Promise<void> {
    if (this.stopped) throw new ApiFailure('failed', 'the workstation is stopping');
    if (!this.live) await this.ensureLive();
  }

  /**
   * Adopted thresholds: reviews in progress replay under them and later reviews start with them; the live core
   * rebuilds today's counts under them. Rejects when no live core runs (it then takes them at its start).
   */
  async reloadRules(config: RulesConfig): Promise<void> {
    this.adoptedRules = config;
    for (const review of this.reviews.values()) {
      await review.core.reloadRules(config).catch((error: unknown) => {
        this.log('warn', `review: the new thresholds were not applied to the review: ${(error as Error).message}`);
      });
    }
    const live = this.live;
    if (!live?.reloadRules) throw new Error('no live core is running');
    await live.reloadRules(config);
  }

  /** A replay control for review `reviewId` (the calling window's). */
  control(control: ReplayControl, reviewId: string | undefined): Promise<ReplayState> {
    if (reviewId === undefined) {
      throw new ApiFailure('failed', 'this window shows the live floor: open a session from Sessions to review it');
    }
    const review = this.reviews.get(reviewId);
    if (!review) throw new ApiFailure('failed', `review ${reviewId} has ended: open the session again from Sessions`);
    return review.core.control(control).then(
      (state): ReplayState => ({ ...state, reviewId, name: review.name }),
      (error: unknown) => {
        throw new ApiFailure('failed', (error as Error).message);
      },
    );
  }

  /** Stops every review and a live core the workstation started itself (the caller stops the one it passed in). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const follower of this.followers) follower.unsubscribe?.();
    this.followers.clear();
    await Promise.all([...this.reviews.keys()].map((id) => this.closeReview(id, 'the workstation stopped')));
    await this.startingLive?.catch(() => {});
    if (this.ownsLive) await this.live?.stop();
  }

  private ensureLive(): Promise<LiveCore> {
    if (this.live) return Promise.resolve(this.live);
    const startLive = this.options.startLive;
    if (!startLive) return Promise.reject(new ApiFailure('unavailable', 'no live feed is configured'));
    this.startingLive ??= startLive().then(
      (live) => {
        this.live = live;
        this.ownsLive = true;
        this.startingLive = null;
        this.publishLiveReplay();
        for (const follower of this.followers) {
          follower.unsubscribe?.();
          this.attach(follower);
        }
        return live;
      },
      (error: unknown) => {
        this.startingLive = null;
        throw error;
      },
    );
    return this.startingLive;
  }

  private async liveAccountCall(name: 'accountDetail' | 'accountCounters', accountId: string): Promise<unknown> {
    const live = this.live as unknown as Partial<Record<typeof name, (id: string) => Promise<unknown>>> | null;
    const call = live?.[name];
    if (typeof call !== 'function') throw new Error('account data is not available from this core');
    return call.call(live, accountId);
  }

  private sourceFor(topic: TopicName): TopicSource {
    if (topic === 'replay') return this.localHub;
    return this.options.liveTopics?.[topic] ?? this.live ?? this.emptyHub;
  }

  private attach(follower: Follower): void {
    follower.unsubscribe = this.sourceFor(follower.topic).subscribe(follower.topic, follower.listener);
  }

  private publishLiveReplay(): void {
    const now = Date.now();
    const state: ReplayState = {
      mode: 'live',
      file: this.options.liveSessionFile?.() ?? null,
      sessionId: null,
      tradingDay: null,
      playing: true,
      speed: 1,
      positionSeq: 0,
      positionTs: 0,
      firstSeq: 0,
      lastSeq: 0,
      firstTs: 0,
      lastTs: 0,
      marks: [],
    };
    this.localHub.publish({ topic: 'replay', snapshot: true, rows: [state], removed: [], at: now, sourceTs: now });
  }

  /** A file named by an API caller: a name in the sessions folder, or a path inside it (or a trusted file). */
  private resolveApiFile(file: string): string {
    const resolved = path.resolve(this.sessionsDir, file);
    const inside = resolved.startsWith(this.sessionsDir + path.sep);
    if (!inside && !this.trustedFiles.has(resolved)) {
      throw new ApiFailure('bad_arguments', `only sessions in ${this.sessionsDir} can be opened from a window`);
    }
    return resolved;
  }

  private summarize(file: string, liveFile: string | null): SessionSummary {
    try {
      return this.readSummary(file, liveFile);
    } catch (error) {
      return {
        file,
        sessionId: '',
        tradingDay: '',
        source: '',
        messages: 0,
        firstSeq: 0,
        lastSeq: 0,
        firstTs: 0,
        lastTs: 0,
        bytes: fileSize(file),
        live: file === liveFile,
        error: (error as Error).message,
      };
    }
  }

  private readSummary(file: string, liveFile: string | null): SessionSummary {
    const reader = SessionReader.open(file);
    try {
      // A session being recorded holds most of its data in the WAL until a checkpoint: count both.
      const bytes = fileSize(file) + fileSize(`${file}-wal`);
      const summary = summaryOf(reader.meta, bytes, liveFile !== null && path.resolve(liveFile) === file);
      // Opened around damage: the list says what cannot be read (the rest can still be reviewed).
      if (reader.damagedOnOpen) summary.damage = describeDamage(reader.scan());
      return summary;
    } finally {
      reader.close();
    }
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** API wiring of a composition root: its services and topics with the sessions group and review workspaces added. */
export function withReview<
  A extends { services?: Partial<MethodHandlers>; topics?: Partial<Record<TopicName, TopicSource>> },
>(access: A, workstation: Workstation): A & { reviews: Workstation } {
  return {
    ...access,
    services: { ...access.services, ...workstation.services() },
    topics: { ...access.topics, ...workstation.topics() },
    reviews: workstation,
  };
}
