// Moving a single-seat workstation into the team database: its operators, and its audit log, which carries its
// alert workflow, four-eyes requests and decisions and the rest of its history (they are audit rows).
//
// The local chain is verified first (with the anchors in its data folder) and a broken one is refused, naming its
// first broken row. Each local row is appended to the team chain with its own time, operator, role, action, target
// and reason; its details gain `imported: {log, id, hash}` (the local log's identity, the row's id and hash there),
// and a four-eyes decision's requestId is renumbered to its request's team row. One last row, `audit_imported`,
// names the source, the row count and the local head's hash, so the imported history stays provable against the
// workstation's own log, its anchors and its exports. Everything is one transaction on the locked chain: a failed
// import leaves nothing behind.
//
// Idempotent: importing the same log again, unchanged, is a no-op ("already imported"); a log that grew since its
// last import brings only the rows after the head recorded then. Operators already in the team keep the team's
// account (the imported rows still name them as they were); an alert the team already knows is refused, since two
// histories of one alert cannot both be its workflow.
import fs from 'node:fs';
import path from 'node:path';
import { OperatorStore } from '../auth/operatorStore';
import { findAuditAnchors } from '../store/auditAnchorSources';
import { logIdOf } from '../store/auditAnchors';
import {
  AuditLog,
  AuditLogError,
  auditDetails,
  normaliseAuditEntry,
  type AuditAction,
  type AuditRow,
} from '../store/auditLog';
import { auditLogPath, operatorsPath } from '../store/auditPaths';
import { openTeamStores } from './teamStores';
import { describeDatabase } from './teamDatabase';

/** The import cannot be done (one line: what, and what to do). An AuditLogError: it passes the chain's transaction. */
export class TeamImportError extends AuditLogError {}

export interface TeamImportResult {
  status: 'imported' | 'already_imported';
  /** The local log's identity (its row 1 hash, shortened as anchors name it) and its head. */
  log: string;
  headId: number;
  headHash: string;
  /** Local rows appended to the team chain now (0 when already imported). */
  rows: number;
  /** The team chain's audit_imported row for this log (now, or the earlier one). */
  importRow: number;
  operatorsAdded: string[];
  /** Operators the team database had already: kept as they are. */
  operatorsKept: string[];
}

interface ImportedMark {
  log: string;
  headId: number;
  headHash: string;
  row: number;
}

const DECISION_ACTIONS = new Set(['account_action_approved', 'account_action_rejected', 'account_action_delivery']);

