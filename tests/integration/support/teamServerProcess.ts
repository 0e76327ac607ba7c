// The team tests' helpers around `floorwatch server` (main/team/teamServerProcess.ts starts and stops it).
import type { ApiSocket } from '../../../main/api/apiSocket';
import type { AlertRow } from '../../../shared/api/methods/alerts';

export { exited, killTeamServers, repo, startTeamServer } from '../../../main/team/teamServerProcess';

/** The first alert row on the `alerts` topic that matches. */
export async function waitForAlert(
  client: ApiSocket,
  match: (row: AlertRow) => boolean,
  timeoutMs: number,
): Promise<AlertRow> {
  const update = await client.waitFor((u) => u.topic === 'alerts' && (u.rows as AlertRow[]).some(match), timeoutMs, 5);
  return (update.rows as AlertRow[]).find(match)!;
}
