// main/electron/main.ts run against a fake `electron` module and a fake core, with the real policy, operators,
// audit log, alert services and Workstation in a temporary data folder: start-up, window options, the permission
// and navigation guards, the API (logged in through auth.setupAdmin, as on a first start) served to our page and
// refused to a foreign one, windows per kind, the menu, and quitting stops everything before the core.
// (The real binary is exercised by tests/e2e/electron.spec.ts where it is installed.)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlertWorkflow } from '../../main/alerts/workflow';
import { recordSimulatedSession } from '../../main/review/simulatedSession';
import { Workstation } from '../../main/review/workstation';
import { AuditLog } from '../../main/store/auditLog';
import { WINDOW_KINDS } from '../../shared/api/contract';

type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  class Emitter {
    readonly handlers = new Map<string, Handler[]>();
    on(event: string, handler: Handler) {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
      return this;
    }
    once(event: string, handler: Handler) {
      return this.on(event, handler);
    }
    emit(event: string, ...args: unknown[]) {
      for (const handler of this.handlers.get(event) ?? []) handler(...args);
    }
  }

  let nextContentsId = 1;
  class FakeWebContents extends Emitter {
    readonly id = nextContentsId++;
    windowOpenHandler: Handler | null = null;
    readonly posted: Array<{ channel: string; transfer: unknown[] }> = [];
    setWindowOpenHandler(handler: Handler) {
      this.windowOpenHandler = handler;
    }
    postMessage(channel: string, _message: unknown, transfer: unknown[] = []) {
      this.posted.push({ channel, transfer });
    }
    isDestroyed() {
      return false;
    }
  }

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends Emitter {
    static focused: FakeBrowserWindow | null = null;
    static getAllWindows() {
      return windows.filter((window) => !window.closed);
    }
    static getFocusedWindow() {
      return FakeBrowserWindow.focused;
    }
    readonly webContents = new FakeWebContents();
    readonly loadFile = vi.fn(
      async (_file: string, _options?: { query?: Record<string, string>; hash?: string }) => {},
    );
    readonly focus = vi.fn();
    readonly show = vi.fn();
    closed = false;
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return this.closed;
    }
    restore() {}
    close() {
      this.closed = true;
      this.emit('closed');
    }
  }

  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const quits: string[] = [];
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    enableSandbox: vi.fn(),
    setPath: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: () => ready,
    getVersion: () => '9.9.9',
    exit: vi.fn(),
    quit: vi.fn(() => {
      let prevented = false;
      app.emit('before-quit', { preventDefault: () => (prevented = true) });
      quits.push(prevented ? 'prevented' : 'quit');
    }),
  });

  const ipcMain = {
    handlers: new Map<string, Handler>(),
    listeners: new Map<string, Handler[]>(),
    handle(channel: string, handler: Handler) {
      this.handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      this.handlers.delete(channel);
    },
    on(channel: string, handler: Handler) {
      this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), handler]);
      return this;
    },
    removeListener(channel: string, handler: Handler) {
      this.listeners.set(
        channel,
        (this.listeners.get(channel) ?? []).filter((h) => h !== handler),
      );
      return this;
    },
  };

  // MessageChannelMain: Node's global MessageChannel, its ports emitting { data } like MessagePortMain.
  class FakeMessageChannelMain {
    readonly port1;
    readonly port2;
    constructor() {
      const channel = new MessageChannel();
      const wrap = (port: MessagePort) => ({
        raw: port,
        on(event: string, listener: Handler) {
          if (event === 'message') port.addEventListener('message', (e) => listener({ data: e.data }));
          else (port as unknown as { on(e: string, l: Handler): void }).on(event, listener);
          return this;
        },
        postMessage: (message: unknown) => port.postMessage(message),
        start: () => port.start(),
        close: () => port.close(),
      });
      this.port1 = wrap(channel.port1);
      this.port2 = wrap(channel.port2);
    }
  }

  const session = {
    defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
  };
  const menu = { buildFromTemplate: vi.fn((template: unknown) => template), setApplicationMenu: vi.fn() };
  const dialog = { showErrorBox: vi.fn(), showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })) };
  // The OS key store: a reversible wrap marks what went through it (the data key file holds only wrapped bytes).
  const safeStorage = {
    isEncryptionAvailable: () => true,
    encryptString: (text: string) => Buffer.from(`os-wrapped:${text}`),
    decryptString: (bytes: Buffer) => bytes.toString().replace(/^os-wrapped:/, ''),
  };

  /** What stopped, in order (the core, and the alert workflow and the Workstation spied on below). */
  const stops: string[] = [];
  const core = {
    feedUrl: 'ws://127.0.0.1:40001/',
    simulatorRunning: true,
    mode: 'live' as const,
    reconnect: vi.fn(async () => {}),
    stop: vi.fn(async () => {
      stops.push('core');
    }),
    subscribe: vi.fn((_topic: string, listener: Handler) => {
      listener({ topic: _topic, snapshot: true, rows: [], removed: [], at: 0, sourceTs: 0 });
      return () => {};
    }),
    /** The session file the core records anchors the audit head: what the app hands it. */
    anchoredHeads: [] as unknown[],
    auditAnchorSink: {
      name: 'live session file',
      anchor: (head: unknown) => {
        core.anchoredHeads.push(head);
      },
    },
  };
  const startCore = vi.fn(async (_options: { feedUrl?: string; rules?: { userFile: string } }) => core);

  return {
    module: {
      app,
      BrowserWindow: FakeBrowserWindow,
      ipcMain,
      MessageChannelMain: FakeMessageChannelMain,
      session,
      Menu: menu,
      dialog,
      safeStorage,
    },
    windows,
    resolveReady: () => resolveReady(),
    quits,
    stops,
    core,
    startCore,
  };
});

