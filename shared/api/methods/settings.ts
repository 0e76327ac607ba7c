// API of the workstation's settings as resolved from the machine-wide policy, environment, user settings and
// defaults: the UI shows locked keys read-only, "set by your organisation". Owner: packaging and policy (issue 9).
import { Type } from '@sinclair/typebox';
import { method } from '../method';

/** Where a setting in force came from: machine policy, a command-line flag, an environment variable, the user's
 * settings.json or the defaults. */
export type SettingSourceName = 'policy' | 'flag' | 'env' | 'user' | 'default';

export type { DiskHealth } from '../../domain/types';

export interface PolicyView {
  /** The policy file in force, or null when the machine has none. */
  policyFile: string | null;
  /** Every setting's effective value, by key (feedUrls, dataDir, retentionDays, idleLockMinutes, …). */
  values: Record<string, unknown>;
  sources: Record<string, SettingSourceName>;
  /** Keys set by the policy: read-only in the UI, "set by your organisation". */
  locked: string[];
  /** The data folder's settings.json (whether it exists yet or not). */
  userFile: string;
  /** Keys an admin may change here now (user-level keys neither the policy nor an environment variable sets). */
  editable: string[];
  /** Saved in settings.json but not yet in force (settings apply at the next start), by key; null = back to default. */
  pending: Record<string, unknown>;
}

/** Keys a workstation's own settings may set; the rest (data folder, what may run or be exported) is IT's policy. */
export const USER_SETTING_KEYS = [
  'feedUrls',
  'feedCaFile',
  'retentionDays',
  'idleLockMinutes',
  'diskWarningFreePercent',
] as const;
export type UserSettingKey = (typeof USER_SETTING_KEYS)[number];

export const settingsApiMethods = {
  'settings.policy': method(Type.Object({}), Type.Unsafe<PolicyView>(Type.Object({}))),
  /**
   * Saves user settings (admin, audited) into the data folder's settings.json; null removes a key (back to the
   * default). Checked against the same schema as the file; a key the policy or an environment variable sets is
   * refused. Applies at the next start (the result's `pending`).
   */
  'settings.update': method(
    Type.Object({
      changes: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 16 }),
      reason: Type.String({ minLength: 1, maxLength: 1000 }),
    }),
    Type.Unsafe<PolicyView>(Type.Object({})),
  ),
} as const;
