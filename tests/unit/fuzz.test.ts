// Fuzz: the feed decoder and the API's argument validation take 100k random and mutated inputs each without a
// crash. Seeded (a failure names its seed and iteration), bounded, about a second each.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ApiFailure, ApiDispatcher, type MethodHandlers } from '../../main/api/dispatcher';
import { apiMethods, type ApiMethod } from '../../shared/api/contract';
import { decodeFrame, encodeFrame, REJECT_REASONS } from '../../shared/protocol';
import * as feed from '../integration/support/feedMessages';
import { testGate } from '../support/testGate';

const ROUNDS = 100_000;
const REFUSALS = new Set(['bad_arguments', 'unknown_method', 'forbidden']);

/** mulberry32: small, fast, good enough to pick mutations; the seed makes every run the same. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}
type Rng = ReturnType<typeof rng>;

const NASTY_STRINGS = ['', ' ', '\u0000', '\ud800', '💥', 'a'.repeat(5000), '__proto__', 'constructor', '1e309', '-0'];
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'seq', 'type', 'kind', ''];

function randomValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 7 : 9)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), Number.MAX_VALUE, 1e-300, r.int(1e9)]);
    case 3:
      return r.pick(NASTY_STRINGS);
    case 4:
      return String.fromCharCode(...Array.from({ length: r.int(12) }, () => r.int(0x3000)));
    case 5:
      return undefined;
    case 6:
      return r.int(100);
    case 7:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) out[r.pick([...NASTY_KEYS, 'x', 'accountId'])] = randomValue(r, depth + 1);
      return out;
    }
  }
}

/** A structural mutation of a JSON-like value: replace, delete or add a field, or change a leaf's type. */
function mutate(value: unknown, r: Rng, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4 || r.next() < 0.15) return randomValue(r);
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...(value as object) };
  const keys = Object.keys(copy);
  const choice = r.int(4);
  if (choice === 0 && keys.length) delete copy[r.pick(keys)];
  else if (choice === 1) copy[r.pick(NASTY_KEYS)] = randomValue(r);
  else if (keys.length) {
    const key = r.pick(keys);
    copy[key] = mutate(copy[key], r, depth + 1);
  }
  return copy;
}

/** Text-level mutation of a frame: flip, cut, duplicate or insert characters. */
function mutateText(text: string, r: Rng): string {
  const at = r.int(text.length + 1);
  switch (r.int(5)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + r.pick(['{', '}', '[', ']', '"', ',', ':', '\\', 'null', '-', 'e9']) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + r.int(8));
    case 3:
      return text.slice(0, at) + text.slice(r.int(text.length));
    default:
      return `[${text},${text}]`;
  }
}

const SEED_MESSAGES = [
  feed.instrument(),
  feed.account(),
  feed.cash(),
  feed.position(),
  feed.phase(),
  feed.quote(),
  feed.orderNew(),
  feed.orderCancel(),
  feed.orderReject(),
];

describe('fuzz', () => {
  it(`the feed decoder answers ${ROUNDS} random and mutated frames with messages or counted rejections`, () => {
    const seed = 20261125;
    const r = rng(seed);
    const reasons = new Set<string>(REJECT_REASONS);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const base = r.pick(SEED_MESSAGES);
      const kind = r.int(4);
      let text: string;
      if (kind === 0) text = JSON.stringify(randomValue(r)) ?? 'undefined';
      else if (kind === 1) text = JSON.stringify(mutate(base, r)) ?? '';
      else if (kind === 2) text = mutateText(encodeFrame([base, r.pick(SEED_MESSAGES)]), r);
      else text = JSON.stringify([mutate(base, r), base, mutate(r.pick(SEED_MESSAGES), r)]) ?? '';
      let frame;
      try {
        frame = decodeFrame(text);
      } catch (error) {
        throw new Error(
          `seed ${seed} round ${i}: decodeFrame threw ${(error as Error).message} on ${text.slice(0, 200)}`,
        );
      }
      for (const reject of frame.rejects) {
        if (!reasons.has(reject.reason)) throw new Error(`seed ${seed} round ${i}: unknown reason ${reject.reason}`);
      }
      decoded += frame.messages.length;
      rejected += frame.rejects.length;
    }
    // Both paths were exercised: plenty of valid messages survive mutation, plenty are refused.
    expect(decoded).toBeGreaterThan(ROUNDS / 10);
    expect(rejected).toBeGreaterThan(ROUNDS / 10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it(`the API validation answers ${ROUNDS} random and mutated calls with a result or a clear refusal`, async () => {
    const seed = 6;
    const r = rng(seed);
    const names = Object.keys(apiMethods) as ApiMethod[];
    const reached: unknown[] = [];
    // Every handler records what reached it; the gate admits an admin, so valid arguments always get through.
    const handlers = Object.fromEntries(names.map((name) => [name, (args: unknown) => (reached.push(args), null)]));
    const gate = testGate();
    const dispatcher = new ApiDispatcher(handlers as unknown as MethodHandlers, { subscribe: () => () => {} }, gate);
    // Valid starting points from the schemas (Value.Create may not satisfy every constraint; mutation does the rest).
    const samples = new Map<string, unknown>(names.map((name) => [name, Value.Create(apiMethods[name].args)]));
    const checkers = new Map<string, { Check(value: unknown): boolean }>(
      names.map((name) => [name, TypeCompiler.Compile(apiMethods[name].args)]),
    );
    const codes = new Map<string, number>();
    for (let i = 0; i < ROUNDS; i++) {
      const method = r.next() < 0.05 ? r.pick(NASTY_STRINGS) : r.pick(names);
      const base = samples.get(method) ?? {};
      const args = r.next() < 0.2 ? randomValue(r) : r.next() < 0.2 ? base : mutate(base, r);
      reached.length = 0;
      try {
        await dispatcher.call(method, args, { transport: 'test', connectionId: `fuzz-${i % 7}` });
        codes.set('ok', (codes.get('ok') ?? 0) + 1);
        // What reached a handler matches the method's schema.
        if (reached.length !== 1 || !checkers.get(method)?.Check(reached[0])) {
          throw new Error(`seed ${seed} round ${i}: ${method} ran with arguments outside its schema`);
        }
      } catch (error) {
        if (!(error instanceof ApiFailure)) {
          throw new Error(`seed ${seed} round ${i}: ${method} threw ${(error as Error).message}`);
        }
        if (!REFUSALS.has(error.code) || error.message.length === 0 || error.message.length > 500) {
          throw new Error(`seed ${seed} round ${i}: ${method} refused unclearly: ${error.code} ${error.message}`);
        }
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
    }
    expect(codes.get('ok') ?? 0).toBeGreaterThan(1000);
    expect(codes.get('bad_arguments') ?? 0).toBeGreaterThan(1000);
    expect(codes.get('unknown_method') ?? 0).toBeGreaterThan(100);
    // Every refusal before the gate was reported for the audit log.
    expect(gate.rejections.length).toBe((codes.get('bad_arguments') ?? 0) + (codes.get('unknown_method') ?? 0));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
