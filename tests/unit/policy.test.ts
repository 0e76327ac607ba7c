// Machine policy: precedence (policy > env/flags > user settings > defaults), locked keys, schema errors that name
// the field, the shipped JSON schema in step with the TypeBox one, retention pruning and the disk warning.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFolderUpkeep, pruneSessions, sessionsDir, checkDisk } from '../../main/policy/dataFolder';
import { policySchemaJson } from '../../main/policy/schemaFile';
import { assertHostModeAllowed, healthWithDataFolder, planFeed, planServer } from '../../main/policy/service';
import { SettingsService } from '../../main/policy/userSettings';
import {
  defaultDataDir,
  parsePolicy,
  policyFilePath,
  resolveDataDir,
  resolveSettings,
  settingSetBy,
  settingsFromEnv,
  SettingsError,
} from '../../main/policy/settings';
import { floorwatchDataDir } from '../../main/store/auditPaths';
import type { CallerContext, TopicSource } from '../../main/api/dispatcher';
import type { TopicUpdate } from '../../shared/api/contract';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fw-policy-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('policy file location', () => {
  it('is per OS, overridable by FLOORWATCH_POLICY_FILE', () => {
    expect(policyFilePath({}, 'linux')).toBe('/etc/floorwatch/policy.json');
    expect(policyFilePath({}, 'darwin')).toBe('/Library/Application Support/Floorwatch/policy.json');
    expect(policyFilePath({ ProgramData: 'D:\\PD' }, 'win32')).toBe('D:\\PD\\Floorwatch\\policy.json');
    expect(policyFilePath({ FLOORWATCH_POLICY_FILE: '/tmp/x/p.json' }, 'linux')).toBe('/tmp/x/p.json');
  });
});

describe('precedence: policy > env/flags > user > defaults', () => {
  const home = '/home/op';
  it('defaults alone: OS data folder, simulator and host allowed, no auto-update', () => {
    const resolved = resolveSettings({ env: {}, platform: 'linux', home, policy: null, user: {} });
    expect(resolved.values).toMatchObject({
      dataDir: '/home/op/.config/Floorwatch',
      retentionDays: 90,
      simulatorAllowed: true,
      hostModeAllowed: true,
      autoUpdateAllowed: false,
    });
    expect(resolved.values.feedUrls).toBeUndefined();
    expect(resolved.locked).toEqual([]);
    expect(resolved.sources.retentionDays).toBe('default');
  });

  it('each layer overrides the ones below it, and the policy locks its keys', () => {
    const resolved = resolveSettings({
      env: { FLOORWATCH_RETENTION_DAYS: '30', FLOORWATCH_IDLE_LOCK_MINUTES: '5', FLOORWATCH_DATA_DIR: '/srv/env' },
      platform: 'linux',
      home,
      policy: { retentionDays: 365, simulatorAllowed: false },
      user: { retentionDays: 7, idleLockMinutes: 60, diskWarningFreePercent: 20 },
    });
    expect(resolved.values.retentionDays).toBe(365);
    expect(resolved.sources.retentionDays).toBe('policy');
    expect(resolved.values.idleLockMinutes).toBe(5);
    expect(resolved.sources.idleLockMinutes).toBe('env');
    expect(resolved.values.diskWarningFreePercent).toBe(20);
    expect(resolved.sources.diskWarningFreePercent).toBe('user');
    expect(resolved.values.dataDir).toBe('/srv/env');
    expect(resolved.values.simulatorAllowed).toBe(false);
    expect(resolved.locked.sort()).toEqual(['retentionDays', 'simulatorAllowed']);
  });

  it('a command-line flag wins over the environment but may not contradict the policy', () => {
    const env = { FLOORWATCH_FEED_URL: 'ws://env:1' };
    const flags = { feedUrls: ['wss://flag:2'] };
    const fromFlag = resolveSettings({ env, flags, policy: null, user: {} });
    expect(fromFlag.values.feedUrls).toEqual(['wss://flag:2']);
    // The Settings window names the source: the flag, not "an environment variable".
    expect(fromFlag.sources.feedUrls).toBe('flag');
    expect(settingSetBy(fromFlag, 'feedUrls')).toBe('the command-line flag --feed');
    const fromEnv = resolveSettings({ env, policy: null, user: {} });
    expect(fromEnv.sources.feedUrls).toBe('env');
    expect(settingSetBy(fromEnv, 'feedUrls')).toBe('the environment variable FLOORWATCH_FEED_URL');
    const fromUser = resolveSettings({ env: {}, policy: null, user: { feedUrls: ['ws://user:3'] } });
    expect(fromUser.sources.feedUrls).toBe('user');
    const fromPolicy = resolveSettings({ env, policy: { feedUrls: ['wss://gw:9'] }, user: {} });
    expect(fromPolicy.sources.feedUrls).toBe('policy');
    const error = errorOf(() => resolveSettings({ env, flags, policy: { feedUrls: ['wss://gw:9'] }, user: {} }));
    expect(error.field).toBe('feedUrls');
    expect(error.message).toMatch(/set by your organisation's policy/);
  });

  it('reads the policy and the user settings.json from disk; the user file cannot move the data folder', () => {
    const dir = tempDir();
    const policyFile = path.join(dir, 'policy.json');
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(policyFile, JSON.stringify({ dataDir, hostModeAllowed: false }));
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ idleLockMinutes: 3 }));
    const resolved = resolveSettings({ env: { FLOORWATCH_POLICY_FILE: policyFile, FLOORWATCH_DATA_DIR: '/x' } });
    expect(resolved.policyFile).toBe(policyFile);
    expect(resolved.values.dataDir).toBe(dataDir);
    expect(resolved.values.idleLockMinutes).toBe(3);
    expect(resolved.sources.idleLockMinutes).toBe('user');
    expect(resolved.userFile).toBe(path.join(dataDir, 'settings.json'));
    // floorwatchDataDir (audit log, operators) follows the policy too.
    expect(floorwatchDataDir({ FLOORWATCH_POLICY_FILE: policyFile, FLOORWATCH_DATA_DIR: '/x' })).toBe(dataDir);
    expect(resolveDataDir({ FLOORWATCH_POLICY_FILE: path.join(dir, 'none.json'), FLOORWATCH_DATA_DIR: '/x' })).toBe(
      '/x',
    );
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\op')).toMatch(/Floorwatch$/);
  });

  it('settings.policy returns values, sources and locked keys (a copy)', async () => {
    const resolved = resolveSettings({ env: {}, policy: { exportKinds: ['audit'] }, user: {} });
    const handler = new SettingsService({ resolved }).handlers()['settings.policy'];
    const view = await handler({}, {} as CallerContext);
    expect(view.locked).toEqual(['exportKinds']);
    expect(view.values.exportKinds).toEqual(['audit']);
    expect(view.sources.exportKinds).toBe('policy');
    (view.values.exportKinds as string[]).push('session');
    expect((await handler({}, {} as CallerContext)).values.exportKinds).toEqual(['audit']);
  });
});

