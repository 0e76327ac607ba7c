import type { CliCommand } from './support';

/** Every `floorwatch` command. Add a command by importing its module here. */
export const commands: CliCommand[] = [];
