// Slows down password guessing per source instead of locking the account (a lock anyone can trigger locks the
// real operator out). Two scopes:
// - the connection (one window, one WebSocket): after its n-th failure in a row it waits 1 s · 2^(n−1), at most
//   30 s. It only ever slows the party that is failing.
// - the remote address (all connections from it; every window of this machine shares 127.0.0.1 or Electron IPC):
//   after a few free failures (several people behind one address mistype too) it waits 1 s · 2^k, at most 4 s.
//   It is kept short on purpose: it is the only wait that someone else's failures can put on a legitimate login,
//   and 4 s is that bound. Its job is to make the reconnect-per-guess trick cost a wait.
// A connection that is made to wait for its address gets a fixed time ("ticket") when first refused, which later
// failures from the address do not move: an attacker retrying in a loop cannot keep a legitimate login waiting.
// Refused attempts are not failures: they neither check the password nor lengthen any wait.
// Pure state and arithmetic on an injected clock; the AuthService decides what a refusal says and records.

export interface BackoffPolicy {
  /** The first wait, ms. */
  baseMs: number;
  /** The longest wait, ms. */
  maxMs: number;
  /** Failures that cost no wait. */
  freeFailures: number;
}

export interface LoginThrottlePolicy {
  connection: BackoffPolicy;
  address: BackoffPolicy;
  /** An address with no failure for this long is forgotten. */
  forgetAddressAfterMs: number;
  /** At most this many addresses are remembered (the quietest are dropped first). */
  maxAddresses: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  connection: { baseMs: 1_000, maxMs: 30_000, freeFailures: 0 },
  address: { baseMs: 1_000, maxMs: 4_000, freeFailures: 3 },
  forgetAddressAfterMs: 15 * 60_000,
  maxAddresses: 10_000,
};

/** Where a login attempt comes from. */
export interface LoginSource {
  connectionId: string;
  /** The throttle key of the remote address (see addressKey()). */
  address: string;
}

export type ThrottleScope = 'connection' | 'address';

/** Why an attempt must wait, and for how long. */
export interface ThrottleWait {
  scope: ThrottleScope;
  waitMs: number;
}

/** The wait after `failures` failures in a row: base · 2^(n − free − 1), capped; 0 while within the free ones. */
export function backoffMs(failures: number, policy: BackoffPolicy): number {
  const counted = failures - policy.freeFailures;
  if (counted <= 0) return 0;
  // 2^30 s is far past any cap; the exponent is bounded so the result stays a finite number.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(counted - 1, 30));
}

interface FailureRun {
  failures: number;
  lastFailureAt: number;
}

interface ConnectionState extends FailureRun {
  /** When this connection may try despite its address's wait; fixed when first refused for the address. */
  addressTicket: number | null;
}

export class LoginThrottle {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly addresses = new Map<string, FailureRun>();

  constructor(private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE) {}

  /** Null when `source` may have its password checked now; else how long it must wait. */
  check(source: LoginSource, now: number): ThrottleWait | null {
    const connection = this.connections.get(source.connectionId);
    const own = connection ? remaining(connection, this.policy.connection, now) : 0;
    const address = this.addresses.get(source.address);
    let shared = 0;
    if (connection?.addressTicket != null) {
      shared = Math.max(0, connection.addressTicket - now);
    } else if (address) {
      const wait = remaining(address, this.policy.address, now);
      if (wait > 0) {
        this.connectionState(source.connectionId).addressTicket = now + wait;
        shared = wait;
      }
    }
    if (own <= 0 && shared <= 0) return null;
    return own >= shared ? { scope: 'connection', waitMs: own } : { scope: 'address', waitMs: shared };
  }

  /** A password check failed: both the connection and the address wait longer. Returns the connection's new wait. */
  recordFailure(source: LoginSource, now: number): number {
    const connection = this.connectionState(source.connectionId);
    connection.failures += 1;
    connection.lastFailureAt = now;
    connection.addressTicket = null;
    const address = this.addresses.get(source.address) ?? { failures: 0, lastFailureAt: now };
    address.failures += 1;
    address.lastFailureAt = now;
    // Re-inserted so the map's order is quietest first, for trimming.
    this.addresses.delete(source.address);
    this.addresses.set(source.address, address);
    this.trimAddresses(now);
    return backoffMs(connection.failures, this.policy.connection);
  }

  /**
   * A password check succeeded: the connection starts afresh. The address keeps its count: a success there says
   * nothing about the other connections behind it.
   */
  recordSuccess(source: LoginSource): void {
    this.connections.delete(source.connectionId);
  }

  /** The connection closed. A reconnect starts with only its address's wait. */
  forgetConnection(connectionId: string): void {
    this.connections.delete(connectionId);
  }

  /** Drops addresses quiet for forgetAddressAfterMs. */
  sweep(now: number): void {
    for (const [key, run] of this.addresses) {
      if (now - run.lastFailureAt < this.policy.forgetAddressAfterMs) break; // oldest first
      this.addresses.delete(key);
    }
  }

  /** Failures in a row of a connection, and failures of an address (for the audit details). */
  failuresOf(source: LoginSource): { connection: number; address: number } {
    return {
      connection: this.connections.get(source.connectionId)?.failures ?? 0,
      address: this.addresses.get(source.address)?.failures ?? 0,
    };
  }

  private connectionState(connectionId: string): ConnectionState {
    let state = this.connections.get(connectionId);
    if (!state) {
      state = { failures: 0, lastFailureAt: 0, addressTicket: null };
      this.connections.set(connectionId, state);
    }
    return state;
  }

  private trimAddresses(now: number): void {
    this.sweep(now);
    for (const key of this.addresses.keys()) {
      if (this.addresses.size <= this.policy.maxAddresses) break;
      this.addresses.delete(key);
    }
  }
}

function remaining(run: FailureRun, policy: BackoffPolicy, now: number): number {
  const wait = backoffMs(run.failures, policy);
  return wait > 0 ? Math.max(0, run.lastFailureAt + wait - now) : 0;
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The throttle key of a remote address: IPv4 as is, IPv6 by its /64 prefix (one subscriber's whole network, where
 * a host may pick any address), IPv4-mapped IPv6 as IPv4. Calls over Electron IPC come from this machine's desktop.
 */
export function addressKey(transport: string | undefined, remoteAddress: string | undefined): string {
  if (transport === 'electron') return 'electron-ipc';
  if (!remoteAddress) return 'unknown';
  const address = remoteAddress.trim().toLowerCase();
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - left.length - right.length : 0;
  if (missing < 0) return address;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  if (groups.length !== 8) return address;
  if (groups.slice(0, 7).every((g) => Number.parseInt(g, 16) === 0) && Number.parseInt(groups[7]!, 16) === 1) {
    return '::1';
  }
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** True for a call from this machine: Electron IPC, or a loopback address (127.0.0.0/8, ::1). */
export function isLocalSource(transport: string | undefined, remoteAddress: string | undefined): boolean {
  const key = addressKey(transport, remoteAddress);
  return key === 'electron-ipc' || key === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(key);
}
