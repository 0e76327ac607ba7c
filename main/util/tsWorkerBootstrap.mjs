// Development only: lets a worker thread run a TypeScript entry through tsx (the bundled app uses .js workers).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