describe('invalid input is refused with a message naming the field', () => {
  it.each([
    ['{"retentionDays": "30"}', 'retentionDays', /"retentionDays" is invalid: Expected integer \(got "30"\)/],
    ['{"retentionDays": 0}', 'retentionDays', /"retentionDays"/],
    ['{"feedUrl": "wss://x"}', 'feedUrl', /"feedUrl" is not a known setting/],
    ['{"feedUrls": ["http://gw:1"]}', 'feedUrls[0]', /"feedUrls\[0\]"/],
    ['{"exportKinds": ["everything"]}', 'exportKinds[0]', /"exportKinds\[0\]"/],
    ['{"hostModeAllowed": "no"}', 'hostModeAllowed', /"hostModeAllowed".*Expected boolean/],
    ['{"dataDir": "relative/dir"}', 'dataDir', /"dataDir" must be an absolute path/],
    ['{"feedUrls": ["ws://gw:1"], "feedCaFile": "/etc/ca.pem"}', 'feedCaFile', /only with wss/],
    ['{"serverUrl": "ftp://team:5179"}', 'serverUrl', /"serverUrl" is invalid/],
    ['{"serverUrl": "http://127.0.0.1:5179", "serverCaFile": "/etc/ca.pem"}', 'serverCaFile', /only with TLS/],
  ])('%s', (text, field, message) => {
    const error = errorOf(() => parsePolicy(text, '/etc/floorwatch/policy.json'));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('policy /etc/floorwatch/policy.json');
  });

  it('not JSON, or not an object', () => {
    expect(errorOf(() => parsePolicy('{retentionDays: 1', 'p.json')).message).toMatch(/p\.json: not valid JSON/);
    expect(errorOf(() => parsePolicy('[1]', 'p.json')).message).toMatch(/must be a JSON object/);
  });

  it('an invalid policy file on disk stops resolution (the app refuses to start)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, '{"idleLockMinutes": 99999}');
    const error = errorOf(() => resolveSettings({ env: { FLOORWATCH_POLICY_FILE: file }, user: {} }));
    expect(error.message).toContain(file);
    expect(error.field).toBe('idleLockMinutes');
  });

  it('environment variables: parsed per type, errors name the variable', () => {
    expect(
      settingsFromEnv({
        FLOORWATCH_FEED_URL: 'wss://a:1, wss://b:2',
        FLOORWATCH_EXPORT_KINDS: 'none',
        FLOORWATCH_SIMULATOR_ALLOWED: 'off',
        FLOORWATCH_DISK_WARNING_PERCENT: '12.5',
      }),
    ).toEqual({
      feedUrls: ['wss://a:1', 'wss://b:2'],
      exportKinds: [],
      simulatorAllowed: false,
      diskWarningFreePercent: 12.5,
    });
    expect(errorOf(() => settingsFromEnv({ FLOORWATCH_RETENTION_DAYS: 'ten' })).message).toMatch(
      /^FLOORWATCH_RETENTION_DAYS is invalid: Expected integer \(got "ten"\)/,
    );
    expect(errorOf(() => settingsFromEnv({ FLOORWATCH_HOST_MODE_ALLOWED: 'maybe' })).message).toMatch(
      /FLOORWATCH_HOST_MODE_ALLOWED: expected true or false/,
    );
    expect(errorOf(() => settingsFromEnv({ FLOORWATCH_FEED_URL: 'gw:1' })).field).toBe('feedUrls');
  });
});

