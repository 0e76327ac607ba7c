import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A user mistake or an expected failure: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Node's file-system error codes that are the machine's or the user's file's trouble, not a bug. */
const IO_CODES = new Set([
  'EIO',
  'ENOSPC',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOENT',
  'EISDIR',
  'ENOTDIR',
  'EMFILE',
  'EDQUOT',
]);

/**
 * The one line (and exit code) for an error a command let through: a CliError as it is; a damaged or unreadable
 * session file (SessionFileError names the file, the damage and what can still be read) and a file-system or
 * SQLite I/O or corruption error, exit 1. null for anything else (a bug: the caller prints it as an internal error).
 */
export function userFacing(error: unknown): { message: string; exitCode: number } | null {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  // By name, not class: the store imports the data key, which imports this module (no import cycle).
  const name = (error as Error)?.name;
  if (name === 'SessionFileError' || name === 'SessionDamageError')
    return { message: (error as Error).message, exitCode: 1 };
  const rawCode = (error as { code?: unknown })?.code;
  const code = typeof rawCode === 'string' ? rawCode : 'UNKNOWN';
  const message = (error as Error)?.message ?? String(error);
  if (IO_CODES.has(code)) {
    // Node names the path in its own message ("ENOSPC: no space left on device, write '/x'").
    return { message: `${message} (the file or disk cannot be used)`, exitCode: 1 };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR')) {
    return { message: `a data file is damaged or cannot be read (${code}: ${message})`, exitCode: 1 };
  }
  if (code === 'SQLITE_FULL') return { message: `the disk is full (${message})`, exitCode: 1 };
  return null;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full text printed by `floorwatch <name> --help`. */
  help: string;
  /** Returns the exit code; long-running commands resolve when they stop. */
  run(argv: string[]): Promise<number>;
  /**
   * How the command finds the data key before it runs: 'read' installs it when present (sealed data then fails with
   * one line when it is not), 'create' also creates it at first use (commands that write client data). Absent: the
   * command finds it itself (host) or needs none (sim).
   */
  dataKey?: 'read' | 'create';
}

export function printUsage(commands: readonly CliCommand[]): void {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(
    `Usage: floorwatch <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "floorwatch <command> --help" for a command's options.\n`,
  );
}

/** node:util parseArgs with user-facing errors instead of stack traces. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see --help`);
  }
}

/** Parses an integer option within bounds, or throws a CliError naming the flag. */
export function intOption(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new CliError(`--${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return parsed;
}

/** Resolves when SIGINT or SIGTERM arrives. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/** Who the audit log names for a command run on the workstation: the OS account, as operator os:<user>. */
export function cliActor(): { operator: string; role: 'cli' } {
  let user = 'unknown';
  try {
    user = os.userInfo().username || user;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { operator: `os:${user}`.slice(0, 128), role: 'cli' };
}
