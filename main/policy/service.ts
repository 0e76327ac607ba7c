// Wiring of the resolved settings into a composition root (main/host/server.ts's caller, main/electron/main.ts):
// the health topic with the disk field, and the launch decisions the policy makes (which feed, whether the simulator
// or the host mode may run). The settings API is main/policy/userSettings.ts.
import { readFileSync } from 'node:fs';
import type { TopicName, TopicUpdate } from '../../shared/api/contract';
import type { DiskHealth } from '../../shared/api/methods/settings';
import type { HealthSnapshot } from '../../shared/domain/types';
import type { TopicSource } from '../api/dispatcher';
import { SettingsError, settingSetBy, type ResolvedSettings } from './settings';

/** What the data folder's upkeep knows that the core worker does not (main/policy/dataFolder.ts). */
export interface DataFolderFigures {
  readonly disk: DiskHealth | null;
  databaseSizes(): Record<string, number>;
}

/**
 * The health topic of `source` with the data folder's figures added to its row: `disk`, and `databases` (the audit
 * log and operators files, plus the session being recorded as the core reports it).
 */
export function healthWithDataFolder(source: TopicSource, folder: DataFolderFigures): TopicSource {
  return {
    subscribe<T extends TopicName>(topic: T, listener: (update: TopicUpdate<T>) => void) {
      if (topic !== 'health') return source.subscribe(topic, listener);
      return source.subscribe(topic, (update) => {
        const disk = folder.disk;
        const sizes = folder.databaseSizes();
        const rows = (update.rows as HealthSnapshot[]).map((row): HealthSnapshot => {
          const session = row.recorder?.dbBytes ?? 0;
          const databases = session > 0 ? { session, ...sizes } : sizes;
          return { ...row, ...(disk ? { disk } : {}), ...(Object.keys(databases).length > 0 ? { databases } : {}) };
        });
        listener({ ...update, rows } as TopicUpdate<T>);
      });
    },
  };
}

export interface FeedPlan {
  /** The gateway to connect to; undefined = run the built-in simulator. */
  feedUrl?: string;
  /** The other `feedUrls`: backup gateways of the same feed, tried in turn. */
  feedFallbackUrls?: string[];
  /** PEM text of the CA for a wss:// feed (policy/env `feedCaFile`). */
  feedCa?: string;
}

/**
 * Decides the feed: a URL from the flag/env/policy (already merged into `resolved`), else the simulator when
 * allowed. Refuses with a SettingsError saying who disallowed the simulator and what to do instead.
 */
export function planFeed(resolved: ResolvedSettings): FeedPlan {
  const feedUrl = resolved.values.feedUrls?.[0];
  if (!feedUrl) {
    if (!resolved.values.simulatorAllowed) {
      throw new SettingsError(
        `the built-in simulator is disabled by ${settingSetBy(resolved, 'simulatorAllowed')} and no feed is configured; ` +
          'set a feed URL (--feed, FLOORWATCH_FEED_URL or "feedUrls" in the policy)',
        'simulatorAllowed',
        'simulatorAllowed',
      );
    }
    return {};
  }
  const fallbacks = resolved.values.feedUrls?.slice(1) ?? [];
  const gateways = fallbacks.length > 0 ? { feedUrl, feedFallbackUrls: fallbacks } : { feedUrl };
  const caFile = resolved.values.feedCaFile;
  if (!caFile) return gateways;
  return { ...gateways, feedCa: readCaFile(caFile, 'feedCaFile') };
}

/** The PEM text of a CA file a setting names; SettingsError naming the setting when unreadable or no PEM. */
function readCaFile(file: string, key: 'feedCaFile' | 'serverCaFile'): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SettingsError(`"${key}" ${file} cannot be read (${code})`, key, key);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SettingsError(`"${key}" ${file} holds no PEM certificate`, key, key);
  }
  return pem;
}

export interface ServerPlan {
  /** The team server (http(s):// or ws(s)://) whose windows this workstation shows. */
  serverUrl: string;
  /** PEM text of the CA for an https:// or wss:// server (policy/env `serverCaFile`). */
  serverCa?: string;
}

/**
 * The team server this workstation works against (flag --server, FLOORWATCH_SERVER_URL or the policy's
 * `serverUrl`), or null: then it runs a core of its own.
 */
export function planServer(resolved: ResolvedSettings): ServerPlan | null {
  const serverUrl = resolved.values.serverUrl;
  if (!serverUrl) return null;
  const caFile = resolved.values.serverCaFile;
  return caFile ? { serverUrl, serverCa: readCaFile(caFile, 'serverCaFile') } : { serverUrl };
}

/** Refuses the headless host when the policy (or env/settings) disallows it. */
export function assertHostModeAllowed(resolved: ResolvedSettings): void {
  if (resolved.values.hostModeAllowed) return;
  throw new SettingsError(
    `host mode is disabled by ${settingSetBy(resolved, 'hostModeAllowed')}; use the Floorwatch app instead`,
    'hostModeAllowed',
    'hostModeAllowed',
  );
}
