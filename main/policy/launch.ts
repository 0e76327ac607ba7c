// One call for a composition root (the `floorwatch host` command, the Electron main process): resolves the
// settings (policy > env/flags > user > defaults), applies the policy's launch decisions, starts the data folder
// upkeep (retention, disk space) and hands back what the backend needs. Throws SettingsError with a one-line
// message when the policy is invalid or forbids this launch; nothing is left running then.
import type { TopicName } from '../../shared/api/contract';
import type { CallerContext, MethodHandlers, TopicSource } from '../api/dispatcher';
import { DataFolderUpkeep } from './dataFolder';
import type { AuditStore } from '../store/auditStore';
import { auditLogPath, operatorsPath } from '../store/auditPaths';
import { assertHostModeAllowed, healthWithDataFolder, planFeed, type FeedPlan } from './service';
import { SettingsService, type SettingsActor } from './userSettings';
import { resolveSettings, type ResolvedSettings } from './settings';
import { prepareDataFolderAtRest, sealSessions } from '../security/atRest';
import type { DataKey } from '../security/dataKey';

export interface PolicyLaunch {
  resolved: ResolvedSettings;
  /** The feed to connect to (undefined feedUrl = the built-in simulator, which the policy then allows). */
  feed: FeedPlan;
  dataDir: string;
  /** Handlers of the settings group (read; change: admin, audited in `audit`), to spread into the services. */
  settingsHandlers(deps: SettingsDeps): Pick<MethodHandlers, 'settings.policy' | 'settings.update'>;
  /** The core's health topic with the data folder's `disk` and `databases` added. */
  healthTopic(core: TopicSource): TopicSource;
  /** `access` (services + topics for the backend) with `settings.policy` and the disk-aware health topic added. */
  wrapAccess<A extends BackendExtras>(access: A, core: TopicSource): A;
  /** Encrypts the session files an older build wrote in clear (once SQLite can be loaded: Electron loads it later). */
  sealOldSessions(): number;
  /** Stops the retention and disk timers. */
  stop(): void;
}

/** The shape of what a composition root hands createBackend (HostAccess, AuthServices…). */
export interface BackendExtras extends SettingsDeps {
  services?: Partial<MethodHandlers>;
  topics?: Partial<Record<TopicName, TopicSource>>;
}

/** Who changes settings, and where that is audited (AuthServices has both). */
export interface SettingsDeps {
  audit?: AuditStore;
  auth?: { requireActor(caller: CallerContext): SettingsActor };
}

export interface PolicyLaunchOptions {
  mode: 'host' | 'electron';
  /** --feed given on the command line (already checked to be ws:// or wss://). */
  feedFlag?: string;
  env?: NodeJS.ProcessEnv;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** The data key from the OS key store (Electron's safeStorage); without it the key file is used. */
  dataKey?: (dataDir: string) => DataKey;
}

/** One log line on stderr, `prefix: message {fields}` (the CLI's style). */
export function stderrLine(prefix: string): PolicyLaunchOptions['log'] {
  return (_level, message, fields) =>
    process.stderr.write(`${prefix}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
}

export async function preparePolicyLaunch(options: PolicyLaunchOptions): Promise<PolicyLaunch> {
  const resolved = resolveSettings({
    env: options.env ?? process.env,
    ...(options.feedFlag ? { flags: { feedUrls: [options.feedFlag] } } : {}),
  });
  if (options.mode === 'host') assertHostModeAllowed(resolved);
  const feed = planFeed(resolved);
  const dataDir = resolved.values.dataDir;
  // Before anything is created in the folder: modes checked (and tightened), the data key found and installed.
  const atRest = prepareDataFolderAtRest({
    dataDir,
    env: options.env ?? process.env,
    ...(options.dataKey ? { key: options.dataKey(dataDir) } : {}),
    createKey: true,
    log: options.log,
  });
  const upkeep = new DataFolderUpkeep({
    dataDir,
    retentionDays: resolved.values.retentionDays,
    diskWarningFreePercent: resolved.values.diskWarningFreePercent,
    databases: { audit: auditLogPath(dataDir), operators: operatorsPath(dataDir) },
    log: options.log,
  });
  await upkeep.start();
  if (resolved.policyFile) {
    options.log('info', 'machine policy in force', { file: resolved.policyFile, locked: resolved.locked.join(',') });
  }
  const settingsHandlers = (deps: SettingsDeps) => {
    const auth = deps.auth;
    return new SettingsService({
      resolved,
      ...(deps.audit ? { audit: deps.audit } : {}),
      ...(auth ? { actor: (caller: CallerContext) => auth.requireActor(caller) } : {}),
    }).handlers();
  };
  return {
    resolved,
    feed,
    dataDir,
    settingsHandlers,
    healthTopic: (core) => healthWithDataFolder(core, upkeep),
    wrapAccess: (access, core) => ({
      ...access,
      services: { ...access.services, ...settingsHandlers(access) },
      topics: { ...access.topics, health: healthWithDataFolder(access.topics?.health ?? core, upkeep) },
    }),
    sealOldSessions: () => sealSessions(dataDir, atRest.key, options.log),
    stop: () => upkeep.stop(),
  };
}
