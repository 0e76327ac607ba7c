// Floorwatch's Electron main process: lifecycle, windows, menu and the API's IPC transport. The only file that
// imports Electron values; the glue it wires (ipcTransport, trustedPages, menu, launchOptions) is testable in Node.
import { app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, session, type WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinkChannel, WindowKind } from '../../shared/api/contract';
import { createAlertServices, type AlertServices } from '../alerts';
import { createBackend, type WindowOpener } from '../api/backend';
import type { ApiDispatcher, WindowApi } from '../api/dispatcher';
import { TeamServerLink, teamServerApiUrl } from '../api/teamServerLink';
import { planServer, type ServerPlan } from '../policy/service';
import { openAuthServices, type WorkstationAuthServices } from '../auth/authServices';
import { createAccountHandlers } from '../core/accountHandlers';
import { CoreProcess } from '../core/coreProcess';
import { sessionsFolder, Workstation } from '../review/workstation';
import { WORKFLOW_AUDIT_ACTIONS } from '../review/replayedAlerts';
import { preparePolicyLaunch, type PolicyLaunch } from '../policy/launch';
import { resolveSettings, SettingsError } from '../policy/settings';
import { auditLogPath, floorwatchDataDir } from '../store/auditPaths';
import { exportKindsOf } from '../reports/exportPolicy';
import { createReportServices, exportsFolder, type ReportServices } from '../reports/service';
import { openElectronPdfPrinter } from './reportPdf';
import { safeStorageDataKey } from './dataKeyStore';
import { DataKeyError } from '../security/dataKey';
import { deliverExportOnDesktop } from './exportDelivery';
import { installElectronSqliteBinding } from '../store/electronSqlite';
import { shouldLogOccurrence, stderrLog } from '../core/log';
import { ElectronApiTransport } from './ipcTransport';
import { LaunchOptionError, resolveLaunchOptions } from './launchOptions';
import { buildMenuTemplate, WINDOW_TITLES } from './menu';
import { trustedFrameMatcher } from './trustedPages';

// Bundled layout (build/build.mjs): dist/main/electron-main.js, dist/preload/preload.cjs, dist/renderer/index.html.
const bundleDir = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = path.join(bundleDir, '../preload/preload.cjs');
const RENDERER_INDEX = path.join(bundleDir, '../renderer/index.html');
const isDevelopment = !app.isPackaged;

const WINDOW_SIZES: Record<WindowKind, { width: number; height: number }> = {
  marketWatch: { width: 1280, height: 760 },
  positions: { width: 1360, height: 800 },
  accounts: { width: 1100, height: 700 },
  alerts: { width: 1360, height: 760 },
  account: { width: 1200, height: 860 },
  case: { width: 1400, height: 900 },
  health: { width: 1100, height: 760 },
  sessions: { width: 1200, height: 720 },
  whatIf: { width: 1360, height: 860 },
  reports: { width: 1200, height: 820 },
  settings: { width: 1100, height: 820 },
};

/** Open windows by kind; a kind may be open several times (issue 7: any number of each). */
const windows = new Map<WindowKind, Set<BrowserWindow>>();
/** Windows of review workspaces, by WebContents id: their API calls and topics are their review's. */
const reviewWindows = new Map<number, string>();
/** The alert workflow (audited), thresholds (what-if, adopt) and case review data. */
let alerts: AlertServices | null = null;
let reports: ReportServices | null = null;
let core: CoreProcess | null = null;
/** Live or REVIEW of a recorded session: what every window shows (see main/review/workstation.ts). */
let workstation: Workstation | null = null;
/** Operators, sessions, the audit log and four eyes (opened from the data folder at start, closed at quit). */
let access: WorkstationAuthServices | null = null;
let transport: ElectronApiTransport | null = null;
/** The machine policy's decisions and the data folder upkeep (retention, disk space). */
let policy: PolicyLaunch | null = null;
let quitting: 'no' | 'stopping' | 'done' = 'no';
/** On a workstation of a team server: the link every window's calls and topics go through (no core here). */
let teamLink: TeamServerLink | null = null;

