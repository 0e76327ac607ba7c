// What the app was asked to connect to: `--feed wss://…` (or `--feed=…`) on the command line, else the
// FLOORWATCH_FEED_URL environment variable, else nothing (the core then runs the embedded simulator).
export interface LaunchOptions {
  /** ws:// or wss:// URL of the fw-feed/1 gateway; undefined means "use the embedded simulator". */
  feedUrl?: string;
}

export class LaunchOptionError extends Error {}

export function resolveLaunchOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>) {
  const fromArgs = feedArgument(argv);
  const raw = fromArgs ?? (env.FLOORWATCH_FEED_URL?.trim() || undefined);
  const source = fromArgs !== undefined ? '--feed' : 'FLOORWATCH_FEED_URL';
  if (raw === undefined) return {} satisfies LaunchOptions;
  return { feedUrl: checkFeedUrl(raw, source) } satisfies LaunchOptions;
}

// Electron's argv also carries its own path, the app path and Chromium switches: look only for --feed.
function feedArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--feed=')) return arg.slice('--feed='.length);
    if (arg === '--feed') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new LaunchOptionError('--feed needs a URL, e.g. --feed wss://gateway:9001');
      return next;
    }
  }
  return undefined;
}

function checkFeedUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LaunchOptionError(
      `${source}: "${raw.slice(0, 200)}" is not a URL; expected ws://host:port or wss://host:port`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new LaunchOptionError(`${source}: the feed URL must start with ws:// or wss:// (got ${url.protocol}//)`);
  }
  return url.href;
}
