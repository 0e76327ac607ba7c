// The `reports` API group (shared/api/methods/reports.ts) for a composition root (`floorwatch host`, Electron main):
// turns a window's request into a report job (which session, where to, which languages), refuses kinds the policy's
// exportKinds leaves out and the audit export for roles that may not read the audit log, and lists the exports.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TopicSource } from '../api/dispatcher';
import { ApiFailure, type CallerContext, type MethodHandlers } from '../api/dispatcher';
import type { ReportExport, ReportKind, ReportStartArgs } from '../../shared/api/methods/reports';
import type { HealthSnapshot } from '../../shared/domain/types';
import { authorize, isRole, isSupervisor } from '../auth/permissions';
import type { AuditLog } from '../store/auditLog';
import { SESSION_FILE_EXTENSION } from '../store/sessionFormat';
import { ALL_EXPORT_KINDS, type ExportKindsView } from './exportPolicy';
import { sha256File, STAGING_PREFIX } from './job';
import { ReportJobs, ReportJobsBusy } from './jobs';
import type { ExportActor } from './auditRecord';
import type { PdfPrinterFactory } from './printer';

export type ReportMethods = 'reports.start' | 'reports.jobs' | 'reports.cancel' | 'reports.exports' | 'reports.deliver';

/**
 * How this transport hands a finished export to the operator (Electron: open it or show it in its folder; the host:
 * a download URL). `file` is an absolute path already checked to be a finished export; `folder` for evidence packs
 * written as folders.
 */
export type ExportDelivery = (
  file: string,
  how: 'open' | 'reveal' | 'download',
  folder: boolean,
) => Promise<{ opened: boolean; url?: string }> | { opened: boolean; url?: string };

/** What the service needs of the workstation (main/review/workstation.ts Workstation). */
export interface ReportSessionSource extends TopicSource {
  readonly mode: 'live' | 'review';
  /** In review: the reviewed session file. */
  readonly feedUrl: string;
}

export interface ReportServicesOptions {
  /** The data folder's audit log: read for dispositions and the audit export, appended with every export. */
  audit: AuditLog;
  auditFile: string;
  /** Who is calling (AuthService.requireActor). */
  actor: (caller: CallerContext) => ExportActor;
  workstation: ReportSessionSource;
  sessionsDir: string;
  /** Default output folder (`<data dir>/exports`). */
  exportsDir: string;
  exportKinds?: ExportKindsView;
  /** The user rules file the live core runs with (reports use the same rules). */
  rulesFile?: () => string | undefined;
  openPrinter: PdfPrinterFactory | null;
  /** The existing `audit.export` handler (auth): given, it is returned wrapped in the exportKinds check. */
  auditExport?: MethodHandlers['audit.export'];
  log?: (line: string) => void;
  /** Tests: run jobs in this thread. */
  run?: 'worker' | 'inline';
  /** Open/show/download a finished export; absent: `reports.deliver` answers unavailable. */
  deliver?: ExportDelivery;
}

export interface ReportServices {
  /** The reports group, plus `audit.export` guarded by exportKinds when `auditExport` was given. */
  services: Pick<MethodHandlers, ReportMethods> & Partial<Pick<MethodHandlers, 'audit.export'>>;
  jobs: ReportJobs;
  /** Cancels running jobs, waits for them, stops following the live session. */
  stop(): Promise<void>;
}

export function exportsFolder(dataDir: string): string {
  return path.join(dataDir, 'exports');
}

