import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const simCommand: CliCommand = {
  name: 'sim',
  summary: '(not built yet)',
  help: 'floorwatch sim: not built yet',
  run: () => Promise.reject(new CliError('"sim" is not built yet')),
};
