import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const recordCommand: CliCommand = {
  name: 'record',
  summary: '(not built yet)',
  help: 'floorwatch record: not built yet',
  run: () => Promise.reject(new CliError('"record" is not built yet')),
};
