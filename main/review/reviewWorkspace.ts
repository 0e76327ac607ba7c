// One review workspace: a recorded session replayed by its own review core (worker thread) for the windows opened
// for it, beside the live floor. Its windows get the core's market, positions, accounts and health, the replay
// position (named after the session), and the replayed alerts with their workflow as of the replay clock. It counts
// its windows and ends itself a while after the last one closed (a reload or a hop between windows keeps it).
import path from 'node:path';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { AlertRow } from '../../shared/api/methods/alerts';
import type { ReplayState } from '../../shared/api/methods/sessions';
import { TopicHub } from '../api/topicHub';
import type { TopicSource } from '../api/dispatcher';
import { SESSION_FILE_EXTENSION } from '../store/sessionFormat';
import type { ReviewCore } from './reviewCore';
import { alertAt, type WorkflowStep } from './replayedAlerts';

/** Topics a review window takes from its review; the rest (actions, …) are the live floor's. */
export const REVIEW_TOPICS: ReadonlySet<TopicName> = new Set([
  'market',
  'positions',
  'accounts',
  'health',
  'alerts',
  'replay',
]);

export interface ReviewWorkspaceTimers {
  /** How long a new review waits for its first window. */
  firstWindowMs: number;
  /** How long a review outlives its last window (a reload, a window replaced by another). */
  lastWindowMs: number;
}

export const DEFAULT_REVIEW_TIMERS: ReviewWorkspaceTimers = { firstWindowMs: 60_000, lastWindowMs: 5_000 };

export class ReviewWorkspace {
  readonly name: string;
  private readonly hub = new TopicHub();
  /** Alerts as the review core raised them (workflow 'new'), and as last published (workflow at the clock). */
  private readonly raised = new Map<string, AlertRow>();
  private readonly shown = new Map<string, AlertRow>();
  private clock = 0;
  private readonly windows = new Set<string>();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly stops: (() => void)[];
  private stopped = false;

  constructor(
    readonly id: string,
    readonly core: ReviewCore,
    private readonly workflow: ReadonlyMap<string, WorkflowStep[]>,
    private readonly timers: ReviewWorkspaceTimers,
    /** Called once the workspace decided to end (its last window closed, or none ever came). */
    private readonly onIdle: (workspace: ReviewWorkspace) => void,
    /** Kept open without windows (the host's `--session`). */
    private readonly pinned = false,
  ) {
    this.name = path.basename(core.file, SESSION_FILE_EXTENSION);
    this.stops = [
      core.subscribe('replay', (update) => this.onReplay(update)),
      core.subscribe('alerts', (update) => this.onAlerts(update)),
    ];
    this.armIdle(timers.firstWindowMs);
  }

  get file(): string {
    return this.core.file;
  }

  /** The producer of `topic` for this workspace's windows, or null when the topic is the live floor's. */
  source(topic: TopicName): TopicSource | null {
    if (!REVIEW_TOPICS.has(topic)) return null;
    return topic === 'alerts' || topic === 'replay' ? this.hub : this.core;
  }

  /** A replayed alert as this workspace's windows see it now. */
  alert(id: string): AlertRow | null {
    return this.shown.get(id) ?? null;
  }

  join(connectionId: string): void {
    this.windows.add(connectionId);
    this.disarmIdle();
  }

  leave(connectionId: string): void {
    if (!this.windows.delete(connectionId)) return;
    if (this.windows.size === 0) this.armIdle(this.timers.lastWindowMs);
  }

  get windowCount(): number {
    return this.windows.size;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.disarmIdle();
    for (const stop of this.stops.splice(0)) stop();
    await this.core.stop();
  }

  private armIdle(ms: number): void {
    this.disarmIdle();
    if (this.pinned || this.stopped) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.windows.size === 0) this.onIdle(this);
    }, ms);
    this.idleTimer.unref?.();
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private onReplay(update: TopicUpdate<'replay'>): void {
    const rows = update.rows.map((row): ReplayState => ({ ...row, reviewId: this.id, name: this.name }));
    this.hub.publish({ ...update, rows });
    const clock = rows.at(-1)?.positionTs;
    if (clock === undefined || clock === this.clock) return;
    this.clock = clock;
    // The replay clock moved: alerts whose workflow changed in between are published again.
    const changed: AlertRow[] = [];
    for (const row of this.raised.values()) {
      const next = alertAt(row, this.workflow.get(row.id), clock);
      if (!sameWorkflow(next, this.shown.get(row.id))) {
        this.shown.set(row.id, next);
        changed.push(next);
      }
    }
    if (changed.length > 0) {
      this.hub.publish({
        topic: 'alerts',
        snapshot: false,
        rows: changed,
        removed: [],
        at: Date.now(),
        sourceTs: clock,
      });
    }
  }

  private onAlerts(update: TopicUpdate<'alerts'>): void {
    if (update.snapshot) {
      this.raised.clear();
      this.shown.clear();
    }
    for (const key of update.removed) {
      this.raised.delete(key);
      this.shown.delete(key);
    }
    // The update's source ts is the review core's position when it was published (the replay row may follow).
    const clock = update.sourceTs > 0 ? update.sourceTs : this.clock;
    const rows = update.rows.map((row) => {
      this.raised.set(row.id, row);
      const shown = alertAt(row, this.workflow.get(row.id), clock);
      this.shown.set(row.id, shown);
      return shown;
    });
    this.hub.publish({ ...update, rows });
  }
}

function sameWorkflow(a: AlertRow, b: AlertRow | undefined): boolean {
  return b !== undefined && a.state === b.state && a.assignee === b.assignee && a.notes === b.notes;
}
