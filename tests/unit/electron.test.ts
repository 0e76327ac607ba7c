// The Electron shell without the Electron binary: launch options, the trusted-page check, the menu, and a static
// check that the hardening the security review relies on is written literally in main/electron/main.ts.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveLaunchOptions } from '../../main/electron/launchOptions';
import { buildMenuTemplate } from '../../main/electron/menu';
import { trustedFrameMatcher } from '../../main/electron/trustedPages';
import { WINDOW_KINDS, type WindowKind } from '../../shared/api/contract';

describe('launch options', () => {
  const electronArgv = ['/opt/electron', '.'];

  it('uses the embedded simulator when no feed is given', () => {
    expect(resolveLaunchOptions(electronArgv, {})).toEqual({});
    expect(resolveLaunchOptions(electronArgv, { FLOORWATCH_FEED_URL: '  ' })).toEqual({});
  });

  it('reads --feed URL, --feed=URL and FLOORWATCH_FEED_URL, the argument winning', () => {
    expect(resolveLaunchOptions([...electronArgv, '--feed', 'wss://gw.example:9001/fw'], {})).toEqual({
      feedUrl: 'wss://gw.example:9001/fw',
    });
    expect(resolveLaunchOptions([...electronArgv, '--feed=ws://10.0.0.5:9001'], {})).toEqual({
      feedUrl: 'ws://10.0.0.5:9001/',
    });
    expect(resolveLaunchOptions(electronArgv, { FLOORWATCH_FEED_URL: 'wss://env.example' })).toEqual({
      feedUrl: 'wss://env.example/',
    });
    expect(
      resolveLaunchOptions([...electronArgv, '--feed', 'ws://arg.example'], {
        FLOORWATCH_FEED_URL: 'wss://env.example',
      }),
    ).toEqual({ feedUrl: 'ws://arg.example/' });
  });

  it('reads the team server from --server URL and --server=URL, beside a feed', () => {
    expect(resolveLaunchOptions([...electronArgv, '--server', 'https://team.example:5179'], {})).toEqual({
      serverUrl: 'https://team.example:5179',
    });
    expect(resolveLaunchOptions([...electronArgv, '--server=https://team:1', '--feed', 'wss://gw:2'], {})).toEqual({
      serverUrl: 'https://team:1',
      feedUrl: 'wss://gw:2/',
    });
    expect(() => resolveLaunchOptions([...electronArgv, '--server'], {})).toThrow(/--server needs a URL/);
  });

  it('refuses a missing or non-WebSocket feed URL with a message naming its source', () => {
    expect(() => resolveLaunchOptions([...electronArgv, '--feed'], {})).toThrow(/--feed needs a URL/);
    expect(() => resolveLaunchOptions([...electronArgv, '--feed', '--inspect'], {})).toThrow(/--feed needs a URL/);
    expect(() => resolveLaunchOptions([...electronArgv, '--feed', 'http://gw:9001'], {})).toThrow(
      /--feed: the feed URL must start with ws:\/\/ or wss:\/\//,
    );
    expect(() => resolveLaunchOptions(electronArgv, { FLOORWATCH_FEED_URL: 'gateway:9001x' })).toThrow(
      /FLOORWATCH_FEED_URL/,
    );
    expect(() => resolveLaunchOptions(electronArgv, { FLOORWATCH_FEED_URL: 'not a url' })).toThrow(/is not a URL/);
  });
});

describe('trusted pages', () => {
  const index = path.join(os.tmpdir(), 'fw app', 'dist', 'renderer', 'index.html');
  const page = pathToFileURL(index).href;
  const trusted = trustedFrameMatcher({ files: [index] });

  it('accepts the top frame of our page with any query or hash', () => {
    expect(trusted({ url: page, parent: null })).toBe(true);
    expect(trusted({ url: `${page}?window=positions&channel=red`, parent: null })).toBe(true);
    expect(trusted({ url: `${page}#/x`, parent: null })).toBe(true);
    // A percent-encoded space in the path is the same file.
    expect(page).toContain('%20');
  });

  it('refuses other files, sub-frames, remote pages and garbage', () => {
    const other = pathToFileURL(path.join(path.dirname(index), 'evil.html')).href;
    expect(trusted({ url: other, parent: null })).toBe(false);
    expect(trusted({ url: page, parent: { url: page, parent: null } })).toBe(false);
    expect(trusted({ url: 'https://example.com/index.html', parent: null })).toBe(false);
    expect(trusted({ url: `file://remote-host${new URL(page).pathname}`, parent: null })).toBe(false);
    expect(trusted({ url: 'about:blank', parent: null })).toBe(false);
    expect(trusted({ url: 'not a url', parent: null })).toBe(false);
    expect(trusted({ url: '', parent: null })).toBe(false);
  });

  it('accepts a dev-server origin only when configured, and exactly', () => {
    const dev = trustedFrameMatcher({ files: [index], origins: ['http://127.0.0.1:5173'] });
    expect(dev({ url: 'http://127.0.0.1:5173/?window=accounts', parent: null })).toBe(true);
    expect(dev({ url: 'http://127.0.0.1:5174/', parent: null })).toBe(false);
    expect(dev({ url: 'http://localhost:5173/', parent: null })).toBe(false);
    expect(trusted({ url: 'http://127.0.0.1:5173/', parent: null })).toBe(false);
  });
});

