// Builds the API dispatcher both transports serve: core topics and methods from the core worker, window links
// held here on the main side (they are UI state shared by windows, not market state).
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
  type MethodHandlers,
  type RejectionLog,
  type TopicSource,
} from './dispatcher';
import { apiMethods, type ApiMethod } from '../../shared/api/contract';
import { TopicHub } from './topicHub';

/** What the API needs of the core (CoreProcess in main/core implements it; tests may fake it). */
export interface CoreHandle extends TopicSource {
  readonly feedUrl: string;
  readonly simulatorRunning: boolean;
  readonly mode: AppInfo['mode'];
  reconnect(): Promise<void>;
}

export interface WindowOpener {
  (
    kind: WindowKind,
    channel: LinkChannel | undefined,
    caller: CallerContext,
  ): Promise<{ opened: boolean; url?: string }>;
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
  transport: AppInfo['transport'];
  version: string;
  openWindow: WindowOpener;
  onRejected?: RejectionLog;
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

export function createBackend(options: BackendOptions): { dispatcher: ApiDispatcher; links: LinkBoard } {
  const localHub = new TopicHub();
  const links = new LinkBoard(localHub);
  const topics: TopicSource = {
    subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void) {
      if (topic === 'links') return localHub.subscribe(topic, listener);
      const source = options.topics?.[topic] ?? options.core;
      return source.subscribe(topic, listener);
    },
  };
  const coreHandlers: Pick<MethodHandlers, 'app.info' | 'window.open' | 'link.set' | 'feed.reconnect'> = {
    'app.info': () => ({
      product: 'Floorwatch',
      version: options.version,
      transport: options.transport,
      mode: options.core.mode,
      feedUrl: options.core.feedUrl,
      simulator: options.core.simulatorRunning,
    }),
    'window.open': (args, caller) => options.openWindow(args.kind, args.channel, caller),
    'link.set': (args) => {
      links.set(args.channel, args.context);
      return null;
    },
    'feed.reconnect': async () => {
      await options.core.reconnect();
      return null;
    },
  };
  const dispatcher = new ApiDispatcher(
    { ...unavailableHandlers(), ...options.services, ...coreHandlers },
    topics,
    options.gate,
    options.onRejected,
  );
  return { dispatcher, links };
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
