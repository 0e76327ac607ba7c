// The headless host: serves the built renderer on a loopback port and the API over a WebSocket bridge on the same
// port, behind a random per-start token. Plain node:http + ws (noServer), so nothing but Node has to be installed.
//
// Access rules (the host is reachable by every local process and by every web page the operator's browser opens):
// - Every HTTP request and the WebSocket upgrade need the token: `?token=` on the first page load, afterwards an
//   HttpOnly SameSite=Strict cookie the host sets. Tokens are compared in constant time.
// - The upgrade must come from the host's own origin (a foreign page cannot drive the API even with the cookie),
//   and the Host header must name the host (DNS rebinding).
// - The team server (`apiLogin`) serves the API to workstations without the token: every operator logs in. An upgrade
//   without an Origin (a program, not a page) is let through; a page's Origin must still be the server's own.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LinkChannel, TopicName, TopicUpdate, WindowKind } from '../../shared/api/contract';
import type { BridgeReply } from '../../shared/api/wire';
import { createBackend, type CoreHandle, type ReviewWorkspaces, type WindowOpener } from '../api/backend';
import type { AccountScoping } from '../api/accountScope';
import { createAccountHandlers } from '../core/accountHandlers';
import {
  bridgeRefusal,
  localWindowApi,
  type ApiGate,
  type MethodHandlers,
  type TopicSource,
  type WindowApi,
} from '../api/dispatcher';
import { TopicBacklog } from './topicBacklog';
import { attachmentHeader, type DownloadTickets } from './downloads';

/** Who may do what: the AuthServices of main/auth/authServices.ts (tests pass an explicit test gate). */
export interface HostAccess {
  gate: ApiGate;
  services?: Partial<MethodHandlers>;
  topics?: Partial<Record<TopicName, TopicSource>>;
  /** Review workspaces beside the live floor: a page opened with `?review=<id>` is a window of that review. */
  reviews?: ReviewWorkspaces;
  /** The session token of a connection; a window it opens gets it in the URL fragment and resumes the session. */
  sessionToken?(connectionId: string): string | null;
  /** Operators limited to account groups (the alert services' team workflow). */
  scoping?: AccountScoping;
}

/** The page URL (token included) of a window kind, optionally of a review workspace. */
export type HostPageUrl = (kind?: WindowKind, channel?: LinkChannel, review?: string) => string;

/** The host's windows served by its own core. */
export interface LocalHostApi {
  core: CoreHandle;
  /** Login, permissions and the audit log (same as the app's). */
  access: HostAccess;
  remote?: undefined;
}

/** The host's windows served by a team server (main/api/teamServerLink.ts): no core here. */
export interface RemoteHostApi {
  core?: undefined;
  access?: undefined;
  /** Made once the host listens (it opens windows with the host's page URLs). */
  remote(pageUrl: HostPageUrl): WindowApi;
}

export type HostOptions = HostServingOptions & (LocalHostApi | RemoteHostApi);

export interface HostServingOptions {
  /** Interface to bind; loopback by default. */
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  version: string;
  /** One line per refused request or dropped client; defaults to stderr. */
  log?: (line: string) => void;
  /** Download links issued by `reports.deliver` (GET /download/<ticket>/<name>). */
  downloads?: DownloadTickets;
  /** Serve https/wss with this certificate and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
  /** The API without the token (the team server): the gate's login is the only way in. */
  apiLogin?: boolean;
}

/** Why the host refused requests, counted since start. */
export interface HostRefusals {
  /** No token, or a wrong one (401). */
  badToken: number;
  /** WebSocket upgrade from a foreign or missing Origin (403). */
  badOrigin: number;
  /** Host header that does not name this host (403; DNS rebinding). */
  badHost: number;
  /** Upgrade to a path other than /api, or a method other than GET/HEAD (404/405). */
  badRequest: number;
  /** Bridge messages that were not JSON or no known request (answered with a bad_arguments refusal). */
  badMessages: number;
  /** Clients dropped because they did not read their updates (send buffer over the limit). */
  slowClients: number;
}

