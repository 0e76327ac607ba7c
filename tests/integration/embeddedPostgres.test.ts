// The embedded PostgreSQL launcher: a real cluster on loopback, kept across restarts when persistent, refused in one
// line when its folder or port is taken, and gone (process and port) after stop.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres, type RunningPostgres } from '../../main/team/embeddedPostgres';

const started: RunningPostgres[] = [];
const folders: string[] = [];

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-pg-launch-'));
  folders.push(dir);
  return dir;
}

afterAll(async () => {
  for (const server of started) await server.stop();
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', { timeout: 60_000 }, () => {
  it('runs on 127.0.0.1, refuses a second start in its folder or on its port, keeps data across a restart', async () => {
    const dataDir = folder();
    const server = await startEmbeddedPostgres({ dataDir, durable: false });
    started.push(server);
    expect(server.url()).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(await query(server.url(), "SELECT current_setting('listen_addresses') AS listen")).toEqual([
      { listen: '127.0.0.1' },
    ]);
    await query(server.url(), 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');

    await expect(startEmbeddedPostgres({ dataDir, durable: false })).rejects.toThrow(
      /^a PostgreSQL server \(pid \d+\) already runs in .*: stop it first/,
    );
    const other = startEmbeddedPostgres({ dataDir: folder(), port: server.port, durable: false, persistent: false });
    const refused = await other.then(
      (unexpected) => {
        started.push(unexpected);
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(EmbeddedPostgresError);
    expect((refused as Error).message).toMatch(
      new RegExp(`^cannot start PostgreSQL in .* on 127\\.0\\.0\\.1:${server.port}: .*(in use|could not)`),
    );
    expect((refused as Error).message).not.toContain('\n');

    await server.stop();
    await expect(query(server.url(), 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    const again = await startEmbeddedPostgres({ dataDir, durable: false, persistent: false });
    started.push(again);
    expect(await query(again.url(), 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await again.stop();
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('does not outlive its owner when the owner is killed with SIGKILL', async () => {
    const dataDir = folder();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/postgresChild.ts', dataDir], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child.on('exit', (code) => reject(new Error(`the owner exited early (${code})`)));
    });
    expect(await listening(port)).toBe(true);
    child.kill('SIGKILL');
    let stillUp = true;
    for (let attempt = 0; attempt < 100 && stillUp; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stillUp = await listening(port);
    }
    expect(stillUp).toBe(false);
  });
});

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