// The data folder the policy or FLOORWATCH_DATA_DIR names holds Chromium's profile and the single-instance lock
// too. An invalid policy is reported by start().
try {
  app.setPath('userData', floorwatchDataDir());
} catch {
  // reported by start()
}

// Every renderer is sandboxed, whatever a window's options say.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another Floorwatch owns the feed and the data folder: hand over to it (it focuses its window) and leave.
  app.quit();
} else {
  app.on('second-instance', () => focusOrOpen('marketWatch'));
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if ((core || teamLink) && BrowserWindow.getAllWindows().length === 0) openWindow('marketWatch');
  });
  app.on('before-quit', (event) => {
    // The core owns the feed and the databases: stop it (flushes, closes) before the process ends.
    if (quitting === 'done' || (!core && !teamLink)) return;
    event.preventDefault();
    if (quitting === 'stopping') return;
    quitting = 'stopping';
    void shutdown().finally(() => {
      quitting = 'done';
      app.quit();
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => fail('Floorwatch could not start', error));
}

async function start(): Promise<void> {
  let launch;
  try {
    launch = resolveLaunchOptions(process.argv, process.env);
  } catch (error) {
    if (error instanceof LaunchOptionError) return fail('Floorwatch cannot start', error);
    throw error;
  }

  let teamServer: ServerPlan | null;
  try {
    // --server, FLOORWATCH_SERVER_URL or the policy's serverUrl: the windows work against a team server.
    teamServer = planServer(resolveSettings(launch.serverUrl ? { flags: { serverUrl: launch.serverUrl } } : {}));
    if (teamServer) teamServerApiUrl(teamServer.serverUrl);
  } catch (error) {
    return fail('Floorwatch cannot start: check the team server setting', error);
  }
  if (teamServer) return startTeamWorkstation(teamServer);

  try {
    // Policy (locked) > --feed / FLOORWATCH_* > user settings > defaults; it may forbid the simulator.
    const feedFlag = process.argv.some((arg) => arg === '--feed' || arg.startsWith('--feed='))
      ? launch.feedUrl
      : undefined;
    const log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) =>
      stderrLog(level, message, fields);
    policy = await preparePolicyLaunch({
      mode: 'electron',
      feedFlag,
      log,
      dataKey: (dataDir) => safeStorageDataKey(dataDir, log),
    });
  } catch (error) {
    if (error instanceof SettingsError) return fail('Floorwatch cannot start: check the machine policy', error);
    if (error instanceof DataKeyError) return fail('Floorwatch cannot read its data key', error);
    throw error;
  }
  launch = { feedUrl: policy.feed.feedUrl };

  try {
    // `npm start` hands over better-sqlite3 rebuilt for Electron (build/electronNative.mjs); a packaged app has it.
    installElectronSqliteBinding();
  } catch (error) {
    return fail('Floorwatch cannot load its database engine (better-sqlite3 built for Electron)', error);
  }
  policy.sealOldSessions();

  denyPermissions();

  let opened: WorkstationAuthServices;
  try {
    opened = await openAuthServices({
      app: 'electron',
      version: app.getVersion(),
      idleLockMs: policy.resolved.values.idleLockMinutes * 60_000,
      log: (line) => stderrLog('warn', line),
    });
  } catch (error) {
    return fail('Floorwatch cannot open its operators and audit log', error);
  }
  access = opened;

  // Alerts: the workflow (audited), thresholds (what-if, adopt) and case review; the live core follows the adopted
  // user rules file and feeds the workflow its raw alerts (the same wiring as `floorwatch host`).
  alerts = await createAlertServices({
    audit: access.audit,
    dataDir: access.dataDir,
    auth: access.auth,
    sessionsDir: sessionsFolder(access.dataDir),
    // Case review from a review window reads that review's session and replayed alert.
    reviewOf: (caller) => workstation?.reviewOf(caller) ?? null,
    // Adopted thresholds reach the running live core at once (today's counts rebuilt from its journal) and the
    // every open review.
    applyRules: async (config) => {
      if (!workstation) throw new Error('the workstation is not running');
      await workstation.reloadRules(config);
    },
    log: (line) => stderrLog('warn', line),
  });
  const rulesFile = alerts.rules.info().userFile ?? undefined;
  try {
    core = await CoreProcess.start({
      ...(launch.feedUrl ? { ...policy?.feed, feedUrl: launch.feedUrl } : {}),
      ...(rulesFile ? { rules: { userFile: rulesFile } } : {}),
    });
    alerts.workflow.attach(core);
    // The session file the core records anchors the audit head (given the current one at once).
    opened.auditLog.addAnchorSink(core.auditAnchorSink);
  } catch (error) {
    return fail(
      launch.feedUrl
        ? `Floorwatch could not start its core for ${launch.feedUrl}`
        : 'Floorwatch could not start its core',
      error,
    );
  }

  workstation = new Workstation({
    live: core,
    liveTopics: { ...access.topics, ...alerts.topics, health: policy.healthTopic(access.topics?.health ?? core) },
    workflowRows: () => access?.auditLog.readRows({ actions: WORKFLOW_AUDIT_ACTIONS }) ?? [],
    ...(rulesFile ? { rulesFile } : {}),
    // The file the live core records now: marked LIVE in the session list.
    liveSessionFile: () => core?.health?.recorder?.file ?? null,
  });
  alerts.follow(workstation);
  // Compliance exports: report jobs in worker threads; PDFs printed by a hidden window (printToPDF); each audited.
  const liveAlerts = alerts;
  const auth = access.auth;
  reports = createReportServices({
    audit: opened.auditLog,
    auditFile: auditLogPath(access.dataDir),
    actor: (caller) => auth.requireActor(caller),
    workstation,
    sessionsDir: sessionsFolder(access.dataDir),
    exportsDir: exportsFolder(access.dataDir),
    exportKinds: exportKindsOf(policy.resolved),
    rulesFile: () => liveAlerts.rules.info().userFile ?? undefined,
    openPrinter: openElectronPdfPrinter,
    deliver: deliverExportOnDesktop,
    auditExport: access.services['audit.export'],
    log: (line) => stderrLog('warn', line),
  });
  const { dispatcher } = createBackend({
    core: workstation,
    gate: access.gate,
    services: {
      ...access.services,
      ...alerts.services,
      ...createAccountHandlers(core),
      ...policy.settingsHandlers(access),
      ...workstation.services(),
      // A review window going back to live: the live floor never stopped, so it is the window of that kind in front.
      'sessions.live': async (_args, caller) => {
        await workstation?.goLive();
        if (caller.review !== undefined) leaveReviewWindow(caller.connectionId);
        return null;
      },
      ...reports.services,
    },
    topics: workstation.topics(),
    reviews: workstation,
    scoping: alerts.team,
    transport: 'electron',
    version: app.getVersion(),
    openWindow: desktopWindowOpener((connectionId) => access?.sessionToken(connectionId) ?? null),
    onRejected: (entry) =>
      stderrLog('warn', 'API call refused', {
        method: entry.method,
        code: entry.code,
        caller: entry.caller.connectionId,
      }),
  });
  attachTransport({ dispatcher });
  installMenu();
  openWindow('marketWatch');
}

/**
 * A workstation of a team server: no core, no local operators or audit log; every window's calls and topics go to
 * the server through the link (main/api/teamServerLink.ts), which reconnects and resubscribes on its own.
 */
function startTeamWorkstation(plan: ServerPlan): void {
  denyPermissions();
  const link: TeamServerLink = new TeamServerLink({
    url: plan.serverUrl,
    ...(plan.serverCa ? { ca: plan.serverCa } : {}),
    openWindow: desktopWindowOpener((connectionId) => link.sessionToken(connectionId)),
    log: (line) => stderrLog('warn', line),
  });
  teamLink = link;
  attachTransport({ api: link });
  installMenu();
  openWindow('marketWatch');
}

/** No page of ours needs camera, notifications, geolocation…: refuse every permission request and check. */
function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/** window.open on the desktop: a new BrowserWindow that joins the caller's session (or the newest of its kind). */
function desktopWindowOpener(sessionToken: (connectionId: string) => string | null): WindowOpener {
  return async (kind, channel, caller, review, { focusExisting }) => {
    if (focusExisting && review === undefined && focusNewest(kind)) return { opened: true, focused: true };
    openWindow(kind, channel, sessionToken(caller.connectionId), review);
    return { opened: true };
  };
}

/** The IPC transport of every window, served by the local dispatcher or by the team server link. */
function attachTransport(serving: { dispatcher: ApiDispatcher } | { api: WindowApi }): void {
  let refusals = 0;
  transport = new ElectronApiTransport({
    ipcMain,
    createChannel: () => new MessageChannelMain(),
    ...serving,
    isTrustedFrame: trustedFrameMatcher({ files: [RENDERER_INDEX] }),
    reviewOf: (webContentsId) => reviewWindows.get(webContentsId),
    log: (entry) => {
      // Refusals always (a flood is counted but sampled); the stream open/close chatter only in development.
      const refusal = entry.event === 'sender_refused' || entry.event === 'port_call_dropped';
      if (refusal) refusals++;
      if (refusal ? shouldLogOccurrence(refusals) : isDevelopment) {
        stderrLog(refusal ? 'warn' : 'debug', `ipc ${entry.event}`, { ...entry, ...(refusal ? { refusals } : {}) });
      }
    },
  });
  transport.attach();
}

function installMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        isDevelopment,
        isMac: process.platform === 'darwin',
        openWindow: (kind) => focusOrOpen(kind),
        openSession: () => void openSessionFromDialog(),
      }),
    ),
  );
}