describe('launch decisions', () => {
  const resolve = (policy: object, env: NodeJS.ProcessEnv = {}) =>
    resolveSettings({ env, policy, user: {}, platform: 'linux', home: '/h' });

  it('no feed and the simulator disallowed: refused, saying who and what to do', () => {
    const error = errorOf(() => planFeed(resolve({ simulatorAllowed: false })));
    expect(error.message).toMatch(/simulator is disabled by your organisation's policy.*set a feed URL/);
    expect(planFeed(resolve({ simulatorAllowed: false, feedUrls: ['ws://gw:9'] }))).toEqual({ feedUrl: 'ws://gw:9' });
    expect(planFeed(resolve({}))).toEqual({});
  });

  it('host mode disallowed by policy or by env', () => {
    expect(() => assertHostModeAllowed(resolve({ hostModeAllowed: false }))).toThrow(
      /host mode is disabled by your organisation/,
    );
    expect(() => assertHostModeAllowed(resolve({}, { FLOORWATCH_HOST_MODE_ALLOWED: '0' }))).toThrow(
      /disabled by the environment variable FLOORWATCH_HOST_MODE_ALLOWED/,
    );
    expect(() => assertHostModeAllowed(resolve({}))).not.toThrow();
  });

  it('wss:// with a custom CA: the PEM is read, a missing or non-PEM file is refused', () => {
    const dir = tempDir();
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(planFeed(resolve({ feedUrls: ['wss://gw:9'], feedCaFile: ca })).feedCa).toContain('BEGIN CERTIFICATE');
    expect(() => planFeed(resolve({ feedUrls: ['wss://gw:9'], feedCaFile: path.join(dir, 'no.pem') }))).toThrow(
      /"feedCaFile" .*cannot be read \(ENOENT\)/,
    );
    writeFileSync(ca, 'hello');
    expect(() => planFeed(resolve({ feedUrls: ['wss://gw:9'], feedCaFile: ca }))).toThrow(/no PEM certificate/);
  });

  it('a team server from the policy or FLOORWATCH_SERVER_URL, with its CA read from serverCaFile', () => {
    expect(planServer(resolve({}))).toBeNull();
    expect(planServer(resolve({}, { FLOORWATCH_SERVER_URL: 'https://team.example:5179' }))).toEqual({
      serverUrl: 'https://team.example:5179',
    });
    const dir = tempDir();
    const ca = path.join(dir, 'team-ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const plan = planServer(resolve({ serverUrl: 'https://team.example:5179', serverCaFile: ca }));
    expect(plan?.serverCa).toContain('BEGIN CERTIFICATE');
    writeFileSync(ca, 'hello');
    expect(() => planServer(resolve({ serverUrl: 'wss://team.example:5179', serverCaFile: ca }))).toThrow(
      /"serverCaFile" .*no PEM certificate/,
    );
  });

  it('the first feed URL is the gateway, the others its backups in order', () => {
    expect(planFeed(resolve({ feedUrls: ['wss://gw1:9', 'wss://gw2:9', 'wss://gw3:9'] }))).toEqual({
      feedUrl: 'wss://gw1:9',
      feedFallbackUrls: ['wss://gw2:9', 'wss://gw3:9'],
    });
    expect(planFeed(resolve({ feedUrls: ['ws://gw1:9'] }))).toEqual({ feedUrl: 'ws://gw1:9' });
  });
});

describe('shipped JSON schema', () => {
  it('build/policy.schema.json is the schema the app checks with (run npm run -s policy:schema when this fails)', () => {
    const shipped = readFileSync(new URL('../../build/policy.schema.json', import.meta.url), 'utf8');
    expect(shipped).toBe(policySchemaJson());
    const schema = JSON.parse(shipped) as { additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['feedUrls', 'dataDir', 'hostModeAllowed']));
  });
});

describe('data folder upkeep', () => {
  const DAY = 86_400_000;
  function session(dir: string, name: string, ageDays: number): string {
    const file = path.join(dir, name);
    writeFileSync(file, 'x');
    const when = (Date.now() - ageDays * DAY) / 1000;
    utimesSync(file, when, when);
    return file;
  }

  it('prunes sessions older than the retention, with their WAL files, never anything else', async () => {
    const dataDir = tempDir();
    const dir = sessionsDir(dataDir);
    mkdirSync(dir);
    const old = session(dir, '20260101-a.fwsession', 40);
    writeFileSync(`${old}-wal`, 'w');
    const recent = session(dir, '20261120-b.fwsession', 2);
    const live = session(dir, '20260102-live.fwsession', 50);
    const other = session(dir, 'audit.sqlite', 400);
    const result = await pruneSessions({ dir, retentionDays: 30, keep: new Set([live]) });
    expect(result.deleted).toEqual([old]);
    expect(existsSync(old) || existsSync(`${old}-wal`)).toBe(false);
    for (const file of [recent, live, other]) expect(existsSync(file)).toBe(true);
    expect(await pruneSessions({ dir: path.join(dataDir, 'missing'), retentionDays: 1 })).toEqual({
      deleted: [],
      kept: 0,
      failed: [],
    });
  });

  it('warns once per low-disk episode and shows the disk and database sizes in the health row', async () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'audit.sqlite'), 'abc');
    writeFileSync(path.join(dataDir, 'audit.sqlite-wal'), '12345');
    const lines: string[] = [];
    let freePercent = 5;
    const upkeep = new DataFolderUpkeep({
      dataDir,
      retentionDays: 30,
      diskWarningFreePercent: 10,
      databases: { audit: path.join(dataDir, 'audit.sqlite'), operators: path.join(dataDir, 'operators.sqlite') },
      log: (_level, message) => lines.push(message),
      statDisk: async (dir, warn) => ({
        path: dir,
        freeBytes: freePercent,
        totalBytes: 100,
        freePercent,
        warnFreePercent: warn,
        low: freePercent < warn,
        checkedAt: 1,
      }),
    });
    await upkeep.start();
    await upkeep.checkDisk();
    expect(lines.filter((line) => line === 'disk nearly full')).toHaveLength(1);
    freePercent = 50;
    await upkeep.checkDisk();
    freePercent = 1;
    await upkeep.checkDisk();
    expect(lines.filter((line) => line === 'disk nearly full')).toHaveLength(2);
    upkeep.stop();

    const updates: TopicUpdate[] = [];
    const source: TopicSource = {
      subscribe: (topic, listener) => {
        const row = { feedState: 'live', recorder: { dbBytes: 4096 } };
        listener({ topic, snapshot: true, rows: [row], removed: [], at: 1, sourceTs: 1 } as never);
        return () => {};
      },
    };
    healthWithDataFolder(source, upkeep).subscribe('health', (update) => updates.push(update));
    healthWithDataFolder(source, upkeep).subscribe('market', (update) => updates.push(update));
    expect(updates[0]?.rows[0]).toMatchObject({
      feedState: 'live',
      disk: { low: true, freePercent: 1 },
      databases: { session: 4096, audit: 3 + 5 }, // the audit log and its WAL; no operators file yet
    });
    expect(updates[0]?.rows[0]).not.toHaveProperty('databases.operators');
    expect(updates[1]?.rows[0]).not.toHaveProperty('disk');
  });

  it('checkDisk reads the real file system', async () => {
    const disk = await checkDisk(tempDir(), 0);
    expect(disk.totalBytes).toBeGreaterThan(0);
    expect(disk.freeBytes).toBeLessThanOrEqual(disk.totalBytes);
    expect(disk.low).toBe(false);
  });
});
