// The workstation's mode: LIVE (the live core and its services) or REVIEW of a recorded session (a second core
// worker replaying the file). Windows subscribe here once; on a switch every subscription is moved to the other
// source, which hands it a snapshot at once, so every window shows the replay exactly as it shows live (same
// topics). The live core keeps running during a review: recording and live surveillance must not stop because an
// operator looks at yesterday; a paused review costs nothing, a playing one runs on its own thread.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AppInfo, TopicName, TopicUpdate } from '../../shared/api/contract';
import type { ReplayControl, ReplayState, SessionSummary } from '../../shared/api/methods/sessions';
import type { RulesConfig } from '../../shared/rules/config';
import type { CoreHandle } from '../api/backend';
import { ApiFailure, type MethodHandlers, type TopicSource } from '../api/dispatcher';
import { TopicHub } from '../api/topicHub';
import { stderrLog, type LogFn } from '../core/log';
import { floorwatchDataDir } from '../store/auditPaths';
import { SESSION_FILE_EXTENSION } from '../store/sessionFormat';
import { SessionReader } from '../store/sessionReader';
import { ReviewCore } from './reviewCore';
import { summaryOf } from './replaySession';

/** The live core as the workstation needs it (CoreProcess). */
export interface LiveCore extends CoreHandle {
  stop(): Promise<void>;
  /** New thresholds for the running core (CoreProcess.reloadRules). */
  reloadRules?(config: RulesConfig): Promise<unknown>;
}

export interface WorkstationOptions {
  /** The running live core (owned by the caller). Absent: started with `startLive` when going live. */
  live?: LiveCore | null;
  /** Starts a live core (then owned by the workstation) for `sessions.live` when none runs. */
  startLive?: () => Promise<LiveCore>;
  /** Live producers of topics the core does not publish (e.g. the alerts service); review replaces them. */
  liveTopics?: Partial<Record<TopicName, TopicSource>>;
  /** Folder of recorded sessions (default `<data dir>/sessions`). */
  sessionsDir?: string;
  /** Rules file merged over the shipped rules for review (as live uses). */
  rulesFile?: string;
  /** The file being recorded live right now, if any (marked `live` in the list). */
  liveSessionFile?: () => string | null;
  log?: LogFn;
}

/** Topics a review replaces; the rest (links, actions…) keep their live producers. */
const REVIEW_TOPICS: ReadonlySet<TopicName> = new Set([
  'market',
  'positions',
  'accounts',
  'health',
  'alerts',
  'replay',
]);

type SessionMethods = 'sessions.list' | 'sessions.open' | 'sessions.live' | 'replay.control';

interface Follower {
  topic: TopicName;
  listener: (update: TopicUpdate) => void;
  unsubscribe: (() => void) | null;
}

export function sessionsFolder(dataDir: string = floorwatchDataDir()): string {
  return path.join(dataDir, 'sessions');
}

export class Workstation implements CoreHandle {
  private live: LiveCore | null;
  private ownsLive = false;
  private review: ReviewCore | null = null;
  private readonly followers = new Set<Follower>();
  /** Live-mode `replay` row and an empty source for topics nobody produces yet. */
  private readonly localHub = new TopicHub();
  private readonly emptyHub = new TopicHub();
  private readonly sessionsDir: string;
  /** Files the operator chose outside the sessions folder (command line, file dialog). */
  private readonly trustedFiles = new Set<string>();
  private readonly log: LogFn;
  private switching: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Thresholds adopted since start: reviews opened from now on use them. */
  private adoptedRules: RulesConfig | null = null;

  constructor(private readonly options: WorkstationOptions) {
    this.live = options.live ?? null;
    this.sessionsDir = path.resolve(options.sessionsDir ?? sessionsFolder());
    this.log = options.log ?? stderrLog;
    this.publishLiveReplay();
  }

  get mode(): AppInfo['mode'] {
    return this.review ? 'review' : 'live';
  }

  get feedUrl(): string {
    return this.review ? this.review.file : (this.live?.feedUrl ?? '');
  }

  get simulatorRunning(): boolean {
    return !this.review && (this.live?.simulatorRunning ?? false);
  }

  /** Account tools (accounts.detail / accounts.counters) answer from the live core; a review has none yet. */
  accountDetail(accountId: string): Promise<unknown> {
    return this.liveAccountCall('accountDetail', accountId);
  }

  accountCounters(accountId: string): Promise<unknown> {
    return this.liveAccountCall('accountCounters', accountId);
  }

  async reconnect(): Promise<void> {
    if (this.review) throw new ApiFailure('failed', 'reviewing a recorded session: return to live first');
    if (!this.live) throw new ApiFailure('unavailable', 'the live core is not running');
    await this.live.reconnect();
  }

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

  /** Topic producers to pass to createBackend: the workstation for every topic a review replaces. */
  topics(): Partial<Record<TopicName, TopicSource>> {
    const topics: Partial<Record<TopicName, TopicSource>> = { ...this.options.liveTopics };
    for (const topic of REVIEW_TOPICS) topics[topic] = this;
    return topics;
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
      'replay.control': (args) => this.control(args),
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
    return names
      .sort()
      .reverse()
      .map((name) => this.summarize(path.join(this.sessionsDir, name), liveFile));
  }

