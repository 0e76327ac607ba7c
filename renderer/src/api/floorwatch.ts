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

/** Calls the API; a failure is shown in the header (and logged) instead of being thrown at a click handler. */
export async function callOrNotify<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M> | null> {
  try {
    return await floorwatch().call(method, args);
  } catch (error) {
    const message = (error as Error).message;
    console.error(`[floorwatch] ${method} failed:`, message);
    useNoticeStore.getState().show(message);
    return null;
  }
}

/** Opens another window. Electron opens it itself; the host answers with a URL this page opens as a new tab. */
export async function openWindow(kind: WindowKind, channel: LinkChannel | null): Promise<void> {
  const result = await callOrNotify('window.open', channel ? { kind, channel } : { kind });
  if (result && !result.opened && result.url) {
    // 'noopener': the new window gets no handle on this one (each window talks only to the host).
    window.open(result.url, '_blank', 'noopener');
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
