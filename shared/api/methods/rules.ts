// API of the surveillance thresholds: the effective rules file, what-if runs over a saved session, and adopting new
// thresholds (a supervisor action, audited). Owner: the alerts work (issue 5, What-if tuning).
import { Type } from '@sinclair/typebox';
import type { RulesConfig } from '../../rules/config';
import type { RuleId, Severity } from '../../rules/types';
import { method } from '../method';

/** A partial rules file (the shape of a user rules file: any subset of the default), validated on the main side. */
export type RulesOverrides = Record<string, unknown>;

export interface RulesInfo {
  /** Version of the effective thresholds, e.g. `2026.11.1+u3`. */
  version: string;
  /** Where the numbers came from (the shipped default, the user file). */
  sources: string[];
  config: RulesConfig;
  /** The user rules file in the data folder (null when this workstation has none). */
  userFile: string | null;
  /** Its content: the thresholds adopted over the default (null when none). */
  overrides: RulesOverrides | null;
  /** Why the user file was not used, if it was unreadable. */
  problem: string | null;
}

/** One alert of a what-if run, enough to list it. */
export interface WhatIfAlertRef {
  id: string;
  rule: RuleId;
  subjectId: string;
  instrumentId: string | null;
  severity: Severity;
  count: number | null;
  threshold: number | null;
  message: string;
}

export interface WhatIfSide {
  version: string;
  total: number;
  byRule: Record<RuleId, number>;
}

export interface WhatIfResult {
  file: string;
  sessionId: string;
  tradingDay: string;
  /** Messages replayed. */
  messages: number;
  elapsedMs: number;
  current: WhatIfSide;
  proposed: WhatIfSide;
  /** Per rule, side by side. */
  rules: { rule: RuleId; current: number; proposed: number; delta: number }[];
  /** Alerts only the proposed thresholds raise / only the current ones raise (first LIST_LIMIT each). */
  appeared: WhatIfAlertRef[];
  disappeared: WhatIfAlertRef[];
  appearedTotal: number;
  disappearedTotal: number;
}

const Overrides = Type.Unsafe<RulesOverrides>(Type.Object({}));
const File = Type.String({ minLength: 1, maxLength: 4096 });

export const rulesApiMethods = {
  'rules.get': method(Type.Object({}), Type.Unsafe<RulesInfo>(Type.Object({}))),
  /** Re-runs surveillance over a saved session (default: the current one) with `overrides` merged over the current thresholds. */
  'rules.whatIf': method(
    Type.Object({ file: Type.Optional(File), overrides: Overrides }),
    Type.Unsafe<WhatIfResult>(Type.Object({})),
  ),
  /** Adopts `overrides` (merged over the current user file): supervisor/admin only, audited, applied from then on. */
  'rules.adopt': method(
    Type.Object({ overrides: Overrides, reason: Type.String({ minLength: 1, maxLength: 1000 }) }),
    Type.Unsafe<RulesInfo & { appliedToCore: boolean }>(Type.Object({})),
  ),
} as const;
