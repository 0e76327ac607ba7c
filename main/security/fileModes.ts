// Who may read the data folder: only the user Floorwatch runs as. Folders are created 0700 and files 0600 whatever
// the process umask; SQLite creates a database's -wal, -shm and -journal files with the mode of the database file,
// so a database file created 0600 before SQLite opens it keeps its side files 0600 too. On Windows, mode bits mean
// nothing: the data folder gets an ACL (icacls) that grants the user and Administrators only, inherited by what is
// created inside it.
// At start, `checkDataFolderModes` looks at the folder and what Floorwatch keeps in it, and tightens what is looser
// (one warning line), or says the exact command to run when it cannot.
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Bits that let anyone but the owner in. */
const OTHERS_BITS = 0o077;
/** Folders of the data folder whose contents are checked too (one level; sessions may be many thousand files). */
const CHECKED_SUBFOLDERS = ['sessions', 'keys'];
/** Administrators' well-known SID (names differ by language). */
const ADMINISTRATORS_SID = '*S-1-5-32-544';
/** Principals whose presence in a data folder ACL means other users can read it. */
const WIDE_WINDOWS_PRINCIPALS = /\b(Everyone|BUILTIN\\Users|Authenticated Users|S-1-1-0|S-1-5-11|S-1-5-32-545)\b/i;

const isWindows = (platform: NodeJS.Platform) => platform === 'win32';

/** Creates `dir` (and missing parents) private to the user. An existing folder is left as it is (see the check). */
export function ensurePrivateDir(dir: string, platform: NodeJS.Platform = process.platform): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (isWindows(platform)) restrictWindowsAcl(dir);
  else chmodSync(dir, PRIVATE_DIR_MODE); // the umask may have taken bits off, never added: this is exact
}

/**
 * Creates `file` empty and 0600 when it does not exist yet (its folder private too), so that SQLite, opening it next,
 * finds an empty database and gives its side files the same mode.
 */
export function ensurePrivateFile(file: string, platform: NodeJS.Platform = process.platform): void {
  if (file === ':memory:' || file === '') return;
  ensurePrivateDir(path.dirname(file), platform);
  if (existsSync(file)) return;
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // another opener won the race: same result
    throw error;
  }
  if (!isWindows(platform)) chmodSync(file, PRIVATE_FILE_MODE);
}

/** Sets 0600 on a file Floorwatch wrote (and its SQLite side files, when present). */
export function makeFilePrivate(file: string, platform: NodeJS.Platform = process.platform): void {
  if (isWindows(platform)) return; // inherited from the folder's ACL
  for (const candidate of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((statSync(candidate).mode & OTHERS_BITS) !== 0) chmodSync(candidate, PRIVATE_FILE_MODE);
    } catch {
      // absent side file
    }
  }
}

/** Windows: only the current user and Administrators, inherited by files and folders created inside. */
export function restrictWindowsAcl(dir: string): void {
  const user = process.env.USERNAME
    ? `${process.env.USERDOMAIN ? `${process.env.USERDOMAIN}\\` : ''}${process.env.USERNAME}`
    : null;
  if (!user) throw new Error('cannot restrict the folder ACL: USERNAME is not set');
  execFileSync(
    'icacls',
    [dir, '/inheritance:r', '/grant:r', `${user}:(OI)(CI)F`, '/grant:r', `${ADMINISTRATORS_SID}:(OI)(CI)F`, '/T', '/Q'],
    { stdio: 'ignore', windowsHide: true },
  );
}

export function windowsAclCommand(dir: string): string {
  return `icacls "${dir}" /inheritance:r /grant:r "%USERDOMAIN%\\%USERNAME%:(OI)(CI)F" /grant:r "${ADMINISTRATORS_SID}:(OI)(CI)F" /T`;
}

export interface ModeCheckResult {
  /** Folders and files that were looser than 0700/0600 (before any fix). */
  loose: string[];
  fixed: boolean;
  /** The one line to show (warning), or null when everything was private. */
  warning: string | null;
}

/**
 * Checks the data folder, its `sessions` and `keys` folders and the files in them (and the key file, when it lives
 * elsewhere); tightens anything others may read. Returns the warning line to print (null when all was private).
 */
export function checkDataFolderModes(
  dataDir: string,
  options: { extraFiles?: readonly string[]; platform?: NodeJS.Platform; fix?: boolean } = {},
): ModeCheckResult {
  const platform = options.platform ?? process.platform;
  if (!existsSync(dataDir)) return { loose: [], fixed: true, warning: null };
  if (isWindows(platform)) return checkWindowsAcl(dataDir, options.fix ?? true);
  const loose: { file: string; dir: boolean }[] = [];
  const look = (file: string) => {
    let stat;
    try {
      stat = lstatSync(file);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) return; // never chmod through a link someone else may have placed
    if ((stat.mode & OTHERS_BITS) !== 0) loose.push({ file, dir: stat.isDirectory() });
  };
  look(dataDir);
  const folders = [dataDir, ...CHECKED_SUBFOLDERS.map((name) => path.join(dataDir, name))];
  for (const folder of folders) {
    if (folder !== dataDir) look(folder);
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(folder, name);
      if (folder === dataDir && CHECKED_SUBFOLDERS.includes(name)) continue;
      look(file);
    }
  }
  for (const file of options.extraFiles ?? []) look(file);
  if (loose.length === 0) return { loose: [], fixed: true, warning: null };
  const names = loose.map((entry) => entry.file);
  const count = `${loose.filter((l) => l.dir).length} folder(s), ${loose.filter((l) => !l.dir).length} file(s)`;
  if (options.fix === false) {
    return { loose: names, fixed: false, warning: `data folder ${dataDir} is readable by other users (${count})` };
  }
  const failed: string[] = [];
  for (const entry of loose) {
    try {
      chmodSync(entry.file, entry.dir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
    } catch {
      failed.push(entry.file);
    }
  }
  if (failed.length === 0) {
    return {
      loose: names,
      fixed: true,
      warning: `data folder ${dataDir} was readable by other users (${count}); set to 0700 (folders) and 0600 (files)`,
    };
  }
  return {
    loose: names,
    fixed: false,
    warning: `data folder ${dataDir} is readable by other users (${count}) and could not be fixed: run "chmod -R go-rwx '${dataDir}'" as its owner`,
  };
}

function checkWindowsAcl(dataDir: string, fix: boolean): ModeCheckResult {
  let acl = '';
  try {
    acl = execFileSync('icacls', [dataDir], { encoding: 'utf8', windowsHide: true });
  } catch {
    return {
      loose: [],
      fixed: false,
      warning: `cannot read the ACL of ${dataDir}; check it with: icacls "${dataDir}"`,
    };
  }
  if (!WIDE_WINDOWS_PRINCIPALS.test(acl)) return { loose: [], fixed: true, warning: null };
  if (fix) {
    try {
      restrictWindowsAcl(dataDir);
      return {
        loose: [dataDir],
        fixed: true,
        warning: `data folder ${dataDir} was readable by other users; its ACL now grants only you and Administrators`,
      };
    } catch {
      // fall through to the command
    }
  }
  return {
    loose: [dataDir],
    fixed: false,
    warning: `data folder ${dataDir} is readable by other users: run ${windowsAclCommand(dataDir)}`,
  };
}
