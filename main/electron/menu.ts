// The application menu as data, so it is testable without Electron: File opens each window kind and quits;
// View offers zoom and full screen, plus reload and developer tools only in development builds.
import type { MenuItemConstructorOptions } from 'electron';
import { WINDOW_KINDS, type WindowKind } from '../../shared/api/contract';

export const WINDOW_TITLES: Record<WindowKind, string> = {
  marketWatch: 'Market Watch',
  positions: 'Positions',
  accounts: 'Accounts',
  alerts: 'Alerts',
  account: 'Account Tools',
  case: 'Case Review',
  health: 'System Health',
  sessions: 'Sessions',
  whatIf: 'What-if Tuning',
  reports: 'Reports',
  settings: 'Settings',
};

const ACCELERATORS: Record<WindowKind, string> = {
  marketWatch: 'CmdOrCtrl+1',
  positions: 'CmdOrCtrl+2',
  accounts: 'CmdOrCtrl+3',
  alerts: 'CmdOrCtrl+4',
  account: 'CmdOrCtrl+5',
  case: 'CmdOrCtrl+6',
  health: 'CmdOrCtrl+7',
  sessions: 'CmdOrCtrl+8',
  whatIf: 'CmdOrCtrl+9',
  reports: 'CmdOrCtrl+0',
  settings: 'CmdOrCtrl+,',
};

export interface MenuOptions {
  isDevelopment: boolean;
  isMac: boolean;
  openWindow: (kind: WindowKind) => void;
  /** File ▸ Open session…: review a recorded session file (a file dialog). */
  openSession?: () => void;
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const openItems: MenuItemConstructorOptions[] = WINDOW_KINDS.map((kind) => ({
    label: `Open ${WINDOW_TITLES[kind]}`,
    accelerator: ACCELERATORS[kind],
    click: () => options.openWindow(kind),
  }));
  const devItems: MenuItemConstructorOptions[] = options.isDevelopment
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : [];
  return [
    ...(options.isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        ...openItems,
        { type: 'separator' },
        ...(options.openSession
          ? [
              { label: 'Open session…', accelerator: 'CmdOrCtrl+O', click: options.openSession },
              { type: 'separator' } satisfies MenuItemConstructorOptions,
            ]
          : []),
        options.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...devItems,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
