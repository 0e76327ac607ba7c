// Builds the API dispatcher both transports serve: core topics and methods from the core worker, window links
// held here on the main side (they are UI state shared by windows, not market state).
import { ViewService } from '../views/viewService';
import type { ViewHost } from '../views/viewRequests';
import {
  LINK_CHANNELS,
  type AppInfo,
  type LinkChannel,
  type LinkContext,
  type LinkState,
  type TopicName,
  type TopicUpdate,
  type WindowKind,
} from '../../shared/api/contract';
import {
  ApiDispatcher,
  ApiFailure,
  type ApiGate,
  type CallerContext,
  type ConnectionWatcher,
  type MethodHandlers,
  type RejectionLog,
  type TopicSource,
} from './dispatcher';
import { apiMethods, type ApiMethod } from '../../shared/api/contract';
import { TopicHub } from './topicHub';
import { scopeHandlers, scopeTopics, type AccountScoping } from './accountScope';

/** What the API needs of the core (CoreProcess in main/core implements it; tests may fake it). */
export interface CoreHandle extends TopicSource {
  readonly feedUrl: string;
  readonly simulatorRunning: boolean;
  readonly mode: AppInfo['mode'];
  reconnect(): Promise<void>;
  /** The live core's engine views (views.* of market, positions, accounts); null while no core runs. */
  viewHost?(): ViewHost | null;
}

export interface WindowOpener {
  (
    kind: WindowKind,
    channel: LinkChannel | undefined,
    caller: CallerContext,
    /** The review workspace the new window belongs to; undefined: live. */
    review: string | undefined,
    /** focusExisting: bring the newest open window of this kind forward instead, where the transport can. */
    options: { focusExisting: boolean },
  ): Promise<{ opened: boolean; focused?: boolean; url?: string }>;
}

/**
 * Review workspaces beside the live floor (main/review/workstation.ts): a review window's market, positions,
 * accounts, health, alerts and replay come from its own review core; everything else is the live floor's.
 */
export interface ReviewWorkspaces extends ConnectionWatcher {
  /** The producer of `topic` for the windows of review `reviewId` (an unknown review: an empty source). */
  reviewTopic(reviewId: string, topic: TopicName): TopicSource | null;
  /** The reviewed file, or null when no such review is open. */
  reviewFile(reviewId: string): string | null;
  /** The review core's engine views, or null when no such review is open. */
  reviewViewHost?(reviewId: string): ViewHost | null;
}

export interface BackendOptions {
  core: CoreHandle;
  /**
   * Decides every call and subscription: the AuthService in both apps (see main/auth/authServices.ts
   * openAuthServices); tests of the transports pass an explicit test gate. There is no default on purpose.
   */
  gate: ApiGate;
  /** Handlers of the method groups beyond the core's (auth, alerts, sessions…), each built by its own service. */
  services?: Partial<MethodHandlers>;
  /** Producers of topics the core worker does not publish (alerts workflow rows, account actions, replay). */
  topics?: Partial<Record<TopicName, TopicSource>>;
  /** Review workspaces: a caller with a `review` is served from its review (see ReviewWorkspaces). */
  reviews?: ReviewWorkspaces;
  transport: AppInfo['transport'];
  version: string;
  openWindow: WindowOpener;
  onRejected?: RejectionLog;
  /** Operators limited to account groups (the team workflow); absent: every caller sees every account. */
  scoping?: AccountScoping;
}

/** Shared link state per colour channel (FDC3-style): the last instrument and account picked on it. */
export class LinkBoard {
  private readonly state: LinkState = Object.fromEntries(
    LINK_CHANNELS.map((channel) => [channel, { instrument: null, account: null }]),
  ) as LinkState;

  constructor(private readonly hub: TopicHub) {
    this.publish();
  }

  set(channel: LinkChannel, context: LinkContext): void {
    const slot = this.state[channel];
    if (context === null) {
      slot.instrument = null;
      slot.account = null;
    } else if (context.type === 'fdc3.instrument') {
      slot.instrument = context.id.ticker;
    } else {
      slot.account = context.id.accountId;
    }
    this.publish();
  }

  private publish(): void {
    const now = Date.now();
    this.hub.publish({
      topic: 'links',
      snapshot: true,
      rows: [structuredClone(this.state)],
      removed: [],
      at: now,
      sourceTs: now,
    });
  }
}

