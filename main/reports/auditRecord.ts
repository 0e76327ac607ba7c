// Every finished export is written to the audit log: who, which kind, the trading day, and each file with its size
// and SHA-256, so a file handed to a regulator can later be matched to the row that says who made it.
import type { AuditLog, AuditRow } from '../store/auditLog';
import type { ReportJobResult } from './job';

export interface ExportActor {
  operator: string;
  role: string;
}

export interface ExportRecord {
  jobId: string;
  /** 'ui' (a window, through the API) or 'cli' (floorwatch report). */
  via: 'ui' | 'cli';
  input: string | null;
  out: string;
  result: ReportJobResult;
}

/** The audit target of an export: the alert of an evidence pack, the audit log, else `report:<kind>:<day>`. */
export function exportTarget(result: ReportJobResult): string {
  if (result.kind === 'evidence' && result.alertId) return `alert:${result.alertId}`;
  if (result.kind === 'audit') return 'audit_log';
  return `report:${result.kind}:${result.tradingDay}`;
}

export function recordExport(audit: AuditLog, who: ExportActor, record: ExportRecord): AuditRow {
  const { result } = record;
  return audit.append({
    operator: who.operator,
    role: who.role,
    action: 'export',
    target: exportTarget(result),
    details: {
      jobId: record.jobId,
      kind: result.kind,
      tradingDay: result.tradingDay,
      via: record.via,
      input: record.input,
      inputSha256: result.inputSha256,
      ...(result.alertId ? { alertId: result.alertId } : {}),
      ...(result.auditHead ? { headId: result.auditHead.id, headHash: result.auditHead.hash } : {}),
      out: record.out,
      files: result.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
    },
  });
}