describe('application menu', () => {
  type Item = { label?: string; role?: string; submenu?: Item[]; click?: () => void; type?: string };
  const menu = (isDevelopment: boolean, isMac = false) => {
    const opened: WindowKind[] = [];
    const template = buildMenuTemplate({ isDevelopment, isMac, openWindow: (kind) => opened.push(kind) }) as Item[];
    const submenu = (label: string) => template.find((item) => item.label === label)?.submenu ?? [];
    return { template, opened, submenu };
  };

  it('File opens every window kind, then quits; "Open session…" only when given', () => {
    const { submenu, opened } = menu(false);
    const file = submenu('File');
    const openers = file.filter((item) => item.click);
    expect(openers.map((item) => item.label)).toEqual([
      'Open Market Watch',
      'Open Positions',
      'Open Accounts',
      'Open Alerts',
      'Open Account Tools',
      'Open Case Review',
      'Open System Health',
      'Open Sessions',
      'Open What-if Tuning',
      'Open Reports',
      'Open Settings',
    ]);
    expect(openers).toHaveLength(WINDOW_KINDS.length);
    for (const item of openers) item.click?.();
    expect(opened).toEqual([...WINDOW_KINDS]);
    expect(file.at(-1)?.role).toBe('quit');
    expect(file.map((item) => item.label)).not.toContain('Open session…');

    let sessionsOpened = 0;
    const withSession = buildMenuTemplate({
      isDevelopment: false,
      isMac: false,
      openWindow: () => {},
      openSession: () => sessionsOpened++,
    }) as Item[];
    const fileWithSession = withSession.find((item) => item.label === 'File')?.submenu ?? [];
    const openSession = fileWithSession.find((item) => item.label === 'Open session…');
    expect(fileWithSession.filter((item) => item.click).map((item) => item.label)).toEqual([
      ...openers.map((item) => item.label),
      'Open session…',
    ]);
    openSession?.click?.();
    expect(sessionsOpened).toBe(1);
    expect(fileWithSession.at(-1)?.role).toBe('quit');
  });

  it('View has reload and developer tools only in development', () => {
    const roles = (isDevelopment: boolean) =>
      menu(isDevelopment)
        .submenu('View')
        .map((item) => item.role);
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools', 'resetZoom']));
    expect(roles(false)).not.toContain('reload');
    expect(roles(false)).not.toContain('forceReload');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).toContain('zoomIn');
  });

  it('has the application menu on macOS (it quits; File closes the window)', () => {
    expect(menu(false, true).template[0]?.role).toBe('appMenu');
    expect(menu(false, true).submenu('File').at(-1)?.role).toBe('close');
    expect(menu(false, false).template[0]?.label).toBe('File');
  });
});

describe('hardening written literally in main/electron/main.ts', () => {
  const source = readFileSync(new URL('../../main/electron/main.ts', import.meta.url), 'utf8');
  const preload = readFileSync(new URL('../../preload/index.ts', import.meta.url), 'utf8');
  // The options object of the one `new BrowserWindow({ … })`, up to its closing `});`.
  const windowStart = source.indexOf('new BrowserWindow({');
  const windowOptions = source.slice(windowStart, source.indexOf('\n  });', windowStart));

  it('creates windows with isolation, sandbox, no Node and web security, as literal options', () => {
    expect(windowStart).toBeGreaterThan(0);
    expect(source.indexOf('new BrowserWindow(', windowStart + 1)).toBe(-1); // one place creates windows
    expect(windowOptions).toContain('webPreferences: {');
    for (const option of [
      'contextIsolation: true,',
      'sandbox: true,',
      'nodeIntegration: false,',
      'nodeIntegrationInWorker: false,',
      'nodeIntegrationInSubFrames: false,',
      'webSecurity: true,',
      'allowRunningInsecureContent: false,',
      "disableBlinkFeatures: 'Auxclick',",
      'webviewTag: false,',
    ]) {
      expect(windowOptions).toContain(option);
    }
    expect(windowOptions).not.toMatch(/webPreferences:\s*\{\s*\.\.\./); // no spread hiding options from scanners
    expect(windowOptions).toMatch(/eng-disable PRELOAD_JS_CHECK/);
  });

  it('denies pop-ups, navigation and permissions, and loads only files', () => {
    expect(source).toContain("setWindowOpenHandler(() => ({ action: 'deny' }))");
    expect(source).toMatch(/on\('will-navigate', \(event\) => event\.preventDefault\(\)\)/);
    expect(source).toMatch(/setPermissionRequestHandler\(\(_contents, _permission, callback\) => callback\(false\)\)/);
    expect(source).toContain('app.enableSandbox()');
    expect(source).toContain('.loadFile(');
    expect(source).not.toContain('loadURL');
    expect(source).not.toMatch(/shell\.openExternal|\beval\(|new Function/);
  });

  it('the preload exposes exactly one key, window.floorwatch, with call, subscribe and onConnection', () => {
    const exposures = [...preload.matchAll(/exposeInMainWorld\('([^']+)'/g)].map((m) => m[1]);
    expect(exposures).toEqual(['floorwatch']);
    expect(preload).toMatch(
      /exposeInMainWorld\('floorwatch', \{\s*call: api\.call,\s*subscribe: api\.subscribe,\s*onConnection: api\.onConnection,\s*\}\)/,
    );
  });
});
