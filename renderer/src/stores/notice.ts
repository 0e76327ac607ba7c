// One transient message for the operator (a failed call, a link that could not be set), shown in the header.
import { create } from 'zustand';

interface NoticeState {
  message: string | null;
  show(message: string): void;
  clear(): void;
}

let clearTimer: ReturnType<typeof setTimeout> | null = null;

export const useNoticeStore = create<NoticeState>()((set) => ({
  message: null,
  show: (message) => {
    set({ message });
    if (clearTimer) clearTimeout(clearTimer);
    clearTimer = setTimeout(() => set({ message: null }), 8000);
  },
  clear: () => set({ message: null }),
}));
