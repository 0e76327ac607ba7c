// Worker-thread entry of the journal (like Signal's SQL worker): owns one SessionJournal and its SQLite connection,
// so compression and disk writes never run on the thread that decodes the feed. Protocol: journalWorker.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { installDataKeyFromWorkerData } from '../security/dataKey';
import { SessionJournal, type JournalHealth } from './journal';
import type { JournalWorkerData, JournalWorkerReply, JournalWorkerRequest } from './journalWorker';

// The data key the starter handed over, before anything opens a session or the audit log.
installDataKeyFromWorkerData(workerData);

const port = parentPort;
if (!port) throw new Error('journalWorkerMain must run in a worker thread');
const data = workerData as JournalWorkerData;
const HEALTH_EVERY_MS = 250;
let lastHealthAt = 0;

const post = (reply: JournalWorkerReply) => port.postMessage(reply);
const journal = new SessionJournal(data.file, {
  ...data.options,
  onProblem: (problem) => post({ type: 'problem', problem }),
  onRecovered: (health) => post({ type: 'recovered', health }),
});

function progress(force = false): void {
  const now = Date.now();
  if (!force && now - lastHealthAt < HEALTH_EVERY_MS) return;
  lastHealthAt = now;
  post({ type: 'health', health: journal.health() });
}

port.on('message', (request: JournalWorkerRequest) => {
  switch (request.type) {
    case 'append':
      journal.appendEncoded(request.batch);
      post({ type: 'ack', messages: request.batch.seqs.length });
      progress();
      break;
    case 'gap':
      journal.recordGap(request.fromSeq, request.toSeq, request.reason);
      break;
    case 'auditAnchor':
      journal.recordAuditAnchor(request.head);
      break;
    case 'flush': {
      journal.flush();
      post({ type: 'flushed', id: request.id, health: journal.health() });
      break;
    }
    case 'close': {
      clearInterval(healthTimer);
      const health: JournalHealth = journal.close();
      post({ type: 'closed', health });
      port.close();
      break;
    }
  }
});
// Health also refreshes while the feed is quiet (timed flushes, retries after a disk problem).
const healthTimer = setInterval(() => progress(true), HEALTH_EVERY_MS);
progress(true);
