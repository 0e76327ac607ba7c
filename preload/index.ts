// The preload of every Floorwatch window (sandboxed, context-isolated). It exposes exactly one thing to the page,
// `window.floorwatch` (FloorwatchApi: calls, topics, and the team server link's state), and keeps ipcRenderer and
// the stream port to itself.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api';

const api = createPreloadApi(ipcRenderer);

contextBridge.exposeInMainWorld('floorwatch', {
  call: api.call,
  subscribe: api.subscribe,
  onConnection: api.onConnection,
});
