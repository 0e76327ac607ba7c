// IPC channel names shared with main/electron/ipcChannels.ts (kept apart by the layer rule; a contract test
// fails if the two drift).
export const IPC_CHANNELS = {
  call: 'floorwatch:call',
  connect: 'floorwatch:connect',
  port: 'floorwatch:port',
} as const;
