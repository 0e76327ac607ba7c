// Reports (issue 8): the figures come from the same replay as `surveil` (alerts identical), the near-threshold
// tallies from the rule engine itself, tables render the same numbers, and an evidence pack's manifest catches a
// changed byte. No Chromium here (--no-pdf path); the PDF is covered by tests/integration/report.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../shared/protocol';
import { loadRulesConfig } from '../../main/rules/loadRules';
import { FeedBuilder } from '../../main/rules/feedBuilder';
import { surveilMessages } from '../../main/rules/surveillance';
import { buildAbnormalReport, buildDailyReport } from '../../main/reports/build';
import { collectSession, shadowConfig, type SessionFacts } from '../../main/reports/collect';
import { renderReportHtml } from '../../main/reports/html';
import { verifyEvidencePack } from '../../main/reports/manifest';
import { writeEvidencePack } from '../../main/reports/output';
import { csvField, tableCsv } from '../../main/reports/tables';

/** Self-trades (group G1, 6), large cancels (B1, 50), 30 small cancels (C1, below 500), a position over its limit. */
function session(): SequencedMessage[] {
  const feed = new FeedBuilder();
  feed.instrument({ instrumentId: 'rb2605', exchange: 'SHFE', maxOrderQty: 500, positionLimit: 100 });
  feed.instrument({ instrumentId: 'SR605', exchange: 'CZCE', maxOrderQty: 1000 });
  feed.account('A1', { controlGroup: 'G1' }).account('A2', { controlGroup: 'G1' }).account('B1').account('C1');
  feed.account('D1');
  for (let i = 0; i < 6; i++) {
    feed.advance(1000);
    feed.cross('rb2605', 'A1', 'A2', 2, 3500);
  }
  // The quote that goes missing from the NDJSON (a seq gap).
  feed.quote('rb2605', 3500, [[3499, 5]], [[3501, 5]]);
  for (let i = 0; i < 50; i++) {
    feed.advance(2000);
    feed.orderAndCancel('B1', 'rb2605', 'buy', 300, 3400);
  }
  for (let i = 0; i < 30; i++) {
    feed.advance(3000);
    feed.orderAndCancel('C1', 'SR605', 'sell', 1, 6100);
  }
  feed.position('D1', 'rb2605', 150, 0, 3500);
  feed.end();
  return feed.messages as SequencedMessage[];
}

/** seq of the dropped quote: 2 instruments + 5 accounts + 6 × 3 self-trade messages + 1. */
const GAP_SEQ = 26;

