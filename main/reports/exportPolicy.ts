// The policy's `exportKinds` (issue 9) applied to the exports (reports, the audit log, session NDJSON): which report kinds may be exported and,
// for a refused one, one message naming the setting and who set it (policy file, environment variable, settings).
import type { ReportKind } from '../../shared/api/methods/reports';
import type { ExportKind } from '../policy/schema';
import { settingSetBy, type ResolvedSettings } from '../policy/settings';

export interface ExportKindsView {
  allowed: ReportKind[];
  /** The machine policy sets exportKinds: the UI says "set by your organisation". */
  locked: boolean;
  /** Why `kind` is refused, or null when it is allowed. */
  refusal(kind: ExportKind): string | null;
}

export function exportKindsOf(resolved: ResolvedSettings): ExportKindsView {
  const kinds = resolved.values.exportKinds as readonly string[];
  const source = resolved.sources.exportKinds;
  const who = settingSetBy(resolved, 'exportKinds');
  const allowed = (['daily', 'abnormal', 'evidence', 'audit'] as const).filter((kind) => kinds.includes(kind));
  return {
    allowed,
    locked: source === 'policy',
    refusal: (kind) =>
      kinds.includes(kind)
        ? null
        : `"${kind}" exports are not allowed: "exportKinds" is set by ${who} to ${kinds.length ? kinds.join(', ') : 'none'}`,
  };
}

/** Every kind allowed (tests, and callers without settings). */
export const ALL_EXPORT_KINDS: ExportKindsView = {
  allowed: ['daily', 'abnormal', 'evidence', 'audit'],
  locked: false,
  refusal: () => null,
};
