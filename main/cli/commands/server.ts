// `floorwatch server`: the team server. Runs the core once (feed, session journal, state, rules) and serves the API
// contract over WebSocket to workstations, with operators, the alert workflow, four eyes and the audit chain in
// PostgreSQL. The one stdout line is `floorwatch server: listening on http(s)://ADDR:PORT`; the rest goes to stderr.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createAlertServices, type AlertServices } from '../../alerts';
import { createAuthServices, type AuthServices } from '../../auth/authServices';
import { CoreProcess } from '../../core/coreProcess';
import { startHost, type HostHandle } from '../../host/server';
import { sessionsFolder } from '../../review/workstation';
import { floorwatchDataDir } from '../../store/auditPaths';
import { AuditFollower } from '../../team/auditFollower';
import { openTeamStores, type TeamStores } from '../../team/teamStores';
import { TeamDatabaseError } from '../../team/teamDatabase';
import {
  EMBEDDED_POSTGRES_FOLDER,
  prepareTeamDatabase,
  startEmbeddedTeamDatabase,
  type TeamServerDatabase,
} from '../../team/teamServerDatabase';
import { CliError, intOption, parseOptions, untilSignal, type CliCommand } from '../support';
import { packageRoot, packageVersion, validateFeedUrl } from './host';
import { scenariosOption } from './sim';
import { DEFAULT_RATE } from '../../simulator/server';

const DEFAULT_PORT = 5179;

const HELP = `
floorwatch server [options]

The team server: runs the core once for the whole team (feed, session journal, state, rules) and serves the same
API to workstations over WebSocket (path /api), with operators, the alert workflow, four-eyes requests and the
audit chain in PostgreSQL. Operators log in; the first client to reach a fresh server sets up the admin.
Prints "floorwatch server: listening on http(s)://ADDR:PORT" on stdout; runs until Ctrl+C (SIGINT) or SIGTERM.

Options:
  --db <url>          PostgreSQL connection string (postgres://USER:PASSWORD@HOST:PORT/DATABASE); migrated at start
                      when behind, if the role may (else run "floorwatch team migrate --db OWNER_URL" first).
                      Without it: an embedded PostgreSQL in the data folder (${EMBEDDED_POSTGRES_FOLDER}/)
  --feed <url>        ws:// or wss:// URL of a fw-feed/1 gateway; without it the built-in simulator runs on loopback
  --seed <n>          simulator seed (default 1; ignored with --feed)
  --rate <n>          simulator messages per second (default ${DEFAULT_RATE}; ignored with --feed)
  --sim-scenarios <list>  misconduct the simulator injects: none (default), all, or rule ids separated by commas
                      (as floorwatch host --sim-scenarios; ignored with --feed)
  --sim-day-seconds <n>   length of the simulated day in seconds (default 14400; ignored with --feed)
  --port <n>          port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --listen <addr>     interface to bind (default 127.0.0.1); any other address needs --tls-cert and --tls-key
  --tls-cert <file>   PEM certificate (chain) to serve https/wss with
  --tls-key <file>    its PEM private key
  -h, --help          this text

Several servers may share one database (e.g. one per gateway): they share one alert queue, each following the
others' changes as they are committed (LISTEN/NOTIFY); of two operators acting on one alert at once, one wins and
the other is told who did what.

The data folder (FLOORWATCH_DATA_DIR, else the OS user-data folder) holds the recorded sessions, the adopted
rules file and the embedded PostgreSQL. docs/deploy.md, "Team server", covers roles, TLS and running it as a service.
`;

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/i;

/** The address as a URL host: an IPv6 address in brackets. */
function urlHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(path.resolve(file));
  } catch (error) {
    throw new CliError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** Stops what started, last first; one line per failure, never a throw. */
class Shutdown {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        process.stderr.write(`floorwatch server: ${step.name} did not stop cleanly: ${(error as Error).message}\n`);
      }
    }
  }
}

