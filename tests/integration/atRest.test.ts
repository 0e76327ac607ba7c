// Client and operator data at rest: a fresh data folder is private (0700/0600, SQLite side files included), a
// looser one is tightened with one warning, sessions / the audit log / the operators database are encrypted with
// the installation's data key (nothing readable in the raw bytes), a clear data folder is sealed in place and a
// SIGKILL at any point of that loses nothing, and the CLI says in one line when the key is missing.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAuthServices } from '../../main/auth/authServices';
import { hashPassword, TEST_SCRYPT } from '../../main/auth/passwords';
import { OperatorStore } from '../../main/auth/operatorStore';
import { DataFolderUpkeep, sessionsDir } from '../../main/policy/dataFolder';
import { prepareDataFolderAtRest, sealSessions } from '../../main/security/atRest';
import { DataKey, installDataKey, resolveDataKey } from '../../main/security/dataKey';
import { checkDataFolderModes } from '../../main/security/fileModes';
import { AuditLog } from '../../main/store/auditLog';
import { auditLogPath, operatorsPath } from '../../main/store/auditPaths';
import { SessionJournal } from '../../main/store/journal';
import { SessionFileError } from '../../main/store/sessionFormat';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

const repo = path.resolve(import.meta.dirname, '../..');
const SESSION = { sessionId: 'SIM-REST', tradingDay: '20260105', source: 'at-rest test' };
const NOTE = 'client Zhang called about margin call 7731';
const POSIX = process.platform !== 'win32';

let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'fw-atrest-'));
  dataDir = path.join(root, 'data');
  installDataKey(null);
});
afterEach(() => {
  installDataKey(null);
  rmSync(root, { recursive: true, force: true });
});

/** Every folder and file under `dir` with its permission bits. */
function modesUnder(dir: string): { file: string; dir: boolean; mode: number }[] {
  const out: { file: string; dir: boolean; mode: number }[] = [];
  const walk = (at: string) => {
    const stat = statSync(at);
    out.push({ file: path.relative(dataDir, at) || '.', dir: stat.isDirectory(), mode: stat.mode & 0o777 });
    if (stat.isDirectory()) for (const name of readdirSync(at)) walk(path.join(at, name));
  };
  walk(dir);
  return out;
}

function recordSession(file: string, count: number, blockSize = 1024): void {
  const journal = new SessionJournal(file, { session: SESSION, flushIntervalMs: 0, blockSize });
  const messages = syntheticMessages({ count, accounts: 12 });
  for (let i = 0; i < messages.length; i += 500) journal.append(messages.slice(i, i + 500));
  journal.close();
}

function readAll(file: string): string[] {
  const reader = SessionReader.open(file);
  try {
    return Array.from(reader.lines());
  } finally {
    reader.close();
  }
}

/** The bytes of a SQLite file and its side files, as one latin1 string to search. */
function rawBytes(file: string): string {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]
    .filter((candidate) => existsSync(candidate))
    .map((candidate) => readFileSync(candidate).toString('latin1'))
    .join('\n');
}

