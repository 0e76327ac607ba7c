// Worker-thread entry of the core: runs a CoreRuntime (feed → recorder → engine → rules → publisher) and talks to its owner
// (CoreProcess) through parentPort: topic updates, feed state, gaps and log lines out; requests in. Started
// without a feed URL, it loads and waits for one `configure` message (so it loads while the simulator starts).
import { parentPort, workerData } from 'node:worker_threads';
import { installDataKeyFromWorkerData } from '../security/dataKey';
import type { LogFn } from './log';
import type { CoreAuditHead, CoreConfigure, CoreEvent, CoreRequest, CoreWholeTopics, CoreWorkerData } from './messages';
import { answerViewRequest } from './engineViews';
import { CoreRuntime } from './runtime';
import { handleReviewRequest, ReviewRuntime, type ReviewRequest, type ReviewWorkerData } from '../review/reviewRuntime';

// The data key the starter handed over, before anything opens a session or the audit log.
installDataKeyFromWorkerData(workerData);

const port = parentPort;
if (!port) throw new Error('main/core/worker.ts must run in a worker thread (use CoreProcess.start)');

const post = (event: CoreEvent): void => port.postMessage(event);
const log: LogFn = (level, message, fields) => post({ type: 'log', level, message, fields });
let runtime: CoreRuntime | null = null;

function run(data: CoreWorkerData & { feedUrl: string }): void {
  runtime = new CoreRuntime(data, post, log);
  runtime.start();
  post({ type: 'ready' });
}

let review: ReviewRuntime | null = null; // review mode (workerData.review): replays a session file instead

port.on('message', (message: CoreRequest | CoreConfigure | CoreAuditHead | CoreWholeTopics) => {
  if (message?.type === 'auditHead') {
    runtime?.recorder?.anchorAuditHead(message.head);
    return;
  }
  if (message?.type === 'wholeTopics') {
    (runtime ?? review?.session.runtime)?.publisher.setWholeTopics(message.topics);
    return;
  }
  if (review) {
    if (message?.type === 'request') handleReviewRequest(review, message as ReviewRequest, post, () => port.close());
    return;
  }
  if (message?.type === 'configure') {
    if (!runtime && message.data.feedUrl) run({ ...message.data, feedUrl: message.data.feedUrl });
    return;
  }
  if (message?.type !== 'request') return;
  const request = message;
  const reply = (value: unknown) => post({ type: 'reply', id: request.id, ok: true, value });
  const fail = (error: unknown) =>
    post({ type: 'reply', id: request.id, ok: false, error: String((error as Error)?.message ?? error) });
  const current = runtime;
  switch (request.op) {
    case 'reconnect':
      if (!current) return fail(new Error('the core has no feed yet'));
      current.reconnect();
      return reply(null);
    case 'health':
      if (!current) return fail(new Error('the core has no feed yet'));
      return reply(current.health());
    case 'accountDetail':
    case 'accountCounters': {
      if (!current) return fail(new Error('the core has no feed yet'));
      const accountId = String(request.accountId ?? '');
      const value =
        request.op === 'accountDetail' ? current.accountDetail(accountId) : current.accountCounters(accountId);
      if (value === undefined) return fail(new Error(`unknown account ${JSON.stringify(accountId.slice(0, 64))}`));
      return reply(value);
    }
    case 'view':
      if (!current) return fail(new Error('the core has no feed yet'));
      return answerViewRequest(current.publisher.views, request.view, reply, fail);
    case 'reloadRules':
      if (!current) return fail(new Error('the core has no feed yet'));
      if (!request.rules) return fail(new Error('reloadRules without rules'));
      current.reloadRules(request.rules).then(reply, fail);
      return;
    case 'stop':
      (current ? current.stop() : Promise.resolve()).then(() => {
        reply(null);
        port.close(); // nothing left to keep the thread alive: it exits
      }, fail);
      return;
    default:
      return fail(new Error(`unknown core request ${JSON.stringify((request as { op?: unknown }).op)}`));
  }
});

const initial = workerData as CoreWorkerData;
const reviewData = (initial as { review?: ReviewWorkerData } | undefined)?.review;
if (reviewData) {
  review = new ReviewRuntime(reviewData, post, log);
  review.start();
  post({ type: 'ready' });
}
if (initial?.feedUrl) run({ ...initial, feedUrl: initial.feedUrl });
