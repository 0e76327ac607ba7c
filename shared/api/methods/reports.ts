// API of compliance exports (issue 8): report jobs (daily surveillance report, abnormal-trading report, evidence
// pack of one alert, audit log export) run on the main side off the API thread; the Reports window starts one,
// polls `reports.jobs` (~2 Hz) for progress, may cancel it, and lists the finished exports with their SHA-256.
// Every finished export is written to the audit log. Owner: reports (issue 8).
import { Type, type Static } from '@sinclair/typebox';
import { method } from '../method';

export const REPORT_KINDS = ['daily', 'abnormal', 'evidence', 'audit'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_LANGUAGES = ['en', 'zh-CN'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];
export const REPORT_JOB_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
export type ReportJobState = (typeof REPORT_JOB_STATES)[number];

/** One written file: `name` relative to the job's output folder (an evidence pack's files are `<pack>/<file>`). */
export interface ReportFile {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
}

export interface ReportJob {
  id: string;
  kind: ReportKind;
  state: ReportJobState;
  /** Operator who started it. */
  operator: string;
  /** The session file reported on (null for the audit export). */
  session: string | null;
  alertId: string | null;
  langs: ReportLanguage[];
  /** Output folder. */
  out: string;
  /** Known once the session is read. */
  tradingDay: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** 0..1 of the whole job; null while not measurable (an NDJSON input's length is not known beforehand). */
  fraction: number | null;
  /** What it is doing now ("120000 messages read", a file name…). */
  step: string;
  /** Written files (when done), with SHA-256 as recorded in the audit log. */
  files: ReportFile[];
  error: string | null;
}

/** A file or pack in the exports folder. */
export interface ReportExport {
  name: string;
  path: string;
  /** A file's size; a pack folder's total. */
  bytes: number;
  modifiedAt: number;
  /** SHA-256 of a file (null for a folder: its manifest lists its files). */
  sha256: string | null;
  folder: boolean;
}

const ReportKindSchema = Type.Union(REPORT_KINDS.map((kind) => Type.Literal(kind)));
const LangSchema = Type.Union(REPORT_LANGUAGES.map((lang) => Type.Literal(lang)));

export const ReportStartSchema = Type.Object({
  kind: ReportKindSchema,
  /** 'current' (default): the live session being recorded, or the session under review; else a session file name
   *  from `sessions.list` (inside the sessions folder). Ignored for the audit export. */
  session: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  /** Evidence pack: the alert id. */
  alertId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  langs: Type.Optional(Type.Array(LangSchema, { minItems: 1, maxItems: 2, uniqueItems: true })),
  /** An existing absolute folder; default the data folder's exports folder. */
  out: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  /** Audit export format (default csv). */
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('ndjson')])),
  /** Print PDFs (default true). */
  pdf: Type.Optional(Type.Boolean()),
});
export type ReportStartArgs = Static<typeof ReportStartSchema>;

export interface ReportJobsView {
  jobs: ReportJob[];
  /** Kinds the policy allows (the others are disabled, "set by your organisation" when the policy locks them). */
  allowedKinds: ReportKind[];
  /** True when the machine policy sets exportKinds. */
  kindsLocked: boolean;
  exportsDir: string;
}

export const reportApiMethods = {
  'reports.start': method(ReportStartSchema, Type.Object({ jobId: Type.String() })),
  'reports.jobs': method(Type.Object({}), Type.Unsafe<ReportJobsView>(Type.Object({}))),
  'reports.cancel': method(
    Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 64 }) }),
    Type.Object({ cancelled: Type.Boolean() }),
  ),
  'reports.exports': method(Type.Object({}), Type.Array(Type.Unsafe<ReportExport>(Type.Object({})))),
  /**
   * Hands a finished export (a name from `reports.exports`) to the operator: in the app `open` (default program) or
   * `reveal` (show in its folder); in the host `download` answers a short-lived URL served with the file as an
   * attachment. The audit log export goes only to roles that may read the audit log.
   */
  'reports.deliver': method(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 255 }),
      how: Type.Union([Type.Literal('open'), Type.Literal('reveal'), Type.Literal('download')]),
    }),
    Type.Object({ opened: Type.Boolean(), url: Type.Optional(Type.String()) }),
  ),
} as const;
