// Access to the window's API for components, and the few calls they make, with operator-readable failures.
import type {
  ApiArgs,
  ApiMethod,
  ApiResult,
  FloorwatchApi,
  LinkChannel,
  WindowKind,
} from '../../../shared/api/contract';
import { useNoticeStore } from '../stores/notice';

export function floorwatch(): FloorwatchApi {
  const api = window.floorwatch;
  if (!api) throw new Error('window.floorwatch is not installed');
  return api;
}

/** Calls the API; a failure is shown as an error message (and logged) instead of being thrown at a click handler. */
export async function callOrNotify<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M> | null> {
  try {
    return await floorwatch().call(method, args);
  } catch (error) {
    const message = (error as Error).message;
    console.error(`[floorwatch] ${method} failed:`, message);
    useNoticeStore.getState().error(message);
    return null;
  }
}

/** Window-specific parameters carried in a window's URL (the alert of a case, the account of account tools). */
export type WindowParams = Record<string, string>;

/** Parameters handed from an opener to the next Electron window of a kind (read once by that window). */
export const HANDOFF_KEY = 'floorwatch.window.handoff';

/**
 * Opens another window. Electron opens it itself (its URL cannot carry `params`, so they are handed over through
 * localStorage and taken by the next window of that kind); the host answers with a URL this page opens as a new tab.
 */
export async function openWindow(
  kind: WindowKind,
  channel: LinkChannel | null,
  params: WindowParams = {},
  features?: string,
  /** A window of this review workspace (default: this window's own workspace). */
  review?: string,
): Promise<{ opened: boolean } | null> {
  const result = await callOrNotify('window.open', {
    kind,
    ...(channel ? { channel } : {}),
    ...(review ? { review } : {}),
  });
  if (!result) return null;
  showOpenedWindow(kind, result, params, features);
  return { opened: result.opened };
}

/** The host's answer is a URL this page opens as a tab; Electron opened the window itself and takes the params. */
export function showOpenedWindow(
  kind: WindowKind,
  result: { opened: boolean; url?: string },
  params: WindowParams = {},
  features?: string,
): void {
  if (!result.opened && result.url) {
    const url = new URL(result.url, window.location.href);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    // 'noopener': the new window gets no handle on this one (each window talks only to the host).
    window.open(url.toString(), '_blank', features ? `noopener,${features}` : 'noopener');
  } else if (Object.keys(params).length > 0) {
    try {
      window.localStorage.setItem(HANDOFF_KEY, JSON.stringify({ kind, params, at: Date.now() }));
    } catch {
      // no storage: the new window starts without its parameters
    }
  }
}

/** The hand-off this window took (all its parameters: a window may read several). */
let takenHandoff: Record<string, string> | null = null;

/** A parameter of this window: from its URL, else one handed over by the window that opened it (≤ 10 s ago). */
export function windowParam(kind: WindowKind, name: string): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get(name);
  if (fromUrl) return fromUrl;
  if (takenHandoff) return takenHandoff[name] ?? null;
  try {
    const handoff = JSON.parse(window.localStorage.getItem(HANDOFF_KEY) ?? 'null') as {
      kind: string;
      params: Record<string, string>;
      at: number;
    } | null;
    if (handoff && handoff.kind === kind && Date.now() - handoff.at < 10_000 && handoff.params[name]) {
      window.localStorage.removeItem(HANDOFF_KEY);
      takenHandoff = handoff.params;
      return handoff.params[name] ?? null;
    }
  } catch {
    // unreadable hand-off: ignore
  }
  return null;
}

/** Keeps a window parameter in this window's URL (survives a reload; layouts save the URL). */
export function setWindowParam(name: string, value: string | null): void {
  const url = new URL(window.location.href);
  if (value === null || value === '') url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  window.history.replaceState(null, '', url.toString());
}

/** Outcome of a call to a method that may not be wired in this build (the backend answers `unavailable`). */
export type OptionalResult<R> = { ok: true; value: R } | { ok: false; unavailable: boolean; message: string };

/**
 * Calls a method by name, even one this renderer's contract does not declare yet (method groups land separately):
 * an unknown or unwired method comes back as `{ ok: false, unavailable: true }` for a "not available" view.
 */
export async function callOptional<R>(method: string, args: Record<string, unknown>): Promise<OptionalResult<R>> {
  const call = floorwatch().call as unknown as (m: string, a: Record<string, unknown>) => Promise<R>;
  try {
    return { ok: true, value: await call(method, args) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    // An unconfirmed call was wired but its answer was lost: its own message says so, never "not available".
    const unavailable =
      code !== 'unconfirmed' &&
      (code === 'unavailable' || code === 'unknown_method' || /unavailable|unknown method/i.test(message));
    return { ok: false, unavailable, message };
  }
}

export function linkInstrument(channel: LinkChannel | null, instrumentId: string): void {
  if (!channel) return;
  void callOrNotify('link.set', { channel, context: { type: 'fdc3.instrument', id: { ticker: instrumentId } } });
}

export function linkAccount(channel: LinkChannel | null, accountId: string): void {
  if (!channel) return;
  void callOrNotify('link.set', { channel, context: { type: 'fdc3.account', id: { accountId } } });
}
