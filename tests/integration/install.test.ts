// `npm install` where Electron's download host is unreachable must succeed: package.json's allowScripts denies the
// electron package its own postinstall (which exits 1 on a failed download), and the project's postinstall runs the
// same installer with the failure turned into one line. The policy is read by npm's own code (its Arborist and
// script matcher, from the npm that runs `npm install` here), not by a copy of its rules; no network install runs.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
  devDependencies: Record<string, string>;
};

/** The npm installation that `npm install` runs here (global root of the npm on PATH). */
function npmInstallDir(): string {
  const globalRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
  return path.join(globalRoot, 'npm');
}

interface ArboristNode {
  name: string;
  hasInstallScript: boolean;
}

async function lockfileNode(name: string): Promise<ArboristNode> {
  const requireFromNpm = createRequire(path.join(npmInstallDir(), 'package.json'));
  const Arborist = requireFromNpm('@npmcli/arborist') as new (options: { path: string }) => {
    loadVirtual(): Promise<{ children: Map<string, ArboristNode> }>;
  };
  const tree = await new Arborist({ path: root }).loadVirtual();
  const node = tree.children.get(name);
  if (!node) throw new Error(`${name} is not in package-lock.json`);
  return node;
}

function scriptAllowed(node: ArboristNode): boolean | null {
  const requireFromNpm = createRequire(path.join(npmInstallDir(), 'package.json'));
  const { isScriptAllowed } = requireFromNpm('@npmcli/arborist/lib/script-allowed.js') as {
    isScriptAllowed(node: ArboristNode, policy: Record<string, boolean>): boolean | null;
  };
  return isScriptAllowed(node, packageJson.allowScripts);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('npm install without access to Electron’s download host', () => {
  it('npm supports the allowScripts policy this project relies on', () => {
    expect(existsSync(path.join(npmInstallDir(), 'node_modules/@npmcli/arborist/lib/script-allowed.js'))).toBe(true);
  });

  it('npm skips the electron package’s own postinstall and still runs better-sqlite3’s build', async () => {
    expect(packageJson.devDependencies.electron).toBe('^41.7.1');
    const electron = await lockfileNode('electron');
    expect(electron.hasInstallScript).toBe(true);
    expect(scriptAllowed(electron)).toBe(false);
    expect(scriptAllowed(await lockfileNode('better-sqlite3'))).toBe(true);
  });

  it('the project’s own install settings do not turn every script off or the policy into errors', () => {
    const npmrc = path.join(root, '.npmrc');
    const text = existsSync(npmrc) ? readFileSync(npmrc, 'utf8') : '';
    expect(text).not.toMatch(/^\s*(ignore-scripts|dangerously-allow-all-scripts|strict-allow-scripts)\s*=\s*true/m);
    expect(packageJson.scripts.postinstall).toBe('node build/fetchElectron.mjs');
  });

  it('the postinstall runs Electron’s real installer and exits 0 with one line when the download fails', async () => {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'fw-install-'));
    try {
      const result = spawnSync(process.execPath, ['build/fetchElectron.mjs'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          ELECTRON_SKIP_BINARY_DOWNLOAD: '',
          // Nothing listens there: a download that fails at once, as behind a proxy that only passes the registry.
          ELECTRON_MIRROR: `http://127.0.0.1:${await closedPort()}/`,
          electron_config_cache: path.join(temp, 'cache'),
          ELECTRON_OVERRIDE_DIST_PATH: path.join(temp, 'no-electron'),
        },
      });
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        /^floorwatch: Electron binary not downloaded \(.*ECONNREFUSED.*\); npm start will run/,
      );
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }, 90_000);
});
