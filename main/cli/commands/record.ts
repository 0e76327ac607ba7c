import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LogFn } from '../../core/log';
import { recordFeed } from '../../store/sessionRecorder';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage: floorwatch record --feed ws://HOST:PORT --out FILE [--duration S] [--verbose]

Records a live fw-feed/1 feed into a session file (SQLite) until the feed sends "end", the duration runs out, or
Ctrl-C. The file is self-describing (session id, trading day, source, instruments, accounts) and can be reviewed,
exported (floorwatch export) or replayed. A disk problem does not stop the recording: it is reported once and the
messages that could not be written are counted and recorded as a gap.

Options:
  --feed URL       feed WebSocket URL (ws:// or wss://)
  --out FILE       session file to create (e.g. day.fwsession); must not exist
  --duration S     stop after S seconds (default: until "end" or Ctrl-C)
  --verbose        log the feed client's progress on stderr (default: warnings and errors only)

Exit status: 0 recorded; 1 could not connect, or some messages could not be written; 2 bad usage.
`;

export const recordCommand: CliCommand = {
  name: 'record',
  summary: 'record a live feed into a session file',
  help: HELP,
  dataKey: 'create',
  async run(argv) {
    const { values } = parseOptions(argv, {
      feed: { type: 'string' },
      out: { type: 'string' },
      duration: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    if (!values.feed) throw new CliError('--feed ws://HOST:PORT is required; see --help');
    if (!values.out) throw new CliError('--out FILE is required; see --help');
    let url: URL;
    try {
      url = new URL(values.feed);
    } catch {
      throw new CliError(`--feed "${values.feed}" is not a URL (expected ws://HOST:PORT)`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new CliError(`--feed must be a ws:// or wss:// URL (got "${values.feed}")`);
    }
    let durationMs: number | undefined;
    if (values.duration !== undefined) {
      const seconds = Number(values.duration);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 7 * 24 * 3600) {
        throw new CliError(`--duration must be a number of seconds above 0 (got "${values.duration}")`);
      }
      durationMs = Math.round(seconds * 1000);
    }
    const out = values.out;
    if (existsSync(out)) throw new CliError(`${out}: already exists; choose a new file name`, 1);
    const folder = path.dirname(path.resolve(out));
    try {
      if (!statSync(folder).isDirectory()) throw new Error('not a folder');
      accessSync(folder, constants.W_OK);
    } catch {
      throw new CliError(`${out}: cannot write in folder ${folder} (missing or read-only)`, 1);
    }

    const verbose = values.verbose === true;
    const log: LogFn = (level, message) => {
      if (verbose || level === 'warn' || level === 'error') process.stderr.write(`record: ${message}\n`);
    };
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const started = Date.now();
    try {
      const result = await recordFeed({
        url: values.feed,
        out,
        signal: abort.signal,
        log,
        ...(durationMs !== undefined ? { durationMs } : {}),
        onProblem: (problem) => process.stderr.write(`record: ${problem.message}\n`),
      });
      if (result.stop === 'connect_failed') throw new CliError(`cannot record: ${result.detail ?? 'no connection'}`, 1);
      const health = result.journal;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const recorded = health?.recordedMessages ?? 0;
      process.stderr.write(
        `record: ${recorded} messages of session ${result.sessionId ?? '?'} written to ${out} in ${seconds} s ` +
          `(stopped: ${result.stop}${result.detail ? `: ${result.detail}` : ''})\n`,
      );
      if (health && health.unrecorded.messages > 0) {
        const { messages, firstSeq, lastSeq } = health.unrecorded;
        throw new CliError(`${messages} messages (seq ${firstSeq}..${lastSeq}) could not be written to ${out}`, 1);
      }
      return result.stop === 'session_changed' ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
