import { CliError, type CliCommand } from '../support';

// Placeholder until the owning change lands; replaced wholesale by it.
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: '(not built yet)',
  help: 'floorwatch audit: not built yet',
  run: () => Promise.reject(new CliError('"audit" is not built yet')),
};
