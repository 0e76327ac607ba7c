// Report jobs of the running app (host or Electron): each runs in its own worker thread (startWorker('report')), so
// reading a session and writing the files never block the API thread; the window polls `jobs()` for progress. Cancel
// sets the job's shared flag (the job stops at its next step and removes its staging folder); a worker that has not
// stopped after a grace period is terminated and its staging folder removed here. A finished job's files are written
// to the audit log with their SHA-256 before the job shows as done.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { ReportFile, ReportJob } from '../../shared/api/methods/reports';
import type { AuditLog } from '../store/auditLog';
import { startWorker } from '../util/workers';
import { recordExport, type ExportActor } from './auditRecord';
import { runReportJob, stagingDir, type ReportJobResult, type ReportJobSpec } from './job';
import { ReportCancelled, type ReportStep } from './output';
import type { OwnedPdfPrinter, PdfPrinterFactory } from './printer';
import type { ReportOwnerMessage, ReportWorkerData, ReportWorkerMessage } from './worker';

export interface ReportJobsOptions {
  /** Where finished exports are recorded (null: not audited, e.g. a test without a log). */
  audit: AuditLog | null;
  /** Opens a PDF printer for a job that prints (null: PDFs are skipped). */
  openPrinter: PdfPrinterFactory | null;
  /** 'worker' (default): a worker thread per job; 'inline': in this thread (tests). */
  run?: 'worker' | 'inline';
  /** Jobs allowed at once; more are refused (CPU and memory of a trading-floor PC). */
  maxRunning?: number;
  /** After cancel, how long a worker may take to stop by itself before it is terminated. */
  cancelGraceMs?: number;
  /** Finished jobs kept in the list. */
  keepFinished?: number;
  log?: (line: string) => void;
}

export class ReportJobsBusy extends Error {}

interface Running {
  view: ReportJob;
  spec: ReportJobSpec;
  who: ExportActor;
  cancelFlag: Int32Array;
  worker: Worker | null;
  printer: Promise<OwnedPdfPrinter> | null;
  done: Promise<void>;
}

export class ReportJobs {
  private readonly jobs = new Map<string, Running>();
  private readonly order: string[] = [];
  private readonly log: (line: string) => void;
  private stopped = false;

  constructor(private readonly options: ReportJobsOptions) {
    this.log = options.log ?? (() => {});
  }

  /** Starts `spec` (its jobId is replaced by a fresh one) for `who`; returns the job as listed. */
  start(spec: Omit<ReportJobSpec, 'jobId'>, who: ExportActor): ReportJob {
    if (this.stopped) throw new ReportJobsBusy('the app is stopping');
    const running = [...this.jobs.values()].filter((job) => job.view.state === 'running').length;
    const max = this.options.maxRunning ?? 2;
    if (running >= max) {
      throw new ReportJobsBusy(`${running} exports are running; wait for one to finish or cancel one`);
    }
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const full: ReportJobSpec = { ...spec, jobId: id };
    const view: ReportJob = {
      id,
      kind: spec.kind,
      state: 'running',
      operator: who.operator,
      session: spec.input,
      alertId: spec.alertId ?? null,
      langs: spec.langs,
      out: spec.out,
      tradingDay: null,
      startedAt: Date.now(),
      finishedAt: null,
      fraction: 0,
      step: 'starting',
      files: [],
      error: null,
    };
    const job: Running = {
      view,
      spec: full,
      who,
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      worker: null,
      printer: null,
      done: Promise.resolve(),
    };
    this.jobs.set(id, job);
    this.order.push(id);
    this.trim();
    job.done = this.execute(job);
    return structuredClone(view);
  }

  /** Every job of this run, newest first. */
  list(): ReportJob[] {
    return [...this.order]
      .reverse()
      .map((id) => this.jobs.get(id))
      .filter((job): job is Running => job !== undefined)
      .map((job) => structuredClone(job.view));
  }

  get(id: string): ReportJob | null {
    const job = this.jobs.get(id);
    return job ? structuredClone(job.view) : null;
  }

  /** Cancels a running job: true when it was running. It shows as cancelled once its files are removed. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.view.state !== 'running') return false;
    Atomics.store(job.cancelFlag, 0, 1);
    job.view.step = 'cancelling';
    const worker = job.worker;
    if (worker) {
      const timer = setTimeout(() => {
        this.log(`report job ${id}: did not stop within the grace period; terminating its worker`);
        void worker.terminate();
      }, this.options.cancelGraceMs ?? 5_000);
      timer.unref();
      void job.done.finally(() => clearTimeout(timer));
    }
    return true;
  }

  /** Resolves once the job has finished (any end state). */
  async settled(id: string): Promise<ReportJob | null> {
    await this.jobs.get(id)?.done;
    return this.get(id);
  }

