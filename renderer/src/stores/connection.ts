// State of this window's link to the main side (the host's WebSocket; always open under Electron).
import { create } from 'zustand';
import type { BridgeLinkState } from '../api/hostBridge';

interface ConnectionState {
  state: BridgeLinkState;
  detail: string;
  set(state: BridgeLinkState, detail: string): void;
}

export const useConnectionStore = create<ConnectionState>()((set) => ({
  state: 'connecting',
  detail: '',
  set: (state, detail) => set({ state, detail }),
}));
