// Which frames may use the API: the top frame of our own renderer page, loaded from its file (any query, e.g.
// `?window=positions`), or, when a dev server is configured explicitly, a page of that exact origin.
import { pathToFileURL } from 'node:url';
import type { SenderFrameLike } from './ipcTransport';

export interface TrustedPages {
  /** Absolute paths of our HTML pages (dist/renderer/index.html). */
  files: readonly string[];
  /** Exact origins (scheme://host:port) of a development server; empty in production. */
  origins?: readonly string[];
}

export function trustedFrameMatcher(pages: TrustedPages): (frame: SenderFrameLike) => boolean {
  const filePaths = new Set(pages.files.map((file) => normalisePath(pathToFileURL(file).pathname)));
  const origins = new Set(pages.origins ?? []);
  return (frame) => {
    // Our pages have no iframes: a sub-frame is never one of ours, even from the same file.
    if (frame.parent !== null && frame.parent !== undefined) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    if (url.protocol === 'file:') return url.host === '' && filePaths.has(normalisePath(url.pathname));
    return (url.protocol === 'http:' || url.protocol === 'https:') && origins.has(url.origin);
  };
}

// Windows file URLs may differ in drive-letter case and percent-encoding; compare decoded, case-folded there.
function normalisePath(pathname: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
  return process.platform === 'win32' ? decoded.toLowerCase() : decoded;
}
