import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const hostCommand: CliCommand = {
  name: 'host',
  summary: '(not built yet)',
  help: 'floorwatch host: not built yet',
  run: () => Promise.reject(new CliError('"host" is not built yet')),
};
