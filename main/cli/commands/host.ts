// `floorwatch host`: the headless host. Starts the core (on the built-in simulator unless --feed is given) and serves
// the built renderer plus the API bridge on 127.0.0.1 behind a random token. The URL with the token is the one line
// on stdout; everything else goes to stderr, so scripts can read the URL.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreProcess } from '../../core/coreProcess';
import { openAuthServices, type WorkstationAuthServices } from '../../auth/authServices';
import { hostWindowOpener, startHost } from '../../host/server';
import { TeamServerLink, teamServerApiUrl } from '../../api/teamServerLink';
import { assertHostModeAllowed, planServer, type ServerPlan } from '../../policy/service';
import { preparePolicyLaunch, stderrLine } from '../../policy/launch';
import { resolveSettings, SettingsError } from '../../policy/settings';
import { Workstation, sessionsFolder, withReview } from '../../review/workstation';
import { WORKFLOW_AUDIT_ACTIONS } from '../../review/replayedAlerts';
import { createAlertServices } from '../../alerts';
import { createReportServices, exportsFolder } from '../../reports/service';
import { exportKindsOf } from '../../reports/exportPolicy';
import { PdfRenderer } from '../../reports/pdf';
import { auditLogPath } from '../../store/auditPaths';
import { DownloadTickets } from '../../host/downloads';
import { ApiFailure } from '../../api/dispatcher';
import { CliError, intOption, parseOptions, untilSignal, type CliCommand } from '../support';
import { SIM_ACCOUNTS_ENV, SIM_INSTRUMENTS_ENV } from '../../simulator/floor';
import { floorOptions, scenariosOption } from './sim';

const HELP = `
floorwatch host [options]

Serves the Floorwatch windows to a browser: plain Node, no Electron. Prints the page URL with its access token on
stdout (one line), e.g. http://127.0.0.1:5178/?token=…, and runs until Ctrl+C (SIGINT) or SIGTERM.
Open other windows from a page's header, or add ?window=marketWatch|positions|accounts to the URL.

Options:
  --port <n>      port to listen on (default 5178; 0 = any free port)
  --host <addr>   interface to bind (default 127.0.0.1; only loopback is safe without a firewall)
  --feed <url>    ws:// or wss:// URL of a fw-feed/1 gateway; without it the built-in simulator runs on loopback
  --seed <n>      simulator seed (default 1; ignored with --feed)
  --rate <n>      simulator messages per second (default 2000; ignored with --feed)
  --sim-accounts <n>  simulator client accounts (default 50; e.g. 100000 for a broker-sized floor; ignored with --feed)
  --sim-instruments <n|all>  simulator contracts: up to 10 of the default catalogue (default 10), more from the
                  full universe, or all (every listed futures contract of the six exchanges); both also read
                  from FLOORWATCH_SIM_ACCOUNTS / FLOORWATCH_SIM_INSTRUMENTS (so npm start takes them too)
  --sim-scenarios <list>  misconduct the simulator injects: none (default), all, or rule ids separated by commas
                  (as floorwatch sim --scenarios; ignored with --feed)
  --sim-day-seconds <n>  length of the simulated day in seconds (default 14400); the injected cases are spread
                  over it, so a short day shows them sooner (ignored with --feed)
  --server <url>  work against a team server (floorwatch server; http(s)://HOST:PORT as it prints it) instead of a
                  core of its own: the windows log in against the server and show its floor and alert queue. Also
                  FLOORWATCH_SERVER_URL, or the policy's "serverUrl" (its CA: "serverCaFile"). No --feed or --session
  --session <file> open a review of a recorded session file (read-only); the printed URL is its window, and
                  the live floor starts when a live window opens
  --idle-lock <m> lock a session after m idle minutes (default 10, or FLOORWATCH_IDLE_LOCK_MINUTES; 0 = never)
  -h, --help      this text

Operators, the audit log and the four-eyes book live in the data folder (FLOORWATCH_DATA_DIR, else the OS
user-data folder), shared with the app: the first page asks for an admin; the audit chain is checked at start.
The renderer must be built (dist/renderer); when it is missing the host builds it first (npm run build does too).
The machine policy (/etc/floorwatch/policy.json, %ProgramData%\\Floorwatch\\policy.json, or FLOORWATCH_POLICY_FILE)
wins over these options: it may pin the feed (backup gateways, the wss:// CA), the data folder and the idle lock,
and may forbid the simulator or host mode altogether (docs/deploy.md).
`;

