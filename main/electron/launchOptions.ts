// What the app was asked to connect to: `--feed wss://…` (or `--feed=…`) on the command line, else the
// FLOORWATCH_FEED_URL environment variable, else nothing (the core then runs the embedded simulator); and
// `--server URL`, a team server to work against instead of a core of its own (checked where it is used, with
// FLOORWATCH_SERVER_URL and the policy's `serverUrl`: main/policy/service.ts planServer).
export interface LaunchOptions {
  /** ws:// or wss:// URL of the fw-feed/1 gateway; undefined means "use the embedded simulator". */
  feedUrl?: string;
  /** The team server given with --server. */
  serverUrl?: string;
}

export class LaunchOptionError extends Error {}

export function resolveLaunchOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LaunchOptions {
  const fromArgs = flagArgument(argv, 'feed', 'wss://gateway:9001');
  const serverUrl = flagArgument(argv, 'server', 'https://team-server:5179');
  const server = serverUrl !== undefined ? { serverUrl } : {};
  const raw = fromArgs ?? (env.FLOORWATCH_FEED_URL?.trim() || undefined);
  const source = fromArgs !== undefined ? '--feed' : 'FLOORWATCH_FEED_URL';
  if (raw === undefined) return server satisfies LaunchOptions;
  return { feedUrl: checkFeedUrl(raw, source), ...server } satisfies LaunchOptions;
}

// Electron's argv also carries its own path, the app path and Chromium switches: look only for --<name>.
function flagArgument(argv: readonly string[], name: string, example: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith(`--${name}=`)) return arg.slice(`--${name}=`.length);
    if (arg === `--${name}`) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new LaunchOptionError(`--${name} needs a URL, e.g. --${name} ${example}`);
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