/** File ▸ Open session…: a review workspace of the chosen file (read-only, paused at its start) in windows of its own. */
async function openSessionFromDialog(): Promise<void> {
  const current = workstation;
  if (!current) return;
  const picked = await dialog.showOpenDialog({
    title: 'Open a recorded session',
    defaultPath: sessionsFolder(),
    properties: ['openFile'],
    filters: [{ name: 'Floorwatch sessions', extensions: ['fwsession'] }],
  });
  const file = picked.filePaths[0];
  if (picked.canceled || !file) return;
  try {
    const opened = await current.openSession(file, { trusted: true });
    const token = access?.sessionToken(`window-${BrowserWindow.getFocusedWindow()?.webContents.id ?? 0}`);
    for (const kind of REVIEW_WINDOW_SET) openWindow(kind, undefined, token, opened.reviewId);
  } catch (error) {
    dialog.showErrorBox('Floorwatch cannot open this session', (error as Error).message);
  }
}

/** The windows a review workspace opens with. */
const REVIEW_WINDOW_SET: readonly WindowKind[] = ['marketWatch', 'alerts'];

/** Closes a review window (connection `window-<id>`) after bringing the live window of its kind to the front. */
function leaveReviewWindow(connectionId: string): void {
  const id = Number(connectionId.replace(/^window-/, ''));
  const open = [...windows.entries()].flatMap(([kind, set]) => [...set].map((w) => ({ kind, w })));
  const found = open.find(({ w }) => w.webContents.id === id);
  if (!found) return;
  focusOrOpen(found.kind);
  found.w.close();
}

