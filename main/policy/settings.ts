// Resolves the workstation's settings from four layers, first one that sets a key wins:
//   1. the machine-wide policy file (locked: "set by your organisation"),
//   2. command-line flags (--feed), then environment variables (scripted installs),
//   3. the user's settings.json in the data folder,
//   4. defaults.
// Every error names the file or variable and the field, in one line (the CLI and the app show it as is).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { CliError } from '../cli/support';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { EXPORT_KINDS, PartialSettingsSchema, PolicySchema, SETTING_ENV_VARS, SETTING_KEYS } from './schema';
import type { Policy, SettingKey, Settings } from './schema';

export type SettingSource = 'policy' | 'flag' | 'env' | 'user' | 'default';

/** The command-line flag that sets a key (the Settings window names it as the source). */
export const SETTING_FLAGS: Partial<Readonly<Record<SettingKey, string>>> = {
  feedUrls: '--feed',
  serverUrl: '--server',
};

export interface ResolvedSettings {
  values: Settings;
  sources: Record<SettingKey, SettingSource>;
  /** Keys the policy sets: the UI shows them read-only, "set by your organisation". */
  locked: SettingKey[];
  /** The policy file that was read, or null when there is none. */
  policyFile: string | null;
  /** The user settings file that was read, or null. */
  userFile: string | null;
}

/**
 * An invalid policy, environment variable or settings file, or a launch the policy forbids. The message names the
 * source and the field. A CliError, so every command prints it as one line and exits 2 (no stack trace).
 */
export class SettingsError extends CliError {
  constructor(
    message: string,
    readonly source: string,
    readonly field: string | null,
  ) {
    super(message, 2);
    this.name = 'SettingsError';
  }
}

export const POLICY_ENV_VAR = 'FLOORWATCH_POLICY_FILE';
export const USER_SETTINGS_FILE_NAME = 'settings.json';
export const APP_FOLDER = 'Floorwatch';

/** The OS's machine-wide policy file (FLOORWATCH_POLICY_FILE overrides it, for tests and odd layouts). */
export function policyFilePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const override = env[POLICY_ENV_VAR]?.trim();
  if (override) return path.resolve(override);
  if (platform === 'win32') {
    return path.win32.join(env.ProgramData || env.PROGRAMDATA || 'C:\\ProgramData', APP_FOLDER, 'policy.json');
  }
  if (platform === 'darwin') return path.posix.join('/Library/Application Support', APP_FOLDER, 'policy.json');
  return '/etc/floorwatch/policy.json';
}

/** The OS user-data folder, spelled as Electron's app.getPath('userData') spells it for "Floorwatch". */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_FOLDER);
}

export const DEFAULT_SETTINGS: Omit<Settings, 'dataDir' | 'feedUrls' | 'feedCaFile' | 'serverUrl' | 'serverCaFile'> = {
  retentionDays: 90,
  idleLockMinutes: 10,
  exportKinds: [...EXPORT_KINDS],
  simulatorAllowed: true,
  hostModeAllowed: true,
  autoUpdateAllowed: false,
  diskWarningFreePercent: 10,
};

const policyCheck = TypeCompiler.Compile(PolicySchema);
const userCheck = TypeCompiler.Compile(PartialSettingsSchema);

/** "/feedUrls/0" → "feedUrls[0]". */
function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : `${i > 0 ? '.' : ''}${part.replace(/~1/g, '/')}`))
    .join('');
}

function firstError<T extends TSchema>(
  check: ReturnType<typeof TypeCompiler.Compile<T>>,
  value: unknown,
  where: string,
): SettingsError | null {
  const error = check.Errors(value).First();
  if (!error) return null;
  const field = fieldName(error.path);
  if (!field) return new SettingsError(`${where}: must be a JSON object of settings (${error.message})`, where, null);
  const shown = error.message === 'Unexpected property' ? 'is not a known setting' : `is invalid: ${error.message}`;
  const got = error.value === undefined ? '' : ` (got ${JSON.stringify(error.value)?.slice(0, 120)})`;
  return new SettingsError(`${where}: "${field}" ${shown}${got}`, where, field);
}

