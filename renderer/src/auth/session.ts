// The window's operator session: who is logged in, whether the session is locked, and the audit check made at
// start. The token that lets this window (after a reload) or a window it opens join the same session is kept in
// sessionStorage — per tab, gone when the tab closes, never sent anywhere but auth.resume. A window opened by the
// app gets it in the URL fragment (#session=…), which is taken out of the address bar at once; a fragment is never
// sent to a server, and 'noopener' tabs do not inherit sessionStorage, so the fragment is what carries it.
import { create } from 'zustand';
import type { ApiResult } from '../../../shared/api/contract';
import { floorwatch } from '../api/floorwatch';
import { i18n } from '../i18n';

export type SessionInfo = NonNullable<ApiResult<'auth.status'>['session']>;
export type AuditCheck = NonNullable<ApiResult<'auth.status'>['auditCheck']>;
export type AuthPhase = 'checking' | 'setup' | 'login' | 'locked' | 'ready' | 'unavailable';

const TOKEN_KEY = 'floorwatch.session';
/** How often the window asks whether its session is still open and unlocked (idle lock, lock elsewhere). */
export const STATUS_POLL_MS = 5000;
/** At most one activity report (auth.touch) per this interval. */
export const TOUCH_EVERY_MS = 15_000;

interface AuthState {
  phase: AuthPhase;
  session: SessionInfo | null;
  auditCheck: AuditCheck | null;
  /** The last login/unlock/setup failure, shown on the form. */
  error: string | null;
  /**
   * When the main side refused a password attempt because this source must wait (too many failures): the time
   * (this window's clock) after which it takes one again. The form counts down and then sends the attempt again.
   */
  retryAt: number | null;
  set(partial: Partial<Omit<AuthState, 'set'>>): void;
}

export const useAuthStore = create<AuthState>()((set) => ({
  phase: 'checking',
  session: null,
  auditCheck: null,
  error: null,
  retryAt: null,
  set: (partial) => set(partial),
}));

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function storedToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

function storeToken(token: string | null): void {
  if (token) storage()?.setItem(TOKEN_KEY, token);
  else storage()?.removeItem(TOKEN_KEY);
}

/** Takes #session=… out of the address bar into sessionStorage. Call once, before the first status check. */
export function adoptTokenFromFragment(): void {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash) return;
  const params = new URLSearchParams(hash);
  const token = params.get('session');
  if (!token) return;
  storeToken(token);
  params.delete('session');
  const url = new URL(window.location.href);
  url.hash = params.toString();
  window.history.replaceState(null, '', url.toString());
}

function showSession(session: SessionInfo | null): void {
  useAuthStore
    .getState()
    .set({ session, phase: session ? (session.locked ? 'locked' : 'ready') : 'login', error: null });
}

/** Asks the main side for this window's session; resumes with the stored token when the connection has none. */
export async function refreshSession(): Promise<void> {
  const api = floorwatch();
  let status: ApiResult<'auth.status'>;
  try {
    status = await api.call('auth.status', {});
  } catch (error) {
    // No auth service (or the link is down): say so instead of showing a login form that cannot work. A window that
    // already shows its session keeps it while the link is down (the header says so), until the server answers.
    const code = (error as { code?: string }).code;
    if (code === 'unavailable' || (code === 'unconfirmed' && useAuthStore.getState().phase === 'checking')) {
      useAuthStore.getState().set({ phase: 'unavailable', error: (error as Error).message });
    }
    return;
  }
  useAuthStore.getState().set({ auditCheck: status.auditCheck ?? null });
  if (status.session) return showSession(status.session);
  const token = storedToken();
  if (token) {
    try {
      const resumed = await api.call('auth.resume', { token });
      storeToken(resumed.token);
      return showSession(resumed);
    } catch (error) {
      if ((error as { code?: string }).code === 'unconfirmed') return; // the link dropped again: ask at the next poll
      // The session ended (logout elsewhere, the app or the team server restarted): log in again, told why.
      storeToken(null);
      useAuthStore.getState().set({ session: null, phase: 'login', error: i18n.t('auth.sessionEnded') });
      return;
    }
  }
  useAuthStore.getState().set({ session: null, phase: status.needsSetup ? 'setup' : 'login' });
}

async function attempt(run: () => Promise<void>): Promise<void> {
  useAuthStore.getState().set({ error: null, retryAt: null });
  try {
    await run();
  } catch (error) {
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    // A throttled attempt was not checked: the form shows the wait (in the window's language), not the message.
    if (typeof retryAfterMs === 'number' && retryAfterMs > 0) {
      useAuthStore.getState().set({ retryAt: Date.now() + retryAfterMs });
    } else {
      useAuthStore.getState().set({ error: (error as Error).message });
    }
  }
}

export function setupAdmin(username: string, displayName: string, password: string): Promise<void> {
  return attempt(async () => {
    const result = await floorwatch().call('auth.setupAdmin', { username, displayName, password });
    storeToken(result.token);
    showSession(result);
  });
}

export function login(username: string, password: string): Promise<void> {
  return attempt(async () => {
    const result = await floorwatch().call('auth.login', { username, password });
    storeToken(result.token);
    showSession(result);
  });
}

export function unlock(password: string): Promise<void> {
  return attempt(async () => showSession(await floorwatch().call('auth.unlock', { password })));
}

export function lock(): Promise<void> {
  return attempt(async () => showSession(await floorwatch().call('auth.lock', {})));
}

export function logout(): Promise<void> {
  return attempt(async () => {
    await floorwatch().call('auth.logout', {});
    storeToken(null);
    showSession(null);
  });
}

/** Reports operator activity (throttled); a refusal means the session locked meanwhile. */
let lastTouch = 0;
export function touch(now = Date.now()): void {
  if (useAuthStore.getState().phase !== 'ready' || now - lastTouch < TOUCH_EVERY_MS) return;
  lastTouch = now;
  floorwatch()
    .call('auth.touch', {})
    .then(showSession, () => void refreshSession());
}
