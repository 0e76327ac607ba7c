// Follows the team's audit chain for one server, so several servers on one database show one floor. The chain is
// every server's store (the workflow, four eyes and account changes are audit rows), so following it is enough:
// each new row is announced by the database (LISTEN on AUDIT_CHANNEL, a NOTIFY per row from a trigger, delivered
// at commit); on an announcement the follower reads the rows after the last one it delivered and hands them, in
// chain order and once each, to every follower of this server (the workflow, the four-eyes book, the sessions).
// A lost LISTEN connection is reopened with backoff and followed by a catch-up read, so nothing is skipped.
// This server's own appends go through the same path (catchUp(ownRowId)), so every row is applied in one order.
import pg from 'pg';
import type { AuditRow } from '../store/auditLog';
import type { AuditStore, SharedAuditChain } from '../store/auditStore';
import { WriteQueue } from '../util/writeQueue';
import { AUDIT_CHANNEL, databaseProblem } from './teamDatabase';

/** Rows read per query while catching up (a server back from a long outage reads in pages). */
const CATCH_UP_PAGE = 2000;
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5000;

export type AuditRowsFollower = (rows: readonly AuditRow[]) => void;

export interface AuditFollowerOptions {
  /** The store the rows are read from (the server's pool). */
  audit: AuditStore;
  /** The database URL: the LISTEN connection is one of its own, outside the pool. */
  url: string;
  /** The last row already reflected in the state the followers were rebuilt from (read before rebuilding them). */
  after: number;
  log?: (line: string) => void;
}

export class AuditFollower implements SharedAuditChain {
  private readonly audit: AuditStore;
  private readonly url: string;
  private readonly log: (line: string) => void;
  private readonly followers: AuditRowsFollower[] = [];
  private readonly reads = new WriteQueue();
  private lastDelivered: number;
  private listener: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  private connected = false;

  constructor(options: AuditFollowerOptions) {
    this.audit = options.audit;
    this.url = options.url;
    this.lastDelivered = options.after;
    this.log = options.log ?? (() => {});
  }

  /** The last row handed to the followers. */
  get delivered(): number {
    return this.lastDelivered;
  }

  /** True while the LISTEN connection is open. */
  get listening(): boolean {
    return this.connected;
  }

  /** Adds a follower; add them all before start() and before any action can append. */
  follow(follower: AuditRowsFollower): void {
    this.followers.push(follower);
  }

  /** Opens the LISTEN connection (retried in the background when it cannot) and catches up once. */
  async start(): Promise<void> {
    await this.listen();
    await this.catchUp().catch((error: Error) => this.log(`audit follower: ${error.message}`));
  }

  catchUp(throughId = 0): Promise<void> {
    return this.reads.run(async () => {
      if (throughId > 0 && this.lastDelivered >= throughId) return;
      for (;;) {
        let rows: AuditRow[];
        try {
          rows = await this.audit.readRows({ afterId: this.lastDelivered, limit: CATCH_UP_PAGE });
        } catch (error) {
          // An action whose row is committed must not look lost: say it is recorded, and that it shows later.
          if (throughId > this.lastDelivered) {
            throw new Error(
              `recorded as audit row ${throughId}, but this server cannot read the team log back yet ` +
                `(${(error as Error).message}); it shows once the database answers`,
            );
          }
          throw error;
        }
        if (rows.length === 0) return;
        this.lastDelivered = rows[rows.length - 1]!.id;
        for (const follower of this.followers) {
          try {
            follower(rows);
          } catch (error) {
            this.log(
              `audit follower: rows ${rows[0]!.id}..${this.lastDelivered} not applied: ${(error as Error).message}`,
            );
          }
        }
        if (rows.length < CATCH_UP_PAGE) return;
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const listener = this.listener;
    this.listener = null;
    this.connected = false;
    await listener?.end().catch(() => undefined);
    await this.reads.idle();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'floorwatch listen',
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    const lost = (why: string) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.connected = false;
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.log(`audit follower: LISTEN connection lost (${why}); reconnecting`);
        this.scheduleReconnect();
      }
    };
    client.on('error', (error) => lost(databaseProblem(this.url, error)));
    client.on('end', () => lost('closed by the server'));
    client.on('notification', (message) => {
      const id = Number(message.payload);
      if (!Number.isSafeInteger(id) || id <= this.lastDelivered) return;
      this.catchUp(id).catch((error: Error) => this.log(`audit follower: ${error.message}`));
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${AUDIT_CHANNEL}`);
    } catch (error) {
      if (this.listener === client) {
        this.listener = null;
        client.end().catch(() => undefined);
        this.log(`audit follower: cannot LISTEN: ${databaseProblem(this.url, error)}; retrying`);
        this.scheduleReconnect();
      }
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.connected = true;
    if (this.failures > 0) this.log('audit follower: LISTEN connection back; catching up');
    this.failures = 0;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen().then(() => {
        // Whatever was announced while the connection was down is read now.
        if (this.connected) return this.catchUp().catch((error: Error) => this.log(`audit follower: ${error.message}`));
      });
    }, delay);
    this.reconnectTimer.unref?.();
  }
}