export function createReportServices(options: ReportServicesOptions): ReportServices {
  const kinds = options.exportKinds ?? ALL_EXPORT_KINDS;
  const auditExport = options.auditExport;
  const sessionsDir = path.resolve(options.sessionsDir);
  const jobs = new ReportJobs({
    audit: options.audit,
    openPrinter: options.openPrinter,
    run: options.run,
    log: options.log,
  });
  // The live core's recorder names the session file it writes in the health row.
  let liveFile: string | null = null;
  const unfollow = options.workstation.subscribe('health', (update) => {
    const file = (update.rows[0] as HealthSnapshot | undefined)?.recorder?.file;
    if (file && options.workstation.mode === 'live') liveFile = file;
  });
  const hashes = new Map<string, { size: number; mtime: number; sha256: string }>();

  const currentSession = (): string => {
    if (options.workstation.mode === 'review' && options.workstation.feedUrl) return options.workstation.feedUrl;
    if (liveFile && existsSync(liveFile)) return liveFile;
    const newest = sessionFiles(sessionsDir)[0];
    if (!newest)
      throw new ApiFailure('failed', 'no session is being recorded yet and none is saved: nothing to report on');
    return newest;
  };

  const sessionOf = (requested: string | undefined): string => {
    if (requested === undefined || requested === 'current') return currentSession();
    const resolved = path.resolve(sessionsDir, requested);
    const reviewed = options.workstation.mode === 'review' ? path.resolve(options.workstation.feedUrl) : null;
    if (!resolved.startsWith(sessionsDir + path.sep) && resolved !== reviewed) {
      throw new ApiFailure(
        'bad_arguments',
        `only sessions in ${sessionsDir} (or the one under review) can be reported on`,
      );
    }
    if (!existsSync(resolved)) throw new ApiFailure('bad_arguments', `no session file ${resolved}`);
    return resolved;
  };

  const outOf = (requested: string | undefined): string => {
    if (requested === undefined) return options.exportsDir;
    if (!path.isAbsolute(requested))
      throw new ApiFailure('bad_arguments', 'the output folder must be an absolute path');
    let isDir = false;
    try {
      isDir = statSync(requested).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new ApiFailure('bad_arguments', `the output folder ${requested} does not exist`);
    return requested;
  };

  const start = (args: ReportStartArgs, caller: CallerContext) => {
    const who = options.actor(caller);
    const kind: ReportKind = args.kind;
    const refusal = kinds.refusal(kind);
    if (refusal) throw new ApiFailure('forbidden', refusal);
    if (kind === 'audit' && !(isRole(who.role) && authorize(who.role, 'audit.export'))) {
      throw new ApiFailure('forbidden', 'the audit export is for supervisors, admins and auditors');
    }
    if (kind === 'evidence' && !args.alertId)
      throw new ApiFailure('bad_arguments', 'an evidence pack needs an alert id');
    if (kind !== 'evidence' && args.alertId)
      throw new ApiFailure('bad_arguments', 'only an evidence pack takes an alert id');
    const input = kind === 'audit' ? null : sessionOf(args.session);
    try {
      const job = jobs.start(
        {
          kind,
          input,
          out: outOf(args.out),
          langs: args.langs ?? ['en'],
          alertId: args.alertId,
          auditFile: options.auditFile,
          rulesFile: options.rulesFile?.() ?? null,
          pdf: args.pdf ?? true,
          zip: kind === 'evidence',
          auditFormat: args.format,
        },
        who,
      );
      return { jobId: job.id };
    } catch (error) {
      if (error instanceof ReportJobsBusy) throw new ApiFailure('unavailable', error.message);
      throw error;
    }
  };

  const listExports = async (): Promise<ReportExport[]> => {
    const dir = options.exportsDir;
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.startsWith('floorwatch-') && !name.startsWith(STAGING_PREFIX));
    } catch {
      return [];
    }
    const out: ReportExport[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      const stat = statSync(file, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        const bytes = readdirSync(file).reduce(
          (sum, inner) => sum + (statSync(path.join(file, inner), { throwIfNoEntry: false })?.size ?? 0),
          0,
        );
        out.push({ name, path: file, bytes, modifiedAt: stat.mtimeMs, sha256: null, folder: true });
        continue;
      }
      const cached = hashes.get(file);
      let sha256 = cached && cached.size === stat.size && cached.mtime === stat.mtimeMs ? cached.sha256 : null;
      if (!sha256) {
        sha256 = await sha256File(file);
        hashes.set(file, { size: stat.size, mtime: stat.mtimeMs, sha256 });
      }
      out.push({ name, path: file, bytes: stat.size, modifiedAt: stat.mtimeMs, sha256, folder: false });
    }
    return out.sort((a, b) => b.modifiedAt - a.modifiedAt || (a.name < b.name ? -1 : 1)).slice(0, 500);
  };

  return {
    jobs,
    services: {
      'reports.start': start,
      'reports.jobs': () => ({
        jobs: jobs.list(),
        allowedKinds: [...kinds.allowed],
        kindsLocked: kinds.locked,
        exportsDir: options.exportsDir,
      }),
      'reports.cancel': (args, caller) => {
        const who = options.actor(caller);
        const job = jobs.get(args.jobId);
        if (!job) throw new ApiFailure('bad_arguments', `no report job ${args.jobId}`);
        if (job.operator !== who.operator && !(isRole(who.role) && isSupervisor(who.role))) {
          throw new ApiFailure('forbidden', `job ${args.jobId} was started by ${job.operator}`);
        }
        return { cancelled: jobs.cancel(args.jobId) };
      },
      'reports.exports': () => listExports(),
      'reports.deliver': (args, caller) => {
        const who = options.actor(caller);
        if (!options.deliver) throw new ApiFailure('unavailable', 'exports cannot be opened from this window');
        const name = args.name;
        // Only a finished export at the top of the exports folder: no path separators, no staging files.
        if (!name.startsWith('floorwatch-') || name.startsWith(STAGING_PREFIX) || /[\\/]|^\.\.?$/.test(name)) {
          throw new ApiFailure('bad_arguments', `"${name.slice(0, 80)}" is not a finished export`);
        }
        const file = path.join(options.exportsDir, name);
        const stat = statSync(file, { throwIfNoEntry: false });
        if (!stat) throw new ApiFailure('bad_arguments', `no export ${name} in ${options.exportsDir}`);
        if (name.startsWith('floorwatch-audit-') && !(isRole(who.role) && authorize(who.role, 'audit.export'))) {
          throw new ApiFailure('forbidden', 'the audit export is for supervisors, admins and auditors');
        }
        if (args.how === 'download' && stat.isDirectory()) {
          throw new ApiFailure('bad_arguments', `${name} is a folder: download its files from the job's list`);
        }
        return options.deliver(file, args.how, stat.isDirectory());
      },
      ...(auditExport ? { 'audit.export': guardedAuditExport(auditExport, kinds) } : {}),
    },
    async stop() {
      unfollow();
      await jobs.stop();
    },
  };
}

/** `audit.export` (the audit log handed to the window as text) refused when the policy leaves out "audit". */
function guardedAuditExport(
  handler: MethodHandlers['audit.export'],
  kinds: ExportKindsView,
): MethodHandlers['audit.export'] {
  return (args, caller) => {
    const refusal = kinds.refusal('audit');
    if (refusal) throw new ApiFailure('forbidden', refusal);
    return handler(args, caller);
  };
}

/** Session files of the folder, newest name first (names start with the trading day). */
function sessionFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(SESSION_FILE_EXTENSION))
      .sort()
      .reverse()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}
