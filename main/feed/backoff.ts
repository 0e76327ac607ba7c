// Capped exponential backoff with jitter for reconnects. `random` is injectable so tests can pin the jitter.

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialMs?: number;
  /** Upper bound of any delay, ms. */
  maxMs?: number;
  /** Growth per attempt. */
  factor?: number;
  /** Fraction of the delay that is randomised (0 = none, 1 = anywhere in [0, delay]). */
  jitter?: number;
  /** Uniform random in [0, 1). */
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 200;
    this.maxMs = options.maxMs ?? 10_000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.random = options.random ?? Math.random;
    if (!(this.initialMs >= 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1)) {
      throw new RangeError('backoff needs 0 <= initialMs <= maxMs and factor >= 1');
    }
  }

  /** Retries handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Delay before the next retry: min(max, initial × factor^n), the top `jitter` fraction of it randomised. */
  next(): number {
    // The exponent is bounded so a long outage never overflows to Infinity.
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.attempt, 64));
    this.attempt++;
    const floor = ceiling * (1 - this.jitter);
    return Math.round(floor + (ceiling - floor) * this.random());
  }

  /** Call once a connection is healthy again. */
  reset(): void {
    this.attempt = 0;
  }
}
