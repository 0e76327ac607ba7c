// Worker-thread entry of one report job (startWorker('report', …)): runs runReportJob off the API thread and talks
// to its owner (ReportJobs in ./jobs.ts). Cancellation is a shared flag the job polls between steps (the thread's
// event loop is busy while it reads a session, so a message would arrive too late); PDFs are printed by the owner
// (Chromium page.pdf or Electron's printToPDF), asked for through messages, so no browser is loaded in here.
import { parentPort, workerData } from 'node:worker_threads';
import { installDataKeyFromWorkerData } from '../security/dataKey';
import { runReportJob, type ReportJobSpec } from './job';
import type { ReportStep } from './output';
import { ReportCancelled } from './output';
import type { PdfPrinter } from './printer';

// The data key the starter handed over, before anything opens a session or the audit log.
installDataKeyFromWorkerData(workerData);

export interface ReportWorkerData {
  spec: ReportJobSpec;
  /** Int32Array over it: [0] = 1 once the owner cancels. */
  cancelFlag: SharedArrayBuffer;
}

export type ReportWorkerMessage =
  | { type: 'step'; step: ReportStep }
  | { type: 'print'; id: number; html: string; footer: string }
  | { type: 'done'; result: Awaited<ReturnType<typeof runReportJob>> }
  | { type: 'failed'; error: string; cancelled: boolean };

export type ReportOwnerMessage =
  { type: 'printed'; id: number; pdf: Uint8Array } | { type: 'printFailed'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('the report worker must run in a worker thread');
const data = workerData as ReportWorkerData;
const flag = new Int32Array(data.cancelFlag);
const send = (message: ReportWorkerMessage) => port.postMessage(message);

const pending = new Map<number, { resolve: (pdf: Buffer) => void; reject: (error: Error) => void }>();
let nextPrint = 1;
port.on('message', (message: ReportOwnerMessage) => {
  const waiting = pending.get(message.id);
  if (!waiting) return;
  pending.delete(message.id);
  if (message.type === 'printed') waiting.resolve(Buffer.from(message.pdf));
  else waiting.reject(new Error(message.error));
});

const printer: PdfPrinter = {
  render(html, footer) {
    const id = nextPrint++;
    return new Promise<Buffer>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      send({ type: 'print', id, html, footer });
    });
  },
};

try {
  const result = await runReportJob(data.spec, {
    cancelled: () => Atomics.load(flag, 0) === 1,
    onStep: (step) => send({ type: 'step', step }),
    printer,
  });
  send({ type: 'done', result });
} catch (error) {
  send({ type: 'failed', error: (error as Error).message, cancelled: error instanceof ReportCancelled });
} finally {
  port.close();
}