/** The menu and a second instance bring the newest window of a kind to the front, or open one. */
function focusOrOpen(kind: WindowKind): void {
  if (focusNewest(kind)) return;
  // A window opened from the menu joins the session of the window in front (ipcTransport names it window-<id>).
  const focused = BrowserWindow.getFocusedWindow();
  if (core || teamLink)
    openWindow(kind, undefined, focused ? sessionTokenOf(`window-${focused.webContents.id}`) : null);
}

/** The operator session a window holds (locally, or on the team server), for a window it opens to join. */
function sessionTokenOf(connectionId: string): string | null {
  return access?.sessionToken(connectionId) ?? teamLink?.sessionToken(connectionId) ?? null;
}

/** Brings the newest open live window of `kind` to the front (restored if minimised); false when none is open. */
function focusNewest(kind: WindowKind): boolean {
  const existing = [...(windows.get(kind) ?? [])].filter((w) => !reviewWindows.has(w.webContents.id)).at(-1);
  if (!existing || existing.isDestroyed()) return false;
  if (existing.isMinimized()) existing.restore();
  existing.show();
  existing.focus();
  return true;
}

/** Opens a new window of `kind` (the API's window.open: every kind any number of times), live or of a review. */
function openWindow(kind: WindowKind, channel?: LinkChannel, sessionToken?: string | null, review?: string): void {
  const window = new BrowserWindow({
    title: `Floorwatch — ${review ? 'REVIEW · ' : ''}${WINDOW_TITLES[kind]}`,
    ...WINDOW_SIZES[kind],
    minWidth: 640,
    minHeight: 400,
    backgroundColor: '#0d1117',
    show: false,
    webPreferences: {
      // Reviewed: preload/index.ts exposes only window.floorwatch { call, subscribe } (FloorwatchApi); it keeps
      // ipcRenderer and the stream port to itself, and every call is sender-checked and schema-validated in main.
      preload: PRELOAD_PATH /* eng-disable PRELOAD_JS_CHECK */,
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
    },
  });
  const ofKind = windows.get(kind) ?? new Set<BrowserWindow>();
  windows.set(kind, ofKind);
  ofKind.add(window);
  const contentsId = window.webContents.id;
  if (review) reviewWindows.set(contentsId, review);
  window.on('closed', () => {
    ofKind.delete(window);
    reviewWindows.delete(contentsId);
  });
  window.once('ready-to-show', () => window.show());
  const query: Record<string, string> = { window: kind };
  if (channel) query.channel = channel;
  if (review) query.review = review;
  // The session token rides in the fragment; the page takes it out and resumes the opener's session with it.
  const hash = sessionToken ? `session=${encodeURIComponent(sessionToken)}` : undefined;
  window.loadFile(RENDERER_INDEX, { query, ...(hash ? { hash } : {}) }).catch((error: unknown) => {
    stderrLog('error', 'window failed to load', { kind, message: (error as Error).message });
  });
}

