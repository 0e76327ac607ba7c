import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const exportCommand: CliCommand = {
  name: 'export',
  summary: '(not built yet)',
  help: 'floorwatch export: not built yet',
  run: () => Promise.reject(new CliError('"export" is not built yet')),
};
