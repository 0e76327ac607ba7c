/// <reference types="vite/client" />
import type { FloorwatchApi } from '../../shared/api/contract';
import type { FloorwatchPerf } from './perf';

declare global {
  interface Window {
    /** The one API of every window: Electron's preload exposes it; in a browser main.tsx installs the host bridge
     * before anything else runs (so it is typed as always present). */
    floorwatch: FloorwatchApi;
    /** Tick-to-screen samples for the benchmark (see perf.ts). */
    __floorwatchPerf?: FloorwatchPerf;
  }
}
