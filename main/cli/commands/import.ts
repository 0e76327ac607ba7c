import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const importCommand: CliCommand = {
  name: 'import',
  summary: '(not built yet)',
  help: 'floorwatch import: not built yet',
  run: () => Promise.reject(new CliError('"import" is not built yet')),
};