/** Checks cross-field rules the schema cannot express. */
function checkCoherence(settings: Partial<Settings>, where: string): void {
  if (
    settings.dataDir !== undefined &&
    !path.isAbsolute(settings.dataDir) &&
    !path.win32.isAbsolute(settings.dataDir)
  ) {
    throw new SettingsError(
      `${where}: "dataDir" must be an absolute path (got "${settings.dataDir}")`,
      where,
      'dataDir',
    );
  }
  checkServerCoherence(settings, where);
  if (settings.feedCaFile !== undefined && settings.feedUrls?.some((url) => url.startsWith('ws://'))) {
    throw new SettingsError(
      `${where}: "feedCaFile" is set but "feedUrls" has a ws:// URL; a CA is used only with wss://`,
      where,
      'feedCaFile',
    );
  }
}

/** Checks cross-field rules the schema cannot express (continued): the team server's CA needs TLS. */
function checkServerCoherence(settings: Partial<Settings>, where: string): void {
  if (
    settings.serverCaFile !== undefined &&
    settings.serverUrl !== undefined &&
    !/^(https|wss):/i.test(settings.serverUrl)
  ) {
    throw new SettingsError(
      `${where}: "serverCaFile" is set but "serverUrl" is not https:// or wss://; a CA is used only with TLS`,
      where,
      'serverCaFile',
    );
  }
}

/** Parses and validates a policy document; throws SettingsError naming the field. */
export function parsePolicy(text: string, file: string): Policy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`policy ${file}: not valid JSON (${(error as Error).message})`, `policy ${file}`, null);
  }
  const error = firstError(policyCheck, value, `policy ${file}`);
  if (error) throw error;
  const policy = value as Policy;
  checkCoherence(policy, `policy ${file}`);
  return policy;
}

/** Reads the policy file; null when it does not exist. Unreadable or invalid: SettingsError. */
export function readPolicy(file: string): Policy | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new SettingsError(`policy ${file}: cannot be read (${code ?? (error as Error).message})`, file, null);
  }
  return parsePolicy(text, file);
}

function parseBoolean(raw: string, name: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new SettingsError(`${name}: expected true or false (got "${raw.slice(0, 80)}")`, name, name);
}

/** The settings given by FLOORWATCH_* environment variables; empty variables count as unset. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const name = SETTING_ENV_VARS[key];
    const raw = env[name]?.trim();
    if (!raw) continue;
    let value: unknown;
    switch (key) {
      case 'feedUrls':
        value = raw
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean);
        break;
      case 'exportKinds':
        value =
          raw.toLowerCase() === 'none'
            ? []
            : raw
                .split(',')
                .map((kind) => kind.trim())
                .filter(Boolean);
        break;
      case 'retentionDays':
      case 'idleLockMinutes':
      case 'diskWarningFreePercent':
        value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
        break;
      case 'simulatorAllowed':
      case 'hostModeAllowed':
      case 'autoUpdateAllowed':
        value = parseBoolean(raw, name);
        break;
      default:
        value = raw;
    }
    const error = firstError(userCheck, { [key]: value }, name);
    if (error) throw new SettingsError(error.message.replace(`${name}: "${key}" is`, `${name} is`), name, key);
    out[key] = value;
  }
  if (out.dataDir !== undefined) out.dataDir = path.resolve(out.dataDir as string);
  checkCoherence(out as Partial<Settings>, 'environment');
  return out as Partial<Settings>;
}

/** The user's settings.json (not the data folder: it lives inside it). Missing file: {}. */
export function readUserSettings(file: string): Partial<Settings> {
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SettingsError(`settings ${file}: not valid JSON (${(error as Error).message})`, file, null);
  }
  return checkUserSettings(value, `settings ${file}`);
}