  /**
   * Switches to REVIEW of `file`, paused at its start (a review already open is closed first). `trusted` files
   * (command line, file dialog) may lie outside the sessions folder.
   */
  openSession(file: string, options: { trusted?: boolean } = {}): Promise<SessionSummary> {
    const resolved = path.resolve(file);
    if (options.trusted) this.trustedFiles.add(resolved);
    return this.serialize(async () => {
      if (this.stopped) throw new ApiFailure('failed', 'the workstation is stopping');
      let summary: SessionSummary;
      try {
        // Checked here first: a bad file is one clear message and the current mode stays as it was.
        summary = this.readSummary(resolved, this.options.liveSessionFile?.() ?? null);
      } catch (error) {
        throw new ApiFailure('failed', (error as Error).message);
      }
      const data = {
        file: resolved,
        rulesFile: this.options.rulesFile,
        ...(this.adoptedRules ? { rules: this.adoptedRules } : {}),
      };
      const review = await ReviewCore.start(data, this.log).catch((error: unknown) => {
        throw new ApiFailure('failed', `cannot review ${resolved}: ${(error as Error).message}`);
      });
      const previous = this.review;
      this.review = review;
      this.reattach();
      await previous?.stop();
      this.log('info', `review: reviewing ${resolved}`);
      return summary;
    });
  }

  /** Leaves review (if any) and shows the live feed again, starting the live core if none runs. */
  goLive(): Promise<void> {
    return this.serialize(async () => {
      if (this.stopped) throw new ApiFailure('failed', 'the workstation is stopping');
      if (!this.live) {
        if (!this.options.startLive) throw new ApiFailure('unavailable', 'no live feed is configured');
        this.live = await this.options.startLive();
        this.ownsLive = true;
      }
      const previous = this.review;
      this.review = null;
      this.publishLiveReplay();
      this.reattach();
      await previous?.stop();
    });
  }

  /**
   * Adopted thresholds: a review in progress replays under them and later reviews start with them; the live core
   * rebuilds today's counts under them. Rejects when no live core runs (it then takes them at its start).
   */
  async reloadRules(config: RulesConfig): Promise<void> {
    this.adoptedRules = config;
    const review = this.review;
    if (review) {
      await review.reloadRules(config).catch((error: unknown) => {
        this.log('warn', `review: the new thresholds were not applied to the review: ${(error as Error).message}`);
      });
    }
    const live = this.live;
    if (!live?.reloadRules) throw new Error('no live core is running');
    await live.reloadRules(config);
  }

  control(control: ReplayControl): Promise<ReplayState> {
    const review = this.review;
    if (!review) throw new ApiFailure('failed', 'no session is open for review (sessions.open first)');
    return review.control(control).catch((error: unknown) => {
      throw new ApiFailure('failed', (error as Error).message);
    });
  }

  /** Stops the review and a live core the workstation started itself (the caller stops the one it passed in). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.switching.catch(() => {});
    for (const follower of this.followers) follower.unsubscribe?.();
    this.followers.clear();
    const review = this.review;
    this.review = null;
    await review?.stop();
    if (this.ownsLive) await this.live?.stop();
  }

  private async liveAccountCall(name: 'accountDetail' | 'accountCounters', accountId: string): Promise<unknown> {
    if (this.review) throw new Error('account tools show the live book: return to live first');
    const live = this.live as unknown as Partial<Record<typeof name, (id: string) => Promise<unknown>>> | null;
    const call = live?.[name];
    if (typeof call !== 'function') throw new Error('account data is not available from this core');
    return call.call(live, accountId);
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.switching.then(work, work);
    this.switching = next.catch(() => {});
    return next;
  }

  private sourceFor(topic: TopicName): TopicSource {
    if (this.review && REVIEW_TOPICS.has(topic)) return this.review;
    if (topic === 'replay') return this.localHub;
    return this.options.liveTopics?.[topic] ?? this.live ?? this.emptyHub;
  }

  private attach(follower: Follower): void {
    follower.unsubscribe = this.sourceFor(follower.topic).subscribe(follower.topic, follower.listener);
  }

  /** Moves every subscription to the current source; each gets that source's snapshot at once. */
  private reattach(): void {
    for (const follower of this.followers) {
      follower.unsubscribe?.();
      this.attach(follower);
    }
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
      return summaryOf(reader.meta, bytes, liveFile !== null && path.resolve(liveFile) === file);
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

/** API wiring of a composition root: its services and topics with the sessions group and review routing added. */
export function withReview<
  A extends { services?: Partial<MethodHandlers>; topics?: Partial<Record<TopicName, TopicSource>> },
>(access: A, workstation: Workstation): A {
  return { ...access, services: { ...access.services, ...workstation.services() }, topics: workstation.topics() };
}
