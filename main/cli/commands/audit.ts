// `floorwatch audit verify|export`: checks the audit log's hash chain, or writes it out with its hashes.
// Opens the log read-only: verifying evidence must never change it (no migration, no write).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { findAuditAnchors } from '../../store/auditAnchorSources';
import type { SourcedAnchor } from '../../store/auditAnchors';
import { AuditChainChecker, type AuditAnchor, type AuditVerifyResult } from '../../store/auditChain';
import { AuditLog, AuditLogError, type AuditExportFormat } from '../../store/auditLog';
import { auditLogPath } from '../../store/auditPaths';
import { SqliteAuditStore, type AuditStore } from '../../store/auditStore';
import { PgAuditStore } from '../../team/pgAuditStore';
import { resolveSettings } from '../../policy/settings';
import { exportKindsOf } from '../../reports/exportPolicy';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage:
  floorwatch audit verify [FILE] [--anchor ID:HASH]... [--anchors PATH]...
  floorwatch audit verify --db URL [--anchor ID:HASH]... [--anchors PATH]...
  floorwatch audit export [FILE] --format csv|ndjson [--out OUT]
  floorwatch audit export --db URL --format csv|ndjson [--out OUT]

verify   Recomputes the audit log's SHA-256 hash chain and compares it with every anchor of the chain's head it
         finds. Prints the row count, head hash and anchors checked and exits 0, or names the first broken row
         (edited, missing, reordered, inserted, truncated) with one line per finding and exits 1.
         FILE is an audit log (SQLite) or an NDJSON export; default: the audit log in the data folder
         (FLOORWATCH_DATA_DIR, else the OS user-data folder).
         Anchors are read, for an audit log, from the folder it is in: audit.anchors (written after every
         audited action), every session file in sessions/ and every evidence-pack manifest in exports/.
         --anchor ID:HASH   also require row ID to have HASH (from an earlier verify, a printed report, an
                            export), which catches a log whose hashes were all recomputed after an edit.
         --anchors PATH     also read anchors from PATH: an evidence pack (folder, zip or manifest.json), a
                            report's HTML or CSV, a session file, an anchor file, or a folder of these.
--db URL   the team's audit log in PostgreSQL instead of a file (postgres://USER@HOST:PORT/DATABASE; the
           password from PGPASSWORD or ~/.pgpass rather than the URL). Read-only: every transaction is read-only.
export   Writes every row with prev_hash and hash, as CSV (with a header) or NDJSON (verifiable with
         "audit verify"). To standard output, or to OUT (never overwritten). The chain is checked first and any
         break is reported on standard error; the export is written either way.
`;

const SQLITE_MAGIC = 'SQLite format 3\u0000';

type Kind = 'sqlite' | 'ndjson';

function detectKind(file: string): Kind {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `no audit log at ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  try {
    const head = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    if (read >= 16 && head.toString('latin1', 0, 16) === SQLITE_MAGIC) return 'sqlite';
    if (read === 0) throw new CliError(`${file} is empty: not an audit log`);
    if (looksLikeExportRow(head.toString('utf8', 0, read).split('\n', 1)[0] ?? '')) return 'ndjson';
    throw new CliError(`${file} is neither a Floorwatch audit log (SQLite) nor an NDJSON audit export`);
  } finally {
    fs.closeSync(fd);
  }
}

/** An export's first line is a JSON object with the chain columns. */
function looksLikeExportRow(line: string): boolean {
  try {
    const row = JSON.parse(line) as unknown;
    return row !== null && typeof row === 'object' && 'prev_hash' in row && 'hash' in row && 'id' in row;
  } catch {
    return false;
  }
}

function openReadOnly(file: string): AuditLog {
  try {
    return AuditLog.open(file, { readonly: true });
  } catch (error) {
    if (error instanceof AuditLogError) throw new CliError(error.message);
    throw error;
  }
}

