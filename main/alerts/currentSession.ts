// Which session the workstation shows now, for what-if and case review defaults: the file under review (topic
// `replay`, mode 'review'), else the file the live core records (topic `health`, recorder.file). Also keeps the
// alert rows the windows see (topic `alerts`), so case review finds a review session's alerts, which have no
// workflow on this workstation.
import type { TopicSource } from '../api/dispatcher';
import type { AlertRow } from '../../shared/api/methods/alerts';

export class CurrentSession {
  private reviewFile: string | null = null;
  private liveFile: string | null = null;
  private readonly alerts = new Map<string, AlertRow>();
  private readonly stops: (() => void)[] = [];

  /** Follows `source` (the Workstation or the core handle the backend serves). */
  constructor(source: TopicSource) {
    this.stops.push(
      source.subscribe('replay', (update) => {
        const row = update.rows[0];
        if (row) this.reviewFile = row.mode === 'review' ? row.file : null;
      }),
      source.subscribe('health', (update) => {
        const row = update.rows[0];
        if (row) this.liveFile = row.recorder?.file ?? this.liveFile;
      }),
      source.subscribe('alerts', (update) => {
        if (update.snapshot) this.alerts.clear();
        for (const row of update.rows) this.alerts.set(row.id, row);
        for (const key of update.removed) this.alerts.delete(key);
      }),
    );
  }

  /** The reviewed file, else the live recording, else null. */
  file(): string | null {
    return this.reviewFile ?? this.liveFile;
  }

  /** An alert row as the windows see it now (live or review). */
  alert(id: string): AlertRow | null {
    return this.alerts.get(id) ?? null;
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
