import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditRowHash, canonicalJson, GENESIS_HASH } from '../../main/store/auditCanonical';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    const one = { alpha: 1, beta: [1, 2], gamma: { x: null, y: true } };
    const two = { gamma: { y: true, x: null }, beta: [1, 2], alpha: 1 };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('keeps array order, and sorts keys by UTF-16 code units', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ b: 0, B: 0, a: 0, é: 0, '10': 0, '9': 0 })).toBe('{"10":0,"9":0,"B":0,"a":0,"b":0,"é":0}');
  });

  it('writes numbers in their shortest round-trip form', () => {
    expect(canonicalJson([1.0, -0, 0.1, 1e21, 1.5e-7, 3500])).toBe('[1,0,0.1,1e+21,1.5e-7,3500]');
  });

  it('escapes strings the way JSON.stringify does, lone surrogates included', () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001李\ud800' })).toBe('{"s":"a\\"b\\\\c\\n\\u0001李\\ud800"}');
  });

  it('leaves out undefined members but refuses undefined in arrays', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(() => canonicalJson([1, undefined])).toThrow(/"1" is undefined/);
  });

  it('refuses what JSON cannot carry faithfully, naming where', () => {
    expect(() => canonicalJson({ a: { b: NaN } })).toThrow(/"a\.b" is NaN/);
    expect(() => canonicalJson({ x: Infinity })).toThrow(/not a finite number/);
    expect(() => canonicalJson({ n: 10n })).toThrow(/bigint/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/"d" is not a plain object/);
    expect(() => canonicalJson(new Map())).toThrow(/the value is not a plain object/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/nested deeper/);
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = 2;
    expect(canonicalJson(bare)).toBe('{"a":2,"z":1}');
  });
});

describe('auditRowHash', () => {
  const row = {
    id: 7,
    time: 1795481701000,
    operator: 'li.wei',
    role: 'supervisor',
    action: 'account_action_approved',
    target: 'account:A001',
    details: '{"requestId":5}',
    reason: '同意',
  };

  it('is SHA-256 over the previous hash, a newline and the canonical row content', () => {
    const prev = 'ab'.repeat(32);
    const content =
      '{"action":"account_action_approved","details":"{\\"requestId\\":5}","id":7,"operator":"li.wei",' +
      '"reason":"同意","role":"supervisor","target":"account:A001","time":1795481701000}';
    const expected = createHash('sha256').update(`${prev}\n${content}`, 'utf8').digest('hex');
    expect(auditRowHash(prev, row)).toBe(expected);
  });

  it('changes when any column or the previous hash changes', () => {
    const base = auditRowHash(GENESIS_HASH, row);
    const variants = [
      auditRowHash('1'.repeat(64), row),
      auditRowHash(GENESIS_HASH, { ...row, id: 8 }),
      auditRowHash(GENESIS_HASH, { ...row, time: row.time + 1 }),
      auditRowHash(GENESIS_HASH, { ...row, operator: 'li.wei ' }),
      auditRowHash(GENESIS_HASH, { ...row, role: 'admin' }),
      auditRowHash(GENESIS_HASH, { ...row, action: 'account_action_rejected' }),
      auditRowHash(GENESIS_HASH, { ...row, target: 'account:A002' }),
      auditRowHash(GENESIS_HASH, { ...row, details: '{"requestId":6}' }),
      auditRowHash(GENESIS_HASH, { ...row, reason: '' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});
