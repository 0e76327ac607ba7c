// Dev aid: the host on a synthetic core (see syntheticCore.ts). Prints the URL; Ctrl+C stops.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuthServices } from '../../../main/auth/authServices';
import { startHost } from '../../../main/host/server';
import { SyntheticCore } from './syntheticCore';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const core = new SyntheticCore().start();
// Same login and audit log as the real host (FLOORWATCH_DATA_DIR picks the folder).
const access = await openAuthServices({
  app: 'host',
  version: 'dev',
  log: (line) => process.stderr.write(`${line}\n`),
});
const host = await startHost({
  port: Number(process.env.PORT ?? 0),
  core,
  access,
  staticDir: path.join(root, 'dist', 'renderer'),
  version: 'dev',
});
process.stdout.write(`${host.url}\n`);
const stop = async () => {
  await host.stop();
  core.stop();
  await access.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