/** The checkout (or installed package) root: the nearest folder above this file holding package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new CliError('cannot find the Floorwatch package root (no package.json above the CLI)');
    dir = parent;
  }
}

export function packageVersion(root: string): string {
  try {
    return (
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

/**
 * The renderer build under `root` (dist/renderer), built first with Vite when it is missing (its output on stderr:
 * stdout carries only the URL). The benchmarks use it too, so a fresh checkout measures instead of timing out.
 */
export async function ensureRendererBuilt(root: string): Promise<string> {
  const staticDir = path.join(root, 'dist', 'renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) await buildRenderer(root);
  return staticDir;
}

function buildRenderer(root: string): Promise<void> {
  const viteBin = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteBin)) {
    return Promise.reject(
      new CliError(
        'the renderer is not built (dist/renderer is missing) and Vite is not installed; run "npm run build"',
      ),
    );
  }
  process.stderr.write('floorwatch host: dist/renderer is missing; building the renderer (vite build)…\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.on('error', (error) =>
      reject(new CliError(`building the renderer failed: ${error.message}; run "npm run build"`)),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new CliError(
              `building the renderer failed (vite exit code ${code}); run "npm run build" and fix what it reports`,
            ),
          ),
    );
  });
}

export function validateFeedUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`--feed must be a ws:// or wss:// URL (got "${value}")`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new CliError(`--feed must be a ws:// or wss:// URL (got "${value}")`);
  }
  return value;
}

/** The team server this host works against (--server, else FLOORWATCH_SERVER_URL or the policy), or null. */
function teamServerPlan(serverFlag: string | undefined): ServerPlan | null {
  try {
    const resolved = resolveSettings({ ...(serverFlag !== undefined ? { flags: { serverUrl: serverFlag } } : {}) });
    const plan = planServer(resolved);
    if (!plan) return null;
    assertHostModeAllowed(resolved);
    teamServerApiUrl(plan.serverUrl); // a malformed or clear-text network URL is refused before anything starts
    return plan;
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    throw new CliError(`${serverFlag !== undefined ? '--server' : 'serverUrl'}: ${(error as Error).message}`);
  }
}

/**
 * A workstation of a team server: no core, no local operators or audit log; the windows' calls and topics go to the
 * server through one link per window (main/api/teamServerLink.ts), which reconnects and resubscribes on its own.
 */
async function runTeamWorkstation(plan: ServerPlan, bindHost: string, port: number): Promise<number> {
  const root = packageRoot();
  const staticDir = await ensureRendererBuilt(root);
  const log = (line: string) => process.stderr.write(`floorwatch host: ${line}\n`);
  let link: TeamServerLink | null = null;
  let host: Awaited<ReturnType<typeof startHost>>;
  try {
    host = await startHost({
      host: bindHost,
      port,
      staticDir,
      version: packageVersion(root),
      log,
      remote: (pageUrl) =>
        (link = new TeamServerLink({
          url: plan.serverUrl,
          ...(plan.serverCa ? { ca: plan.serverCa } : {}),
          openWindow: hostWindowOpener(pageUrl, (connectionId) => link?.sessionToken(connectionId) ?? null),
          log,
        })),
    });
  } catch (error) {
    throw hostStartError(error, bindHost, port);
  }
  process.stdout.write(`${host.url}\n`);
  log(`serving on ${host.origin} — team server ${plan.serverUrl}; Ctrl+C to stop`);
  const signal = await untilSignal();
  log(`${signal}, stopping`);
  await host.stop();
  (link as TeamServerLink | null)?.stop();
  return 0;
}

/** One line for a host that could not listen. */
function hostStartError(error: unknown, bindHost: string, port: number): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new CliError(`port ${port} on ${bindHost} is in use; pick another with --port (0 = any free port)`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new CliError(`cannot listen on ${bindHost}: no such local interface`);
  }
  return new CliError(`the host did not start: ${(error as Error).message}`, 1);
}

