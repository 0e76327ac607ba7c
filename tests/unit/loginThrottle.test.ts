import { describe, expect, it } from 'vitest';
import {
  addressKey,
  backoffMs,
  DEFAULT_LOGIN_THROTTLE,
  isLocalSource,
  LoginThrottle,
  type LoginSource,
} from '../../main/auth/loginThrottle';

const T0 = 1_795_000_000_000;
const attacker: LoginSource = { connectionId: 'host-1', address: '127.0.0.1' };
const colleague: LoginSource = { connectionId: 'host-2', address: '127.0.0.1' };

describe('backoff', () => {
  it('per connection: 1 s doubling to 30 s, from the first failure', () => {
    const waits = Array.from({ length: 8 }, (_, i) => backoffMs(i, DEFAULT_LOGIN_THROTTLE.connection));
    expect(waits).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(backoffMs(10_000, DEFAULT_LOGIN_THROTTLE.connection)).toBe(30_000);
  });

  it('per address: three free failures, then 1 s doubling to 4 s', () => {
    const waits = Array.from({ length: 8 }, (_, i) => backoffMs(i, DEFAULT_LOGIN_THROTTLE.address));
    expect(waits).toEqual([0, 0, 0, 0, 1_000, 2_000, 4_000, 4_000]);
  });
});

describe('LoginThrottle', () => {
  it('makes a failing connection wait longer after each failure, measured from the failure', () => {
    const throttle = new LoginThrottle();
    let now = T0;
    expect(throttle.check(attacker, now)).toBeNull();
    const waits: number[] = [];
    for (let failure = 1; failure <= 7; failure++) {
      waits.push(throttle.recordFailure(attacker, now));
      expect(throttle.check(attacker, now)).toMatchObject({ scope: 'connection', waitMs: waits.at(-1) });
      expect(throttle.check(attacker, now + (waits.at(-1) as number) - 1)).not.toBeNull();
      now += waits.at(-1) as number;
      expect(throttle.check(attacker, now)).toBeNull();
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    // A success starts the connection afresh; the address keeps its count (4 s, the longer of the two, applies).
    throttle.recordSuccess(attacker);
    expect(throttle.recordFailure(attacker, now)).toBe(1_000);
    expect(throttle.failuresOf(attacker)).toEqual({ connection: 1, address: 8 });
    expect(throttle.check(attacker, now)).toEqual({ scope: 'address', waitMs: 4_000 });
  });

  it("never makes another connection wait more than the address cap, however long the other's run", () => {
    const throttle = new LoginThrottle();
    let now = T0;
    for (let failure = 0; failure < 50; failure++) {
      throttle.recordFailure(attacker, now);
      now += 30_000;
    }
    throttle.recordFailure(attacker, now);
    expect(throttle.check(attacker, now)).toMatchObject({ scope: 'connection', waitMs: 30_000 });
    const wait = throttle.check(colleague, now);
    expect(wait).toEqual({ scope: 'address', waitMs: 4_000 });
  });

  it('fixes the time a waiting connection may try, so an attacker failing on cannot push it back', () => {
    const throttle = new LoginThrottle();
    let now = T0;
    for (let i = 0; i < 10; i++) throttle.recordFailure({ connectionId: `c${i}`, address: '10.0.0.9' }, now);
    const colleagueThere = { connectionId: 'legit', address: '10.0.0.9' };
    expect(throttle.check(colleagueThere, now)?.waitMs).toBe(4_000);
    // The attacker keeps failing from fresh connections every second.
    for (let i = 0; i < 4; i++) {
      now += 1_000;
      throttle.recordFailure({ connectionId: `x${i}`, address: '10.0.0.9' }, now);
    }
    expect(throttle.check(colleagueThere, now)).toBeNull();
    // Another address is not affected at all.
    expect(throttle.check({ connectionId: 'far', address: '10.0.0.10' }, now)).toBeNull();
  });

  it('a refused attempt is not a failure: asking again does not lengthen the wait', () => {
    const throttle = new LoginThrottle();
    throttle.recordFailure(attacker, T0);
    throttle.recordFailure(attacker, T0);
    for (let t = T0; t < T0 + 2_000; t += 100) expect(throttle.check(attacker, t)).not.toBeNull();
    expect(throttle.check(attacker, T0 + 2_000)).toBeNull();
  });

  it('forgets a closed connection, and an address after a quiet while; keeps at most maxAddresses', () => {
    const throttle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, maxAddresses: 3 });
    for (let i = 0; i < 6; i++) throttle.recordFailure(attacker, T0);
    throttle.forgetConnection(attacker.connectionId);
    expect(throttle.failuresOf(attacker)).toEqual({ connection: 0, address: 6 });
    expect(throttle.check(attacker, T0)?.scope).toBe('address');
    throttle.sweep(T0 + DEFAULT_LOGIN_THROTTLE.forgetAddressAfterMs);
    expect(throttle.failuresOf(attacker).address).toBe(0);
    for (const address of ['a', 'b', 'c', 'd']) throttle.recordFailure({ connectionId: address, address }, T0);
    expect(throttle.failuresOf({ connectionId: 'x', address: 'a' }).address).toBe(0); // the quietest went first
    expect(throttle.failuresOf({ connectionId: 'x', address: 'd' }).address).toBe(1);
  });
});

describe('sources', () => {
  it('keys IPv4 as is, IPv6 by its /64, IPv4-mapped as IPv4, Electron IPC as one local source', () => {
    expect(addressKey('host', '192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('host', '::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('host', '2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('host', '2001:DB8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('host', '::1')).toBe('::1');
    expect(addressKey('host', '1:2:3:4:5:6:7:8:9::1')).toBe('1:2:3:4:5:6:7:8:9::1'); // malformed: kept whole
    expect(addressKey('electron', undefined)).toBe('electron-ipc');
    expect(addressKey('host', undefined)).toBe('unknown');
  });

  it('counts loopback and Electron IPC as this machine, nothing else', () => {
    expect(isLocalSource('electron', undefined)).toBe(true);
    expect(isLocalSource('host', '127.0.0.1')).toBe(true);
    expect(isLocalSource('host', '::ffff:127.0.0.1')).toBe(true);
    expect(isLocalSource('host', '::1')).toBe(true);
    expect(isLocalSource('host', '192.168.1.20')).toBe(false);
    expect(isLocalSource('host', '::2')).toBe(false);
    expect(isLocalSource('host', undefined)).toBe(false);
  });
});
