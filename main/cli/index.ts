// The `floorwatch` command line: `floorwatch <command> [options]`, `--help` on every command.
// Each command lives in its own module under ./commands and registers here.
import { commands } from './registry';
import { CliError, printUsage, userFacing } from './support';
import { openDataFolderForCommand } from '../security/atRest';
import { floorwatchDataDir } from '../store/auditPaths';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsage(commands);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command "${name}"; run "floorwatch --help" for the list`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  if (command.dataKey) openDataFolderForCommand(floorwatchDataDir(), { create: command.dataKey === 'create' });
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    const user = userFacing(error);
    if (user) {
      process.stderr.write(`floorwatch: ${user.message}\n`);
      process.exitCode = user.exitCode;
    } else {
      process.stderr.write(`floorwatch: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 70;
    }
  },
);
