// The workstation's own settings (settings.json in the data folder), as the Settings window reads and changes them.
// Layers stay as resolveSettings has them: a key the machine policy sets is IT's ("set by your organisation") and a
// key an environment variable sets belongs to the install script; only the rest may change here, by an admin, with
// a reason, audited before the file is moved into place. Settings apply at the next start: the view says which
// saved values are still pending rather than half-applying a feed or a data folder change under a running core.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { USER_SETTING_KEYS, type PolicyView } from '../../shared/api/methods/settings';
import { ApiFailure, type CallerContext, type MethodHandlers } from '../api/dispatcher';
import type { AuditStore } from '../store/auditStore';
import type { SettingKey } from './schema';
import { SETTING_ENV_VARS } from './schema';
import {
  checkUserSettings,
  SettingsError,
  settingSetBy,
  USER_SETTINGS_FILE_NAME,
  type ResolvedSettings,
} from './settings';

export interface SettingsActor {
  operator: string;
  role: string;
}

export interface SettingsServiceOptions {
  /** The settings in force (resolved at start). */
  resolved: ResolvedSettings;
  /** Where changes are audited; absent in tools and tests without an audit log. */
  audit?: AuditStore;
  actor?: (caller: CallerContext) => SettingsActor;
}

const isUserKey = (key: string): key is (typeof USER_SETTING_KEYS)[number] =>
  (USER_SETTING_KEYS as readonly string[]).includes(key);

export class SettingsService {
  readonly userFile: string;

  constructor(private readonly options: SettingsServiceOptions) {
    this.userFile = path.join(options.resolved.values.dataDir, USER_SETTINGS_FILE_NAME);
  }

  view(): PolicyView {
    const { resolved } = this.options;
    const saved = this.readSaved();
    const pending: Record<string, unknown> = {};
    for (const key of USER_SETTING_KEYS) {
      if (resolved.sources[key] === 'policy' || resolved.sources[key] === 'flag' || resolved.sources[key] === 'env')
        continue;
      const inForce = resolved.sources[key] === 'user' ? resolved.values[key] : undefined;
      if (JSON.stringify(saved[key]) !== JSON.stringify(inForce)) pending[key] = saved[key] ?? null;
    }
    return {
      policyFile: resolved.policyFile,
      values: structuredClone(resolved.values) as Record<string, unknown>,
      sources: { ...resolved.sources },
      locked: [...resolved.locked],
      userFile: this.userFile,
      editable: USER_SETTING_KEYS.filter((key) => this.refusal(key) === null),
      pending,
    };
  }

  /** Saves `changes` (null = remove the key) after checking them as the file would be checked at start. */
  async update(actor: SettingsActor, args: { changes: Record<string, unknown>; reason: string }): Promise<PolicyView> {
    const reason = args.reason.trim();
    if (!reason) throw new ApiFailure('bad_arguments', 'changing settings needs a reason');
    const keys = Object.keys(args.changes);
    if (keys.length === 0) throw new ApiFailure('bad_arguments', 'no setting to change');
    for (const key of keys) {
      const refusal = this.refusal(key);
      if (refusal) throw new ApiFailure(refusal.code, refusal.message);
    }
    const saved = this.readSaved();
    const next: Record<string, unknown> = { ...saved };
    for (const [key, value] of Object.entries(args.changes)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    try {
      checkUserSettings(next, 'settings');
    } catch (error) {
      if (error instanceof SettingsError) throw new ApiFailure('bad_arguments', error.message);
      throw error;
    }
    const before = Object.fromEntries(keys.map((key) => [key, saved[key] ?? null]));
    const after = Object.fromEntries(keys.map((key) => [key, next[key] ?? null]));
    // Written and synced aside, audited (durable), then moved into place: the log never misses a change in force.
    const temporary = `${this.userFile}.${process.pid}.tmp`;
    writeDurably(temporary, `${JSON.stringify(next, null, 2)}\n`);
    try {
      await this.options.audit?.append({
        operator: actor.operator,
        role: actor.role,
        action: 'settings_changed',
        target: 'settings',
        details: { file: this.userFile, before, after },
        reason,
      });
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    renameSync(temporary, this.userFile);
    return this.view();
  }

  handlers(): Pick<MethodHandlers, 'settings.policy' | 'settings.update'> {
    const actorOf = this.options.actor ?? (() => ({ operator: 'system', role: 'admin' }));
    return {
      'settings.policy': () => this.view(),
      'settings.update': (args, caller: CallerContext) => this.update(actorOf(caller), args),
    };
  }

  /** Why `key` cannot be changed here, or null. */
  private refusal(key: string): { code: 'forbidden' | 'bad_arguments'; message: string } | null {
    const { resolved } = this.options;
    if (!isUserKey(key)) {
      return (Object.keys(SETTING_ENV_VARS) as string[]).includes(key)
        ? { code: 'forbidden', message: `"${key}" is a machine setting: only the machine policy may set it` }
        : { code: 'bad_arguments', message: `"${key}" is not a known setting` };
    }
    if (resolved.sources[key] === 'policy') {
      return {
        code: 'forbidden',
        message: `"${key}" is set by your organisation's policy${resolved.policyFile ? ` (${resolved.policyFile})` : ''}`,
      };
    }
    if (resolved.sources[key] === 'flag' || resolved.sources[key] === 'env') {
      return {
        code: 'forbidden',
        message: `"${key}" is set by ${settingSetBy(resolved, key as SettingKey)}; change it there`,
      };
    }
    return null;
  }

  /** settings.json as saved now (it may differ from what is in force until the next start). */
  private readSaved(): Record<string, unknown> {
    if (!existsSync(this.userFile)) return {};
    try {
      const value: unknown = JSON.parse(readFileSync(this.userFile, 'utf8'));
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch (error) {
      throw new ApiFailure('failed', `settings ${this.userFile} cannot be read: ${(error as Error).message}`);
    }
  }
}

function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
