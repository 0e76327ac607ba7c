// Short-lived download links for the host's windows: `reports.deliver` (an authenticated, permission-checked API
// call) issues a random ticket for one file, and the host serves GET /download/<ticket> — behind its access token
// like every request — as an attachment. A ticket names a file the API already checked; a URL alone names nothing.
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const TICKET_LIFETIME_MS = 10 * 60_000;
const MAX_TICKETS = 1000;

export interface DownloadTicket {
  file: string;
  expiresAt: number;
}

export class DownloadTickets {
  private readonly tickets = new Map<string, DownloadTicket>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** A path (`/download/<ticket>/<file name>`) the host serves `file` at for the next ten minutes. */
  issue(file: string): string {
    this.prune();
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { file, expiresAt: this.clock() + TICKET_LIFETIME_MS });
    return `/download/${ticket}/${encodeURIComponent(path.basename(file))}`;
  }

  /** The file of a `/download/<ticket>/…` path, or null (unknown or expired ticket, another path). */
  resolve(pathname: string): string | null {
    const match = /^\/download\/([A-Za-z0-9_-]{32})(?:\/[^/]*)?$/.exec(pathname);
    const entry = match ? this.tickets.get(match[1]!) : undefined;
    if (!entry || entry.expiresAt <= this.clock()) return null;
    return entry.file;
  }

  private prune(): void {
    const now = this.clock();
    for (const [ticket, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(ticket);
    while (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value!);
  }
}

/** A Content-Disposition header for an attachment: an ASCII fallback name and the exact name (RFC 6266/5987). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