export const serverCommand: CliCommand = {
  name: 'server',
  summary: 'the team server: one core, the API over WebSocket to workstations, stores in PostgreSQL',
  help: HELP,
  async run(argv) {
    const { values } = parseOptions(argv, {
      db: { type: 'string' },
      feed: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'sim-scenarios': { type: 'string' },
      'sim-day-seconds': { type: 'string' },
      port: { type: 'string' },
      listen: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    });
    const port = intOption(values.port, 'port', DEFAULT_PORT, 0, 65535);
    // The built-in simulator's knobs, as `floorwatch host` has them (a demo or a load test of the team server).
    const simulator = {
      seed: intOption(values.seed, 'seed', 1, 0, 2 ** 31 - 1),
      rate: intOption(values.rate, 'rate', DEFAULT_RATE, 1, 5_000_000),
      ...(values['sim-scenarios'] !== undefined
        ? { scenarios: scenariosOption(values['sim-scenarios'], 'sim-scenarios') }
        : {}),
      ...(values['sim-day-seconds'] !== undefined
        ? { daySeconds: intOption(values['sim-day-seconds'], 'sim-day-seconds', 14_400, 60, 86_400) }
        : {}),
    };
    const listen = (values.listen ?? '127.0.0.1').trim();
    if (!listen) throw new CliError('--listen must name an interface, e.g. 127.0.0.1');
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
      throw new CliError('--tls-cert and --tls-key go together');
    }
    if (!LOOPBACK.test(listen) && values['tls-cert'] === undefined) {
      throw new CliError(
        `refusing to listen on ${listen} without TLS: operators' passwords and the floor would cross the network in ` +
          'clear; pass --tls-cert FILE --tls-key FILE (or listen on 127.0.0.1)',
      );
    }
    const tls =
      values['tls-cert'] !== undefined && values['tls-key'] !== undefined
        ? { cert: readPem(values['tls-cert'], '--tls-cert'), key: readPem(values['tls-key'], '--tls-key') }
        : undefined;
    const feedUrl = values.feed === undefined ? undefined : validateFeedUrl(values.feed);
    if (values.db !== undefined && !/^postgres(ql)?:\/\//i.test(values.db)) {
      throw new CliError(`--db must be a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE), got "${values.db}"`);
    }
    const dataDir = floorwatchDataDir();
    const root = packageRoot();
    const version = packageVersion(root);
    const log = (line: string) => process.stderr.write(`floorwatch server: ${line}\n`);
    const shutdown = new Shutdown();

    let host: HostHandle;
    let database: TeamServerDatabase;
    try {
      try {
        database =
          values.db === undefined ? await startEmbeddedTeamDatabase(dataDir) : await prepareTeamDatabase(values.db);
      } catch (error) {
        if (error instanceof TeamDatabaseError) {
          throw new CliError(error.message, 1);
        }
        throw error;
      }
      shutdown.add('PostgreSQL', () => database.stop());
      let stores: TeamStores;
      try {
        stores = await openTeamStores(database.url, { onProblem: log });
      } catch (error) {
        throw new CliError(`cannot open the team database: ${(error as Error).message}`, 1);
      }
      shutdown.add('the database pool', () => stores.close());
      // Other servers on this database append too: what they record reaches this server's state through the
      // follower, from the head read before that state is rebuilt (nothing in between is missed).
      let follower: AuditFollower;
      try {
        follower = new AuditFollower({
          audit: stores.audit,
          url: database.url,
          after: (await stores.audit.head()).id,
          log,
        });
      } catch (error) {
        throw new CliError(`cannot read the team audit log: ${(error as Error).message}`, 1);
      }
      shutdown.add('the audit follower', () => follower.stop());
      let access: AuthServices;
      try {
        access = await createAuthServices(
          { app: 'server', version, log },
          { audit: stores.audit, operators: stores.operators, shared: follower },
        );
      } catch (error) {
        throw new CliError(`cannot open the operators and audit log: ${(error as Error).message}`, 1);
      }
      shutdown.add('the operators and audit log', () => access.close());
      if (!access.auditCheck.ok) log(`WARNING: the audit log failed its check: ${access.auditCheck.message}`);

      let core: CoreProcess | null = null;
      const alerts: AlertServices = await createAlertServices({
        audit: access.audit,
        dataDir,
        auth: access.auth,
        sessionsDir: sessionsFolder(dataDir),
        applyRules: async (config) => {
          if (!core) throw new Error('the core is not running');
          await core.reloadRules(config);
        },
        shared: follower,
        log,
      });
      shutdown.add('the alerts', () => alerts.stop());
      const services = access;
      follower.follow((rows) => services.applyAuditRows(rows));
      follower.follow((rows) => alerts.workflow.applyRows(rows));
      follower.follow((rows) => alerts.team.applyAuditRows(rows));
      await follower.start();
      const userFile = alerts.rules.info().userFile;
      try {
        core = await CoreProcess.start({
          ...(feedUrl ? { feedUrl } : { simulator }),
          ...(userFile ? { rules: { userFile } } : {}),
          recording: { dataDir },
        });
      } catch (error) {
        throw new CliError(`the core did not start: ${(error as Error).message}`, 1);
      }
      const running = core;
      shutdown.add('the core', () => running.stop());
      alerts.workflow.attach(running);
      alerts.follow(running);

      try {
        host = await startHost({
          host: listen,
          port,
          core: running,
          access: {
            gate: access.gate,
            services: { ...access.services, ...alerts.services },
            topics: { ...access.topics, ...alerts.topics },
            sessionToken: access.sessionToken,
            scoping: alerts.team,
          },
          staticDir: path.join(root, 'dist', 'renderer'),
          version,
          log,
          apiLogin: true,
          ...(tls ? { tls } : {}),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${listen} is in use; pick another with --port`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
          throw new CliError(`cannot listen on ${listen}: no such local interface`);
        }
        throw new CliError(`the server did not start: ${(error as Error).message}`, 1);
      }
    } catch (error) {
      await shutdown.run();
      throw error;
    }
    const started = host;
    shutdown.add('the listener', () => started.stop());

    process.stdout.write(
      `floorwatch server: listening on ${tls ? 'https' : 'http'}://${urlHost(listen)}:${host.port}\n`,
    );
    log(
      `team store ${database.description}; feed ${feedUrl ?? `built-in simulator (seed ${simulator.seed}, ${simulator.rate} msg/s)`}; API at /api; Ctrl+C to stop`,
    );
    const signal = await untilSignal();
    log(`${signal}, stopping`);
    await shutdown.run();
    return 0;
  },
};