/** The team database's audit log, read-only; one line when it cannot be used. */
async function openDatabase(url: string): Promise<PgAuditStore> {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new CliError(`--db must be a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE), got "${url}"`);
  }
  try {
    return await PgAuditStore.open(url, { readonly: true, max: 2 });
  } catch (error) {
    if (error instanceof AuditLogError) throw new CliError(error.message);
    throw error;
  }
}

/** FILE or --db, not both. */
function oneSource(command: string, positionals: readonly string[], db: string | undefined): void {
  if (positionals.length > 1) throw new CliError(`audit ${command} takes one FILE; see --help`);
  if (db !== undefined && positionals.length > 0) throw new CliError(`audit ${command} takes FILE or --db, not both`);
}

function parseAnchor(text: string): AuditAnchor {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match) throw new CliError(`--anchor must be ID:HASH, a row id and its 64-hex-digit hash (got "${text}")`);
  return { id: Number(match[1]), hash: (match[2] as string).toLowerCase() };
}

/** The --anchor values as anchors from the command line. */
function argumentAnchors(values: readonly string[] | undefined): SourcedAnchor[] {
  return (values ?? []).map((text) => ({
    ...parseAnchor(text),
    time: NaN,
    log: null,
    source: '--anchor',
    kind: 'argument' as const,
  }));
}

async function verifyNdjson(file: string, anchors: readonly SourcedAnchor[]): Promise<AuditVerifyResult> {
  const checker = new AuditChainChecker(undefined, anchors);
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        checker.abort('bad_row', `line ${lineNo} is not JSON`);
        break;
      }
      if (!checker.push(row)) break;
    }
  } finally {
    lines.close();
  }
  return checker.finish(null);
}

function report(result: AuditVerifyResult, file: string, anchorWarnings: readonly string[] = []): number {
  for (const warning of [...anchorWarnings, ...result.warnings]) {
    process.stderr.write(`floorwatch: warning: ${warning}\n`);
  }
  if (result.ok) {
    const { checked, sources } = result.anchors;
    process.stdout.write(
      `audit log OK: ${file}\n  rows: ${result.rows}\n  head: row ${result.headId} ${result.headHash}\n` +
        `  anchors: ${checked === 0 ? 'none found' : `${checked} checked from ${sources} source(s)`}\n`,
    );
    return 0;
  }
  process.stdout.write(
    `audit log BROKEN: ${file}\n  first broken row: ${result.brokenRow} (${result.problem})\n` +
      result.findings.map((finding) => `  ${finding}\n`).join('') +
      `  rows intact before it: ${result.rows}\n`,
  );
  return 1;
}

async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    {
      anchor: { type: 'string', multiple: true },
      anchors: { type: 'string', multiple: true },
      db: { type: 'string' },
    },
    true,
  );
  oneSource('verify', positionals, values.db);
  const given = argumentAnchors(values.anchor);
  if (values.db !== undefined) {
    const store = await openDatabase(values.db);
    try {
      // The database records its own head; anchors come from the command line (reports, evidence packs).
      const found = findAuditAnchors({ paths: values.anchors ?? [] });
      return report(await store.verify({ anchors: [...found.anchors, ...given] }), store.location, found.warnings);
    } finally {
      await store.close();
    }
  }
  const file = positionals[0] ?? auditLogPath();
  if (detectKind(file) === 'ndjson') {
    const found = findAuditAnchors({ paths: values.anchors ?? [] });
    return report(await verifyNdjson(file, [...found.anchors, ...given]), file, found.warnings);
  }
  const log = openReadOnly(file);
  try {
    // The folder the log is in is its data folder: its anchor file, sessions and exports.
    const found = findAuditAnchors({
      dataDir: path.dirname(path.resolve(file)),
      expectAnchorFile: log.head().id > 0,
      paths: values.anchors ?? [],
    });
    return report(log.verify({ anchors: [...found.anchors, ...given] }), file, found.warnings);
  } finally {
    log.close();
  }
}

