import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const surveilCommand: CliCommand = {
  name: 'surveil',
  summary: '(not built yet)',
  help: 'floorwatch surveil: not built yet',
  run: () => Promise.reject(new CliError('"surveil" is not built yet')),
};
