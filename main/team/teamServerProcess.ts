// `floorwatch server` as a child process, for the team tests and the team bench: started with tsx from the checkout,
// resolved once it printed its listening line; every one started is SIGKILLed by killTeamServers() (call it when done,
// failed or not).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TeamServerProcess {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

const started: ChildProcess[] = [];

/** Starts `floorwatch server` and resolves with its port once it printed the listening line. */
export function startTeamServer(args: string[], env: NodeJS.ProcessEnv): Promise<TeamServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'server', ...args], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^floorwatch server: listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${stderr}`));
    });
  });
}

/** Resolves with the exit code once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGKILLs every server still running. */
export function killTeamServers(): void {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