function floorwatch(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', ...args], {
    cwd: repo,
    env: { ...process.env, FLOORWATCH_POLICY_FILE: path.join(root, 'no-policy.json'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!POSIX)('data folder modes', () => {
  it('a fresh start creates only 0700 folders and 0600 files, SQLite side files included', async () => {
    const previous = process.umask(0o022); // the usual umask: would give 0755 / 0644
    try {
      const { keyFile, keyCreated } = prepareDataFolderAtRest({ dataDir, createKey: true, log: () => {} });
      expect(keyCreated).toBe(true);
      expect(keyFile).toBe(path.join(dataDir, 'keys', 'data.key'));
      const upkeep = new DataFolderUpkeep({
        dataDir,
        retentionDays: 30,
        diskWarningFreePercent: 1,
        log: () => {},
      });
      await upkeep.start();
      upkeep.stop();
      const access = await openAuthServices({ dataDir, app: 'host', version: 'test', scrypt: TEST_SCRYPT });
      const journal = new SessionJournal(path.join(sessionsDir(dataDir), 's.fwsession'), {
        session: SESSION,
        flushIntervalMs: 0,
      });
      journal.append(syntheticMessages({ count: 3000, accounts: 5 }));
      journal.flush();
      // Everything open at once: the -wal and -shm files exist now.
      const modes = modesUnder(dataDir);
      journal.close();
      await access.close();
      const names = modes.map((entry) => entry.file);
      expect(names).toEqual(
        expect.arrayContaining([
          'audit.sqlite',
          'audit.sqlite-wal',
          'audit.sqlite-shm',
          'operators.sqlite',
          'operators.sqlite-wal',
          'keys/data.key',
          'sessions/s.fwsession',
          'sessions/s.fwsession-wal',
          'sessions/s.fwsession-shm',
        ]),
      );
      const loose = modes.filter((entry) => entry.mode !== (entry.dir ? 0o700 : 0o600));
      expect(loose).toEqual([]);
    } finally {
      process.umask(previous);
    }
  });

  it('a looser existing folder is reported in one line and tightened', () => {
    mkdirSync(path.join(dataDir, 'sessions'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(path.join(dataDir, 'audit.sqlite'), '', { mode: 0o644 });
    writeFileSync(path.join(dataDir, 'sessions', 'a.fwsession'), '', { mode: 0o640 });
    chmodSync(path.join(dataDir, 'audit.sqlite'), 0o644);
    chmodSync(path.join(dataDir, 'sessions', 'a.fwsession'), 0o640);
    const warnings: string[] = [];
    prepareDataFolderAtRest({ dataDir, createKey: true, log: (_level, message) => warnings.push(message) });
    const modeWarnings = warnings.filter((line) => line.includes('readable by other users'));
    expect(modeWarnings).toHaveLength(1);
    expect(modeWarnings[0]).toContain('2 folder(s), 2 file(s)');
    expect(modesUnder(dataDir).filter((entry) => entry.mode !== (entry.dir ? 0o700 : 0o600))).toEqual([]);
    expect(checkDataFolderModes(dataDir).warning).toBeNull();

    // A CLI command that opens the data folder says it once on stderr and fixes it too.
    chmodSync(path.join(dataDir, 'audit.sqlite'), 0o604);
    const result = floorwatch(['export', path.join(root, 'missing.fwsession')], { FLOORWATCH_DATA_DIR: dataDir });
    expect(result.stderr.split('\n')[0]).toMatch(
      /^floorwatch: data folder .* was readable by other users \(0 folder\(s\), 1 file\(s\)\)/,
    );
    expect(statSync(path.join(dataDir, 'audit.sqlite')).mode & 0o777).toBe(0o600);
  });
});

describe('encryption at rest', () => {
  it('a session file is unreadable without its key (one line) and reads with it; no client data in its bytes', () => {
    const { key } = prepareDataFolderAtRest({ dataDir, createKey: true, log: () => {} });
    const file = path.join(dataDir, 's.fwsession');
    recordSession(file, 5000);
    const withKey = readAll(file);
    expect(withKey).toHaveLength(5000);
    expect(withKey.join('\n')).toContain('Client A001');
    const reader = SessionReader.open(file);
    expect(reader.meta.accounts).toContain('A001');
    reader.close();
    const raw = rawBytes(file);
    expect(raw).not.toContain('Client A0');
    expect(raw).not.toContain('A001');

    installDataKey(null, 'there is no data key at /nowhere/data.key: restore the key file from your backup');
    let error: unknown;
    try {
      SessionReader.open(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionFileError);
    expect((error as Error).message).toMatch(
      /: the session is encrypted \(data key [0-9a-f]{16}\) and there is no data key at \/nowhere/,
    );
    expect((error as Error).message).not.toContain('\n');

    installDataKey(DataKey.generate());
    expect(() => SessionReader.open(file)).toThrow(/encrypted with data key .* but this installation's key is/);
    installDataKey(key);
    expect(readAll(file)).toEqual(withKey);
  });

  it('a sealed block moved to another place does not open', () => {
    prepareDataFolderAtRest({ dataDir, createKey: true, log: () => {} });
    const file = path.join(dataDir, 's.fwsession');
    recordSession(file, 3000, 1000);
    const db = new Database(file);
    const blocks = db.prepare('SELECT first_seq, data FROM blocks ORDER BY first_seq').all() as {
      first_seq: number;
      data: Buffer;
    }[];
    // Swap the data of blocks 1 and 2 (same size class; headers stay): both must fail authentication.
    db.prepare('UPDATE blocks SET data = ? WHERE first_seq = ?').run(blocks[1]!.data, blocks[0]!.first_seq);
    db.close();
    const reader = SessionReader.open(file);
    const report = reader.verify();
    reader.close();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(/block at seq 1\.\.1000 fails its authentication/);
  });

  it('the audit log and the operators database hold no notes, account ids or password hashes in clear', async () => {
    prepareDataFolderAtRest({ dataDir, createKey: true, log: () => {} });
    const audit = AuditLog.open(auditLogPath(dataDir));
    audit.append({ operator: 'li.wei', role: 'operator', action: 'note_added', target: 'account:A0042', reason: NOTE });
    audit.append({ operator: 'li.wei', role: 'operator', action: 'export', details: { accountId: 'A0077' } });
    const operators = OperatorStore.open(operatorsPath(dataDir));
    const hash = await hashPassword('correct horse battery', TEST_SCRYPT);
    operators.insert({ username: 'li.wei', displayName: 'Li Wei Secretname', role: 'operator', passwordHash: hash }, 1);
    expect(operators.get('li.wei')?.passwordHash).toBe(hash);
    expect(operators.list()[0]?.displayName).toBe('Li Wei Secretname');
    expect(audit.readRows().map((row) => row.reason)).toEqual([NOTE, '']);
    expect(audit.verify()).toMatchObject({ ok: true, rows: 2 });

    for (const text of [NOTE, 'A0042', 'A0077']) expect(rawBytes(auditLogPath(dataDir))).not.toContain(text);
    const hashPart = hash.split('$').pop() as string;
    for (const text of [hashPart, 'Secretname']) expect(rawBytes(operatorsPath(dataDir))).not.toContain(text);
    expect(rawBytes(auditLogPath(dataDir))).toContain('li.wei'); // who acted stays in clear, by design
    audit.close();
    operators.close();

    // A sealed value moved to another row is caught by verify, naming the row.
    const db = new Database(auditLogPath(dataDir));
    const first = db.prepare('SELECT reason FROM audit_log WHERE id = 1').get() as { reason: string };
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare('UPDATE audit_log SET reason = ? WHERE id = 2').run(first.reason);
    db.close();
    const reopened = AuditLog.open(auditLogPath(dataDir), { readonly: true });
    expect(reopened.verify()).toMatchObject({ ok: false, brokenRow: 2, problem: 'edited' });
    reopened.close();
  });
});

describe('migration of a clear data folder', () => {
  /** A data folder as the build before encryption wrote it: nothing sealed, session files at schema v3. */
  async function writeClearFolder(): Promise<{ lines: string[]; head: string; hash: string }> {
    installDataKey(null);
    const sessions = path.join(dataDir, 'sessions');
    mkdirSync(sessions, { recursive: true });
    const file = path.join(sessions, 'a.fwsession');
    recordSession(file, 8000, 16); // 500 small blocks: many transactions to be killed in
    const db = new Database(file);
    db.pragma('user_version = 3');
    db.close();
    copyFileSync(path.join(repo, 'tests/fixtures/session-v1.sqlite'), path.join(sessions, 'old-v1.fwsession'));
    const audit = AuditLog.open(auditLogPath(dataDir));
    for (let i = 0; i < 50; i++) {
      audit.append({
        operator: 'li.wei',
        role: 'operator',
        action: 'note_added',
        target: `alert:${i}`,
        reason: `${NOTE} #${i}`,
      });
    }
    const head = audit.head().hash;
    audit.close();
    const operators = OperatorStore.open(operatorsPath(dataDir));
    const hash = await hashPassword('correct horse battery', TEST_SCRYPT);
    operators.insert({ username: 'li.wei', displayName: 'Li Wei', role: 'operator', passwordHash: hash }, 1);
    operators.close();
    expect(rawBytes(auditLogPath(dataDir))).toContain(NOTE);
    return { lines: readAll(file), head, hash };
  }

  function runChildUntil(killAt: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/atRestChild.ts'], {
        cwd: repo,
        env: { ...process.env, FLOORWATCH_DATA_DIR: dataDir, FLOORWATCH_POLICY_FILE: path.join(root, 'none.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const seen: string[] = [];
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() as string;
        for (const line of lines) {
          seen.push(line);
          if (line === killAt) child.kill('SIGKILL');
        }
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
        else resolve(seen);
      });
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    });
  }

  it('is sealed in place; SIGKILL at any point loses nothing and the next start finishes it', async () => {
    const before = await writeClearFolder();
    const oldV1 = path.join(dataDir, 'sessions', 'old-v1.fwsession');
    const v1Lines = readAll(oldV1);
    // Kill points: while sealing session blocks (random batch), then while sealing the audit log / operators.
    const batch = 64 * (1 + Math.floor(Math.random() * 6));
    for (const killAt of [`batch ${batch}`, 'audit sealed', 'ready']) {
      const seen = await runChildUntil(killAt);
      expect(seen).toContain('ready');
      // Killed mid-way: whatever state it is in, everything is readable with the key and complete.
      const { key } = resolveDataKey({ dataDir });
      installDataKey(key);
      expect(readAll(path.join(dataDir, 'sessions', 'a.fwsession'))).toEqual(before.lines);
      installDataKey(null);
    }
    // The next start finishes the job.
    const { key } = prepareDataFolderAtRest({ dataDir, createKey: false, log: () => {} });
    sealSessions(dataDir, key, () => {});
    const audit = AuditLog.open(auditLogPath(dataDir));
    const operators = OperatorStore.open(operatorsPath(dataDir));
    expect(audit.verify()).toMatchObject({ ok: true, rows: 50, headHash: before.head });
    expect(audit.readRows().map((row) => row.reason)).toEqual(Array.from({ length: 50 }, (_, i) => `${NOTE} #${i}`));
    expect(operators.get('li.wei')?.passwordHash).toBe(before.hash);
    audit.close();
    operators.close();
    const file = path.join(dataDir, 'sessions', 'a.fwsession');
    expect(readAll(file)).toEqual(before.lines);
    expect(readAll(oldV1)).toEqual(v1Lines);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM blocks WHERE (codec & 16) = 0').get()).toEqual({ n: 0 });
    db.close();
    expect(rawBytes(auditLogPath(dataDir))).not.toContain(NOTE);
    expect(rawBytes(operatorsPath(dataDir))).not.toContain(before.hash.split('$').pop() as string);
    expect(rawBytes(file)).not.toContain('Client A0');
  }, 120_000);
});

describe('missing key on the command line', () => {
  it('export and audit verify say in one line which key file is missing, exit non-zero', () => {
    prepareDataFolderAtRest({ dataDir, createKey: true, log: () => {} });
    const file = path.join(dataDir, 'sessions', 's.fwsession');
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    recordSession(file, 2000);
    const audit = AuditLog.open(auditLogPath(dataDir));
    audit.append({ operator: 'system', role: 'system', action: 'app_started', reason: NOTE });
    audit.close();
    const elsewhere = path.join(root, 'moved.key');
    const env = { FLOORWATCH_DATA_DIR: dataDir, FLOORWATCH_KEY_FILE: elsewhere };

    const exported = floorwatch(['export', file], env);
    expect(exported.code).toBe(1);
    expect(exported.stdout).toBe('');
    expect(exported.stderr.trim().split('\n')).toHaveLength(1);
    expect(exported.stderr).toContain(`the session is encrypted`);
    expect(exported.stderr).toContain(`there is no data key at ${elsewhere}`);

    const verified = floorwatch(['audit', 'verify'], env);
    expect(verified.code).toBe(2);
    expect(verified.stderr.trim().split('\n')).toHaveLength(1);
    expect(verified.stderr).toMatch(/audit log .* is encrypted \(data key [0-9a-f]{16}\) and there is no data key at/);

    // With the key where the variable says, both work.
    copyFileSync(path.join(dataDir, 'keys', 'data.key'), elsewhere);
    expect(floorwatch(['export', file], env).stdout.trim().split('\n')).toHaveLength(2000);
    expect(floorwatch(['audit', 'verify'], env).code).toBe(0);
  }, 60_000);
});