let dir: string;
let ndjson: string;
let messages: SequencedMessage[];
let facts: SessionFacts;
const rules = loadRulesConfig();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-report-'));
  messages = session();
  expect(messages.find((m) => m.seq === GAP_SEQ)?.type).toBe('quote');
  // One message missing in the middle: a seq gap the feed-quality table must show.
  const dropped = messages.filter((m) => m.seq !== GAP_SEQ);
  ndjson = join(dir, 'day.ndjson');
  writeFileSync(ndjson, dropped.map((m) => `${JSON.stringify(m)}\n`).join(''));
  facts = await collectSession({ input: ndjson, config: rules.config });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('collectSession', () => {
  it('gives exactly the alerts of the surveil replay, with the run counters and the seq gap', () => {
    const expected = surveilMessages(
      messages.filter((m) => m.seq !== GAP_SEQ),
      { config: rules.config },
    );
    expect(facts.alerts).toEqual(expected);
    expect(facts.alerts.map((a) => [a.rule, a.subjectId, a.count])).toEqual(
      expect.arrayContaining([
        ['self_trade', 'G1', 6],
        ['large_cancel', 'B1', 50],
        ['position_limit', 'D1', 150],
      ]),
    );
    expect(facts.counters).toMatchObject({ messages: messages.length - 1, gaps: 1, rejected: 0 });
    expect(facts.gaps).toEqual([{ fromSeq: GAP_SEQ, toSeq: GAP_SEQ, reason: 'seq jump in the input' }]);
    expect(facts.tradingDay).toBe('20261124');
    expect(facts.inputSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tallies every client on the count rules: reached ones equal the alerts, the rest sit below the threshold', () => {
    for (const alert of facts.alerts) {
      if (!['self_trade', 'frequent_cancel', 'large_cancel', 'position_limit', 'order_burst'].includes(alert.rule)) {
        continue;
      }
      const tally = facts.tallies.find((t) => t.rule === alert.rule && t.subjectId === alert.subjectId);
      expect(tally).toMatchObject({ reached: true, count: alert.count, threshold: alert.threshold });
    }
    const c1 = facts.tallies.find((t) => t.rule === 'frequent_cancel' && t.subjectId === 'C1');
    expect(c1).toMatchObject({ exchange: 'CZCE', count: 30, threshold: 500, reached: false });
    expect(c1?.ratio).toBeCloseTo(30 / 500);
    // B1's 50 cancels also count toward frequent_cancel, short of the 500 standard.
    expect(facts.tallies.find((t) => t.rule === 'frequent_cancel' && t.subjectId === 'B1')).toMatchObject({
      count: 50,
      reached: false,
    });
  });

  it('the shadow config lowers only the count thresholds, at every level', () => {
    const shadow = shadowConfig(rules.config);
    expect(shadow.rules.self_trade.threshold).toBe(1);
    expect(shadow.rules.frequent_cancel.threshold).toBe(1);
    expect(shadow.rules.order_burst.minOccasions).toBe(1);
    expect(shadow.exchanges?.CFFEX?.products?.IF?.rules?.frequent_cancel?.threshold).toBe(1);
    expect(shadow.exchanges?.DCE?.rules?.large_cancel?.threshold).toBe(1);
    expect(shadow.rules.large_cancel.minQty).toBe(rules.config.rules.large_cancel.minQty);
    expect(rules.config.rules.self_trade.threshold).toBe(5);
  });
});

describe('report documents', () => {
  it('daily: tables count the alerts by rule, exchange, severity and disposition; the HTML prints them', () => {
    const doc = buildDailyReport({ facts, generatedAt: '2026-11-25 00:00:00' });
    const table = (id: string) => doc.tables.find((t) => t.id === id);
    const byRule = Object.fromEntries(table('by-rule')!.rows.map((r) => [r.rule, r.alerts]));
    const expected: Record<string, number> = {};
    for (const a of facts.alerts) expected[a.rule] = (expected[a.rule] ?? 0) + 1;
    expect(byRule).toEqual(expected);
    expect(table('by-disposition')!.rows).toEqual([{ disposition: 'new', alerts: facts.alerts.length }]);
    expect(table('feed-gaps')!.rows).toEqual([
      { fromSeq: GAP_SEQ, toSeq: GAP_SEQ, missing: 1, reason: 'seq jump in the input' },
    ]);
    expect(table('alerts')!.rows).toHaveLength(facts.alerts.length);
    const near = table('near-threshold')!.rows;
    expect(near).toContainEqual(expect.objectContaining({ subjectId: 'C1', count: 30, threshold: 500, percent: 6 }));
    const en = renderReportHtml(doc, 'en');
    const zh = renderReportHtml(doc, 'zh-CN');
    expect(en).toContain('Daily Surveillance Report');
    expect(zh).toContain('每日交易监控报告');
    expect(zh).toContain('自成交');
    for (const alert of facts.alerts) expect(en).toContain(alert.id);
    expect(en).toContain('<svg');
  });

  it('abnormal: only the exchange standards, grouped per exchange, with count and threshold', () => {
    const doc = buildAbnormalReport(facts, '2026-11-25 00:00:00');
    const rows = doc.tables.flatMap((t) => t.rows);
    const standards = facts.alerts.filter((a) =>
      ['self_trade', 'frequent_cancel', 'large_cancel', 'position_limit', 'order_burst'].includes(a.rule),
    );
    expect(rows.map((r) => r.alertId).sort()).toEqual(standards.map((a) => a.id).sort());
    expect(doc.tables.map((t) => t.id)).toEqual(['exchange-SHFE']);
    expect(rows).toContainEqual(
      expect.objectContaining({ rule: 'large_cancel', subjectId: 'B1', count: 50, threshold: 50 }),
    );
  });

  it('CSV: quoted fields, neutralised formulas, the report language in the header, a BOM for Excel', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField('=cmd()')).toBe("'=cmd()");
    expect(csvField('-12.5')).toBe('-12.5');
    const doc = buildDailyReport({ facts, generatedAt: 'x' });
    const byRule = doc.tables.find((t) => t.id === 'by-rule')!;
    const zh = tableCsv(byRule, 'zh-CN');
    expect(zh.startsWith('\uFEFF规则,预警数\r\n')).toBe(true);
    expect(zh).toContain('自成交,1\r\n');
    expect(tableCsv(byRule, 'en')).toContain('Self-trade,1\r\n');
  });
});

describe('evidence pack', () => {
  it('holds the alert, the session slice around it and a manifest that verifies; a changed byte is caught', async () => {
    const alert = facts.alerts.find((a) => a.rule === 'self_trade')!;
    const pack = await writeEvidencePack({
      input: ndjson,
      config: rules.config,
      out: join(dir, 'packs'),
      alertId: alert.id,
      context: 5,
      pdf: false,
      langs: ['en', 'zh-CN'],
    });
    expect(pack.dir).toBe(join(dir, 'packs', `floorwatch-evidence-20261124-20261124_self_trade_G1_rb2605`));
    const names = pack.manifest.files.map((f) => f.name);
    const slice = readFileSync(
      join(
        pack.dir,
        names.find((n) => n.endsWith('.slice.ndjson'))!,
      ),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SequencedMessage);
    expect(slice[0]!.seq).toBe(Math.max(1, alert.firstSeq - 5));
    expect(slice.at(-1)!.seq).toBe(alert.lastSeq + 5);
    for (const seq of alert.evidence) expect(slice.some((m) => m.seq === seq)).toBe(true);
    expect(verifyEvidencePack(pack.dir)).toMatchObject({ ok: true, checked: names.length, problems: [] });
    // sha256sum format: "<hex>  <name>" per file.
    const sums = readFileSync(join(pack.dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(names.length);
    expect(sums[0]).toMatch(/^[0-9a-f]{64} {2}floorwatch-evidence-/);

    const victim = join(pack.dir, names[0]!);
    const bytes = readFileSync(victim);
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(victim, bytes);
    writeFileSync(join(pack.dir, 'extra.txt'), 'not part of the pack');
    const result = verifyEvidencePack(pack.dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      `${names[0]}: SHA-256 differs from the manifest`,
      'extra.txt: not in the manifest',
    ]);
  });

  it('names an unknown alert id clearly', async () => {
    await expect(
      writeEvidencePack({ input: ndjson, config: rules.config, out: join(dir, 'x'), alertId: 'nope', pdf: false }),
    ).rejects.toThrow(/no alert "nope" in .*day\.ndjson \(\d+ alerts, e\.g\. 20261124:/);
  });
});
