import { describe, expect, it } from 'vitest';
import { Backoff } from '../../main/feed/backoff';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap when jitter is pinned to its top', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5, random: () => 1 });
    const delays = Array.from({ length: 7 }, () => backoff.next());
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(backoff.attempts).toBe(7);
  });

  it('randomises only the jitter fraction of each delay', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0.5, random: () => 0 });
    expect([low.next(), low.next(), low.next()]).toEqual([50, 100, 200]);
    const mid = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0.5, random: () => 0.5 });
    expect([mid.next(), mid.next()]).toEqual([75, 150]);
    const none = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0, random: () => 0 });
    expect([none.next(), none.next()]).toEqual([100, 200]);
  });

  it('stays within [ (1 - jitter) × ceiling, ceiling ] and never above the cap, however long the outage', () => {
    let state = 42;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const backoff = new Backoff({ initialMs: 200, maxMs: 10_000, jitter: 0.5, random });
    for (let attempt = 0; attempt < 2_000; attempt++) {
      const ceiling = Math.min(10_000, 200 * 2 ** attempt);
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
      expect(delay).toBeLessThanOrEqual(ceiling);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0, random: () => 0 });
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  it('refuses inconsistent settings', () => {
    expect(() => new Backoff({ initialMs: 500, maxMs: 100 })).toThrow(RangeError);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: -1 })).toThrow(RangeError);
  });
});
