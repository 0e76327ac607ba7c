// The team's stores on one PostgreSQL database, sharing one connection pool: what a team server opens at start.
import type pg from 'pg';
import { AuditLogError } from '../store/auditLog';
import { PgAuditStore, type PgAuditStoreOptions } from './pgAuditStore';
import { PgOperatorRepository } from './pgOperatorRepository';
import { openMigratedPool } from './teamDatabase';

export interface TeamStores {
  readonly pool: pg.Pool;
  readonly audit: PgAuditStore;
  readonly operators: PgOperatorRepository;
  /** Ends the pool (the one owner of its connections). */
  close(): Promise<void>;
}

/**
 * Connects to the migrated team database at `url` as the app's role. Rejects with one line (AuditLogError) when it
 * cannot connect or the schema is missing or newer than this code.
 */
export async function openTeamStores(
  url: string,
  options: Omit<PgAuditStoreOptions, 'readonly'> & { max?: number } = {},
): Promise<TeamStores> {
  let pool: pg.Pool;
  try {
    pool = await openMigratedPool(url, { max: options.max, onProblem: options.onProblem });
  } catch (error) {
    throw new AuditLogError((error as Error).message);
  }
  let closed: Promise<void> | null = null;
  return {
    pool,
    audit: new PgAuditStore(pool, url, options),
    operators: new PgOperatorRepository(pool, url),
    close: () => (closed ??= pool.end()),
  };
}
