// The record / export / import commands as a user runs them: real processes, real files, a real WebSocket feed on
// 127.0.0.1 (a tiny fw-feed/1 server here, so the test does not depend on the simulator).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { exportCommand } from '../../main/cli/commands/export';
import { importCommand } from '../../main/cli/commands/import';
import { recordCommand } from '../../main/cli/commands/record';
import { userFacing } from '../../main/cli/support';
import { installDataKeyIfPresent } from '../../main/security/dataKey';
import { SessionReader } from '../../main/store/sessionReader';
import { syntheticMessages } from '../fixtures/syntheticSession';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => path.join(dir, name);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function floorwatch(args: string[], timeoutMs = 20_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', ...args], {
      cwd: ROOT,
      // A data folder of the test's own: import and record create its data key and encrypt what they write.
      env: { ...process.env, FLOORWATCH_DATA_DIR: at('data'), FLOORWATCH_POLICY_FILE: at('no-policy.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
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
      resolve({ code, stdout, stderr });
    });
  });
}

/** One clear line, no stack trace. */
function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stderr).toMatch(/^floorwatch: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

const ndjson = (messages: readonly SequencedMessage[]) => messages.map((m) => `${JSON.stringify(m)}\n`).join('');

/** A minimal fw-feed/1 server: hello, then the messages from fromSeq in frames of 50, then `end` unless told not to. */
async function startFeed(messages: SequencedMessage[], options: { end: boolean }) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const heartbeats = new Set<NodeJS.Timeout>();
  server.on('connection', (socket) => {
    socket.once('message', (data) => {
      const subscribe = JSON.parse(data.toString()) as { fromSeq?: number };
      const from = subscribe.fromSeq ?? 1;
      socket.send(
        JSON.stringify({
          type: 'hello',
          ts: Date.now(),
          protocol: 'fw-feed/1',
          nextSeq: from,
          sessionId: 'SIM-CLI',
          tradingDay: '20260105',
          source: 'cli test feed',
        }),
      );
      const rest = messages.filter((m) => m.seq >= from);
      for (let i = 0; i < rest.length; i += 50) socket.send(JSON.stringify(rest.slice(i, i + 50)));
      const last = rest[rest.length - 1]?.seq ?? from - 1;
      if (options.end) socket.send(JSON.stringify({ type: 'end', seq: last + 1, ts: Date.now() }));
      else {
        const timer = setInterval(() => socket.send(JSON.stringify({ type: 'heartbeat', ts: Date.now() })), 200);
        heartbeats.add(timer);
        socket.on('close', () => clearInterval(timer));
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of heartbeats) clearInterval(timer);
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

describe('floorwatch import / export', () => {
  it('imports NDJSON and exports it back identical, whole or by range', async () => {
    const messages = syntheticMessages({ count: 4000, seed: 21 });
    writeFileSync(at('in.ndjson'), ndjson(messages));
    const imported = await floorwatch(['import', at('in.ndjson'), '--out', at('s.fwsession')]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/import: 4000 messages \(seq 1\.\.4000\) written to .*s\.fwsession; 0 malformed/);

    const fromTs = messages[1999]!.ts;
    const [whole, bySeq, byTime] = await Promise.all([
      floorwatch(['export', at('s.fwsession')]),
      floorwatch(['export', at('s.fwsession'), '--from', '101', '--to', '250', '--quiet']),
      floorwatch(['export', at('s.fwsession'), '--from', new Date(fromTs).toISOString()]),
    ]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toBe(readFileSync(at('in.ndjson'), 'utf8'));
    expect(whole.stderr).toBe('export: 4000 messages (seq 1..4000) of session in\n');
    expect(bySeq.stdout).toBe(ndjson(messages.slice(100, 250)));
    expect(bySeq.stderr).toBe('');
    expect(byTime.stdout).toBe(ndjson(messages.filter((m) => m.seq >= messages.find((x) => x.ts >= fromTs)!.seq)));
  });

  it('reports malformed lines by number, and stops on them with --strict', async () => {
    const lines = syntheticMessages({ count: 50 }).map((m) => JSON.stringify(m));
    lines[9] = '{"seq":10,"ts":5,"type":"quote","instrumentId":"rb2605"}';
    lines[19] = 'not json';
    writeFileSync(at('bad.ndjson'), `${lines.join('\n')}\n`);
    const [lenient, strict] = await Promise.all([
      floorwatch(['import', at('bad.ndjson'), '--out', at('lenient.fwsession'), '--session-id', 'S-BAD', '--lenient']),
      floorwatch(['import', at('bad.ndjson'), '--out', at('strict.fwsession'), '--strict']),
    ]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/^import: line 10 skipped: invalid_field: quote: /m);
    expect(lenient.stderr).toMatch(/^import: line 20 skipped: malformed_json: /m);
    expect(lenient.stderr).toMatch(/import: 48 messages .* 2 malformed line\(s\) skipped, .* 2 gap\(s\) recorded/);
    installDataKeyIfPresent(at('data'), { FLOORWATCH_POLICY_FILE: at('no-policy.json') });
    const reader = SessionReader.open(at('lenient.fwsession'));
    expect(reader.meta).toMatchObject({ sessionId: 'S-BAD', count: 48 });
    reader.close();
    expectOneLineError(strict, 2, /line 10: invalid_field: quote: /);
    expect(existsSync(at('strict.fwsession'))).toBe(false);
  });

  it('fails with one clear line on missing, damaged or unwritable files', async () => {
    writeFileSync(at('junk.fwsession'), 'this is not a session\n'.repeat(100));
    writeFileSync(at('in.ndjson'), ndjson(syntheticMessages({ count: 5 })));
    const runs = await Promise.all([
      floorwatch(['export', at('junk.fwsession')]),
      floorwatch(['import', at('in.ndjson'), '--out', at('no/such/folder/x.fwsession')]),
    ]);
    expectOneLineError(runs[0]!, 1, /junk\.fwsession: not a session file/);
    expectOneLineError(runs[1]!, 1, /x\.fwsession: the file cannot be written/);
  });

  it('rejects bad input with one line naming the problem and an exit code (in process)', async () => {
    writeFileSync(at('in.ndjson'), ndjson(syntheticMessages({ count: 5 })));
    const cases: [Promise<number>, number, RegExp][] = [
      [exportCommand.run([at('missing.fwsession')]), 1, /missing\.fwsession: no such file/],
      [exportCommand.run([at('in.ndjson'), '--from', 'last tuesday']), 2, /--from "last tuesday" is not a seq/],
      [exportCommand.run([]), 2, /exactly one session FILE/],
      [importCommand.run([at('missing.ndjson'), '--out', at('x.fwsession')]), 1, /missing\.ndjson: no such file/],
      [importCommand.run([dir, '--out', at('x.fwsession')]), 1, /: not a file/],
      [importCommand.run([at('in.ndjson')]), 2, /--out FILE is required/],
      [importCommand.run([at('in.ndjson'), '--out', at('y.fwsession'), '--trading-day', '2026']), 2, /YYYYMMDD/],
      [recordCommand.run(['--feed', 'http://127.0.0.1:1', '--out', at('r.fwsession')]), 2, /ws:\/\/ or wss:\/\//],
      [recordCommand.run(['--out', at('r.fwsession')]), 2, /--feed ws:\/\/HOST:PORT is required/],
      [recordCommand.run(['--feed', 'ws://127.0.0.1:1', '--out', at('in.ndjson')]), 1, /in\.ndjson: already exists/],
      [
        recordCommand.run(['--feed', 'ws://127.0.0.1:1', '--out', at('no/dir/r.fwsession')]),
        1,
        /cannot write in folder/,
      ],
      [
        recordCommand.run(['--feed', 'ws://127.0.0.1:1', '--out', at('r.fwsession'), '--duration', '0']),
        2,
        /--duration/,
      ],
    ];
    for (const [run, exitCode, message] of cases) {
      const error = await run.then(
        () => null,
        (thrown: unknown) => thrown,
      );
      // What the command line prints for it: one line and an exit code (a CliError, or a session file's own error).
      expect(userFacing(error)).toMatchObject({ exitCode, message: expect.stringMatching(message) });
    }
    expect(existsSync(at('x.fwsession'))).toBe(false);
    expect(existsSync(at('r.fwsession'))).toBe(false);
  });

  it('has --help on each command', async () => {
    for (const [command, usage] of [
      [recordCommand, /^Usage: floorwatch record --feed ws:\/\/HOST:PORT --out FILE \[--duration S\]/],
      [exportCommand, /^Usage: floorwatch export FILE \[--from SEQ\|TIME\] \[--to SEQ\|TIME\]/],
      [importCommand, /^Usage: floorwatch import IN\.ndjson --out FILE \[--strict \| --lenient\]/],
    ] as const) {
      expect(command.help.trim()).toMatch(usage);
    }
    const run = await floorwatch(['export', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${exportCommand.help.trim()}\n`);
  });
});

describe('floorwatch record', () => {
  it('records a feed until it ends, and for a given duration', async () => {
    const messages = syntheticMessages({ count: 2000, seed: 5 });
    const ending = await startFeed(messages, { end: true });
    const endless = await startFeed(messages.slice(0, 300), { end: false });
    try {
      const [untilEnd, forDuration] = await Promise.all([
        floorwatch(['record', '--feed', ending.url, '--out', at('end.fwsession'), '--duration', '15']),
        floorwatch(['record', '--feed', endless.url, '--out', at('timed.fwsession'), '--duration', '1.5']),
      ]);
      expect(untilEnd.stderr).toMatch(
        /record: 2001 messages of session SIM-CLI written to .*end\.fwsession .*\(stopped: end\)/,
      );
      expect(untilEnd.code).toBe(0);
      expect(forDuration.stderr).toMatch(/record: 300 messages of session SIM-CLI .*\(stopped: duration\)/);
      expect(forDuration.code).toBe(0);
    } finally {
      await Promise.all([ending.close(), endless.close()]);
    }
    installDataKeyIfPresent(at('data'), { FLOORWATCH_POLICY_FILE: at('no-policy.json') });
    const reader = SessionReader.open(at('end.fwsession'));
    expect(reader.meta).toMatchObject({
      sessionId: 'SIM-CLI',
      tradingDay: '20260105',
      source: 'cli test feed',
      createdBy: 'record',
      count: 2001,
      lastSeq: 2001,
    });
    expect(Array.from(reader.lines({ toSeq: 2000 }))).toEqual(messages.map((m) => JSON.stringify(m)));
    expect(reader.get(2001)?.type).toBe('end');
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('fails with one clear line when it cannot connect', async () => {
    // A port that was just free: nothing listens there.
    const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => probe.once('listening', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const run = await floorwatch(['record', '--feed', `ws://127.0.0.1:${port}`, '--out', at('r.fwsession')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^floorwatch: cannot record: .*127\.0\.0\.1/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(at('r.fwsession'))).toBe(false);
  });
});
