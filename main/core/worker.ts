// Worker-thread entry of the core: runs a CoreRuntime (feed → engine → publisher) and talks to its owner
// (CoreProcess) through parentPort: topic updates, feed state, gaps and log lines out; requests in.
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFn } from './log';
import type { CoreEvent, CoreRequest, CoreWorkerData } from './messages';
import { CoreRuntime } from './runtime';

const port = parentPort;
if (!port) throw new Error('main/core/worker.ts must run in a worker thread (use CoreProcess.start)');

const post = (event: CoreEvent): void => port.postMessage(event);
const log: LogFn = (level, message, fields) => post({ type: 'log', level, message, fields });
const runtime = new CoreRuntime(workerData as CoreWorkerData, post, log);

port.on('message', (request: CoreRequest) => {
  if (request?.type !== 'request') return;
  const reply = (value: unknown) => post({ type: 'reply', id: request.id, ok: true, value });
  const fail = (error: unknown) =>
    post({ type: 'reply', id: request.id, ok: false, error: String((error as Error)?.message ?? error) });
  switch (request.op) {
    case 'reconnect':
      runtime.reconnect();
      return reply(null);
    case 'health':
      return reply(runtime.health());
    case 'stop':
      runtime.stop().then(() => {
        reply(null);
        port.close(); // nothing left to keep the thread alive: it exits
      }, fail);
      return;
    default:
      return fail(new Error(`unknown core request ${JSON.stringify((request as { op?: unknown }).op)}`));
  }
});

runtime.start();
post({ type: 'ready' });