export function createBackend(options: BackendOptions): {
  dispatcher: ApiDispatcher;
  links: LinkBoard;
  views: ViewService;
} {
  const localHub = new TopicHub();
  const links = new LinkBoard(localHub);
  // A review workspace's windows link among themselves, not with the live floor's.
  const reviewLinks = new Map<string, { hub: TopicHub; board: LinkBoard }>();
  const linksOf = (caller: CallerContext | undefined) => {
    const review = caller?.review;
    if (review === undefined || !options.reviews) return { hub: localHub, board: links };
    let entry = reviewLinks.get(review);
    if (!entry) {
      const hub = new TopicHub();
      entry = { hub, board: new LinkBoard(hub) };
      reviewLinks.set(review, entry);
    }
    return entry;
  };
  const topics: TopicSource = {
    subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void, caller?: CallerContext) {
      if (topic === 'links') return linksOf(caller).hub.subscribe(topic, listener);
      if (topic === 'views') return views.subscribe(topic, listener, caller);
      const review = caller?.review;
      const fromReview = review !== undefined ? options.reviews?.reviewTopic(review, topic) : null;
      const source = fromReview ?? options.topics?.[topic] ?? options.core;
      return source.subscribe(topic, listener, caller);
    },
  };
  const views = new ViewService({
    ...(options.scoping ? { scopeOf: (caller: CallerContext) => options.scoping!.scopeOf(caller) } : {}),
    engineHost: (review) =>
      review === undefined ? (options.core.viewHost?.() ?? null) : (options.reviews?.reviewViewHost?.(review) ?? null),
    subscribeTopic: (topic, listener, review) =>
      topics.subscribe(topic, listener, {
        transport: 'test',
        connectionId: `views:${review ?? 'live'}`,
        ...(review !== undefined ? { review } : {}),
      }),
  });
  const coreHandlers: Pick<MethodHandlers, 'app.info' | 'window.open' | 'link.set' | 'feed.reconnect'> = {
    'app.info': (_args, caller) => {
      const reviewFile = caller.review !== undefined ? (options.reviews?.reviewFile(caller.review) ?? null) : null;
      return {
        product: 'Floorwatch',
        version: options.version,
        transport: options.transport,
        mode: reviewFile !== null ? 'review' : options.core.mode,
        feedUrl: reviewFile ?? options.core.feedUrl,
        simulator: reviewFile === null && options.core.simulatorRunning,
        ...(reviewFile !== null ? { reviewId: caller.review } : {}),
      };
    },
    'window.open': (args, caller) => {
      const review = args.live ? undefined : (args.review ?? caller.review);
      if (review !== undefined && options.reviews && options.reviews.reviewFile(review) === null) {
        throw new ApiFailure('bad_arguments', `review ${review} is not open (it ended): open the session again`);
      }
      return options.openWindow(args.kind, args.channel, caller, review, {
        focusExisting: args.focusExisting === true,
      });
    },
    'link.set': (args, caller) => {
      linksOf(caller).board.set(args.channel, args.context);
      return null;
    },
    'feed.reconnect': async () => {
      await options.core.reconnect();
      return null;
    },
  };
  const handlers = historyOnlyInReview({
    ...unavailableHandlers(),
    ...options.services,
    ...views.handlers,
    ...coreHandlers,
  });
  const dispatcher = new ApiDispatcher(
    options.scoping ? scopeHandlers(handlers, options.scoping) : handlers,
    options.scoping ? scopeTopics(topics, options.scoping) : topics,
    options.gate,
    options.onRejected,
    options.reviews ?? null,
  );
  return { dispatcher, links, views };
}

/** Alert workflow moves a review window may not make: its alerts are replayed history, not the live queue. */
const LIVE_ONLY_METHODS = ['alerts.setState', 'alerts.addNote', 'alerts.assign'] as const;

function historyOnlyInReview(handlers: MethodHandlers): MethodHandlers {
  const guarded: Record<string, unknown> = { ...handlers };
  for (const method of LIVE_ONLY_METHODS) {
    const handler = handlers[method] as (args: unknown, caller: CallerContext) => unknown;
    guarded[method] = (args: unknown, caller: CallerContext) => {
      if (caller.review !== undefined) {
        throw new ApiFailure('forbidden', 'a replayed alert is history: act on it from a live window');
      }
      return handler(args, caller);
    };
  }
  return guarded as MethodHandlers;
}

/** Every method answers `unavailable` until the service that owns it is wired in (e.g. no audit log in a test). */
function unavailableHandlers(): MethodHandlers {
  const handlers: Record<string, () => never> = {};
  for (const name of Object.keys(apiMethods) as ApiMethod[]) {
    handlers[name] = () => {
      throw new ApiFailure('unavailable', `${name} is not available in this workstation mode`);
    };
  }
  return handlers as unknown as MethodHandlers;
}