/** Writes to a file descriptor or stdout, in chunks, respecting stdout's back-pressure and a closed pipe. */
class ChunkWriter {
  private buffer: string[] = [];
  private size = 0;
  private stdoutError: Error | null = null;
  private readonly onStdoutError = (error: Error) => {
    this.stdoutError = error;
  };

  constructor(private readonly fd: number | null) {
    if (fd === null) process.stdout.on('error', this.onStdoutError);
  }

  async write(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 256 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (this.fd !== null) {
      fs.writeSync(this.fd, chunk);
      return;
    }
    this.checkStdout();
    if (!process.stdout.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          process.stdout.off('drain', done);
          process.stdout.off('error', done);
          resolve();
        };
        process.stdout.once('drain', done);
        process.stdout.once('error', done);
      });
    }
    this.checkStdout();
  }

  close(): void {
    if (this.fd === null) process.stdout.off('error', this.onStdoutError);
  }

  private checkStdout(): void {
    if (this.stdoutError) throw new CliError(`standard output closed: ${this.stdoutError.message}`);
  }
}

async function exportLog(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { format: { type: 'string' }, out: { type: 'string' }, db: { type: 'string' } },
    true,
  );
  oneSource('export', positionals, values.db);
  if (values.format !== 'csv' && values.format !== 'ndjson') {
    throw new CliError(
      `--format must be csv or ndjson${values.format === undefined ? '' : ` (got "${values.format}")`}`,
    );
  }
  const format: AuditExportFormat = values.format;
  // The policy's exportKinds must allow "audit" (an invalid policy is one line, exit 2: SettingsError is a CliError).
  const refusal = exportKindsOf(resolveSettings()).refusal('audit');
  if (refusal) throw new CliError(refusal);
  let store: AuditStore;
  if (values.db !== undefined) {
    store = await openDatabase(values.db);
  } else {
    const file = positionals[0] ?? auditLogPath();
    if (detectKind(file) !== 'sqlite') throw new CliError(`${file} is an export already; export reads an audit log`);
    store = new SqliteAuditStore(openReadOnly(file));
  }
  let fd: number | null = null;
  try {
    const result = await store.verify();
    if (values.out !== undefined) {
      try {
        fd = fs.openSync(values.out, 'wx');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError(
          code === 'EEXIST'
            ? `${values.out} already exists: choose another --out`
            : `cannot write ${values.out}: ${(error as Error).message}`,
        );
      }
    }
    const writer = new ChunkWriter(fd);
    let rows = 0;
    try {
      for await (const line of store.exportLines(format)) {
        await writer.write(line);
        rows += 1;
      }
      await writer.flush();
    } finally {
      writer.close();
    }
    if (fd !== null) fs.fsyncSync(fd);
    if (format === 'csv') rows -= 1;
    const where = values.out ?? 'standard output';
    const chain = result.ok
      ? `chain OK, head row ${result.headId} ${result.headHash}`
      : `WARNING: chain broken at row ${result.brokenRow}: ${result.message}`;
    process.stderr.write(`floorwatch: exported ${rows} rows (${format}) to ${where}; ${chain}\n`);
    return 0;
  } catch (error) {
    // The database went away in the middle (or a sealed row would not open): one line, exit 1.
    if (error instanceof AuditLogError) throw new CliError(error.message, 1);
    throw error;
  } finally {
    if (fd !== null) fs.closeSync(fd);
    await store.close();
  }
}

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'verify the audit log hash chain, or export it (CSV/NDJSON) with hashes',
  help: HELP,
  dataKey: 'read',
  run: async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === 'verify') return verify(rest);
    if (sub === 'export') return exportLog(rest);
    throw new CliError(
      sub ? `unknown audit subcommand "${sub}": use verify or export` : 'audit needs verify or export; see --help',
    );
  },
};