export interface HostHandle {
  /** The page URL with the token, e.g. http://127.0.0.1:5178/?token=… */
  url: string;
  /** The page URL (token included) of a window kind, optionally of a review workspace. */
  pageUrl: HostPageUrl;
  token: string;
  port: number;
  /** http://host:port, the origin WebSocket upgrades must come from. */
  origin: string;
  readonly refusals: Readonly<HostRefusals>;
  /** Open bridge connections. */
  readonly connections: number;
  /** Closes every bridge connection and the server. Does not stop the core (the caller owns it). */
  stop(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Same policy as the <meta> CSP in renderer/index.html (keep them in step). style-src needs 'unsafe-inline' because
 * AG Grid's Theming API injects its CSS as <style> elements at run time; scripts stay 'self' only.
 */
export const HOST_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Above this much queued for a window, its topic updates wait in a TopicBacklog, merged per topic, and go out when
 * the queue has drained: a slow window gets fewer, conflated updates instead of an ever longer queue (and is not cut
 * off and re-sent a whole snapshot, which would make it slower still).
 */
const CONFLATE_ABOVE_BYTES = 512 * 1024;
const BACKLOG_CHECK_MS = 25;
/** A merged delta goes out in parts of this many rows (about one live tick's worth), each parsed as its own task. */
const BACKLOG_ROWS_PER_MESSAGE = 2500;
/** A client that lets this much pile up unread anyway is cut off; it reconnects and starts again from a snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const PING_INTERVAL_MS = 15_000;
const MAX_MESSAGE_BYTES = 1024 * 1024;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison; hashing first makes both sides the same length, so the length does not leak either. */
function tokenMatches(candidate: string | null | undefined, expectedDigest: Buffer): boolean {
  if (!candidate) return false;
  return timingSafeEqual(digest(candidate), expectedDigest);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function refuseUpgrade(socket: Socket, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export async function startHost(options: HostOptions): Promise<HostHandle> {
  const bindHost = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 5178;
  const log = options.log ?? ((line: string) => process.stderr.write(`floorwatch host: ${line}\n`));
  const staticRoot = path.resolve(options.staticDir);
  const token = randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const refusals: HostRefusals = {
    badToken: 0,
    badOrigin: 0,
    badHost: 0,
    badRequest: 0,
    badMessages: 0,
    slowClients: 0,
  };

  // Filled in once the port is known (port 0 = ephemeral).
  let port = 0;
  let publicHost = '';
  let origin = '';
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();
  const cookieName = () => `fw_token_${port}`; // per port: cookies are shared by every port of a host name

  const pageUrl = (kind?: WindowKind, channel?: LinkChannel, review?: string) => {
    const query = new URLSearchParams();
    query.set('token', token);
    if (review) query.set('review', review);
    if (kind) query.set('window', kind);
    if (channel) query.set('channel', channel);
    return `${origin}/?${query.toString()}`;
  };

  const windows = options.remote ? options.remote(pageUrl) : localApi(options, pageUrl, log);

  const hostHeaderAllowed = (req: IncomingMessage) =>
    allowedHosts.size === 0 || allowedHosts.has((req.headers.host ?? '').toLowerCase());

  const requestToken = (req: IncomingMessage, url: URL) =>
    url.searchParams.get('token') ?? cookieValue(req.headers.cookie, cookieName());

  const setSecurityHeaders = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', HOST_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The token travels in the first URL: never hand it to another site as a referrer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const sendText = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${text}\n`);
  };

  const sendDownload = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const file = options.downloads?.resolve(pathname) ?? null;
    if (!file) return sendText(res, 404, 'Not found: the download link is unknown or expired. Ask for it again.');
    let size: number;
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return sendText(res, 404, 'Not found.');
      size = stat.size;
    } catch {
      return sendText(res, 404, 'Not found: the export was removed.');
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Content-Disposition': attachmentHeader(path.basename(file)),
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    if (!hostHeaderAllowed(req)) {
      refusals.badHost++;
      log(`refused ${req.method} with Host "${(req.headers.host ?? '').slice(0, 80)}"`);
      return sendText(res, 403, 'Forbidden: this host only answers to its own address.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refusals.badRequest++;
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method not allowed.');
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      refusals.badRequest++;
      return sendText(res, 400, 'Bad request.');
    }
    const queryToken = url.searchParams.get('token');
    if (!tokenMatches(requestToken(req, url), tokenDigest)) {
      refusals.badToken++;
      return sendText(
        res,
        401,
        'Floorwatch host: access token missing or wrong. Open the URL that "floorwatch host" printed (it carries ?token=).',
      );
    }
    if (queryToken !== null) {
      // From now on subresources and the WebSocket authenticate with the cookie.
      res.setHeader('Set-Cookie', `${cookieName()}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    }

    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      refusals.badRequest++;
      return sendText(res, 400, 'Bad request: malformed path.');
    }
    if (relative.includes('\0')) {
      refusals.badRequest++;
      return sendText(res, 400, 'Bad request: malformed path.');
    }
    if (relative.startsWith('/download/')) return sendDownload(req, res, relative);
    if (relative.endsWith('/')) relative += 'index.html';
    const filePath = path.resolve(staticRoot, `.${path.posix.normalize(relative)}`);
    // The resolved path must stay inside the static root (no ../, no absolute paths, no encoded tricks).
    if (filePath !== staticRoot && !filePath.startsWith(staticRoot + path.sep)) {
      refusals.badRequest++;
      return sendText(res, 404, 'Not found.');
    }
    let size: number;
    try {
      const stat = await fs.stat(filePath);
      if (!stat.isFile()) return sendText(res, 404, 'Not found.');
      size = stat.size;
    } catch {
      return sendText(res, 404, 'Not found.');
    }
    const type = CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
    const isHtml = type.startsWith('text/html');
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': size,
      // Vite names assets by content hash; the page itself must always be fresh.
      'Cache-Control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(filePath);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch((error: unknown) => {
      log(`request ${req.url?.slice(0, 120)} failed: ${(error as Error).message}`);
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    });
  };
  const scheme = options.tls ? 'https' : 'http';
  const server = options.tls ? createTlsServer(options.tls, onRequest) : createServer(onRequest);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const clients = new Set<WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();
  let nextConnection = 1;

  let stopping = false;
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // A client that reconnects at once must not land on a server that is closing its connections.
    if (stopping) return refuseUpgrade(socket, 503, 'Service Unavailable');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      refusals.badRequest++;
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    if (url.pathname !== '/api') {
      refusals.badRequest++;
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    if (!hostHeaderAllowed(req)) {
      refusals.badHost++;
      log(`refused API upgrade with Host "${(req.headers.host ?? '').slice(0, 80)}"`);
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    if (!options.apiLogin && !tokenMatches(requestToken(req, url), tokenDigest)) {
      refusals.badToken++;
      log(`refused API upgrade from ${req.socket.remoteAddress}: token missing or wrong`);
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    const requestOrigin = req.headers.origin?.toLowerCase();
    const ownOrigin =
      (requestOrigin === undefined && options.apiLogin === true) ||
      (requestOrigin !== undefined &&
        (allowedOrigins.has(requestOrigin) ||
          // Bound to every interface: the page's own origin is whatever name it reached the host by.
          (allowedHosts.size === 0 && requestOrigin === `${scheme}://${(req.headers.host ?? '').toLowerCase()}`)));
    if (!ownOrigin) {
      refusals.badOrigin++;
      log(`refused API upgrade from origin "${(requestOrigin ?? '(none)').slice(0, 120)}"`);
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    // A review window's socket names its review workspace (the page passes its own ?review= on).
    const review = url.searchParams.get('review');
    const reviewId = review !== null && /^[A-Za-z0-9_-]{1,64}$/.test(review) ? review : undefined;
    if (review !== null && reviewId === undefined) {
      refusals.badRequest++;
      log(`refused API upgrade with a malformed review id "${review.slice(0, 80)}"`);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    wss.handleUpgrade(req, socket, head, (ws) => acceptClient(ws, req.socket.remoteAddress, reviewId));
  });

  // Several windows take the same topic update: serialise it once (the hub hands every subscriber the same object).
  const topicJson = new WeakMap<TopicUpdate, string>();
  const topicText = (update: TopicUpdate) => {
    let text = topicJson.get(update);
    if (text === undefined) {
      text = JSON.stringify({ kind: 'topic', update } satisfies BridgeReply);
      topicJson.set(update, text);
    }
    return text;
  };

  /** `remoteAddress` reaches the gate with every call: login throttling counts failures per address. */
  const acceptClient = (ws: WebSocket, remoteAddress: string | undefined, review: string | undefined) => {
    const connectionId = `host-${nextConnection++}`;
    clients.add(ws);
    alive.set(ws, true);
    const backlog = new TopicBacklog();
    let backlogTimer: NodeJS.Timeout | null = null;
    const write = (text: string) => {
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        refusals.slowClients++;
        log(`${connectionId} is not reading its updates (${ws.bufferedAmount} bytes queued); disconnecting it`);
        ws.close(1013, 'too slow; reconnect for a fresh snapshot');
        return;
      }
      ws.send(text);
    };
    const flushBacklog = () => {
      backlogTimer = null;
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > CONFLATE_ABOVE_BYTES) {
        backlogTimer = setTimeout(flushBacklog, BACKLOG_CHECK_MS);
        return;
      }
      for (const update of backlog.take(BACKLOG_ROWS_PER_MESSAGE))
        write(JSON.stringify({ kind: 'topic', update } satisfies BridgeReply));
    };
    const send = (reply: BridgeReply) => {
      if (ws.readyState !== ws.OPEN) return;
      if (reply.kind !== 'topic') return write(JSON.stringify(reply));
      if (!backlog.empty || ws.bufferedAmount > CONFLATE_ABOVE_BYTES) {
        backlog.add(reply.update);
        backlogTimer ??= setTimeout(flushBacklog, BACKLOG_CHECK_MS);
        return;
      }
      write(topicText(reply.update));
    };
    const bridge = windows.serveWindow(
      {
        transport: 'host',
        connectionId,
        ...(remoteAddress ? { remoteAddress } : {}),
        ...(review !== undefined ? { review } : {}),
      },
      send,
    );
    // A malformed message is answered (with its id when one can be read), counted and logged; the connection stays.
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      let request: unknown;
      try {
        request = JSON.parse(text);
      } catch {
        refusals.badMessages++;
        log(`${connectionId} sent a message that is not JSON; refused`);
        send(bridgeRefusal(idInText(text), isBinary ? 'binary frames are not accepted' : 'not JSON'));
        return;
      }
      const problem = bridge.handle(request);
      if (problem) {
        refusals.badMessages++;
        log(`${connectionId} sent a malformed request (${problem}); refused`);
      }
    });
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (error) => log(`${connectionId} socket error: ${error.message}`));
    ws.on('close', () => {
      if (backlogTimer) clearTimeout(backlogTimer);
      backlogTimer = null;
      bridge.close();
      clients.delete(ws);
    });
  };

  // Drops connections whose peer vanished without a close (sleeping laptop, killed browser).
  const pinger = setInterval(() => {
    for (const ws of clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      clearInterval(pinger);
      reject(error);
    };
    server.once('error', onError);
    server.listen(requestedPort, bindHost, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => log(`server error: ${error.message}`));

  const address = server.address();
  port = typeof address === 'object' && address ? address.port : requestedPort;
  publicHost = WILDCARD_HOSTS.has(bindHost) ? '127.0.0.1' : urlHost(bindHost);
  origin = `${scheme}://${publicHost}:${port}`;
  const names = new Set([publicHost.toLowerCase()]);
  if (WILDCARD_HOSTS.has(bindHost) || LOOPBACK_NAMES.includes(publicHost) || bindHost === '::1') {
    for (const name of LOOPBACK_NAMES) names.add(name);
  }
  allowedOrigins = new Set([...names].map((name) => `${scheme}://${name}:${port}`));
  // Bound to every interface, the host may be reached by any name: the token then carries the whole check.
  allowedHosts = WILDCARD_HOSTS.has(bindHost) ? new Set() : new Set([...names].map((name) => `${name}:${port}`));

  let stopped: Promise<void> | null = null;
  return {
    url: pageUrl(),
    pageUrl,
    token,
    port,
    origin,
    refusals,
    get connections() {
      return clients.size;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(pinger);
        for (const ws of clients) ws.close(1001, 'host stopping');
        // Give peers a moment to answer the close handshake, then cut whoever did not.
        for (let waited = 0; clients.size > 0 && waited < 1000; waited += 20) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const ws of clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return stopped;
    },
  };
}

/** The windows served by this host's own core, through the dispatcher. */
function localApi(options: LocalHostApi & HostServingOptions, pageUrl: HostPageUrl, log: (line: string) => void) {
  const { dispatcher } = createBackend({
    core: options.core,
    transport: 'host',
    version: options.version,
    gate: options.access.gate,
    services: { ...createAccountHandlers(options.core), ...options.access.services },
    topics: options.access.topics,
    ...(options.access.reviews ? { reviews: options.access.reviews } : {}),
    ...(options.access.scoping ? { scoping: options.access.scoping } : {}),
    openWindow: hostWindowOpener(pageUrl, (connectionId) => options.access.sessionToken?.(connectionId) ?? null),
    onRejected: (entry) => log(`refused API call ${entry.method} from ${entry.caller.connectionId}: ${entry.message}`),
  });
  return localWindowApi(dispatcher);
}

/**
 * A browser page cannot be opened from here: hand back the URL (same token) and let the page open it. The session
 * token rides in the fragment (never sent to a server, removed by the page) so the new tab resumes the session.
 */
export function hostWindowOpener(
  pageUrl: HostPageUrl,
  sessionToken: (connectionId: string) => string | null,
): WindowOpener {
  return async (kind, channel, caller, review) => {
    const session = sessionToken(caller.connectionId);
    const url = pageUrl(kind, channel, review) + (session ? `#session=${encodeURIComponent(session)}` : '');
    return { opened: false, url };
  };
}

/** The numeric `"id"` of a message that is not valid JSON, when it can still be read (so the refusal can name it). */
function idInText(text: string): number | null {
  const match = /"id"\s*:\s*(\d{1,15})\b/.exec(text.slice(0, 4096));
  return match ? Number(match[1]) : null;
}
