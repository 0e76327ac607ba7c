// Named layouts and the layout in force restored at start, on a stand-in browser window (storage, location, a
// window.open the host answers with a URL).
import { beforeEach, describe, expect, it, vi } from 'vitest';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, String(v));
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
  clear() {
    this.items.clear();
  }
}

interface FakeWindow {
  localStorage: MemoryStorage;
  sessionStorage: MemoryStorage;
  location: { href: string; search: string; hash: string; protocol: string; replace: ReturnType<typeof vi.fn> };
  opened: string[];
}

/** A fresh window module world: `search` is this window's query; `shared` is the profile's localStorage. */
async function loadWindow(search: string, shared: MemoryStorage, session = new MemoryStorage(), hash = '') {
  vi.resetModules();
  const href = `http://127.0.0.1:5178/${search}`;
  const fake: FakeWindow = {
    localStorage: shared,
    sessionStorage: session,
    location: { href, search, hash, protocol: 'http:', replace: vi.fn() },
    opened: [],
  };
  vi.stubGlobal('window', {
    ...fake,
    screenX: 10,
    screenY: 20,
    outerWidth: 800,
    outerHeight: 600,
    addEventListener: () => {},
    removeEventListener: () => {},
    history: { replaceState: () => {} },
    open: (url: string) => fake.opened.push(url),
    moveTo: vi.fn(),
    resizeTo: vi.fn(),
    close: vi.fn(),
    floorwatch: {
      call: async (method: string, args: { kind: string; channel?: string }) => {
        if (method !== 'window.open') throw new Error(method);
        const q = new URLSearchParams({ window: args.kind, ...(args.channel ? { channel: args.channel } : {}) });
        return { opened: false, url: `http://127.0.0.1:5178/?${q}&token=t` };
      },
      subscribe: () => () => {},
    },
  });
  const layouts = await import('../../renderer/src/workspace/layouts');
  return { layouts, fake };
}

const LAYOUT = {
  name: 'desk',
  savedAt: 1,
  windows: [
    { kind: 'alerts', channel: 'green', params: {}, left: 0, top: 0, width: 900, height: 700 },
    { kind: 'account', channel: 'green', params: { account: 'C001' }, left: 900, top: 0, width: 700, height: 800 },
  ],
};

describe('layouts', () => {
  let shared: MemoryStorage;
  beforeEach(() => {
    shared = new MemoryStorage();
  });

  it('save remembers the layout in force; the first window of a start reopens it and becomes its first window', async () => {
    shared.setItem('floorwatch.layouts.v1', JSON.stringify([LAYOUT]));
    shared.setItem('floorwatch.layouts.last', 'desk');
    const { layouts, fake } = await loadWindow('?window=marketWatch', shared);
    expect(layouts.isWorkstationStart()).toBe(true);
    const restored = await layouts.restoreLastLayoutAtStart(true);
    expect(restored).toEqual({ name: 'desk', windows: 2, reloading: true });
    // The account window opened (channel, account, place); this tab turns into the alerts window.
    expect(fake.opened).toHaveLength(1);
    const opened = new URL(fake.opened[0]!);
    expect(opened.searchParams.get('window')).toBe('account');
    expect(opened.searchParams.get('channel')).toBe('green');
    expect(opened.searchParams.get('account')).toBe('C001');
    expect(opened.searchParams.get('bounds')).toBe('900,0,700,800');
    const self = new URL(fake.location.replace.mock.calls[0]![0] as string);
    expect(self.searchParams.get('window')).toBe('alerts');
    expect(self.searchParams.get('channel')).toBe('green');
  });

  it('a window that matches one of the layout stays itself and opens only the others', async () => {
    shared.setItem('floorwatch.layouts.v1', JSON.stringify([LAYOUT]));
    shared.setItem('floorwatch.layouts.last', 'desk');
    const { layouts, fake } = await loadWindow('?window=alerts&channel=green', shared);
    expect(await layouts.restoreLastLayoutAtStart(true)).toEqual({ name: 'desk', windows: 2, reloading: false });
    expect(fake.opened).toHaveLength(1);
    expect(fake.location.replace).not.toHaveBeenCalled();
  });

  it('no restore when opted out, on ?layout=none, in a window another opened, on a reload, or when another window is alive', async () => {
    shared.setItem('floorwatch.layouts.v1', JSON.stringify([LAYOUT]));
    shared.setItem('floorwatch.layouts.last', 'desk');
    let { layouts, fake } = await loadWindow('?window=marketWatch', shared);
    expect(await layouts.restoreLastLayoutAtStart(false)).toBeNull();
    ({ layouts, fake } = await loadWindow('?window=marketWatch&layout=none', shared));
    expect(await layouts.restoreLastLayoutAtStart(true)).toBeNull();
    // Opened by another window (its session in the fragment, or a place from a layout): not a start.
    ({ layouts, fake } = await loadWindow('?window=marketWatch', shared, new MemoryStorage(), '#session=abc'));
    expect(await layouts.restoreLastLayoutAtStart(true)).toBeNull();
    ({ layouts, fake } = await loadWindow('?window=health&bounds=1,2,900,700', shared));
    expect(await layouts.restoreLastLayoutAtStart(true)).toBeNull();
    const reloaded = new MemoryStorage();
    reloaded.setItem('floorwatch.instance', 'abc');
    ({ layouts, fake } = await loadWindow('?window=marketWatch', shared, reloaded));
    expect(await layouts.restoreLastLayoutAtStart(true)).toBeNull();
    shared.setItem('floorwatch.presence.other', JSON.stringify({ kind: 'alerts', at: Date.now() }));
    ({ layouts, fake } = await loadWindow('?window=marketWatch', shared));
    expect(layouts.isWorkstationStart()).toBe(false);
    expect(await layouts.restoreLastLayoutAtStart(true)).toBeNull();
    expect(fake.opened).toEqual([]);
    // A stale announcement (a window of a previous run that did not withdraw) does not count.
    shared.setItem('floorwatch.presence.other', JSON.stringify({ kind: 'alerts', at: Date.now() - 60_000 }));
    ({ layouts } = await loadWindow('?window=marketWatch', shared));
    expect(layouts.isWorkstationStart()).toBe(true);
  });

  it('saveLayout records the live windows and makes it the layout in force; no layout, nothing restored', async () => {
    const { layouts } = await loadWindow('?window=positions&channel=red', shared);
    expect(await layouts.restoreLastLayoutAtStart(true)).toBeNull();
    const stop = layouts.announceWindow();
    const saved = layouts.saveLayout('mine');
    stop();
    expect(saved.windows.map((w) => [w.kind, w.channel])).toEqual([['positions', 'red']]);
    expect(layouts.lastLayoutName()).toBe('mine');
    expect(layouts.loadLayouts().map((l) => l.name)).toEqual(['mine']);
  });

  it('a restored window puts itself at its bounds', async () => {
    const { layouts } = await loadWindow('?window=alerts&bounds=5,6,700,500', shared);
    layouts.placeThisWindow();
    const win = window as unknown as { moveTo: ReturnType<typeof vi.fn>; resizeTo: ReturnType<typeof vi.fn> };
    expect(win.moveTo).toHaveBeenCalledWith(5, 6);
    expect(win.resizeTo).toHaveBeenCalledWith(700, 500);
  });
});
