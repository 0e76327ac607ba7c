// main/electron/main.ts run against a fake `electron` module and a fake core: start-up, window options, the
// permission and navigation guards, the API transport wired to the windows, and quitting stops the core.
// (The real binary is exercised by tests/e2e/electron.spec.ts where it is installed.)
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';

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
    readonly webContents = new FakeWebContents();
    readonly loadFile = vi.fn(async (_file: string, _options?: { query?: Record<string, string> }) => {});
    readonly focus = vi.fn();
    readonly show = vi.fn();
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    isMinimized() {
      return false;
    }
    restore() {}
  }

  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const quits: string[] = [];
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    enableSandbox: vi.fn(),
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
  const dialog = { showErrorBox: vi.fn() };

  const core = {
    feedUrl: 'ws://127.0.0.1:40001/',
    simulatorRunning: true,
    mode: 'live' as const,
    reconnect: vi.fn(async () => {}),
    stop: vi.fn(async () => {}),
    subscribe: vi.fn((_topic: string, listener: Handler) => {
      listener({ topic: _topic, snapshot: true, rows: [], removed: [], at: 0, sourceTs: 0 });
      return () => {};
    }),
  };
  const startCore = vi.fn(async (_options: { feedUrl?: string }) => core);

  return {
    module: {
      app,
      BrowserWindow: FakeBrowserWindow,
      ipcMain,
      MessageChannelMain: FakeMessageChannelMain,
      session,
      Menu: menu,
      dialog,
    },
    windows,
    resolveReady: () => resolveReady(),
    quits,
    core,
    startCore,
  };
});

vi.mock('electron', () => fake.module);
vi.mock('../../main/core/coreProcess', () => ({ CoreProcess: { start: fake.startCore } }));

const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('Electron main process (fake electron)', () => {
  beforeAll(async () => {
    delete process.env.FLOORWATCH_FEED_URL;
    await import('../../main/electron/main');
  });

  it('sandboxes every renderer and takes the single-instance lock before ready', () => {
    expect(fake.module.app.enableSandbox).toHaveBeenCalledOnce();
    expect(fake.module.app.requestSingleInstanceLock).toHaveBeenCalledOnce();
    expect(fake.startCore).not.toHaveBeenCalled();
    expect(fake.windows).toHaveLength(0);
  });

  it('on ready starts the core on the simulator and opens Market Watch, hardened', async () => {
    fake.resolveReady();
    await flush();
    expect(fake.startCore).toHaveBeenCalledWith({});
    expect(fake.windows).toHaveLength(1);
    const [window] = fake.windows;
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
      preload: expect.stringMatching(/preload[\\/]preload\.cjs$/),
    });
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

  it('serves the API to our page: window.open opens one window per kind', async () => {
    const window = fake.windows[0];
    const indexFile = window?.loadFile.mock.calls[0]?.[0] as string;
    const event = {
      senderFrame: { url: `${pathToFileURL(indexFile).href}?window=marketWatch`, parent: null },
      sender: window?.webContents,
    };
    const call = fake.module.ipcMain.handlers.get('floorwatch:call') as Handler;
    await expect(call(event, 'app.info', {})).resolves.toMatchObject({
      ok: true,
      value: { transport: 'electron', version: '9.9.9', feedUrl: fake.core.feedUrl },
    });
    await expect(call(event, 'window.open', { kind: 'positions', channel: 'red' })).resolves.toEqual({
      ok: true,
      value: { opened: true },
    });
    expect(fake.windows).toHaveLength(2);
    expect(fake.windows[1]?.loadFile).toHaveBeenCalledWith(indexFile, {
      query: { window: 'positions', channel: 'red' },
    });
    await call(event, 'window.open', { kind: 'positions' });
    expect(fake.windows).toHaveLength(2);
    expect(fake.windows[1]?.focus).toHaveBeenCalled();

    // The window's preload asks for its stream port and gets one.
    const connect = fake.module.ipcMain.listeners.get('floorwatch:connect')?.[0] as Handler;
    connect(event);
    expect(window?.webContents.posted.map((p) => p.channel)).toEqual(['floorwatch:port']);
  });

  it('refuses a foreign page', async () => {
    const call = fake.module.ipcMain.handlers.get('floorwatch:call') as Handler;
    const foreign = {
      senderFrame: { url: 'https://example.com/', parent: null },
      sender: fake.windows[0]?.webContents,
    };
    await expect(call(foreign, 'window.open', { kind: 'accounts' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(fake.windows).toHaveLength(2);
  });

  it('quitting stops the core first, then quits', async () => {
    fake.module.app.quit();
    expect(fake.quits).toEqual(['prevented']);
    await flush();
    expect(fake.core.stop).toHaveBeenCalledOnce();
    expect(fake.quits).toEqual(['prevented', 'quit']);
    expect(fake.module.ipcMain.handlers.size).toBe(0);
  });

  it('a bad --feed is shown to the operator and the app exits 1 without starting a core', async () => {
    vi.resetModules();
    const starts = fake.startCore.mock.calls.length;
    const windowCount = fake.windows.length;
    process.argv.push('--feed', 'http://gateway:9001');
    try {
      await import('../../main/electron/main');
      await flush();
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
  });
});
