import type { CliCommand } from './support';
import { auditCommand } from './commands/audit';
import { exportCommand } from './commands/export';
import { hostCommand } from './commands/host';
import { importCommand } from './commands/import';
import { operatorsCommand } from './commands/operators';
import { recordCommand } from './commands/record';
import { reportCommand } from './commands/report';
import { serverCommand } from './commands/server';
import { simCommand } from './commands/sim';
import { surveilCommand } from './commands/surveil';
import { teamCommand } from './commands/team';

/** Every `floorwatch` command, in the order `--help` lists them. Each module exports one CliCommand. */
export const commands: CliCommand[] = [
  simCommand,
  hostCommand,
  serverCommand,
  recordCommand,
  exportCommand,
  importCommand,
  surveilCommand,
  auditCommand,
  operatorsCommand,
  reportCommand,
  teamCommand,
];