vi.mock('electron', () => fake.module);
vi.mock('../../main/core/coreProcess', () => ({ CoreProcess: { start: fake.startCore } }));

type Reply = { ok: true; value: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };
type MenuItem = { label?: string; role?: string; submenu?: MenuItem[]; click?: () => void };
type FakeWindow = (typeof fake.windows)[number];

const tempRoot = mkdtempSync(path.join(os.tmpdir(), 'fw-electron-main-'));
const dataDir = path.join(tempRoot, 'data');
const savedEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('FLOORWATCH_')));

interface Frame {
  url: string;
  parent: Frame | null;
}

/** The IPC event of a frame of `window` showing `url` (our page unless told otherwise; the top frame unless a parent is given). */
function frameEvent(window: FakeWindow | undefined, url?: string, parent: Frame | null = null) {
  const indexFile = fake.windows[0]?.loadFile.mock.calls[0]?.[0] as string;
  const kind = window?.loadFile.mock.calls[0]?.[1]?.query?.window ?? 'marketWatch';
  const senderFrame: Frame = { url: url ?? `${pathToFileURL(indexFile).href}?window=${kind}`, parent };
  return { senderFrame, sender: window?.webContents };
}

function call(event: ReturnType<typeof frameEvent>, method: string, args: unknown): Promise<Reply> {
  const handler = fake.module.ipcMain.handlers.get('floorwatch:call') as Handler;
  return handler(event, method, args) as Promise<Reply>;
}

function fileMenu(): MenuItem[] {
  const template = fake.module.Menu.buildFromTemplate.mock.calls.at(-1)?.[0] as MenuItem[];
  return template.find((item) => item.label === 'File')?.submenu ?? [];
}

function auditActions(): string[] {
  const audit = AuditLog.open(path.join(dataDir, 'audit.sqlite'), { readonly: true });
  try {
    return audit.readRows().map((row) => `${row.operator}:${row.action}`);
  } finally {
    audit.close();
  }
}

