// Who may do what is one table (shared/api/permissions.ts): the server enforces it and the windows enable their
// buttons from it. The source scan fails when a window, report or service spells a list of roles of its own again.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorize, isSupervisor, ROLES } from '../../shared/api/permissions';

const ROOT = join(__dirname, '../..');
/** The table itself, the operators table's SQL CHECK (a storage constraint), and the team server (another owner). */
const ALLOWED = new Set(['shared/api/permissions.ts', 'shared/api/methods/auth.ts', 'main/auth/operatorStore.ts']);
const ROLE = `'(?:${ROLES.join('|')})'`;
const ROLE_LIST = new RegExp(`[[(]\\s*${ROLE}\\s*,\\s*${ROLE}`);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

describe('the permission table', () => {
  it('gives the second pair of eyes, threshold adoption and the audit trail to the roles the server checks', () => {
    const approvers = ROLES.filter((role) => authorize(role, 'actions.approve'));
    expect(approvers).toEqual(['supervisor', 'admin']);
    expect(ROLES.filter((role) => authorize(role, 'rules.adopt'))).toEqual(approvers);
    expect(ROLES.filter(isSupervisor)).toEqual(approvers);
    expect(ROLES.filter((role) => authorize(role, 'audit.export'))).toEqual(['supervisor', 'admin', 'auditor']);
    expect(authorize('auditor', 'actions.request')).toBe(false);
    expect(authorize(null, 'alerts.get')).toBe(false);
  });

  it('is the only list of roles in the windows, reports and services', () => {
    const offenders: string[] = [];
    for (const dir of ['renderer/src', 'main', 'shared']) {
      for (const file of sources(join(ROOT, dir))) {
        const name = relative(ROOT, file);
        if (ALLOWED.has(name) || name.startsWith('main/team/')) continue;
        if (ROLE_LIST.test(readFileSync(file, 'utf8'))) offenders.push(name);
      }
    }
    expect(offenders).toEqual([]);
  });
});
