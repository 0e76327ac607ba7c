// The core's log: one function, so the worker, the tests and the CLI can each decide where lines go.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Writes one line per entry to stderr (stdout stays free for CLI output). */
export const stderrLog: LogFn = (level, message, fields) => {
  const tail = fields ? ` ${JSON.stringify(fields)}` : '';
  process.stderr.write(`${new Date().toISOString()} ${level} ${message}${tail}\n`);
};

export const silentLog: LogFn = () => {};

/**
 * Whether the `count`-th occurrence of the same problem should be logged: the first `burst`, then one in `every`.
 * Every occurrence is still counted; the log just cannot be drowned by a flood of the same bad input.
 */
export function shouldLogOccurrence(count: number, burst = 20, every = 1000): boolean {
  return count <= burst || count % every === 0;
}
