// The surveillance thresholds on the workstation: the effective rules (the shipped default with the user file from
// the data folder merged over it), what-if runs in a worker thread, and adopting new thresholds — a supervisor
// action, audited as thresholds_changed, written as the user rules file and handed to the live core.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ApiFailure } from '../api/dispatcher';
import { defaultRulesConfig, loadRulesConfig, type LoadedRules } from '../rules';
import type { AuditStore } from '../store/auditStore';
import { PERMISSIONS } from '../auth/permissions';
import { startWorker } from '../util/workers';
import { mergeRulesFile, RulesConfigError, type RulesConfig } from '../../shared/rules/config';
import type { RulesInfo, RulesOverrides, WhatIfResult } from '../../shared/api/methods/rules';
import { runWhatIf, type WhatIfJob } from './whatIf';
import type { WorkflowActor } from './workflow';

/** Roles that may adopt thresholds; 'system' is the workstation without operator login (tests, tools). */
const ADOPTERS: readonly string[] = [...PERMISSIONS['rules.adopt']!, 'system'];
const WHAT_IF_TIMEOUT_MS = 120_000;

export interface WhatIfRunner {
  run(job: WhatIfJob): Promise<WhatIfResult>;
  /** Ends a run in progress (at shutdown). */
  stop(): Promise<void>;
}

/** Runs each what-if in its own worker thread (off the main thread), one at a time. */
export class WorkerWhatIfRunner implements WhatIfRunner {
  private running: Worker | null = null;

  run(job: WhatIfJob): Promise<WhatIfResult> {
    if (this.running) return Promise.reject(new ApiFailure('unavailable', 'a what-if run is already in progress'));
    const worker = startWorker('whatif', job as unknown as Record<string, unknown>);
    this.running = worker;
    return new Promise<WhatIfResult>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.running === worker) this.running = null;
        fn();
      };
      const timer = setTimeout(() => {
        finish(() => reject(new ApiFailure('failed', `the what-if run took longer than ${WHAT_IF_TIMEOUT_MS} ms`)));
        void worker.terminate();
      }, WHAT_IF_TIMEOUT_MS);
      worker.once('message', (reply: { ok: boolean; result?: WhatIfResult; error?: string }) =>
        finish(() =>
          reply.ok
            ? resolve(reply.result as WhatIfResult)
            : reject(new ApiFailure('bad_arguments', `what-if: ${reply.error ?? 'failed'}`)),
        ),
      );
      worker.once('error', (error) => finish(() => reject(new ApiFailure('failed', `what-if: ${error.message}`))));
      worker.once('exit', (code) =>
        finish(() => reject(new ApiFailure('failed', `what-if worker exited (code ${code}) without a result`))),
      );
    });
  }

  async stop(): Promise<void> {
    const worker = this.running;
    this.running = null;
    if (worker) await worker.terminate();
  }
}

/** Runs on the calling thread (tests that need no worker). */
export const inlineWhatIfRunner: WhatIfRunner = {
  run: (job) => Promise.resolve(runWhatIf(job)),
  stop: () => Promise.resolve(),
};

export interface RulesServiceOptions {
  audit: AuditStore;
  /** The user rules file (in the data folder); created by the first adopt. */
  userFile: string;
  /** The session what-if runs on when the call names none (the one recorded or reviewed now). */
  currentSessionFile: () => string | null;
  /** Hands adopted thresholds to the live core (absent: the core picks them up at its next start). */
  applyRules?: (config: RulesConfig) => Promise<void> | void;
  runner?: WhatIfRunner;
  log?: (line: string) => void;
}

export class RulesService {
  private loaded: LoadedRules;
  private overrides: RulesOverrides | null = null;
  private problem: string | null = null;
  private readonly runner: WhatIfRunner;
  private readonly log: (line: string) => void;

  constructor(private readonly options: RulesServiceOptions) {
    this.runner = options.runner ?? new WorkerWhatIfRunner();
    this.log = options.log ?? (() => {});
    this.loaded = { config: defaultRulesConfig(), sources: [] };
    this.loaded = this.loadEffective();
  }

  /** The effective thresholds. */
  get config(): RulesConfig {
    return this.loaded.config;
  }

