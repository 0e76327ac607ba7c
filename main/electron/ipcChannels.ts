// IPC channel names between main/electron and preload/. preload/ipcChannels.ts holds the same names (the layer
// rule keeps the two folders apart); tests/unit/contract.test.ts fails if they drift.
export const IPC_CHANNELS = {
  /** ipcRenderer.invoke(call, method, args) → IpcCallReply. */
  call: 'floorwatch:call',
  /** ipcRenderer.send(connect): the preload asks for its stream port. */
  connect: 'floorwatch:connect',
  /** main → preload: the MessagePort that carries subscribe/unsubscribe/topic. */
  port: 'floorwatch:port',
} as const;
