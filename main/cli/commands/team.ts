// `floorwatch team migrate`: brings a team database (PostgreSQL) to this version's schema, as the role that owns it.
// `floorwatch team import`: moves a single-seat workstation's operators and audited history into it.
import path from 'node:path';
import { installDataKeyIfPresent } from '../../security/dataKey';
import { describeDatabase, migrateTeamDatabase, TeamDatabaseError, TEAM_MIGRATIONS } from '../../team/teamDatabase';
import { importWorkstation, TeamImportError } from '../../team/teamImport';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage:
  floorwatch team migrate --db URL
  floorwatch team import --db URL --from DATA_DIR

migrate   Creates or updates the team database's tables, grants and append-only triggers (numbered migrations,
          recorded in floorwatch_migrations). Run it as the role that owns the database
          (postgres://OWNER@HOST:PORT/DATABASE; the password from PGPASSWORD or ~/.pgpass). The group role
          floorwatch_app must exist: the app's login role is a member of it (docs/deploy.md, "Team store").
          Safe to run again, and from several machines at once; a database newer than this version is refused.
import    Moves a single-seat workstation into the team database: its operators (with their passwords; an
          operator the team has already keeps the team's account) and its audit log, which holds its alert
          workflow, notes, four-eyes requests and decisions. The local chain is verified first (with the anchors
          in DATA_DIR) and a broken one is refused, naming its first broken row. Each row keeps its time,
          operator, action, target and reason, and names its local id and hash (details.imported); a last row,
          audit_imported, records the source, the row count and the local head hash. One transaction: nothing
          is imported when anything is refused (e.g. an alert the team database has already).
          Idempotent: the same log again is a no-op ("already imported", exit 0); a log that grew since brings
          only its new rows. Stop the workstation first. DATA_DIR's data key is used when its files are sealed.
`;

async function migrate(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { db: { type: 'string' } });
  if (values.db === undefined) throw new CliError("team migrate needs --db URL (the owner role's connection)");
  if (!/^postgres(ql)?:\/\//i.test(values.db)) {
    throw new CliError(`--db must be a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE), got "${values.db}"`);
  }
  try {
    const { from, to } = await migrateTeamDatabase(values.db);
    const done = from === to ? `already at schema ${to}` : `schema ${from} → ${to}`;
    process.stdout.write(`team database ${describeDatabase(values.db)}: ${done} (${TEAM_MIGRATIONS.length} known)\n`);
    return 0;
  } catch (error) {
    if (error instanceof TeamDatabaseError) throw new CliError(error.message);
    throw error;
  }
}

async function importCommand(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { db: { type: 'string' }, from: { type: 'string' } });
  if (values.db === undefined || values.from === undefined) {
    throw new CliError('team import needs --db URL (the team database) and --from DATA_DIR (the workstation)');
  }
  if (!/^postgres(ql)?:\/\//i.test(values.db)) {
    throw new CliError(`--db must be a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE), got "${values.db}"`);
  }
  const dataDir = path.resolve(values.from);
  installDataKeyIfPresent(dataDir);
  let result;
  try {
    result = await importWorkstation({ url: values.db, dataDir });
  } catch (error) {
    if (error instanceof TeamImportError) throw new CliError(error.message, 1);
    throw error;
  }
  const into = describeDatabase(values.db);
  const head = `head row ${result.headId} ${result.headHash}`;
  if (result.status === 'already_imported') {
    process.stdout.write(
      `already imported: ${dataDir} (audit log ${result.log}, ${head}) is in ${into} since team row ${result.importRow}; nothing to do\n`,
    );
    return 0;
  }
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
  process.stdout.write(
    `imported ${dataDir} into ${into}\n  audit rows: ${result.rows} (audit log ${result.log}, ${head})\n` +
      `  recorded as team row ${result.importRow}\n  operators added: ${list(result.operatorsAdded)}\n` +
      `  operators kept (already in the team): ${list(result.operatorsKept)}\n`,
  );
  return 0;
}

export const teamCommand: CliCommand = {
  name: 'team',
  summary: "team database (PostgreSQL): create or update its schema, import a workstation's history",
  help: HELP,
  run: async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === 'migrate') return migrate(rest);
    if (sub === 'import') return importCommand(rest);
    throw new CliError(
      sub ? `unknown team subcommand "${sub}": use migrate or import` : 'team needs migrate or import; see --help',
    );
  },
};
