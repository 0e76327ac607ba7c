// Where Floorwatch keeps its files: the policy's dataDir, else FLOORWATCH_DATA_DIR when set, else the OS user-data folder, spelled the way
// Electron's app.getPath('userData') spells it for an app named "Floorwatch" (so the app, the host and the CLI
// find the same audit log; main/electron should `app.setPath('userData', floorwatchDataDir())` to be sure).
import os from 'node:os';
import path from 'node:path';
import { resolveDataDir } from '../policy/settings';
import { AUDIT_ANCHORS_FILE_NAME } from './auditAnchors';

export const APP_FOLDER_NAME = 'Floorwatch';
export const AUDIT_LOG_FILE_NAME = 'audit.sqlite';
export const OPERATORS_FILE_NAME = 'operators.sqlite';

export function floorwatchDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  // The machine policy's dataDir wins over FLOORWATCH_DATA_DIR (main/policy; an invalid policy throws SettingsError).
  return resolveDataDir(env, platform, home);
}

export function auditLogPath(dataDir: string = floorwatchDataDir()): string {
  return path.join(dataDir, AUDIT_LOG_FILE_NAME);
}

export function operatorsPath(dataDir: string = floorwatchDataDir()): string {
  return path.join(dataDir, OPERATORS_FILE_NAME);
}

/** The anchor file beside the audit log (auditAnchors.ts). */
export function auditAnchorsPath(dataDir: string = floorwatchDataDir()): string {
  return path.join(dataDir, AUDIT_ANCHORS_FILE_NAME);
}
