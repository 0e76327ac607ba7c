import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataKey, DataKeyError, dataKeyFilePath, resolveDataKey, SealError } from '../../main/security/dataKey';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-datakey-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const noPolicy = () => ({ FLOORWATCH_POLICY_FILE: path.join(dir, 'no-policy.json') });

describe('DataKey', () => {
  it('seals with a fresh nonce each time and opens only with the same key and place', () => {
    const key = DataKey.generate();
    const plain = Buffer.from('account A001 note');
    const a = key.seal(plain, 'row:1');
    const b = key.seal(plain, 'row:1');
    expect(a.equals(b)).toBe(false);
    expect(key.open(a, 'row:1').equals(plain)).toBe(true);
    expect(() => key.open(a, 'row:2')).toThrow(SealError);
    expect(() => DataKey.generate().open(a, 'row:1')).toThrow(SealError);
    const flipped = Buffer.from(a);
    flipped[20]! ^= 1;
    expect(() => key.open(flipped, 'row:1')).toThrow(SealError);
  });

  it('deterministic text sealing gives equal text for equal values only', () => {
    const key = DataKey.generate();
    const one = key.sealTextDeterministic('A001', 'catalog:account');
    expect(key.sealTextDeterministic('A001', 'catalog:account')).toBe(one);
    expect(key.sealTextDeterministic('A002', 'catalog:account')).not.toBe(one);
    expect(key.sealTextDeterministic('A001', 'catalog:instrument')).not.toBe(one);
    expect(key.openText(one, 'catalog:account')).toBe('A001');
    expect(one).not.toContain('A001');
  });
});

describe('resolveDataKey', () => {
  it('creates the key file 0600 in a 0700 folder at first start, then reads the same key', () => {
    const dataDir = path.join(dir, 'data');
    const created = resolveDataKey({ dataDir, env: noPolicy(), create: true });
    expect(created.created).toBe(true);
    expect(created.file).toBe(path.join(dataDir, 'keys', 'data.key'));
    if (process.platform !== 'win32') {
      expect(statSync(created.file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(created.file)).mode & 0o777).toBe(0o700);
    }
    const again = resolveDataKey({ dataDir, env: noPolicy() });
    expect(again.created).toBe(false);
    expect(again.key.id).toBe(created.key.id);
  });

  it('policy keyFile wins over FLOORWATCH_KEY_FILE, which wins over the data folder', () => {
    const policy = path.join(dir, 'policy.json');
    const env = { FLOORWATCH_POLICY_FILE: policy, FLOORWATCH_KEY_FILE: path.join(dir, 'env.key') };
    expect(dataKeyFilePath('/data', env)).toBe(path.join(dir, 'env.key'));
    writeFileSync(policy, JSON.stringify({ keyFile: '/etc/floorwatch/data.key' }));
    expect(dataKeyFilePath('/data', env)).toBe('/etc/floorwatch/data.key');
    expect(dataKeyFilePath('/data', noPolicy())).toBe(path.join('/data', 'keys', 'data.key'));
  });

  it('a missing or foreign key file is one line naming the file and what to do', () => {
    const dataDir = path.join(dir, 'data');
    const file = path.join(dataDir, 'keys', 'data.key');
    expect(() => resolveDataKey({ dataDir, env: noPolicy() })).toThrow(DataKeyError);
    expect(() => resolveDataKey({ dataDir, env: noPolicy() })).toThrow(
      `no data key at ${file}: restore the key file from your backup, or set FLOORWATCH_KEY_FILE`,
    );
    resolveDataKey({ dataDir, env: noPolicy(), create: true });
    writeFileSync(file, 'not a key\n');
    expect(() => resolveDataKey({ dataDir, env: noPolicy() })).toThrow(
      `data key file ${file} is not a Floorwatch data key; restore it from your backup`,
    );
  });
});
