// The Settings window's API: what an admin may change, what the policy or an environment variable keeps, and the
// audited, durable write of settings.json that applies at the next start.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../main/api/dispatcher';
import { resolveSettings } from '../../main/policy/settings';
import { SettingsService } from '../../main/policy/userSettings';
import { AuditLog } from '../../main/store/auditLog';
import { SqliteAuditStore } from '../../main/store/auditStore';

let dir: string;
let audit: AuditLog;
const admin = { operator: 'it.admin', role: 'admin' };

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fw-user-settings-'));
  audit = AuditLog.open(path.join(dir, 'audit.sqlite'));
});
afterEach(() => {
  audit.close();
  rmSync(dir, { recursive: true, force: true });
});

function service(options: { policy?: object; env?: NodeJS.ProcessEnv; feedFlag?: string } = {}) {
  const resolved = resolveSettings({
    env: { FLOORWATCH_DATA_DIR: dir, ...options.env },
    policy: options.policy ?? null,
    ...(options.feedFlag ? { flags: { feedUrls: [options.feedFlag] } } : {}),
  });
  return new SettingsService({ resolved, audit: new SqliteAuditStore(audit) });
}

const auditRows = () =>
  audit
    .exportText('ndjson')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; operator: string; details: unknown; reason: string | null });

async function refusal(run: () => Promise<unknown>): Promise<ApiFailure> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ApiFailure) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('SettingsService', () => {
  it('lists as editable only the user keys neither the policy nor an environment variable sets', () => {
    const view = service({ policy: { retentionDays: 30 }, env: { FLOORWATCH_IDLE_LOCK_MINUTES: '5' } }).view();
    expect(view.editable).toEqual(['feedUrls', 'feedCaFile', 'diskWarningFreePercent']);
    expect(view.locked).toEqual(['retentionDays']);
    expect(view.sources).toMatchObject({
      retentionDays: 'policy',
      idleLockMinutes: 'env',
      diskWarningFreePercent: 'default',
    });
    expect(view.userFile).toBe(path.join(dir, 'settings.json'));
    expect(view.pending).toEqual({});
  });

  it('saves a change durably and audited, and shows it pending until the next start', async () => {
    const settings = service();
    const view = await settings.update(admin, {
      changes: { idleLockMinutes: 3, feedUrls: ['wss://gw-a:9443', 'wss://gw-b:9443'] },
      reason: 'desk moved to the night shift gateway',
    });
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8'))).toEqual({
      idleLockMinutes: 3,
      feedUrls: ['wss://gw-a:9443', 'wss://gw-b:9443'],
    });
    expect(view.values.idleLockMinutes).toBe(10); // in force: the value the workstation started with
    expect(view.pending).toEqual({ idleLockMinutes: 3, feedUrls: ['wss://gw-a:9443', 'wss://gw-b:9443'] });
    const row = auditRows().find((entry) => entry.action === 'settings_changed');
    expect(row).toMatchObject({
      operator: 'it.admin',
      reason: 'desk moved to the night shift gateway',
      details: { before: { idleLockMinutes: null, feedUrls: null }, after: { idleLockMinutes: 3 } },
    });
    // The next start reads it: nothing pending any more.
    expect(service().view()).toMatchObject({ values: { idleLockMinutes: 3 }, pending: {} });
    expect(audit.verify().ok).toBe(true);
  });

  it('null removes a key: back to the default at the next start', async () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ retentionDays: 7, idleLockMinutes: 2 }));
    const view = await service().update(admin, { changes: { retentionDays: null }, reason: 'use the default' });
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8'))).toEqual({ idleLockMinutes: 2 });
    expect(view.pending).toEqual({ retentionDays: null });
  });

  it('names --feed as the source of a feed given on the command line, and keeps it read-only', async () => {
    const settings = service({ feedFlag: 'ws://flag:9', env: { FLOORWATCH_FEED_URL: 'ws://env:1' } });
    const view = settings.view();
    expect(view.sources.feedUrls).toBe('flag');
    expect(view.values.feedUrls).toEqual(['ws://flag:9']);
    expect(view.editable).not.toContain('feedUrls');
    const failure = await refusal(() => settings.update(admin, { changes: { feedUrls: ['ws://x:1'] }, reason: 'try' }));
    expect(failure.message).toMatch(/"feedUrls" is set by the command-line flag --feed/);
  });

  it('refuses what the policy, an environment variable or the machine owns, and invalid values, naming them', async () => {
    const settings = service({ policy: { retentionDays: 30 }, env: { FLOORWATCH_IDLE_LOCK_MINUTES: '5' } });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ retentionDays: 7 }, 'forbidden', /set by your organisation's policy/],
      [{ idleLockMinutes: 1 }, 'forbidden', /FLOORWATCH_IDLE_LOCK_MINUTES/],
      [{ exportKinds: [] }, 'forbidden', /only the machine policy/],
      [{ simulatorAllowed: true }, 'forbidden', /only the machine policy/],
      [{ colour: 'red' }, 'bad_arguments', /"colour" is not a known setting/],
      [{ diskWarningFreePercent: 150 }, 'bad_arguments', /"diskWarningFreePercent" is invalid/],
      [{ feedUrls: ['http://gw:1'] }, 'bad_arguments', /"feedUrls\[0\]"/],
      [{ feedUrls: ['ws://gw:1'], feedCaFile: '/etc/ca.pem' }, 'bad_arguments', /a CA is used only with wss/],
    ];
    for (const [changes, code, message] of cases) {
      const failure = await refusal(() => settings.update(admin, { changes, reason: 'try' }));
      expect(failure.code, JSON.stringify(changes)).toBe(code);
      expect(failure.message).toMatch(message);
    }
    expect((await refusal(() => settings.update(admin, { changes: { feedUrls: null }, reason: '  ' }))).code).toBe(
      'bad_arguments',
    );
    expect(existsSync(path.join(dir, 'settings.json'))).toBe(false);
    expect(auditRows().some((entry) => entry.action === 'settings_changed')).toBe(false);
  });
});
