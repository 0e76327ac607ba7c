// Damaged session files as a user meets them: a real recorded session with 4 KB of random bytes written over its
// middle, a page of its block index overwritten, or its tail cut off. Every command answers one line naming the
// file, the damaged seqs and what can still be read; `export` writes nothing before it knows the range is sound,
// `export --salvage` writes every readable block (exit 3); the review pauses before the damage with an error state
// and its worker keeps serving.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayState } from '../../shared/api/methods/sessions';
import { exportCommand } from '../../main/cli/commands/export';
import { reportCommand } from '../../main/cli/commands/report';
import { surveilCommand } from '../../main/cli/commands/surveil';
import { userFacing } from '../../main/cli/support';
import { silentLog } from '../../main/core/log';
import { ReplaySession } from '../../main/review/replaySession';
import { Workstation, type LiveCore } from '../../main/review/workstation';
import { TopicHub } from '../../main/api/topicHub';
import { SessionJournal } from '../../main/store/journal';
import { SessionDamageError, SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

const ROOT = path.resolve(__dirname, '../..');
const MESSAGES = 30_000;
const PAGE = 4096;
let dir: string;
let sound: string;
/** 4 KB of random bytes over the middle of the file. */
let overwritten: string;
/** A leaf page of the block index overwritten: the reader must walk around it. */
let indexHit: string;
/** The second half of the file cut off. */
let truncated: string;

function record(file: string): void {
  const journal = new SessionJournal(file, {
    session: { sessionId: 'SIM-DMG', tradingDay: '20260105', source: 'damaged-file test' },
    createdBy: 'record',
    flushIntervalMs: 0,
  });
  journal.append(syntheticMessages({ count: MESSAGES, seed: 7 }));
  journal.close();
}

function overwrite(file: string, offset: number, length = PAGE): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(length), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Offset of the first table-leaf page (b-tree page type 0x0D) at or after `fromPage`: the blocks table's leaves. */
function leafPageAfter(file: string, fromPage: number): number {
  const bytes = readFileSync(file);
  for (let page = fromPage; page * PAGE < bytes.length; page++) {
    if (bytes[page * PAGE] === 0x0d) return page * PAGE;
  }
  throw new Error('no table leaf page found');
}

function copyOf(name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, readFileSync(sound));
  return file;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in this process the way main/cli/index.ts does (stdout captured), returning exit code and output. */
async function inProcess(run: () => Promise<number>): Promise<Run> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  const err: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    out.push(String(chunk));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await run();
    return { code, stdout: out.join(''), stderr: err.join('') };
  } catch (error) {
    const user = userFacing(error);
    if (!user) throw error;
    return { code: user.exitCode, stdout: out.join(''), stderr: `${err.join('')}floorwatch: ${user.message}\n` };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

function floorwatch(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLOORWATCH_DATA_DIR: path.join(dir, 'data') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`floorwatch ${args.join(' ')} did not finish: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** One line on stderr naming the file and the damaged seqs, no stack trace. */
function expectDamageLine(run: Run, file: string, code: number): void {
  expect(run.code).toBe(code);
  const lines = run.stderr.split('\n').filter((line) => line.startsWith('floorwatch: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(/damaged: seq \d+\.\.(\d+|\(end\))/);
  expect(lines[0]).toMatch(/can still be read \(seq \d+\.\.\d+/);
  expect(run.stderr).not.toMatch(/\n\s+at |internal error|SqliteError/);
}

function seqsOf(ndjson: string): number[] {
  return ndjson
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { seq: number }).seq);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-damaged-'));
  mkdirSync(path.join(dir, 'data'), { mode: 0o700 }); // as a fresh start makes it (no permission warning)
  sound = path.join(dir, 'sound.fwsession');
  record(sound);
  const size = statSync(sound).size;
  overwritten = copyOf('overwritten.fwsession');
  overwrite(overwritten, Math.floor(size / 2 / PAGE) * PAGE);
  indexHit = copyOf('index.fwsession');
  overwrite(indexHit, leafPageAfter(indexHit, Math.floor(size / 2 / PAGE)));
  truncated = copyOf('truncated.fwsession');
  writeFileSync(truncated, readFileSync(sound).subarray(0, Math.floor(size / 2)));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a damaged session file through the commands', () => {
  it('export refuses with one line and writes nothing to stdout (real process)', async () => {
    const run = await floorwatch(['export', overwritten]);
    expectDamageLine(run, overwritten, 1);
    expect(run.stdout).toBe('');
  }, 90_000);

  it('export --salvage writes every readable block and names the missing seq ranges, exit 3', async () => {
    for (const file of [overwritten, indexHit, truncated]) {
      const reader = SessionReader.open(file);
      const damage = reader.scan();
      reader.close();
      expect(damage.damaged.length).toBeGreaterThan(0);
      const run = await inProcess(() => exportCommand.run([file, '--salvage']));
      expect(run.code).toBe(3);
      const seqs = seqsOf(run.stdout);
      expect(seqs.length).toBe(damage.readableMessages);
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs.length).toBeLessThan(MESSAGES);
      // In order, none twice, none from a damaged range; the lines are the recorded messages byte for byte.
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
      for (const range of damage.damaged) {
        expect(seqs.some((seq) => seq >= range.fromSeq && (range.toSeq === null || seq <= range.toSeq))).toBe(false);
      }
      const missing = damage.damaged.map((d) => `${d.fromSeq}..${d.toSeq ?? '(end)'}`).join(', ');
      expect(run.stderr).toContain(`damaged seq ranges not exported: ${missing}`);
      const plain = await inProcess(() => exportCommand.run([file]));
      expectDamageLine(plain, file, 1);
      expect(plain.stdout).toBe('');
    }
    const soundRun = await inProcess(() => exportCommand.run([sound, '--salvage']));
    expect(soundRun.code).toBe(0);
    expect(seqsOf(soundRun.stdout)).toHaveLength(MESSAGES);
  });

  it('walks past a damaged page of the block index: the blocks after it are still exported', async () => {
    const reader = SessionReader.open(indexHit);
    const damage = reader.scan();
    reader.close();
    const last = damage.damaged[damage.damaged.length - 1]!;
    expect(last.toSeq).not.toBeNull();
    const run = await inProcess(() => exportCommand.run([indexHit, '--salvage', '--quiet']));
    expect(Math.max(...seqsOf(run.stdout))).toBe(MESSAGES);
  });

  it('surveil and report answer one line, print no alert and leave no report file', async () => {
    const surveil = await inProcess(() => surveilCommand.run(['--input', overwritten]));
    expectDamageLine(surveil, overwritten, 2);
    expect(surveil.stdout).toBe('');
    const out = path.join(dir, 'reports');
    const previous = process.env.FLOORWATCH_DATA_DIR;
    process.env.FLOORWATCH_DATA_DIR = path.join(dir, 'data');
    try {
      const report = await inProcess(() =>
        reportCommand.run(['daily', '--input', truncated, '--out', out, '--no-pdf']),
      );
      expectDamageLine(report, truncated, 2);
      expect(report.stdout).toBe('');
    } finally {
      if (previous === undefined) delete process.env.FLOORWATCH_DATA_DIR;
      else process.env.FLOORWATCH_DATA_DIR = previous;
    }
    expect(existsSync(out) ? readdirSync(out).filter((name) => !name.startsWith('.')) : []).toEqual([]);
  });
});

describe('a damaged session file under review', () => {
  it('ReplaySession stops before the damage, then reads past it as past a gap', () => {
    const session = ReplaySession.open(overwritten);
    try {
      const reader = SessionReader.open(overwritten);
      const hit = reader.scan().damaged[0]!;
      reader.close();
      let failure: unknown;
      try {
        session.seekSeq(hit.fromSeq + 10);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(SessionDamageError);
      expect((failure as Error).message).toContain(`seq ${hit.fromSeq}..${hit.toSeq}`);
      expect(session.positionSeq).toBe(hit.fromSeq - 1);
      session.seekSeq(MESSAGES);
      expect(session.positionSeq).toBe(MESSAGES);
    } finally {
      session.close();
    }
  });

  it('a seek into a damaged block answers an error, the window sees it, and the review worker lives on', async () => {
    const sessionsDir = path.join(dir, 'sessions');
    mkdirSync(sessionsDir, { recursive: true });
    const file = path.join(sessionsDir, '20260105-SIM-DMG.fwsession');
    writeFileSync(file, readFileSync(overwritten));
    const cutFile = path.join(sessionsDir, '20260105-SIM-CUT.fwsession');
    writeFileSync(cutFile, readFileSync(truncated));
    const reader = SessionReader.open(file);
    const hit = reader.scan().damaged[0]!;
    reader.close();

    const live: LiveCore = Object.assign(new TopicHub(), {
      mode: 'live' as const,
      feedUrl: 'ws://127.0.0.1:1/feed',
      simulatorRunning: false,
      reconnect: async () => {},
      stop: async () => {},
    });
    const station = new Workstation({ live, sessionsDir, log: silentLog });
    let replay: ReplayState | undefined;
    let off = () => {};
    try {
      const listed = station.listSessions();
      const cut = listed.find((s) => s.file === cutFile)!;
      expect(cut.error).toBeUndefined();
      expect(cut.damage).toMatch(/damaged: seq \d+\.\.\(end\)/);

      // The review workspace's own replay topic: what its windows see.
      const reviewId = (await station.openSession(file)).reviewId as string;
      off = station.reviewTopic(reviewId, 'replay')!.subscribe('replay', (update) => {
        replay = (update.rows[0] as ReplayState | undefined) ?? replay;
      });
      await expect(station.control({ action: 'seek', seq: hit.fromSeq + 5 }, reviewId)).rejects.toThrow(
        new RegExp(`${path.basename(file)}: damaged: seq ${hit.fromSeq}\\.\\.${hit.toSeq}`),
      );
      const deadline = Date.now() + 10_000;
      while (!replay?.error && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(replay?.error).toMatch(/can still be read/);
      expect(replay?.positionSeq).toBe(hit.fromSeq - 1);
      // The same worker answers: back to the start, then past the damage.
      expect((await station.control({ action: 'seek', seq: 10 }, reviewId)).positionSeq).toBe(10);
      const past = await station.control({ action: 'seek', seq: MESSAGES }, reviewId);
      expect(past.positionSeq).toBe(MESSAGES);
      expect(past.error).toMatch(/damaged/);
    } finally {
      off();
      await station.stop();
    }
  }, 60_000);
});