export const hostCommand: CliCommand = {
  name: 'host',
  summary: 'serve the windows to a browser on 127.0.0.1 (headless, behind a token)',
  help: HELP,
  async run(argv) {
    const { values } = parseOptions(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      feed: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'sim-accounts': { type: 'string' },
      'sim-instruments': { type: 'string' },
      'sim-scenarios': { type: 'string' },
      'sim-day-seconds': { type: 'string' },
      session: { type: 'string' },
      'idle-lock': { type: 'string' },
      server: { type: 'string' },
    });
    const port = intOption(values.port, 'port', 5178, 0, 65535);
    const seed = intOption(values.seed, 'seed', 1, 0, 2 ** 31 - 1);
    const rate = intOption(values.rate, 'rate', 2000, 1, 5_000_000);
    const simScenarios =
      values['sim-scenarios'] === undefined ? undefined : scenariosOption(values['sim-scenarios'], 'sim-scenarios');
    const simDaySeconds =
      values['sim-day-seconds'] === undefined
        ? undefined
        : intOption(values['sim-day-seconds'], 'sim-day-seconds', 14_400, 60, 86_400);
    const simFloor = floorOptions({ accounts: values['sim-accounts'], instruments: values['sim-instruments'] }, 'sim-');
    // The embedded simulator runs in a worker the core starts; it takes its floor size from the environment.
    if (simFloor.accounts !== undefined) process.env[SIM_ACCOUNTS_ENV] = String(simFloor.accounts);
    if (simFloor.instruments !== undefined) process.env[SIM_INSTRUMENTS_ENV] = String(simFloor.instruments);
    const bindHost = values.host ?? '127.0.0.1';
    if (!bindHost.trim()) throw new CliError('--host must name an interface, e.g. 127.0.0.1');
    const feedFlag = values.feed === undefined ? undefined : validateFeedUrl(values.feed);
    const teamServer = teamServerPlan(values.server);
    if (teamServer) {
      if (feedFlag !== undefined || values.session !== undefined) {
        throw new CliError(
          '--feed and --session do not go with a team server: the server runs the feed and the sessions',
        );
      }
      return runTeamWorkstation(teamServer, bindHost, port);
    }
    // The machine policy may forbid the host or the simulator and pin the feed and the data folder (main/policy).
    const policy = await preparePolicyLaunch({ mode: 'host', feedFlag, log: stderrLine('floorwatch host') }).catch(
      (error: unknown) => {
        throw error instanceof SettingsError ? new CliError(error.message) : error;
      },
    );
    policy.sealOldSessions();
    const feedUrl = policy.feed.feedUrl;
    const idleLockMinutes =
      values['idle-lock'] === undefined ? undefined : intOption(values['idle-lock'], 'idle-lock', 10, 0, 1440);

    const root = packageRoot();
    const staticDir = await ensureRendererBuilt(root);

    let access: WorkstationAuthServices;
    try {
      access = await openAuthServices({
        app: 'host',
        version: packageVersion(root),
        // The policy's idle lock wins over --idle-lock; the flag wins over FLOORWATCH_IDLE_LOCK_MINUTES and settings.
        idleLockMs:
          (policy.resolved.sources.idleLockMinutes === 'policy'
            ? policy.resolved.values.idleLockMinutes
            : (idleLockMinutes ?? policy.resolved.values.idleLockMinutes)) * 60_000,
        log: (line) => process.stderr.write(`floorwatch host: ${line}\n`),
      });
    } catch (error) {
      throw new CliError(`cannot open the operators and audit log: ${(error as Error).message}`, 1);
    }
    if (!access.auditCheck.ok) {
      process.stderr.write(`floorwatch host: WARNING: the audit log failed its check: ${access.auditCheck.message}\n`);
    }

    // Alerts: the workflow (audited), thresholds (what-if, adopt) and case review; the live core follows the
    // adopted user rules file and feeds the workflow its raw alerts.
    const alerts = await createAlertServices({
      audit: access.audit,
      dataDir: access.dataDir,
      auth: access.auth,
      sessionsDir: sessionsFolder(access.dataDir),
      // Case review from a review window reads that review's session and replayed alert.
      reviewOf: (caller) => core.reviewOf(caller),
      // Adopted thresholds reach the running live core at once (today's counts rebuilt from its journal) and the
      // every open review.
      applyRules: (config) => core.reloadRules(config),
      log: (line) => process.stderr.write(`floorwatch host: ${line}\n`),
    });
    let liveCore: CoreProcess | null = null;
    let removeAnchorSink: (() => void) | null = null;
    const rulesFile = alerts.rules.info().userFile ?? undefined;
    const sessionFile = values.session === undefined ? undefined : path.resolve(values.session);
    const startLive = async () => {
      const userFile = alerts.rules.info().userFile; // thresholds adopted since the host started count too
      const started = await CoreProcess.start({
        ...(feedUrl
          ? policy.feed
          : {
              simulator: {
                seed,
                rate,
                ...(simScenarios !== undefined ? { scenarios: simScenarios } : {}),
                ...(simDaySeconds !== undefined ? { daySeconds: simDaySeconds } : {}),
              },
            }),
        ...(userFile ? { rules: { userFile } } : {}),
      });
      alerts.workflow.attach(started);
      // The session file it records anchors the audit head (given the current one at once).
      removeAnchorSink?.();
      removeAnchorSink = access.auditLog.addAnchorSink(started.auditAnchorSink);
      liveCore = started;
      return started;
    };
    let live: CoreProcess | null = null;
    try {
      if (!sessionFile) live = await startLive(); // with --session the live core starts when the operator goes live
    } catch (error) {
      await access.close();
      throw new CliError(`the core did not start: ${(error as Error).message}`, 1);
    }
    const core = new Workstation({
      live,
      startLive,
      liveTopics: { ...access.topics, ...alerts.topics },
      workflowRows: () => access.auditLog.readRows({ actions: WORKFLOW_AUDIT_ACTIONS }),
      rulesFile,
      // The file the live core records now: marked LIVE in the session list.
      liveSessionFile: () => liveCore?.health?.recorder?.file ?? null,
    });
    alerts.follow(core);
    let sessionReview: string | undefined;
    if (sessionFile) {
      try {
        // Kept open for the printed URL however often its windows close; the live floor starts with a live window.
        sessionReview = (await core.openSession(sessionFile, { trusted: true, pinned: true })).reviewId;
      } catch (error) {
        await core.stop();
        await access.close();
        throw new CliError(`cannot review ${sessionFile}: ${(error as Error).message}`);
      }
    }
    // Compliance exports: report jobs in worker threads, PDFs printed with headless Chromium, each export audited;
    // a finished export is downloaded through a short-lived link (a browser page cannot open files on this machine).
    const downloads = new DownloadTickets();
    const reports = createReportServices({
      deliver: (file, how) => {
        if (how !== 'download')
          throw new ApiFailure('unavailable', 'in the browser an export is downloaded, not opened');
        return { opened: false, url: downloads.issue(file) };
      },
      audit: access.auditLog,
      auditFile: auditLogPath(access.dataDir),
      actor: (caller) => access.auth.requireActor(caller),
      workstation: core,
      sessionsDir: sessionsFolder(access.dataDir),
      exportsDir: exportsFolder(access.dataDir),
      exportKinds: exportKindsOf(policy.resolved),
      rulesFile: () => alerts.rules.info().userFile ?? undefined,
      openPrinter: () => PdfRenderer.launch(),
      auditExport: access.services['audit.export'],
      log: (line) => process.stderr.write(`floorwatch host: ${line}\n`),
    });
    const stopCores = async () => {
      await reports.stop();
      await alerts.stop();
      await core.stop();
      await live?.stop();
    };

    let host: Awaited<ReturnType<typeof startHost>>;
    try {
      host = await startHost({
        host: bindHost,
        port,
        core,
        access: policy.wrapAccess(
          withReview(
            {
              ...access,
              services: { ...access.services, ...alerts.services, ...reports.services },
              scoping: alerts.team,
            },
            core,
          ),
          core,
        ),
        staticDir,
        version: packageVersion(root),
        downloads,
      });
    } catch (error) {
      await stopCores();
      await access.close();
      throw hostStartError(error, bindHost, port);
    }

    process.stdout.write(`${sessionReview ? host.pageUrl('marketWatch', undefined, sessionReview) : host.url}\n`);
    process.stderr.write(
      `floorwatch host: serving on ${host.origin} — ${sessionFile ? `REVIEW of ${sessionFile}` : `feed ${feedUrl ?? `built-in simulator (seed ${seed}, ${rate} msg/s${simFloor.accounts || simFloor.instruments ? `, ${simFloor.accounts ?? 50} accounts, ${simFloor.instruments ?? 10} instruments` : ''})`}`}; ` +
        'Ctrl+C to stop\n',
    );
    if (bindHost !== '127.0.0.1' && bindHost !== 'localhost' && bindHost !== '::1') {
      process.stderr.write(
        `floorwatch host: warning: bound to ${bindHost}; anyone who can reach it and learns the token can use it\n`,
      );
    }

    const signal = await untilSignal();
    process.stderr.write(`floorwatch host: ${signal}, stopping\n`);
    await host.stop();
    await stopCores();
    await access.close();
    policy.stop();
    return 0;
  },
};
