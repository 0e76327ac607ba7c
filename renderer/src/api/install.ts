// Gives every window one API, whatever it runs in: Electron's preload already exposes window.floorwatch; in a
// browser served by the headless host, the WebSocket bridge is created here and installed under the same name.
import type { FloorwatchApi } from '../../../shared/api/contract';
import { useConnectionStore } from '../stores/connection';
import { reviewFromUrl } from '../stores/windowState';
import { connectHostBridge } from './hostBridge';

/** Reads the host's access token from the page URL and removes it from the address bar (history, screenshots). */
function takeTokenFromUrl(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
  }
  return token;
}

export function installApi(): FloorwatchApi {
  if (window.floorwatch) {
    useConnectionStore.getState().set('open', 'Electron');
    // On a workstation of a team server, the link to the server is this window's connection.
    window.floorwatch.onConnection?.((state, detail) => useConnectionStore.getState().set(state, detail));
    return window.floorwatch;
  }
  if (window.location.protocol !== 'http:' && window.location.protocol !== 'https:') {
    // Loaded from disk without Electron's preload: there is no host to connect to.
    throw new Error('This window has no connection to Floorwatch: the preload did not expose window.floorwatch.');
  }
  const token = takeTokenFromUrl();
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  // Without ?token= the HttpOnly cookie the host set on the first page load authenticates the socket.
  const params = new URLSearchParams();
  if (token) params.set('token', token);
  // A review window's socket belongs to its review workspace: the host serves it that review's topics.
  const review = reviewFromUrl(window.location.search);
  if (review) params.set('review', review);
  const query = params.size > 0 ? `?${params.toString()}` : '';
  const bridge = connectHostBridge({
    url: `${scheme}://${window.location.host}/api${query}`,
    onState: (state, detail) => useConnectionStore.getState().set(state, detail),
  });
  window.addEventListener('pagehide', () => bridge.close());
  window.floorwatch = bridge.api;
  return bridge.api;
}
