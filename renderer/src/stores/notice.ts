// Messages for the operator (an action done, a call refused, a hint): one store per window. Each message shows as a
// toast with its full text (success and info fade, errors stay until closed) and goes into the message history,
// which every open window of this workstation shares over a BroadcastChannel (the history button in the header).
import { create } from 'zustand';

export type NoticeKind = 'success' | 'error' | 'info';

export interface Notice {
  id: string;
  kind: NoticeKind;
  text: string;
  /** Epoch ms. */
  at: number;
  /** The window kind that raised it (history entries from other windows name it). */
  from: string;
}

/** Success and info toasts fade after this; errors stay until the operator closes them. */
export const TOAST_FADE_MS = 6000;
/** Toasts on screen at once (the oldest go first; all stay in the history). */
export const MAX_TOASTS = 5;
/** Messages kept in the history. */
export const MAX_HISTORY = 200;

interface NoticeState {
  toasts: Notice[];
  history: Notice[];
  /** Messages in the history this window's operator has not opened yet. */
  unseen: number;
  show(text: string, kind?: NoticeKind): void;
  success(text: string): void;
  error(text: string): void;
  dismiss(id: string): void;
  markSeen(): void;
  clearHistory(): void;
}

const CHANNEL_NAME = 'floorwatch.notices';
const windowKind = new URLSearchParams(window.location.search).get('window') ?? 'marketWatch';
const channel: BroadcastChannel | null =
  typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
const fadeTimers = new Map<string, ReturnType<typeof setTimeout>>();
let counter = 0;

const appendHistory = (history: Notice[], notice: Notice): Notice[] => [notice, ...history].slice(0, MAX_HISTORY);

export const useNoticeStore = create<NoticeState>()((set, get) => ({
  toasts: [],
  history: [],
  unseen: 0,
  show: (text, kind = 'info') => {
    const notice: Notice = { id: `${Date.now()}-${++counter}`, kind, text, at: Date.now(), from: windowKind };
    const dropped = get().toasts.slice(0, Math.max(0, get().toasts.length - MAX_TOASTS + 1));
    for (const old of dropped) clearTimer(old.id);
    set((state) => ({
      toasts: [...state.toasts.slice(dropped.length), notice],
      history: appendHistory(state.history, notice),
      unseen: state.unseen + 1,
    }));
    if (kind !== 'error')
      fadeTimers.set(
        notice.id,
        setTimeout(() => get().dismiss(notice.id), TOAST_FADE_MS),
      );
    channel?.postMessage(notice);
  },
  success: (text) => get().show(text, 'success'),
  error: (text) => get().show(text, 'error'),
  dismiss: (id) => {
    clearTimer(id);
    set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) }));
  },
  markSeen: () => set({ unseen: 0 }),
  clearHistory: () => set({ history: [], unseen: 0 }),
}));

function clearTimer(id: string): void {
  const timer = fadeTimers.get(id);
  if (timer) clearTimeout(timer);
  fadeTimers.delete(id);
}

function isNotice(value: unknown): value is Notice {
  const notice = value as Partial<Notice> | null;
  return (
    typeof notice?.id === 'string' &&
    typeof notice.text === 'string' &&
    typeof notice.at === 'number' &&
    typeof notice.from === 'string' &&
    (notice.kind === 'success' || notice.kind === 'error' || notice.kind === 'info')
  );
}

// Another window's message: into this window's history (not a toast here: it was shown where it happened).
channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isNotice(event.data)) return;
  const notice = event.data;
  useNoticeStore.setState((state) => ({ history: appendHistory(state.history, notice) }));
});