  /** Cancels every running job and waits for them (the composition root calls this before closing the audit log). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs.values()) this.cancel(job.view.id);
    await Promise.allSettled([...this.jobs.values()].map((job) => job.done));
  }

  private trim(): void {
    const keep = this.options.keepFinished ?? 50;
    while (this.order.length > keep) {
      const oldest = this.order.find((id) => this.jobs.get(id)?.view.state !== 'running');
      if (!oldest) return;
      this.order.splice(this.order.indexOf(oldest), 1);
      this.jobs.delete(oldest);
    }
  }

  private onStep(job: Running, step: ReportStep): void {
    if (job.view.state !== 'running' || job.view.step === 'cancelling') return;
    if (step.fraction !== null) job.view.fraction = Math.max(job.view.fraction ?? 0, step.fraction);
    else if (step.phase === 'reading') job.view.fraction = null;
    job.view.step = step.detail;
  }

  private async execute(job: Running): Promise<void> {
    let result: ReportJobResult;
    try {
      result = this.options.run === 'inline' ? await this.runInline(job) : await this.runWorker(job);
    } catch (error) {
      // A terminated worker may leave its staging folder: remove it here (the job removes it when it stops itself).
      rmSync(stagingDir(job.spec.out, job.spec.jobId), { recursive: true, force: true });
      const cancelled = error instanceof ReportCancelled || Atomics.load(job.cancelFlag, 0) === 1;
      job.view.state = cancelled ? 'cancelled' : 'failed';
      job.view.error = cancelled ? null : (error as Error).message;
      job.view.step = cancelled ? 'cancelled: nothing was kept' : 'failed';
      job.view.finishedAt = Date.now();
      if (!cancelled) this.log(`report job ${job.view.id} (${job.view.kind}) failed: ${(error as Error).message}`);
      return;
    } finally {
      await this.closePrinter(job);
    }
    try {
      if (this.options.audit) {
        recordExport(this.options.audit, job.who, {
          jobId: job.view.id,
          via: 'ui',
          input: job.spec.input,
          out: job.spec.out,
          result,
        });
      }
    } catch (error) {
      // An export nobody can account for must not be handed out: remove it and say why.
      for (const file of result.files) rmSync(file.path, { force: true });
      job.view.state = 'failed';
      job.view.error = `the export could not be written to the audit log, so it was removed: ${(error as Error).message}`;
      job.view.finishedAt = Date.now();
      return;
    }
    const files: ReportFile[] = result.files.map((f) => ({ ...f }));
    Object.assign(job.view, {
      state: 'done',
      tradingDay: result.tradingDay,
      alertId: result.alertId,
      files,
      fraction: 1,
      step: `${files.length} files written`,
      finishedAt: Date.now(),
    } satisfies Partial<ReportJob>);
  }

  private printerOf(job: Running): Promise<OwnedPdfPrinter> {
    if (!this.options.openPrinter) return Promise.reject(new Error('no PDF printer is available'));
    job.printer ??= this.options.openPrinter();
    return job.printer;
  }

  private async closePrinter(job: Running): Promise<void> {
    const printer = job.printer;
    job.printer = null;
    if (!printer) return;
    await printer.then(
      (owned) => owned.close(),
      () => {},
    );
  }

  private runInline(job: Running): Promise<ReportJobResult> {
    return runReportJob(
      { ...job.spec, pdf: job.spec.pdf && this.options.openPrinter !== null },
      {
        cancelled: () => Atomics.load(job.cancelFlag, 0) === 1,
        onStep: (step) => this.onStep(job, step),
        printer: { render: (html, footer) => this.printerOf(job).then((p) => p.render(html, footer)) },
      },
    );
  }

  private runWorker(job: Running): Promise<ReportJobResult> {
    const data: ReportWorkerData = {
      spec: { ...job.spec, pdf: job.spec.pdf && this.options.openPrinter !== null },
      cancelFlag: job.cancelFlag.buffer as SharedArrayBuffer,
    };
    const worker = startWorker('report', data as unknown as Record<string, unknown>);
    job.worker = worker;
    return new Promise<ReportJobResult>((resolve, reject) => {
      let outcome: { ok: true; result: ReportJobResult } | { ok: false; error: Error } | null = null;
      const reply = (message: ReportOwnerMessage) => worker.postMessage(message);
      worker.on('message', (message: ReportWorkerMessage) => {
        switch (message.type) {
          case 'step':
            this.onStep(job, message.step);
            break;
          case 'print':
            this.printerOf(job)
              .then((printer) => printer.render(message.html, message.footer))
              .then(
                (pdf) => reply({ type: 'printed', id: message.id, pdf: new Uint8Array(pdf) }),
                (error: Error) => reply({ type: 'printFailed', id: message.id, error: error.message }),
              );
            break;
          case 'done':
            outcome = { ok: true, result: message.result };
            break;
          case 'failed':
            outcome = { ok: false, error: message.cancelled ? new ReportCancelled() : new Error(message.error) };
            break;
        }
      });
      worker.once('error', (error) => {
        outcome ??= { ok: false, error };
      });
      worker.once('exit', (code) => {
        job.worker = null;
        if (outcome?.ok) resolve(outcome.result);
        else reject(outcome?.error ?? new Error(`the report worker stopped (exit code ${code}) without a result`));
      });
    });
  }
}