  info(): RulesInfo {
    return {
      version: this.loaded.config.version,
      sources: [...this.loaded.sources],
      config: structuredClone(this.loaded.config),
      userFile: this.overrides ? this.options.userFile : null,
      overrides: this.overrides ? structuredClone(this.overrides) : null,
      problem: this.problem,
    };
  }

  /** Re-runs surveillance over a session with `overrides` merged over the current thresholds. */
  async whatIf(args: { file?: string; overrides: RulesOverrides }): Promise<WhatIfResult> {
    const file = args.file ?? this.options.currentSessionFile();
    if (!file) throw new ApiFailure('bad_arguments', 'no session to run on: name a saved session file');
    if (!existsSync(file)) throw new ApiFailure('bad_arguments', `no session file ${file}`);
    const proposed = this.merge(this.loaded.config, args.overrides, 'what-if thresholds');
    proposed.version = `${this.loaded.config.version}+what-if`;
    return this.runner.run({ file, current: this.loaded.config, proposed });
  }

  /**
   * Adopts `overrides` over the current user file: checked, written to a temporary file, audited (durable), moved
   * into place, then applied to the live core. Returns the new effective rules.
   */
  async adopt(
    actor: WorkflowActor,
    args: { overrides: RulesOverrides; reason: string },
  ): Promise<RulesInfo & { appliedToCore: boolean }> {
    if (!ADOPTERS.includes(actor.role)) {
      const message = `the ${actor.role} role may not adopt thresholds (a supervisor action)`;
      await this.options.audit.append({
        operator: actor.operator,
        role: actor.role,
        action: 'api_rejected',
        target: 'rules',
        details: { method: 'rules.adopt', code: 'forbidden', message },
      });
      throw new ApiFailure('forbidden', message);
    }
    const reason = typeof args.reason === 'string' ? args.reason.trim() : '';
    if (!reason) throw new ApiFailure('bad_arguments', 'adopting thresholds needs a reason');
    const previous = this.loaded.config.version;
    const userVersion = nextUserVersion(this.overrides);
    const user = { ...(deepMerge(this.overrides ?? {}, args.overrides) as RulesOverrides), version: userVersion };
    const config = this.merge(defaultRulesConfig(), user, 'adopted thresholds');
    const file = this.options.userFile;
    const temporary = `${file}.${process.pid}.tmp`;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(user, null, 2)}\n`, { flush: true });
    try {
      await this.options.audit.append({
        operator: actor.operator,
        role: actor.role,
        action: 'thresholds_changed',
        target: 'rules',
        details: { fromVersion: previous, toVersion: config.version, overrides: args.overrides, file },
        reason,
      });
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    renameSync(temporary, file);
    this.overrides = user;
    this.problem = null;
    this.loaded = loadRulesConfig(file);
    let appliedToCore = false;
    if (this.options.applyRules) {
      try {
        await this.options.applyRules(this.loaded.config);
        appliedToCore = true;
      } catch (error) {
        this.log(`rules: adopted ${config.version} but the core did not take it: ${(error as Error).message}`);
      }
    }
    return { ...this.info(), appliedToCore };
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  private loadEffective(): LoadedRules {
    const file = this.options.userFile;
    if (!existsSync(file)) return loadRulesConfig();
    try {
      const loaded = loadRulesConfig(file);
      this.overrides = JSON.parse(readFileSync(file, 'utf8')) as RulesOverrides;
      return loaded;
    } catch (error) {
      // A damaged user file must not stop surveillance: the default applies and rules.get says why.
      this.problem = (error as Error).message;
      this.log(`rules: ${this.problem}; using the shipped default`);
      return loadRulesConfig();
    }
  }

  private merge(base: RulesConfig, overrides: RulesOverrides, where: string): RulesConfig {
    try {
      return mergeRulesFile(base, overrides, where);
    } catch (error) {
      if (error instanceof RulesConfigError) throw new ApiFailure('bad_arguments', error.message);
      throw error;
    }
  }
}

/** u1, u2, … : the adopted revision, shown after the default's version (`2026.11.1+u3`). */
function nextUserVersion(current: RulesOverrides | null): string {
  const match = typeof current?.version === 'string' ? /^u(\d+)$/.exec(current.version) : null;
  return `u${match ? Number(match[1]) + 1 : 1}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Objects merge key by key; anything else replaces (the rules file's own merge rule). */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}
