// `floorwatch team migrate`: brings a team database (PostgreSQL) to this version's schema, as the role that owns it.
import { describeDatabase, migrateTeamDatabase, TeamDatabaseError, TEAM_MIGRATIONS } from '../../team/teamDatabase';
import { CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage:
  floorwatch team migrate --db URL

migrate   Creates or updates the team database's tables, grants and append-only triggers (numbered migrations,
          recorded in floorwatch_migrations). Run it as the role that owns the database
          (postgres://OWNER@HOST:PORT/DATABASE; the password from PGPASSWORD or ~/.pgpass). The group role
          floorwatch_app must exist: the app's login role is a member of it (docs/deploy.md, "Team store").
          Safe to run again, and from several machines at once; a database newer than this version is refused.
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

export const teamCommand: CliCommand = {
  name: 'team',
  summary: 'team database (PostgreSQL): create or update its schema',
  help: HELP,
  run: async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === 'migrate') return migrate(rest);
    throw new CliError(sub ? `unknown team subcommand "${sub}": use migrate` : 'team needs migrate; see --help');
  },
};
