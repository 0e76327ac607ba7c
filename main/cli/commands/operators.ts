// `floorwatch operators list|unlock`: the local operator accounts, read and repaired on the workstation itself.
// `unlock` is the way back for an account in a locked state when no admin can log in to lift it; it is audited
// under the OS account that ran it.
import fs from 'node:fs';
import { normaliseUsername, OperatorStore, OperatorStoreError, type OperatorRecord } from '../../auth/operatorStore';
import { AuditLog, AuditLogError } from '../../store/auditLog';
import { auditLogPath, operatorsPath } from '../../store/auditPaths';
import { cliActor, CliError, parseOptions, type CliCommand } from '../support';

const HELP = `
Usage:
  floorwatch operators list
  floorwatch operators unlock USER [--enable]

list     The operator accounts of this workstation: role, disabled, locked until, failed logins since the last
         successful one.
unlock   Lifts the lock of USER's account (a lock left by an older Floorwatch, which locked accounts after five
         failed logins) and resets its failed-login count. With --enable, also enables an account an admin
         disabled. Recorded in the audit log (action operator_unlocked, operator os:<your OS user>).
         Failed logins no longer lock an account: they make the source that failed wait (1 s doubling to 30 s
         per window, at most 4 s for others at the same address), so unlock is for the rare case.

Both use the data folder (FLOORWATCH_DATA_DIR, the policy's dataDir, else the OS user-data folder).
`;

const when = (epochMs: number) => new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function openStore(): OperatorStore {
  const file = operatorsPath();
  if (!fs.existsSync(file)) throw new CliError(`no operator accounts at ${file} (the app creates them at first start)`);
  try {
    return OperatorStore.open(file);
  } catch (error) {
    if (error instanceof OperatorStoreError) throw new CliError(error.message);
    throw error;
  }
}

function describeState(operator: OperatorRecord, now: number): string {
  const states = [
    operator.disabled ? 'DISABLED' : null,
    operator.lockedUntil !== null && operator.lockedUntil > now ? `LOCKED until ${when(operator.lockedUntil)}` : null,
  ].filter((state) => state !== null);
  return states.length > 0 ? states.join(', ') : 'active';
}

function list(argv: string[]): number {
  const { positionals } = parseOptions(argv, {}, true);
  if (positionals.length > 0) throw new CliError('operators list takes no arguments; see --help');
  const store = openStore();
  try {
    const now = Date.now();
    const rows = store.list();
    const width = Math.max(8, ...rows.map((o) => o.username.length));
    process.stdout.write(`${'USER'.padEnd(width)}  ${'ROLE'.padEnd(10)}  FAILED  STATE\n`);
    for (const operator of rows) {
      process.stdout.write(
        `${operator.username.padEnd(width)}  ${operator.role.padEnd(10)}  ${String(operator.failedLogins).padStart(6)}  ` +
          `${describeState(operator, now)}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

function unlock(argv: string[]): number {
  const { values, positionals } = parseOptions(argv, { enable: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new CliError('operators unlock takes one USER; see --help');
  const username = normaliseUsername(positionals[0] as string);
  const auditFile = auditLogPath();
  // Checked before anything changes: an unlock that cannot be recorded is not made.
  if (!fs.existsSync(auditFile)) throw new CliError(`no audit log at ${auditFile}: an unlock must be recorded`);
  const store = openStore();
  let audit: AuditLog | null = null;
  try {
    if (!store.get(username)) throw new CliError(`no operator "${username}" in ${store.file}`, 1);
    try {
      audit = AuditLog.open(auditFile);
    } catch (error) {
      if (error instanceof AuditLogError) throw new CliError(error.message);
      throw error;
    }
    const now = Date.now();
    const { before, after } = store.unlock(username, now, { enable: values.enable === true });
    const wasLocked = before.lockedUntil !== null && before.lockedUntil > now;
    const row = audit.append({
      ...cliActor(),
      action: 'operator_unlocked',
      target: `operator:${username}`,
      details: {
        via: 'cli',
        wasLocked,
        lockedUntil: wasLocked ? before.lockedUntil : null,
        failedLoginsCleared: before.failedLogins,
        ...(before.disabled !== after.disabled ? { enabled: true } : {}),
      },
    });
    const what = [
      wasLocked ? `was locked until ${when(before.lockedUntil as number)}` : 'was not locked',
      `${before.failedLogins} failed logins cleared`,
      ...(before.disabled && !after.disabled ? ['enabled again'] : []),
    ].join('; ');
    process.stdout.write(`unlocked ${username} (${what}); audited as row ${row.id} of ${auditFile}\n`);
    if (after.disabled) {
      process.stderr.write(
        `floorwatch: ${username} is still disabled (an admin disabled it): add --enable to let it log in\n`,
      );
    }
    return 0;
  } finally {
    audit?.close();
    store.close();
  }
}

export const operatorsCommand: CliCommand = {
  name: 'operators',
  summary: 'List the operator accounts; unlock one (audited)',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'list') return list(rest);
    if (sub === 'unlock') return unlock(rest);
    throw new CliError(
      sub ? `unknown operators command "${sub}"; see --help` : 'operators needs list or unlock; see --help',
    );
  },
};