/** Checks a user settings document (schema and cross-field rules); `dataDir` in it is ignored (see above). */
export function checkUserSettings(value: unknown, where: string): Partial<Settings> {
  const error = firstError(userCheck, value, where);
  if (error) throw error;
  const { dataDir: _ignored, ...rest } = value as Partial<Settings>;
  checkCoherence(rest, where);
  return rest;
}

export interface ResolveInputs {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** Command-line flags (e.g. --feed): same rank as environment variables, and win over them. */
  flags?: Partial<Settings>;
  /** Instead of reading the policy file (tests). */
  policy?: Policy | null;
  /** Instead of reading settings.json (tests). */
  user?: Partial<Settings>;
}

/**
 * Resolves every setting and where it came from. A flag that contradicts the policy is refused (SettingsError
 * naming the flag) rather than silently ignored, so a script learns why its --feed did nothing.
 */
export function resolveSettings(inputs: ResolveInputs = {}): ResolvedSettings {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const policyFile = inputs.policy === undefined ? policyFilePath(env, platform) : null;
  const policyRead = inputs.policy === undefined ? readPolicy(policyFile as string) : inputs.policy;
  const policy: Policy = policyRead ?? {};
  const fromFlags = inputs.flags ?? {};
  const fromEnv = settingsFromEnv(env);
  const lockedKeys = SETTING_KEYS.filter((key) => policy[key] !== undefined);
  for (const key of Object.keys(inputs.flags ?? {}) as SettingKey[]) {
    if (policy[key] !== undefined && JSON.stringify(policy[key]) !== JSON.stringify(inputs.flags?.[key])) {
      throw new SettingsError(
        `"${key}" is set by your organisation's policy${policyFile ? ` (${policyFile})` : ''}; it cannot be changed on the command line`,
        'flags',
        key,
      );
    }
  }

  const dataDir =
    policy.dataDir ??
    fromFlags.dataDir ??
    fromEnv.dataDir ??
    defaultDataDir(env, platform, inputs.home ?? os.homedir());
  const userFile = path.join(dataDir, USER_SETTINGS_FILE_NAME);
  const user = inputs.user ?? readUserSettings(userFile);

  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingKey, SettingSource>;
  for (const key of SETTING_KEYS) {
    const layers: [SettingSource, unknown][] = [
      ['policy', policy[key]],
      ['flag', fromFlags[key]],
      ['env', fromEnv[key]],
      ['user', key === 'dataDir' ? undefined : user[key]],
      ['default', key === 'dataDir' ? dataDir : (DEFAULT_SETTINGS as Record<string, unknown>)[key]],
    ];
    const hit = layers.find(([, value]) => value !== undefined);
    if (!hit) continue;
    values[key] = hit[1];
    sources[key] = hit[0];
  }
  const resolved = values as Settings;
  checkCoherence(resolved, 'settings');
  return {
    values: resolved,
    sources,
    locked: lockedKeys,
    policyFile: policyRead ? policyFile : null,
    userFile: inputs.user === undefined && existsSync(userFile) ? userFile : null,
  };
}

/** Who set `key`, for one-line messages: "your organisation's policy (/etc/…)", "the command-line flag --feed"… */
export function settingSetBy(resolved: ResolvedSettings, key: SettingKey): string {
  switch (resolved.sources[key]) {
    case 'policy':
      return `your organisation's policy${resolved.policyFile ? ` (${resolved.policyFile})` : ''}`;
    case 'flag':
      return `the command-line flag ${SETTING_FLAGS[key] ?? key}`;
    case 'env':
      return `the environment variable ${SETTING_ENV_VARS[key]}`;
    case 'user':
      return `your settings${resolved.userFile ? ` (${resolved.userFile})` : ''}`;
    default:
      return 'the defaults';
  }
}

/** Only the data folder (cheap path for floorwatchDataDir): policy > FLOORWATCH_DATA_DIR > OS folder. */
export function resolveDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const policy = readPolicy(policyFilePath(env, platform));
  if (policy?.dataDir) return policy.dataDir;
  const fromEnv = env.FLOORWATCH_DATA_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return defaultDataDir(env, platform, home);
}

export type { Policy, SettingKey, Settings } from './schema';
