// Whether the command palette (Ctrl+K) is open in this window.
import { create } from 'zustand';

interface PaletteState {
  visible: boolean;
  open(): void;
  close(): void;
}

export const usePaletteStore = create<PaletteState>()((set) => ({
  visible: false,
  open: () => set({ visible: true }),
  close: () => set({ visible: false }),
}));