export async function importWorkstation(options: {
  url: string;
  dataDir: string;
  clock?: () => number;
}): Promise<TeamImportResult> {
  const dataDir = path.resolve(options.dataDir);
  const clock = options.clock ?? Date.now;
  const file = auditLogPath(dataDir);
  if (!fs.existsSync(file))
    throw new TeamImportError(`no audit log at ${file}: is ${dataDir} a Floorwatch data folder?`);
  let local: AuditLog;
  try {
    local = AuditLog.open(file, { readonly: true });
  } catch (error) {
    throw new TeamImportError(`cannot open ${file}: ${(error as Error).message}`);
  }
  let rows: AuditRow[];
  try {
    const anchors = findAuditAnchors({ dataDir, expectAnchorFile: local.head().id > 0 });
    const check = local.verify({ anchors: anchors.anchors });
    if (!check.ok) {
      throw new TeamImportError(
        `refusing to import ${file}: its audit chain is broken at row ${check.brokenRow} (${check.problem}): ${check.message}`,
      );
    }
    rows = local.readRows();
  } finally {
    local.close();
  }
  if (rows.length === 0) throw new TeamImportError(`${file} has no audit rows: nothing to import`);
  const head = rows[rows.length - 1]!;
  const log = logIdOf(rows[0]!.hash);
  const operators = readOperators(dataDir);

  let stores;
  try {
    stores = await openTeamStores(options.url, { max: 2 });
  } catch (error) {
    throw new TeamImportError((error as Error).message);
  }
  try {
    return await stores.audit.onLockedChain('import a workstation', async (chain) => {
      const { client } = chain;
      const earlier = latestImport(
        (
          await client.query<{ id: number; details: string }>(
            "SELECT id, details FROM audit_log WHERE action = 'audit_imported' ORDER BY id",
          )
        ).rows,
        log,
      );
      const base = { log, headId: head.id, headHash: head.hash, operatorsAdded: [], operatorsKept: [] };
      if (earlier && earlier.headHash === head.hash) {
        return { ...base, status: 'already_imported' as const, rows: 0, importRow: earlier.row };
      }
      if (earlier && rows[earlier.headId - 1]?.hash !== earlier.headHash) {
        throw new TeamImportError(
          `${file} is not the log imported at team row ${earlier.row}: its row ${earlier.headId} differs from the head recorded then`,
        );
      }
      const fresh = rows.filter((row) => row.id > (earlier?.headId ?? 0));

      const created = fresh.filter((row) => row.action === 'alert_created').map((row) => row.target);
      const known = (
        await client.query<{ id: number; target: string }>(
          "SELECT id, target FROM audit_log WHERE action = 'alert_created' AND target = ANY($1::text[]) ORDER BY id LIMIT 1",
          [created],
        )
      ).rows[0];
      if (known) {
        throw new TeamImportError(
          `${known.target.replace(/^alert:/, 'alert ')} is already in the team database (team row ${known.id}): ` +
            'two histories of one alert cannot both be its workflow; nothing was imported',
        );
      }

      // Requests imported before (from this log) keep their team row ids for decisions imported now.
      const requestIds = new Map<number, number>();
      for (const row of (
        await client.query<{ id: number; details: string }>(
          "SELECT id, details FROM audit_log WHERE action = 'account_action_requested' AND details LIKE '%\"imported\"%'",
        )
      ).rows) {
        const mark = auditDetails(row).imported as { log?: unknown; id?: unknown } | undefined;
        if (mark?.log === log && typeof mark.id === 'number') requestIds.set(mark.id, row.id);
      }

      const added: string[] = [];
      const kept: string[] = [];
      for (const operator of operators) {
        const inserted = await client.query(
          `INSERT INTO operators (username, display_name, role, password_hash, disabled, failed_logins, locked_until,
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, NULL, $6, $7) ON CONFLICT (username) DO NOTHING`,
          [
            operator.username,
            operator.displayName,
            operator.role,
            operator.passwordHash,
            operator.disabled,
            operator.createdAt,
            operator.updatedAt,
          ],
        );
        (inserted.rowCount === 1 ? added : kept).push(operator.username);
      }

      for (const row of fresh) {
        const details = auditDetails(row);
        if (DECISION_ACTIONS.has(row.action) && typeof details.requestId === 'number') {
          const teamId = requestIds.get(details.requestId);
          if (teamId !== undefined) details.requestId = teamId;
        }
        details.imported = { log, id: row.id, hash: row.hash };
        let entry;
        try {
          entry = normaliseAuditEntry({
            operator: row.operator,
            role: row.role,
            action: row.action as AuditAction,
            target: row.target,
            details,
            reason: row.reason,
          });
        } catch (error) {
          throw new TeamImportError(`local row ${row.id} cannot be imported: ${(error as Error).message}`);
        }
        const [written] = await chain.append([entry], row.time);
        if (row.action === 'account_action_requested') requestIds.set(row.id, written!.id);
      }
      const [mark] = await chain.append(
        [
          normaliseAuditEntry({
            operator: 'system',
            role: 'system',
            action: 'audit_imported',
            target: `audit:${log}`,
            details: {
              source: file,
              log,
              rows: fresh.length,
              fromRow: fresh[0]?.id ?? head.id,
              headId: head.id,
              headHash: head.hash,
              operatorsAdded: added,
              operatorsKept: kept,
            },
          }),
        ],
        clock(),
      );
      return {
        ...base,
        status: 'imported' as const,
        rows: fresh.length,
        importRow: mark!.id,
        operatorsAdded: added,
        operatorsKept: kept,
      };
    });
  } catch (error) {
    if (error instanceof TeamImportError) throw error;
    throw new TeamImportError(`cannot import into ${describeDatabase(options.url)}: ${(error as Error).message}`);
  } finally {
    await stores.close();
  }
}

/** The newest import of the log `log` recorded in the team chain. */
function latestImport(rows: readonly { id: number; details: string }[], log: string): ImportedMark | null {
  let found: ImportedMark | null = null;
  for (const row of rows) {
    const details = auditDetails(row);
    if (details.log !== log || typeof details.headId !== 'number' || typeof details.headHash !== 'string') continue;
    found = { log, headId: details.headId, headHash: details.headHash, row: row.id };
  }
  return found;
}

/** The workstation's operators with their password hashes (none when it never had an operators file). */
function readOperators(dataDir: string) {
  const file = operatorsPath(dataDir);
  if (!fs.existsSync(file)) return [];
  let store: OperatorStore;
  try {
    store = OperatorStore.open(file);
  } catch (error) {
    throw new TeamImportError((error as Error).message);
  }
  try {
    return store.list().map((operator) => ({ ...operator, passwordHash: store.get(operator.username)!.passwordHash }));
  } finally {
    store.close();
  }
}
