// Upkeep of the data folder: recorded sessions older than the retention are deleted (at start, then daily), and the
// free space of the disk holding the folder is watched ("disk nearly full" is logged once per episode and shown in
// the health row). The audit log is never deleted: only `*.fwsession` files in `<dataDir>/sessions` are pruned.
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import type { DiskHealth } from '../../shared/api/methods/settings';
import { ensurePrivateDir } from '../security/fileModes';

/** `<dataDir>/sessions`, where the live recorder writes (main/core/recorder.ts uses the same folder name). */
export const SESSIONS_FOLDER_NAME = 'sessions';
const SESSION_EXTENSION = '.fwsession';
/** SQLite side files of a session database, deleted with it. */
const SIDE_SUFFIXES = ['-wal', '-shm', '-journal'];
const DAY_MS = 86_400_000;
/** Database sizes are read again at most this often (the health row asks at every publication). */
const SIZES_TTL_MS = 5_000;

export function sessionsDir(dataDir: string): string {
  return path.join(dataDir, SESSIONS_FOLDER_NAME);
}

export interface PruneResult {
  deleted: string[];
  kept: number;
  failed: { file: string; error: string }[];
}

/** Deletes session files whose last write is older than `retentionDays` (by mtime). A missing folder is fine. */
export async function pruneSessions(options: {
  dir: string;
  retentionDays: number;
  now?: number;
  /** Files never to delete (e.g. the session being recorded right now). */
  keep?: ReadonlySet<string>;
}): Promise<PruneResult> {
  const cutoff = (options.now ?? Date.now()) - options.retentionDays * DAY_MS;
  const result: PruneResult = { deleted: [], kept: 0, failed: [] };
  let names: string[];
  try {
    names = await fs.readdir(options.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw error;
  }
  for (const name of names.sort()) {
    if (!name.endsWith(SESSION_EXTENSION)) continue;
    const file = path.join(options.dir, name);
    if (options.keep?.has(file)) {
      result.kept++;
      continue;
    }
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile() || stat.mtimeMs >= cutoff) {
        result.kept++;
        continue;
      }
      await fs.rm(file);
      for (const suffix of SIDE_SUFFIXES) await fs.rm(file + suffix, { force: true });
      result.deleted.push(file);
    } catch (error) {
      result.failed.push({ file, error: (error as Error).message });
    }
  }
  return result;
}

/** Free space of the disk that holds `dir` (statfs); `low` when under `warnFreePercent`. */
export async function checkDisk(dir: string, warnFreePercent: number): Promise<DiskHealth> {
  const stats = await fs.statfs(dir);
  const totalBytes = stats.blocks * stats.bsize;
  const freeBytes = stats.bavail * stats.bsize;
  const freePercent = totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 100;
  return {
    path: dir,
    freeBytes,
    totalBytes,
    freePercent: Math.round(freePercent * 10) / 10,
    warnFreePercent,
    low: freePercent < warnFreePercent,
    checkedAt: Date.now(),
  };
}

export interface DataFolderOptions {
  dataDir: string;
  retentionDays: number;
  diskWarningFreePercent: number;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Files the pruning must not touch (the live recording). */
  keep?: () => ReadonlySet<string>;
  pruneIntervalMs?: number;
  diskIntervalMs?: number;
  /** The data folder's databases to report the sizes of (name → file; its WAL counts too). */
  databases?: Record<string, string>;
  /** For tests: statfs replacement. */
  statDisk?: (dir: string, warnFreePercent: number) => Promise<DiskHealth>;
}

/** Owns the pruning and disk timers of one data folder; `stop()` clears them. */
export class DataFolderUpkeep {
  private pruneTimer: NodeJS.Timeout | null = null;
  private diskTimer: NodeJS.Timeout | null = null;
  private lastDisk: DiskHealth | null = null;
  private lowReported = false;
  private sizes: Record<string, number> | null = null;
  private sizesAt = 0;

  constructor(private readonly options: DataFolderOptions) {}

  /** Creates the folder, prunes once and checks the disk once, then schedules both. */
  async start(): Promise<void> {
    ensurePrivateDir(sessionsDir(this.options.dataDir));
    await this.prune();
    await this.checkDisk();
    this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneIntervalMs ?? DAY_MS);
    this.pruneTimer.unref();
    this.diskTimer = setInterval(() => void this.checkDisk(), this.options.diskIntervalMs ?? 60_000);
    this.diskTimer.unref();
  }

  get disk(): DiskHealth | null {
    return this.lastDisk;
  }

  /** Sizes of the data folder's databases with their WAL, bytes, by name (missing files left out). */
  databaseSizes(now = Date.now()): Record<string, number> {
    if (this.sizes && now - this.sizesAt < SIZES_TTL_MS) return this.sizes;
    const sizes: Record<string, number> = {};
    for (const [name, file] of Object.entries(this.options.databases ?? {})) {
      const bytes = fileBytes(file) + fileBytes(`${file}-wal`);
      if (bytes > 0) sizes[name] = bytes;
    }
    this.sizes = sizes;
    this.sizesAt = now;
    return sizes;
  }

  async prune(): Promise<PruneResult> {
    const result = await pruneSessions({
      dir: sessionsDir(this.options.dataDir),
      retentionDays: this.options.retentionDays,
      keep: this.options.keep?.(),
    }).catch((error: unknown) => {
      this.options.log('error', 'session pruning failed', { message: (error as Error).message });
      return { deleted: [], kept: 0, failed: [] } satisfies PruneResult;
    });
    if (result.deleted.length > 0) {
      this.options.log('info', 'old sessions deleted (retention)', {
        retentionDays: this.options.retentionDays,
        deleted: result.deleted.length,
        kept: result.kept,
      });
    }
    for (const failure of result.failed) this.options.log('warn', 'could not delete an old session', failure);
    return result;
  }

  async checkDisk(): Promise<DiskHealth | null> {
    try {
      const stat = this.options.statDisk ?? checkDisk;
      const disk = await stat(this.options.dataDir, this.options.diskWarningFreePercent);
      this.lastDisk = disk;
      if (disk.low && !this.lowReported) {
        this.options.log('warn', 'disk nearly full', {
          path: disk.path,
          freePercent: disk.freePercent,
          freeBytes: disk.freeBytes,
          warnFreePercent: disk.warnFreePercent,
        });
      }
      this.lowReported = disk.low;
      return disk;
    } catch (error) {
      this.options.log('warn', 'cannot check free disk space', { message: (error as Error).message });
      return null;
    }
  }

  stop(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.diskTimer) clearInterval(this.diskTimer);
    this.pruneTimer = this.diskTimer = null;
  }
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
