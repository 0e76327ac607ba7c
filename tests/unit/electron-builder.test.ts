// electron-builder.yml: valid for the installed electron-builder (its own schema check), with the targets, ids,
// fuses, unpacked native modules and resources the packaging issue asks for.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};

type Config = Record<string, unknown> & {
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  nsis: Record<string, unknown>;
  msi: Record<string, unknown>;
  electronFuses: Record<string, boolean>;
  extraResources: Array<{ from: string; to: string }>;
  asarUnpack: string[];
  files: string[];
};

const config = yaml.load(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as Config;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
};

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration schema", async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  });

  it('the schema check is real: an unknown option is refused', async () => {
    await expect(
      validateConfiguration({ ...config, msi: { ...config.msi, quietly: true } }, { isEnabled: false, add() {} }),
    ).rejects.toThrow(/msi/);
  });

  it('has a stable identity and the installer targets for each OS', () => {
    expect(config.appId).toBe('org.floorwatch.app');
    expect(config.productName).toBe('Floorwatch');
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.win.target).toEqual(['nsis', 'msi']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
    expect(config.msi).toMatchObject({ perMachine: true });
    expect(String(config.msi.upgradeCode)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(config.publish).toBeNull();
  });

  it('packages only the build, rebuilds and unpacks better-sqlite3, ships the rules', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack.some((glob) => glob.includes('better-sqlite3'))).toBe(true);
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'build/rules', to: 'rules' }));
  });

  it('ships the default config, an example policy and the policy schema, and every resource exists', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'build/config', to: 'config' }));
    expect(config.extraResources).toContainEqual(
      expect.objectContaining({ from: 'build/policy.schema.json', to: 'policy.schema.json' }),
    );
    for (const resource of config.extraResources) {
      expect(existsSync(new URL(`../../${resource.from}`, import.meta.url)), resource.from).toBe(true);
    }
    for (const file of ['build/rules/default.json', 'build/config/settings.default.json']) {
      expect(existsSync(new URL(`../../${file}`, import.meta.url)), file).toBe(true);
    }
  });

  it('has no updater: nothing to publish to and no electron-updater dependency (policy autoUpdateAllowed)', () => {
    expect(config.publish).toBeNull();
    expect(JSON.stringify(pkg)).not.toContain('electron-updater');
  });

  it('sets the fuses: no run-as-node, app only from an integrity-checked asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });

  it('package.json points Electron at the bundled main process and has the dist scripts', () => {
    expect(pkg.main).toBe('dist/main/electron-main.js');
    expect(pkg.scripts.dist).toMatch(/electron-builder/);
    expect(pkg.scripts['dist:dir']).toMatch(/electron-builder --dir/);
    expect(pkg.scripts['policy:schema']).toMatch(/main\/policy\/writeSchema/);
  });
});
