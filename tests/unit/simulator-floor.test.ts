// The simulated floor at broker size: a client base that is mostly idle, partly active and a little heavy, ~1.2
// start-of-day positions per account, control groups and names; seeded; the default floor is the catalogue's.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { buildAccounts } from '../../main/simulator/catalogue';
import { ACTIVE_SHARE, HEAVY_SHARE, buildFloor, floorSizeOf } from '../../main/simulator/floor';
import { generateSession, type GenerateOptions } from '../../main/simulator/generator';

function digest(options: GenerateOptions): string {
  const hash = createHash('sha256');
  const day = generateSession(options);
  const batch: SequencedMessage[] = [];
  while (!day.done) {
    batch.length = 0;
    day.take(5000, batch);
    hash.update(JSON.stringify(batch));
  }
  return hash.digest('hex');
}

describe('simulated floor', () => {
  it('is the catalogue by default', () => {
    const floor = buildFloor();
    expect(floor.accounts).toEqual(buildAccounts());
    expect(floor.instruments).toHaveLength(10);
  });

  it('at 100k accounts: most idle, a minority active, a few heavy, groups and names', () => {
    const { accounts } = buildFloor({ accounts: 100_000, instruments: 'all' }, 1);
    expect(accounts).toHaveLength(100_000);
    expect(new Set(accounts.map((a) => a.accountId)).size).toBe(100_000);
    expect(accounts.slice(0, 50)).toEqual(
      buildAccounts(buildFloor({ instruments: 'all' }).instruments.map((i) => i.instrumentId)),
    );
    const clients = accounts.slice(50);
    const share = (test: (a: (typeof clients)[number]) => boolean) => clients.filter(test).length / clients.length;
    const idle = share((a) => a.activity === 0);
    // Heavy: the top weights, trading many contracts (the others trade one to three).
    const heavy = share((a) => (a.activity ?? 0) >= 5 && a.instruments.length >= 4);
    expect(idle).toBeCloseTo(1 - ACTIVE_SHARE, 1);
    expect(idle).toBeGreaterThan(0.7);
    expect(heavy).toBeGreaterThan(HEAVY_SHARE * 0.8);
    expect(heavy).toBeLessThan(HEAVY_SHARE * 1.2);
    expect(share((a) => a.activity === 0 && a.instruments.length >= 4)).toBe(0);
    const groups = new Set(clients.map((a) => a.controlGroup).filter(Boolean));
    expect(groups.size).toBeGreaterThan(100);
    expect(clients.every((a) => a.name.length > 4 && a.instruments.length > 0)).toBe(true);
    expect(new Set(clients.map((a) => a.name)).size).toBeGreaterThan(1000);
  });

  it('at 100k accounts: ~1.2 start-of-day positions per account, on accounts of every kind', () => {
    const day = generateSession({ seed: 5, messages: 2_000_000, accounts: 100_000, instruments: 'all' });
    // Static data comes first: instruments, accounts, their terminals, then positions.
    const statics = day.take(400_000).filter((m) => ['instrument', 'account', 'terminal', 'position'].includes(m.type));
    expect(statics).toHaveLength(day.staticMessages);
    const positions = statics.filter((m) => m.type === 'position');
    expect(statics.filter((m) => m.type === 'account')).toHaveLength(100_000);
    expect(new Set(statics.filter((m) => m.type === 'terminal').map((m) => m.accountId)).size).toBe(100_000);
    expect(positions.length / 100_000).toBeGreaterThan(1.05);
    expect(positions.length / 100_000).toBeLessThan(1.35);
    expect(new Set(positions.map((m) => m.accountId)).size).toBeGreaterThan(50_000);
  }, 30_000);

  it('on the day, a minority of the accounts trades and a few of them make most of the orders', () => {
    const accounts = 5_000;
    const day = generateSession({ seed: 2, messages: 200_000, accounts, instruments: 'all' });
    const orders = new Map<string, number>();
    for (const m of day)
      if (m.type === 'order' && m.event === 'new') orders.set(m.accountId, (orders.get(m.accountId) ?? 0) + 1);
    const active = orders.size / accounts;
    expect(active).toBeGreaterThan(0.05);
    expect(active).toBeLessThan(0.4);
    const counts = [...orders.values()].sort((a, b) => b - a);
    const total = counts.reduce((a, b) => a + b, 0);
    const topPercent = counts.slice(0, accounts / 100).reduce((a, b) => a + b, 0) / total;
    expect(topPercent).toBeGreaterThan(0.2);
  }, 30_000);

  it('is the same for the same seed and differs for another', () => {
    const options = { messages: 20_000, accounts: 3_000, instruments: 120 } as const;
    expect(digest({ ...options, seed: 9 })).toBe(digest({ ...options, seed: 9 }));
    expect(digest({ ...options, seed: 9 })).not.toBe(digest({ ...options, seed: 10 }));
    expect(buildFloor({ accounts: 3_000 }, 4)).toEqual(buildFloor({ accounts: 3_000 }, 4));
  }, 30_000);

  it('refuses a floor it cannot build, in one line', () => {
    expect(() => buildFloor({ accounts: 10 })).toThrow(/accounts must be a whole number from 50/);
    expect(() => generateSession({ instruments: 5, scenarios: 'all', messages: 60_000 })).toThrow(
      /scenarios need the catalogue's 10 contracts .* missing/,
    );
  });

  it('takes the embedded simulator’s size from the environment when not given', () => {
    const env = { FLOORWATCH_SIM_ACCOUNTS: '100000', FLOORWATCH_SIM_INSTRUMENTS: 'all' };
    expect(floorSizeOf({}, env)).toEqual({ accounts: 100_000, instruments: 'all' });
    expect(floorSizeOf({ accounts: 60 }, env)).toEqual({ accounts: 60, instruments: 'all' });
    expect(floorSizeOf({}, {})).toEqual({});
    expect(() => floorSizeOf({}, { FLOORWATCH_SIM_INSTRUMENTS: 'lots' })).toThrow(
      'FLOORWATCH_SIM_INSTRUMENTS="lots" must be a whole number or all',
    );
  });
});
