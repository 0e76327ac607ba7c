// The live core's session recorder: every sequenced message the feed client accepts goes, encoded as a binary
// record on the feed thread (no JSON is made), to a JournalWorker (SQLite in its own thread) writing `<dataDir>/sessions/<day>-<session>.fwsession`.
// The file is opened on the first hello (it is named after the session) and continued when it exists (a restarted
// core re-reads the session from seq 1; the journal drops what it already holds). Unrecoverable feed gaps are
// recorded as gaps. The recorder never stops the live view: disk trouble is reported once through `onProblem` and
// shows in `health()` (what was not recorded, the last error, `alarm`).
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HelloMessage, SequencedMessage } from '../../shared/protocol';
import type { RecorderHealth } from '../../shared/domain/types';
import type { AuditHeadAnchor } from '../store/auditAnchors';
import type { JournalHealth, JournalProblem } from '../store/journal';
import { JournalWorker } from '../store/journalWorker';
import type { CoreRecordingOptions } from './messages';

export const SESSIONS_FOLDER = 'sessions';
export const SESSION_FILE_EXTENSION = '.fwsession';

/** `<dataDir>/sessions/<tradingDay>-<sessionId>.fwsession`, the session id made safe for any file system. */
export function sessionFilePath(dataDir: string, tradingDay: string, sessionId: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return path.join(dataDir, SESSIONS_FOLDER, `${safe(tradingDay)}-${safe(sessionId)}${SESSION_FILE_EXTENSION}`);
}

export interface SessionRecorderOptions extends CoreRecordingOptions {
  /** Once per outage (disk full, unwritable…) and when writing works again (`null`). */
  onProblem?: (problem: JournalProblem | null) => void;
}

/** How often the file size is read for the health row, ms. */
const SIZE_EVERY_MS = 1_000;

export class LiveSessionRecorder {
  private journal: JournalWorker | null = null;
  private sessionId: string | null = null;
  private lastError: string | null = null;
  private closed: JournalHealth | null = null;
  private dbBytes = 0;
  private sizeAt = 0;
  private readonly closing = new Set<Promise<JournalHealth>>();
  /** The newest audit head the main side reported: anchored in every session file this recorder opens. */
  private auditHead: AuditHeadAnchor | null = null;

  constructor(private readonly options: SessionRecorderOptions) {}

  get file(): string | null {
    return this.journal?.file ?? null;
  }

  /** On every hello: opens the session's file the first time (and a new one when the session changed). */
  onHello(hello: HelloMessage): void {
    if (this.sessionId === hello.sessionId && this.journal) return;
    void this.closeJournal(); // the old session's file finishes in its own thread; close() waits for it
    this.sessionId = hello.sessionId;
    const file = sessionFilePath(this.options.dataDir, hello.tradingDay, hello.sessionId);
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (error) {
      // The journal reports the folder as unwritable itself (and retries): note the cause here.
      this.lastError = `cannot create ${path.dirname(file)}: ${(error as Error).message}`;
    }
    let exists = false;
    try {
      exists = statSync(file).isFile();
    } catch {
      exists = false;
    }
    this.journal = JournalWorker.start(file, {
      session: { sessionId: hello.sessionId, tradingDay: hello.tradingDay, source: hello.source },
      mode: exists ? 'append' : 'create',
      createdBy: 'core',
      ...(this.options.journalWorkerFile ? { workerFile: this.options.journalWorkerFile } : {}),
      ...(this.options.maxPageCount !== undefined ? { maxPageCount: this.options.maxPageCount } : {}),
      onProblem: (problem) => {
        this.lastError = problem.message;
        this.options.onProblem?.(problem);
      },
      onRecovered: () => this.options.onProblem?.(null),
    });
    if (this.auditHead) this.journal.recordAuditAnchor(this.auditHead);
  }

  /** The audit chain moved: its head is anchored in the session file being recorded (with the next flush). */
  anchorAuditHead(head: AuditHeadAnchor): void {
    if (this.auditHead && this.auditHead.id > head.id) return;
    this.auditHead = head;
    this.journal?.recordAuditAnchor(head);
  }

  /** A batch the feed client delivered (in seq order): encoded as binary records here, written in the journal thread. */
  append(batch: readonly SequencedMessage[]): void {
    if (batch.length > 0) this.journal?.append(batch);
  }

  /** A hole the feed could not refill: kept in the file so a reader knows it is missing. */
  recordGap(fromSeq: number, toSeq: number, reason: string): void {
    this.journal?.recordGap(fromSeq, toSeq, `feed_gap: ${reason}`);
  }

  /** Everything handed over so far is on disk. */
  async flush(): Promise<void> {
    if (this.journal) await this.journal.flush();
  }

  async close(): Promise<void> {
    await this.closeJournal();
    await Promise.all(this.closing);
  }

  health(): RecorderHealth {
    const journal = this.journal;
    const h = journal ? journal.health() : this.closed;
    const now = Date.now();
    const file = h?.file ?? null;
    if (file && now - this.sizeAt >= SIZE_EVERY_MS) {
      this.sizeAt = now;
      this.dbBytes = fileSize(file) + fileSize(`${file}-wal`);
    }
    if (!h) {
      return {
        state: 'waiting',
        file: null,
        recordedMessages: 0,
        backlogMessages: 0,
        notRecorded: { messages: 0, firstSeq: null, lastSeq: null, ranges: [] },
        dbBytes: 0,
        lastRecordedSeq: null,
        lastError: this.lastError,
        alarm: this.lastError !== null,
      };
    }
    const failing = h.state === 'failing' || h.state === 'failed';
    return {
      state: journal ? h.state : 'closed',
      file,
      recordedMessages: h.recordedMessages,
      backlogMessages: h.pendingMessages,
      notRecorded: { ...h.unrecorded },
      dbBytes: this.dbBytes,
      lastRecordedSeq: h.lastRecordedSeq,
      lastError: h.problem?.message ?? this.lastError,
      alarm: failing || h.unrecorded.messages > 0,
    };
  }

  private async closeJournal(): Promise<void> {
    const journal = this.journal;
    if (!journal) return;
    this.journal = null;
    const closing = journal.close();
    this.closing.add(closing);
    this.closed = await closing;
    this.closing.delete(closing);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
