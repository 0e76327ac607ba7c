// The main side's handle on a review: a core worker started in review mode (main/core/worker.ts with
// `workerData.review`), its topics merged in a TopicHub (a new subscriber gets a snapshot at once, as live), replay
// controls as requests. One ReviewCore per opened session; stop() ends the worker.
import type { ViewFrame } from '../../shared/views/spec';
import type { ViewAnswer, ViewHost, ViewRequest } from '../views/viewRequests';
import { WholeTopicDemand } from '../views/wholeTopicDemand';
import type { CoreWholeTopics } from '../core/messages';
import type { Worker } from 'node:worker_threads';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { ReplayControl, ReplayState } from '../../shared/api/methods/sessions';
import type { RulesConfig } from '../../shared/rules/config';
import { TopicHub } from '../api/topicHub';
import type { TopicSource } from '../api/dispatcher';
import type { LogFn } from '../core/log';
import type { CoreEvent } from '../core/messages';
import { WorkerRequests } from '../core/workerRequests';
import { startWorker } from '../util/workers';
import type { ReviewRequest, ReviewWorkerData } from './reviewRuntime';

const STOP_TIMEOUT_MS = 3_000;
/** A backward seek in a long session replays it from the start: give it time. */
const CONTROL_TIMEOUT_MS = 60_000;

export class ReviewCore implements TopicSource, ViewHost {
  private readonly hub = new TopicHub();
  private readonly viewListeners = new Set<(frames: ViewFrame[]) => void>();
  private readonly wholeTopics = new WholeTopicDemand((topics) => this.postWholeTopics(topics));
  private readonly requests = new WorkerRequests();
  private stopping = false;
  private exitError: string | null = null;

  private constructor(
    private worker: Worker | null,
    readonly file: string,
    private readonly log: LogFn,
  ) {}

  /** Starts the review worker on `file` and waits until it has opened the session. */
  static async start(data: ReviewWorkerData, log: LogFn, timeoutMs = 15_000): Promise<ReviewCore> {
    // The core worker's entry reviews instead of connecting when its data carries `review`.
    const worker = startWorker('core', { review: data });
    const core = new ReviewCore(worker, data.file, log);
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (!ready) reject(new Error(`the review worker did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      worker.on('message', (event: CoreEvent) => {
        if (event.type === 'ready' && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve();
          return;
        }
        core.onEvent(event);
      });
      worker.on('error', (error: unknown) => {
        // What a worker throws need not be an Error (nor keep its message across the thread boundary).
        core.exitError = (error as Error)?.message ?? String(error);
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(core.exitError));
        } else log('error', `review: worker crashed: ${core.exitError}`);
      });
      worker.on('exit', (code) => {
        core.worker = null;
        core.requests.rejectAll(core.exitError ?? `the review worker exited (code ${code})`);
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(core.exitError ?? `the review worker exited during start (code ${code})`));
        }
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    core.postWholeTopics(core.wholeTopics.topics); // the replay publishes every engine topic whole until told
    return core;
  }

  /** A views request for the review core's engine tables. */
  async viewRequest(request: ViewRequest): Promise<ViewAnswer> {
    return (await this.request({ op: 'view', view: request }, CONTROL_TIMEOUT_MS)) as ViewAnswer;
  }

  onViewFrames(listener: (frames: ViewFrame[]) => void): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  private postWholeTopics(topics: CoreWholeTopics['topics']): void {
    for (const topic of ['market', 'positions', 'accounts'] as const)
      if (!topics.includes(topic)) this.hub.forget(topic);
    const message: CoreWholeTopics = { type: 'wholeTopics', topics };
    this.worker?.postMessage(message);
  }

  subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void): () => void {
    return this.wholeTopics.track(topic, this.hub.subscribe(topic, listener));
  }

  /** The latest replay state the worker published. */
  get replayState(): ReplayState | null {
    return this.hub.current('replay')[0] ?? null;
  }

  async control(control: ReplayControl): Promise<ReplayState> {
    return (await this.request({ op: 'replay', replay: control }, CONTROL_TIMEOUT_MS)) as ReplayState;
  }

  /** Replays the session again under new thresholds, back to the same position. */
  async reloadRules(rules: RulesConfig): Promise<ReplayState> {
    return (await this.request({ op: 'reloadRules', rules }, CONTROL_TIMEOUT_MS)) as ReplayState;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    try {
      await this.request({ op: 'stop' }, STOP_TIMEOUT_MS);
    } catch (error) {
      this.log('warn', `review: worker did not stop cleanly: ${(error as Error).message}`);
    }
    await worker.terminate();
    this.worker = null;
  }

  private onEvent(event: CoreEvent): void {
    switch (event.type) {
      case 'topic':
        this.hub.publish(event.update);
        return;
      case 'views':
        for (const listener of this.viewListeners) listener(event.frames);
        return;
      case 'reply':
        this.requests.settle(event);
        return;
      case 'log':
        this.log(event.level, event.message, event.fields);
        return;
      default:
        return;
    }
  }

  private request(fields: Omit<ReviewRequest, 'type' | 'id'>, timeoutMs: number): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the review has ended'));
    return this.requests.send(
      worker,
      (id): ReviewRequest => ({ type: 'request', id, ...fields }),
      timeoutMs,
      `review request ${fields.op}`,
    );
  }
}
