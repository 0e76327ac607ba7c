// The catalogue and the shared vocabulary are complete in both languages: every key of the windows' catalogue exists
// in English and Chinese with the same placeholders, every term of the vocabulary has both names, a Chinese name is
// Chinese (not the English one copied), and every code the app shows (rules, parameters, states, exchanges…) has a term.
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../shared/api/methods/auth';
import { ALERT_STATES } from '../../shared/api/methods/alerts';
import { EXCHANGES, PHASES } from '../../shared/protocol/schema';
import { RuleParamsSchemas } from '../../shared/rules/config';
import { RULE_IDS, SEVERITIES } from '../../shared/rules/types';
import {
  ALERT_STATE_NAMES,
  describeMetric,
  EXCHANGE_NAMES,
  evidenceEntries,
  evidenceKind,
  formatQuantity,
  PHASE_NAMES,
  ROLE_NAMES,
  RULE_METRIC_TERMS,
  RULE_NAMES,
  RULE_PARAM_TERMS,
  SEVERITY_NAMES,
  VOCABULARY,
  type Term,
} from '../../shared/vocabulary';
import { en, zh } from '../../renderer/src/i18n/resources';

type Tree = { [key: string]: unknown };

/** Every leaf of a catalogue as path → string. */
function leaves(tree: Tree, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') for (const [p, v] of leaves(value as Tree, path)) out.set(p, v);
    else out.set(path, value);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

/** Every Term in the vocabulary (nested tables included), as path → term. */
function terms(tree: unknown, prefix: string, out = new Map<string, Term>()): Map<string, Term> {
  if (tree === null || typeof tree !== 'object') return out;
  const record = tree as Record<string, unknown>;
  if (typeof record.en === 'string' && typeof record.zh === 'string') {
    out.set(prefix, record as unknown as Term);
    return out;
  }
  for (const [key, value] of Object.entries(record)) terms(value, `${prefix}.${key}`, out);
  return out;
}

/** Chinese names that are rightly the same as the English ones (product codes Chinese traders use as they are). */
const SAME_IN_BOTH = new Set(['PVC', 'PTA', '0–1']);
const hasChinese = (text: string) => /[\u4e00-\u9fff]/.test(text);

describe('the windows catalogue', () => {
  const enLeaves = leaves(en as unknown as Tree);
  const zhLeaves = leaves(zh as unknown as Tree);

  it('has every key in both languages, as non-empty strings with the same placeholders', () => {
    const missingInZh = [...enLeaves.keys()].filter((key) => !zhLeaves.has(key));
    const missingInEn = [...zhLeaves.keys()].filter((key) => !enLeaves.has(key));
    expect(missingInZh, 'keys missing in zh-CN').toEqual([]);
    expect(missingInEn, 'keys missing in en').toEqual([]);
    for (const [key, value] of enLeaves) {
      const other = zhLeaves.get(key);
      expect(typeof value, key).toBe('string');
      expect(typeof other, key).toBe('string');
      expect((value as string).trim(), `en ${key} is empty`).not.toBe('');
      expect((other as string).trim(), `zh-CN ${key} is empty`).not.toBe('');
      expect(placeholders(other as string), `placeholders of ${key}`).toEqual(placeholders(value as string));
    }
    expect(enLeaves.size).toBeGreaterThan(300);
  });

  it('has no English left in Chinese: a zh-CN value that equals its en value is a code, a unit or a symbol', () => {
    const untranslated = [...enLeaves].filter(
      ([key, value]) =>
        zhLeaves.get(key) === value &&
        /[A-Za-z]{3,}/.test((value as string).replace(/\{\{\s*\w+\s*\}\}/g, '')) &&
        !SAME_IN_BOTH.has(value as string),
    );
    // Names Chinese screens write in Latin letters too (CPU, SHA-256).
    const allowed = new Set(['health.cpu', 'reports.columns.sha256']);
    expect(untranslated.filter(([key]) => !allowed.has(key)).map(([key]) => key)).toEqual([]);
  });

  it('takes the names of codes from the shared vocabulary', () => {
    for (const rule of RULE_IDS) {
      expect(en.rule[rule]).toBe(RULE_NAMES[rule].en);
      expect(zh.rule[rule]).toBe(RULE_NAMES[rule].zh);
    }
    for (const state of ALERT_STATES) expect(zh.alertState[state]).toBe(ALERT_STATE_NAMES[state].zh);
    for (const severity of SEVERITIES) expect(zh.severity[severity]).toBe(SEVERITY_NAMES[severity].zh);
    for (const phase of PHASES) expect(zh.phase[phase]).toBe(PHASE_NAMES[phase].zh);
    for (const role of ROLES) expect(zh.role[role]).toBe(ROLE_NAMES[role].zh);
    expect(zh.whatIf.param.reversalWindowMs).toBe('反向成交时间窗（毫秒）');
  });
});

describe('the shared vocabulary', () => {
  const all = terms(VOCABULARY, 'vocabulary');

  it('names every term in both languages, the Chinese in Chinese', () => {
    expect(all.size).toBeGreaterThan(200);
    for (const [path, { en: english, zh: chinese }] of all) {
      expect(english.trim(), `${path}.en`).not.toBe('');
      expect(chinese.trim(), `${path}.zh`).not.toBe('');
      if (!SAME_IN_BOTH.has(chinese) && path !== 'vocabulary.units.ratio') {
        expect(hasChinese(chinese), `${path}.zh is not Chinese: "${chinese}"`).toBe(true);
      }
    }
  });

  it('has a term for every rule, severity, state, role, exchange, phase and rule parameter the app knows', () => {
    for (const rule of RULE_IDS) {
      expect(RULE_NAMES[rule], rule).toBeDefined();
      expect(RULE_METRIC_TERMS[rule], rule).toBeDefined();
      for (const param of Object.keys(RuleParamsSchemas[rule].properties)) {
        expect(RULE_PARAM_TERMS[param as keyof typeof RULE_PARAM_TERMS], `${rule}.${param}`).toBeDefined();
      }
    }
    for (const severity of SEVERITIES) expect(SEVERITY_NAMES[severity]).toBeDefined();
    for (const state of ALERT_STATES) expect(ALERT_STATE_NAMES[state]).toBeDefined();
    for (const role of ROLES) expect(ROLE_NAMES[role]).toBeDefined();
    for (const phase of PHASES) expect(PHASE_NAMES[phase]).toBeDefined();
    for (const exchange of EXCHANGES) expect(EXCHANGE_NAMES[exchange]).toBeDefined();
    expect(Object.values(EXCHANGE_NAMES).map((name) => name.zh)).toEqual([
      '上期所',
      '大商所',
      '郑商所',
      '中金所',
      '上期能源',
      '广期所',
    ]);
  });

  it('gives one Chinese name per rule, the exchanges’ wording', () => {
    const names = RULE_IDS.map((rule) => RULE_NAMES[rule].zh);
    expect(new Set(names).size).toBe(names.length);
    expect(RULE_NAMES.spoofing.zh).toBe('虚假申报');
    expect(RULE_NAMES.momentum_ignition.zh).toBe('拉抬打压');
  });

  it('reads alert figures with labels and units instead of raw keys', () => {
    expect(describeMetric('momentum_ignition', 'reversalMs', 1250, 'en')).toEqual({
      label: 'Reversal after',
      value: '1.25 s',
    });
    expect(describeMetric('momentum_ignition', 'reversalMs', 1250, 'zh-CN')).toEqual({
      label: '反向成交用时',
      value: '1.25秒',
    });
    expect(describeMetric('momentum_ignition', 'side', 1, 'zh-CN')).toEqual({ label: '扫单方向', value: '卖出' });
    expect(describeMetric('position_limit', 'side', 0, 'en')).toEqual({ label: 'Side', value: 'Long' });
    expect(describeMetric('momentum_ignition', 'sweepTicks', 4, 'en')).toEqual({
      label: 'Sweep price range',
      value: '4 ticks',
    });
    expect(describeMetric('marking_close', 'share', 0.4321, 'zh-CN').value).toBe('43.2%');
    expect(formatQuantity(RULE_PARAM_TERMS.depthRatio, 2.5, 'zh-CN')).toBe('2.5 倍');
    // A figure the vocabulary does not know keeps its key: visible, never dropped.
    expect(describeMetric('self_trade', 'somethingNew', 3, 'en')).toEqual({ label: 'somethingNew', value: '3' });
  });

  it('reads evidence messages as translated fields and values', () => {
    const order = {
      type: 'order' as const,
      seq: 12,
      ts: 1,
      event: 'new' as const,
      orderId: 'O1',
      accountId: 'A1',
      instrumentId: 'rb2605',
      side: 'sell' as const,
      offset: 'open' as const,
      price: 3500,
      qty: 40,
    };
    expect(evidenceKind(order, 'zh-CN')).toBe('报单');
    const zhEntries = evidenceEntries(order, 'zh-CN');
    expect(zhEntries.map((e) => e.field)).toEqual([
      'accountId',
      'instrumentId',
      'side',
      'offset',
      'price',
      'qty',
      'orderId',
    ]);
    expect(zhEntries.find((e) => e.field === 'side')?.text).toBe('卖');
    expect(zhEntries.find((e) => e.field === 'offset')?.text).toBe('开仓');
    expect(zhEntries.find((e) => e.field === 'price')?.value).toBe(3500);
    expect(
      evidenceKind({ type: 'order', seq: 13, ts: 2, event: 'cancel', orderId: 'O1', cancelledQty: 40 }, 'en'),
    ).toBe('Cancel');
  });
});