describe('Electron main process (fake electron)', () => {
  let token = '';

  beforeAll(async () => {
    // A first start: an empty data folder of its own and no machine policy (a missing policy file).
    for (const key of Object.keys(savedEnv)) delete process.env[key];
    process.env.FLOORWATCH_DATA_DIR = dataDir;
    process.env.FLOORWATCH_POLICY_FILE = path.join(tempRoot, 'no-policy.json');
    const record = (name: string, original: () => Promise<void> | void) =>
      async function (this: unknown) {
        fake.stops.push(name);
        await original.call(this);
      };
    const workflowStop = AlertWorkflow.prototype.stop;
    vi.spyOn(AlertWorkflow.prototype, 'stop').mockImplementation(record('alerts', workflowStop));
    const workstationStop = Workstation.prototype.stop;
    vi.spyOn(Workstation.prototype, 'stop').mockImplementation(record('workstation', workstationStop));
    await import('../../main/electron/main');
  });

  afterAll(() => {
    vi.restoreAllMocks();
    delete process.env.FLOORWATCH_DATA_DIR;
    delete process.env.FLOORWATCH_POLICY_FILE;
    Object.assign(process.env, savedEnv);
    rmSync(tempRoot, { recursive: true, force: true });
  });

  it('sandboxes every renderer, keeps its profile in the data folder and takes the lock before ready', () => {
    expect(fake.module.app.enableSandbox).toHaveBeenCalledOnce();
    expect(fake.module.app.setPath).toHaveBeenCalledWith('userData', dataDir);
    expect(fake.module.app.requestSingleInstanceLock).toHaveBeenCalledOnce();
    expect(fake.startCore).not.toHaveBeenCalled();
    expect(fake.windows).toHaveLength(0);
    expect(existsSync(path.join(dataDir, 'audit.sqlite'))).toBe(false);
  });

  it('on ready opens the audit log in the data folder, starts the core on the simulator and opens Market Watch, hardened', async () => {
    fake.resolveReady();
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 5000 });
    expect(fake.startCore).toHaveBeenCalledOnce();
    expect(fake.startCore).toHaveBeenCalledWith({}); // no --feed, no adopted rules file yet
    expect(auditActions()).toEqual(['system:app_started']);
    const [window] = fake.windows;
    expect(window?.options.webPreferences).toEqual({
      preload: expect.stringMatching(/preload[\\/]preload\.cjs$/),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    });
    expect(window?.options.show).toBe(false);
    window?.emit('ready-to-show');
    expect(window?.show).toHaveBeenCalledOnce();
    // Nobody is logged in yet: no session token in the URL.
    expect(window?.loadFile).toHaveBeenCalledWith(expect.stringMatching(/renderer[\\/]index\.html$/), {
      query: { window: 'marketWatch' },
    });
    expect(fake.module.Menu.setApplicationMenu).toHaveBeenCalledOnce();
  });

  it('denies permissions, pop-ups, navigation and webviews', () => {
    const [requestHandler] = fake.module.session.defaultSession.setPermissionRequestHandler.mock.calls[0] as [Handler];
    const callback = vi.fn();
    requestHandler({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    const [checkHandler] = fake.module.session.defaultSession.setPermissionCheckHandler.mock.calls[0] as [Handler];
    expect(checkHandler({}, 'notifications')).toBe(false);

    const contents = fake.windows[0]?.webContents;
    expect(contents?.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      contents?.emit(event, { preventDefault });
      expect(preventDefault, event).toHaveBeenCalled();
    }
  });

  it('serves the API to our page: first start sets up the admin, then window.open opens a new window each time', async () => {
    const window = fake.windows[0];
    const event = frameEvent(window);
    await expect(call(event, 'app.info', {})).resolves.toMatchObject({
      ok: true,
      value: { transport: 'electron', version: '9.9.9', feedUrl: fake.core.feedUrl, mode: 'live' },
    });
    await expect(call(event, 'auth.status', {})).resolves.toMatchObject({
      ok: true,
      value: { needsSetup: true, session: null, auditCheck: { ok: true } },
    });
    // Before anyone logs in, the page may not open windows.
    await expect(call(event, 'window.open', { kind: 'positions' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(fake.windows).toHaveLength(1);

    const setup = await call(event, 'auth.setupAdmin', {
      username: 'admin',
      displayName: 'Admin',
      password: 'correct horse battery',
    });
    expect(setup).toMatchObject({ ok: true, value: { operator: 'admin', role: 'admin', locked: false } });
    token = setup.ok ? String(setup.value.token) : '';
    expect(token).not.toBe('');
    // The new head of the audit chain reached the session the core records (an anchor outside the audit log)…
    expect(fake.core.anchoredHeads.length).toBeGreaterThan(0);
    // …and the data key sits on disk only wrapped by the OS key store.
    const wrapped = readdirSync(path.join(dataDir, 'keys')).map((name) =>
      readFileSync(path.join(dataDir, 'keys', name), 'utf8'),
    );
    expect(wrapped.length).toBeGreaterThan(0);
    expect(wrapped.every((text) => text.startsWith('os-wrapped:'))).toBe(true);

    await expect(call(event, 'window.open', { kind: 'positions', channel: 'red' })).resolves.toEqual({
      ok: true,
      value: { opened: true },
    });
    expect(fake.windows).toHaveLength(2);
    const indexFile = window?.loadFile.mock.calls[0]?.[0] as string;
    // The new window carries the opener's session in its URL fragment…
    expect(fake.windows[1]?.loadFile).toHaveBeenCalledWith(indexFile, {
      query: { window: 'positions', channel: 'red' },
      hash: `session=${encodeURIComponent(token)}`,
    });
    // …and its page resumes that session with it (a different connection: window-<its contents id>).
    await expect(call(frameEvent(fake.windows[1]), 'auth.resume', { token })).resolves.toMatchObject({
      ok: true,
      value: { operator: 'admin', role: 'admin' },
    });
    await expect(call(frameEvent(fake.windows[1]), 'auth.status', {})).resolves.toMatchObject({
      ok: true,
      value: { session: { operator: 'admin' } },
    });

    // The same kind again is another window (issue 7), not the first one brought forward.
    await expect(call(event, 'window.open', { kind: 'positions' })).resolves.toEqual({
      ok: true,
      value: { opened: true },
    });
    expect(fake.windows).toHaveLength(3);
    expect(fake.windows[1]?.focus).not.toHaveBeenCalled();
    expect(fake.windows[2]?.loadFile).toHaveBeenCalledWith(indexFile, {
      query: { window: 'positions' },
      hash: `session=${encodeURIComponent(token)}`,
    });

    // The window's preload asks for its stream port and gets one.
    const connect = fake.module.ipcMain.listeners.get('floorwatch:connect')?.[0] as Handler;
    connect(event);
    expect(window?.webContents.posted.map((p) => p.channel)).toEqual(['floorwatch:port']);
  });

  it('refuses a foreign page, even inside our window with a logged-in session', async () => {
    const foreign = frameEvent(fake.windows[0], 'https://example.com/');
    await expect(call(foreign, 'window.open', { kind: 'accounts' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await expect(call(foreign, 'app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Our own page loaded in a sub-frame is refused too.
    const subFrame = frameEvent(fake.windows[0], undefined, frameEvent(fake.windows[0]).senderFrame);
    await expect(call(subFrame, 'window.open', { kind: 'accounts' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(fake.windows).toHaveLength(3);
  });

  it('the menu lists every window kind and "Open session…"; it and a second instance focus the newest window of a kind or open one', async () => {
    const file = fileMenu();
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
      'Open session…',
    ]);
    const item = (label: string) => openers.find((entry) => entry.label === label);

    // Positions is open twice: the newest one comes to the front, nothing opens.
    item('Open Positions')?.click?.();
    expect(fake.windows).toHaveLength(3);
    expect(fake.windows[2]?.focus).toHaveBeenCalledOnce();
    expect(fake.windows[1]?.focus).not.toHaveBeenCalled();
    // Once it is closed, the other one does.
    fake.windows[2]?.close();
    item('Open Positions')?.click?.();
    expect(fake.windows[1]?.focus).toHaveBeenCalledOnce();

    // Alerts is not open: it opens, joining the session of the window in front.
    fake.module.BrowserWindow.focused = fake.windows[0] ?? null;
    item('Open Alerts')?.click?.();
    expect(fake.windows).toHaveLength(4);
    expect(fake.windows[3]?.loadFile).toHaveBeenCalledWith(expect.any(String), {
      query: { window: 'alerts' },
      hash: `session=${encodeURIComponent(token)}`,
    });

    // Every other kind opens from its own item, in the window kind it names.
    const others = ['Open Accounts', 'Open Account Tools', 'Open Case Review', 'Open System Health', 'Open Sessions'];
    for (const label of [...others, 'Open What-if Tuning', 'Open Reports', 'Open Settings']) {
      item(label)?.click?.();
    }
    const kindsOpened = fake.windows.map((window) => window.loadFile.mock.calls[0]?.[1]?.query?.window);
    expect(new Set(kindsOpened)).toEqual(new Set(WINDOW_KINDS));
    expect(fake.windows).toHaveLength(WINDOW_KINDS.length + 1);

    // A second Floorwatch hands over: Market Watch comes to the front.
    fake.module.app.emit('second-instance');
    expect(fake.windows[0]?.focus).toHaveBeenCalledOnce();
    expect(fake.windows).toHaveLength(WINDOW_KINDS.length + 1);

    // Open session… asks for a file; cancelling changes nothing.
    item('Open session…')?.click?.();
    await vi.waitFor(() => expect(fake.module.dialog.showOpenDialog).toHaveBeenCalledOnce());
    expect(fake.module.dialog.showOpenDialog.mock.calls[0]).toEqual([
      expect.objectContaining({ defaultPath: path.join(dataDir, 'sessions') }),
    ]);
    await expect(call(frameEvent(fake.windows[0]), 'app.info', {})).resolves.toMatchObject({
      ok: true,
      value: { mode: 'live' },
    });
  });

  it('a session opens as a review workspace: windows of its own, their calls its own, back to live closes them', async () => {
    mkdirSync(path.join(dataDir, 'sessions'), { recursive: true });
    recordSimulatedSession(path.join(dataDir, 'sessions', '20260101-SIM-1.fwsession'), { messages: 3_000, seed: 1 });
    const live = frameEvent(fake.windows[0]);
    const opened = await call(live, 'sessions.open', { file: '20260101-SIM-1.fwsession' });
    expect(opened).toMatchObject({ ok: true, value: { reviewId: expect.stringMatching(/^[A-Za-z0-9_-]+$/) } });
    const reviewId = opened.ok ? String(opened.value.reviewId) : '';
    const before = fake.windows.length;
    await expect(call(live, 'window.open', { kind: 'alerts', review: reviewId })).resolves.toEqual({
      ok: true,
      value: { opened: true },
    });
    const reviewWindow = fake.windows[before];
    expect(reviewWindow?.options.title).toBe('Floorwatch — REVIEW · Alerts');
    expect(reviewWindow?.loadFile).toHaveBeenCalledWith(expect.any(String), {
      query: { window: 'alerts', review: reviewId },
      hash: `session=${encodeURIComponent(token)}`,
    });
    const inReview = frameEvent(reviewWindow);
    await expect(call(inReview, 'auth.resume', { token })).resolves.toMatchObject({ ok: true });
    await expect(call(inReview, 'app.info', {})).resolves.toMatchObject({
      ok: true,
      value: { mode: 'review', reviewId },
    });
    await expect(call(inReview, 'replay.control', { action: 'step', count: 10 })).resolves.toMatchObject({
      ok: true,
      value: { positionSeq: 10, reviewId, name: '20260101-SIM-1' },
    });
    // The live windows stay live; a replay control there is refused with what to do.
    await expect(call(live, 'app.info', {})).resolves.toMatchObject({ ok: true, value: { mode: 'live' } });
    await expect(call(live, 'replay.control', { action: 'play' })).resolves.toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/live floor/) },
    });
    // Back to live: the live Alerts window comes to the front and the review window closes.
    const liveAlerts = fake.windows[3];
    expect(await call(inReview, 'sessions.live', {})).toEqual({ ok: true, value: null });
    expect(reviewWindow?.closed).toBe(true);
    expect(liveAlerts?.focus).toHaveBeenCalled();
  });

  it('quitting stops alerts, the Workstation and then the core, logs the operator out, then quits', async () => {
    expect(fake.stops).toEqual([]);
    fake.module.app.quit();
    expect(fake.quits).toEqual(['prevented']);
    await vi.waitFor(() => expect(fake.quits).toEqual(['prevented', 'quit']), { timeout: 5000 });
    expect(fake.stops).toEqual(['alerts', 'workstation', 'core']);
    expect(fake.core.stop).toHaveBeenCalledOnce();
    expect(fake.module.ipcMain.handlers.size).toBe(0);
    // The audit log was closed after the session was ended (audited): the file reads back complete, with the
    // window.open refused before login, the setup, the second window's and the review window's resumes and the
    // logout at quit.
    expect(auditActions()).toEqual([
      'system:app_started',
      'anonymous:api_rejected',
      'admin:admin_created',
      'admin:login',
      'admin:session_resumed',
      'admin:session_resumed',
      'admin:logout',
    ]);
  });

  it('a bad --feed is shown to the operator and the app exits 1 without starting a core', async () => {
    vi.resetModules();
    const starts = fake.startCore.mock.calls.length;
    const windowCount = fake.windows.length;
    const auditRows = auditActions().length;
    process.argv.push('--feed', 'http://gateway:9001');
    try {
      await import('../../main/electron/main');
      await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalled(), { timeout: 5000 });
    } finally {
      process.argv.splice(-2, 2);
    }
    expect(fake.module.dialog.showErrorBox).toHaveBeenCalledWith(
      'Floorwatch cannot start',
      expect.stringContaining('--feed: the feed URL must start with ws:// or wss://'),
    );
    expect(fake.module.app.exit).toHaveBeenCalledWith(1);
    expect(fake.startCore.mock.calls.length).toBe(starts);
    expect(fake.windows.length).toBe(windowCount);
    expect(auditActions()).toHaveLength(auditRows); // the data folder was not even opened
  });
});
