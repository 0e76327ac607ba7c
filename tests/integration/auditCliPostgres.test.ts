// `floorwatch audit verify|export --db URL` against a real PostgreSQL team database, as an auditor runs it: the same
// output and exit codes as for a file, the first broken row named, one-line errors.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../main/cli/commands/audit';
import { teamCommand } from '../../main/cli/commands/team';
import { CliError } from '../../main/cli/support';
import { openTeamStores } from '../../main/team/teamStores';
import { TEAM_MIGRATIONS } from '../../main/team/teamDatabase';
import { usePostgres, type TestTeamDatabase } from '../support/postgres';

const repo = path.resolve(import.meta.dirname, '../..');
const postgres = usePostgres();
let dir: string;
let database: TestTeamDatabase;
let headHash: string;

/** Runs the CLI in a child process (async: the PostgreSQL server lives in this one's event loop's children). */
function floorwatch(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'audit', ...args], {
      cwd: repo,
      env: { ...process.env, FLOORWATCH_DATA_DIR: dir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-audit-cli-pg-'));
  database = await postgres.createDatabase();
  const stores = await openTeamStores(database.appUrl);
  try {
    for (let n = 1; n <= 12; n++) {
      await stores.audit.append({
        operator: 'li.wei',
        role: 'operator',
        action: 'note_added',
        target: `alert:${n}`,
        details: { n },
        reason: 'seen',
      });
    }
    headHash = (await stores.audit.head()).hash;
  } finally {
    await stores.close();
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('floorwatch audit --db', { timeout: 120_000 }, () => {
  it('verify prints the row count and head (password hidden) and exits 0; --anchor is checked', async () => {
    const [plain, anchored] = await Promise.all([
      floorwatch('verify', '--db', database.appUrl),
      floorwatch('verify', '--db', database.appUrl, '--anchor', `12:${headHash}`),
    ]);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`audit log OK: postgres://fw_test_app:***@127.0.0.1:${postgres.server().port}/`);
    expect(plain.stdout).toContain('rows: 12');
    expect(plain.stdout).toContain(`head: row 12 ${headHash}`);
    expect(plain.stdout).not.toContain('app-secret');
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toContain('anchors: 1 checked from 1 source(s)');
  });

  it('export writes NDJSON that verifies as a file', async () => {
    const ndjsonOut = path.join(dir, 'team.ndjson');
    const ndjson = await floorwatch('export', '--db', database.appUrl, '--format', 'ndjson', '--out', ndjsonOut);
    expect(ndjson.code).toBe(0);
    expect(ndjson.stderr).toContain(`exported 12 rows (ndjson) to ${ndjsonOut}; chain OK, head row 12 ${headHash}`);
    const offline = await floorwatch('verify', ndjsonOut);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(`head: row 12 ${headHash}`);
  });

  it('names the first broken row of a tampered database (exit 1); export still writes, with a warning', async () => {
    const tampered = await postgres.createDatabase();
    const stores = await openTeamStores(tampered.appUrl);
    try {
      for (let n = 1; n <= 5; n++) await stores.audit.append({ operator: 'li.wei', role: 'admin', action: 'login' });
    } finally {
      await stores.close();
    }
    await postgres.asSuperuser(tampered, "UPDATE audit_log SET operator = 'someone.else' WHERE id = 4", {
      bypassTriggers: true,
    });
    const [verify, exported] = await Promise.all([
      floorwatch('verify', '--db', tampered.appUrl),
      floorwatch('export', '--db', tampered.appUrl, '--format', 'ndjson'),
    ]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('audit log BROKEN: postgres://');
    expect(verify.stdout).toContain('first broken row: 4 (edited)');
    expect(verify.stdout).toContain('rows intact before it: 3');
    expect(exported.code).toBe(0);
    expect(exported.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect(exported.stderr).toContain('WARNING: chain broken at row 4');
  });

  it('one line (exit 2) for a database that cannot be reached or is not a team database, a bad URL, FILE and --db', async () => {
    // In-process: the command's CliError is what the CLI prints as one line with its exit code.
    const refusal = (...args: string[]) =>
      auditCommand.run(args).then(
        () => null,
        (error: unknown) => error,
      );
    const [refused, notTeam, badUrl, both] = await Promise.all([
      refusal('verify', '--db', 'postgres://auditor:pw@127.0.0.1:1/floorwatch'),
      refusal('verify', '--db', postgres.server().url()),
      refusal('export', '--db', 'mysql://x@y/z', '--format', 'csv'),
      refusal('verify', 'audit.sqlite', '--db', database.appUrl),
    ]);
    for (const error of [refused, notTeam, badUrl, both]) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).not.toContain('\n');
    }
    expect((refused as Error).message).toMatch(
      /^postgres:\/\/auditor:\*\*\*@127\.0\.0\.1:1\/floorwatch: .*ECONNREFUSED/,
    );
    expect((notTeam as Error).message).toMatch(/is not a Floorwatch team database$/);
    expect((badUrl as Error).message).toContain('--db must be a PostgreSQL URL');
    expect((both as Error).message).toBe('audit verify takes FILE or --db, not both');
  });
});

describe('floorwatch team migrate', () => {
  it('creates the schema as the owner, is a no-op the second time, and the app can then append', async () => {
    const empty = await postgres.createDatabase({ migrated: false });
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    try {
      expect(await teamCommand.run(['migrate', '--db', empty.ownerUrl])).toBe(0);
      expect(await teamCommand.run(['migrate', '--db', empty.ownerUrl])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const latest = TEAM_MIGRATIONS.length;
    expect(printed).toEqual([
      `team database postgres://fw_test_owner:***@127.0.0.1:${postgres.server().port}/${empty.name}: schema 0 → ${latest} (${latest} known)\n`,
      `team database postgres://fw_test_owner:***@127.0.0.1:${postgres.server().port}/${empty.name}: already at schema ${latest} (${latest} known)\n`,
    ]);
    const stores = await openTeamStores(empty.appUrl);
    try {
      expect((await stores.audit.append({ operator: 'system', role: 'system', action: 'app_started' })).id).toBe(1);
    } finally {
      await stores.close();
    }
    await expect(teamCommand.run(['migrate'])).rejects.toThrow(CliError);
    await expect(teamCommand.run(['migrate', '--db', 'postgres://x:y@127.0.0.1:1/z'])).rejects.toThrow(
      /^cannot migrate postgres:\/\/x:\*\*\*@127\.0\.0\.1:1\/z: .*ECONNREFUSED/,
    );
  });
});