/** Belt and braces for every WebContents (including any we did not create): no pop-ups, navigation, webviews. */
function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

async function shutdown(): Promise<void> {
  transport?.detach();
  transport = null;
  teamLink?.stop();
  teamLink = null;
  policy?.stop();
  const exporting = reports;
  reports = null;
  await exporting
    ?.stop()
    .catch((error: unknown) =>
      stderrLog('error', 'report jobs did not stop cleanly', { message: (error as Error).message }),
    );
  const workflow = alerts;
  alerts = null;
  await workflow
    ?.stop()
    .catch((error: unknown) =>
      stderrLog('error', 'alerts did not stop cleanly', { message: (error as Error).message }),
    );
  const reviewing = workstation;
  workstation = null;
  await reviewing
    ?.stop()
    .catch((error: unknown) =>
      stderrLog('error', 'review did not stop cleanly', { message: (error as Error).message }),
    );
  const running = core;
  core = null;
  const closeAccess = async () => {
    // Logs every session out (audited) and closes the audit log and operator store, after the core.
    const closing = access;
    access = null;
    await closing
      ?.close()
      .catch((error: unknown) =>
        stderrLog('error', 'audit log did not close cleanly', { message: (error as Error).message }),
      );
  };
  if (!running) return closeAccess();
  // A core that does not stop within 5 s must not keep the app alive.
  await Promise.race([
    running
      .stop()
      .catch((error: unknown) =>
        stderrLog('error', 'core did not stop cleanly', { message: (error as Error).message }),
      ),
    new Promise((resolve) => setTimeout(resolve, 5000).unref()),
  ]);
  await closeAccess();
}

function fail(title: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  stderrLog('error', title, { message });
  dialog.showErrorBox(title, message);
  // Whatever did start (the core, the IPC handlers) is stopped before the exit; exit skips before-quit.
  void shutdown().finally(() => app.exit(1));
}
