// API of the workstation's settings as resolved from the machine-wide policy, environment, user settings and
// defaults: the UI shows locked keys read-only, "set by your organisation". Owner: packaging and policy (issue 9).
import { Type } from '@sinclair/typebox';
import { method } from '../method';

export type SettingSourceName = 'policy' | 'env' | 'user' | 'default';

export type { DiskHealth } from '../../domain/types';

export interface PolicyView {
  /** The policy file in force, or null when the machine has none. */
  policyFile: string | null;
  /** Every setting's effective value, by key (feedUrls, dataDir, retentionDays, idleLockMinutes, …). */
  values: Record<string, unknown>;
  sources: Record<string, SettingSourceName>;
  /** Keys set by the policy: read-only in the UI, "set by your organisation". */
  locked: string[];
}

export const settingsApiMethods = {
  'settings.policy': method(Type.Object({}), Type.Unsafe<PolicyView>(Type.Object({}))),
} as const;
