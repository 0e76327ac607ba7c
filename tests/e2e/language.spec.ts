// Both languages in real Chromium against the host on a simulator with misconduct: case review reads its evidence as
// a table with translated field names and values and its alert figures with labels and units (English and Chinese),
// the chart's axis spans the title's range, with a legend and the alert's moment marked; then every window in
// zh-CN shows no English catalogue value (checked against the catalogue, not by eye). Screenshots of every window in
// both languages and both themes go to tests/e2e/artifacts/lang-<kind>-<language>-<theme>.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { WINDOW_KINDS, type WindowKind } from '../../shared/api/contract';
import { RULE_METRIC_TERMS, VOCABULARY, type Term } from '../../shared/vocabulary';
import { en, zh } from '../../renderer/src/i18n/resources';
import { artifactsDir } from './support/paths';
import { scenarioHostTest, type ScenarioHost } from './support/scenarioHost';

mkdirSync(artifactsDir, { recursive: true });

const OPERATOR = { username: 'e2e.lang', displayName: 'E2E Lang', password: 'e2e-lang-password-1' };
const test = scenarioHostTest(OPERATOR, 'fw-e2e-lang-');
test.describe.configure({ mode: 'serial' });

type Language = 'en' | 'zh-CN';

/** Leaves of a catalogue section, keyed by path. */
function leaves(tree: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof tree === 'string') out.set(prefix, tree);
  else if (tree && typeof tree === 'object') {
    for (const [key, value] of Object.entries(tree)) leaves(value, prefix ? `${prefix}.${key}` : key, out);
  }
  return out;
}

/** Every term of the shared vocabulary. */
function terms(tree: unknown, out: Term[] = []): Term[] {
  if (!tree || typeof tree !== 'object') return out;
  const record = tree as Record<string, unknown>;
  if (typeof record.en === 'string' && typeof record.zh === 'string') out.push(record as unknown as Term);
  else for (const value of Object.values(record)) terms(value, out);
  return out;
}

/**
 * The English texts a Chinese window must not show: every English catalogue value and vocabulary term that differs
 * from its Chinese one, cut at its placeholders, each piece with a word of 3+ letters.
 */
function englishTexts(): string[] {
  const zhLeaves = leaves(zh);
  const pairs: Array<[string, string]> = [...leaves(en)].map(([key, value]) => [value, zhLeaves.get(key) ?? '']);
  for (const term of terms(VOCABULARY)) pairs.push([term.en, term.zh]);
  const out = new Set<string>();
  for (const [english, chinese] of pairs) {
    if (english === chinese) continue; // a code, a unit or a brand: the same in both
    for (const piece of english.split(/\{\{\s*\w+\s*\}\}|<[^>]+>/)) {
      const text = piece.trim().replace(/^[\s(:·,—–-]+|[\s):·,…—–-]+$/g, '');
      if (/[A-Za-z]{3,}/.test(text) && !/^[A-Z0-9-]+$/.test(text)) out.add(text);
    }
  }
  return [...out];
}

const FORBIDDEN = englishTexts();

/** The English catalogue texts visible in `page` (whole words, case-sensitive: ids such as margin_call are data). */
async function englishOn(page: Page): Promise<string[]> {
  // Text nodes of visible elements, as written (innerText would apply CSS text-transform: SEQ for Seq).
  const text = await page.evaluate(() => {
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
      if (!parent.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      // Data, not interface: client names and the policy's own values (codes IT writes in policy.json).
      // AG Grid's own transient overlay is left out too (its loading text is not the catalogue's).
      if (parent.closest('.ag-cell[col-id="name"], .fw-settings-value, .ag-overlay')) continue;
      parts.push(node.textContent ?? '');
    }
    for (const input of document.querySelectorAll<HTMLInputElement>('input[placeholder], textarea[placeholder]')) {
      if (input.checkVisibility()) parts.push(input.placeholder);
    }
    return parts.join('\n');
  });
  return FORBIDDEN.filter((english) => {
    const escaped = english.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A word that is part of a file name (default.json) or a command-line flag (--feed) is data too.
    return new RegExp(`(^|[^A-Za-z_/-])${escaped}($|(?!\\.\\w)[^A-Za-z_/])`).test(text);
  });
}

async function languageContext(browser: Browser, language: Language): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript((lang) => window.localStorage.setItem('floorwatch.language', lang), language);
  return context;
}

async function openWindow(page: Page, host: ScenarioHost, kind: WindowKind, extra = ''): Promise<void> {
  await page.goto(host.pageUrl(kind) + '&layout=none' + extra);
  const login = page.getByTestId('login-username');
  const title = page.getByTestId('window-title');
  await expect(login.or(title).first()).toBeVisible({ timeout: 45_000 });
  if (await login.isVisible()) {
    await login.fill(host.operator.username);
    await page.getByTestId('login-password').fill(host.operator.password);
    await page.getByTestId('login-submit').click();
  }
  await expect(title).toBeVisible({ timeout: 30_000 });
}

async function shoot(page: Page, kind: WindowKind, language: Language): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    const toggle = page.getByTestId('theme-toggle');
    if ((await toggle.getAttribute('data-theme')) !== theme) await toggle.click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.waitForTimeout(250);
    await page.screenshot({ path: path.join(artifactsDir, `lang-${kind}-${language}-${theme}.png`) });
  }
}

/** Rules whose alerts carry figures, most telling first. */
const RULES_WITH_FIGURES = [
  'momentum_ignition',
  'spoofing',
  'marking_close',
  'position_limit',
  'large_cancel',
  'order_burst',
];

/** An alert with figures (its id names its rule), waited for on the alert pane. */
async function alertWithFigures(page: Page, host: ScenarioHost): Promise<string> {
  await openWindow(page, host, 'alerts');
  await page.getByTestId('filter-state').selectOption('all');
  let found = '';
  await expect
    .poll(
      async () => {
        const ids = await page
          .locator('[data-testid="alerts-grid"] .ag-row[row-id]')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('row-id') ?? ''));
        for (const rule of RULES_WITH_FIGURES) {
          found = ids.find((id) => id.includes(`:${rule}:`)) ?? '';
          if (found) return found;
        }
        return '';
      },
      { timeout: 150_000, message: `no alert with figures on the pane\n${host.log()}` },
    )
    .not.toBe('');
  return found;
}

let caseAlert = '';
let caseAccount = '';

test('case review: evidence table, labelled figures, axis = title range, legend, alert moment (en and zh-CN)', async ({
  browser,
  host,
}) => {
  for (const language of ['en', 'zh-CN'] as const) {
    const context = await languageContext(browser, language);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    if (!caseAlert) {
      caseAlert = await alertWithFigures(page, host);
      caseAccount = caseAlert.split(':')[2] ?? '';
    }
    const rule = caseAlert.split(':')[1] as keyof typeof RULE_METRIC_TERMS;
    await openWindow(page, host, 'case', `&alert=${encodeURIComponent(caseAlert)}`);
    const view = page.getByTestId('case-view');
    await expect(view).toHaveAttribute('data-loaded', 'ok', { timeout: 30_000 });
    const catalogue = language === 'zh-CN' ? zh : en;

    // Evidence: a table whose headers are translated field names and whose cells hold values, not key=value text.
    const evidence = page.getByTestId('case-evidence');
    await expect(evidence.locator('tbody tr').first()).toBeVisible();
    const headers = (await evidence.locator('thead th').allTextContents()).map((text) => text.trim());
    const fieldNames = VOCABULARY.evidenceFields;
    expect(headers.slice(0, 3)).toEqual(
      [fieldNames.seq, fieldNames.ts, fieldNames.type].map((term) => (language === 'zh-CN' ? term.zh : term.en)),
    );
    expect(headers.length).toBeGreaterThan(3);
    const bodyText = (await evidence.locator('tbody').textContent()) ?? '';
    expect(bodyText).not.toMatch(/\w+=\S/);
    expect(bodyText).not.toMatch(/\b(accountId|instrumentId|orderId|buyAccountId|sellAccountId)\b/);
    if (language === 'zh-CN') {
      expect(headers.join(' ')).toMatch(/[\u4e00-\u9fff]/);
      expect(bodyText).toMatch(/报单|撤单|成交|买|卖/);
      expect(bodyText).not.toMatch(/\b(new|cancel|buy|sell|open|close)\b/);
    }

    // Figures: every metric the alert keeps shows its label from the vocabulary, never its raw key.
    const metricKeys = Object.keys(RULE_METRIC_TERMS[rule]);
    const metricRows = page.locator('[data-testid^="case-metric-"]');
    await expect.poll(() => metricRows.count()).toBeGreaterThan(0);
    for (const row of await metricRows.all()) {
      const key = ((await row.getAttribute('data-testid')) ?? '').slice('case-metric-'.length);
      expect(metricKeys, `figure ${key} of ${rule} has a vocabulary label`).toContain(key);
      const quantity = RULE_METRIC_TERMS[rule][key]!;
      const label = ((await row.locator('td').first().textContent()) ?? '').trim();
      expect(label).toBe(language === 'zh-CN' ? quantity.label.zh : quantity.label.en);
      const value = ((await row.locator('td').nth(1).textContent()) ?? '').trim();
      expect(`${label} ${value}`, 'no raw camelCase key').not.toMatch(/\b[a-z]+[A-Z]\w*\b/);
      if (quantity.values) expect(value, `${key} is named, not coded`).not.toMatch(/^\d+$/);
      else if (quantity.unit === 'ms') expect(value).toMatch(language === 'zh-CN' ? /秒$/ : / s$/);
    }

    // Title and axis: one range (the recorded span of the case window), in Beijing time, said so.
    const range = page.getByTestId('case-range');
    const chart = page.getByTestId('case-chart');
    await expect(chart.locator('canvas').first()).toBeVisible();
    expect(await chart.getAttribute('data-axis-from')).toBe(await range.getAttribute('data-from'));
    expect(await chart.getAttribute('data-axis-to')).toBe(await range.getAttribute('data-to'));
    const zone = VOCABULARY.exchangeTimeZone.name;
    await expect(range).toContainText(language === 'zh-CN' ? zone.zh : zone.en);
    const from = Number(await range.getAttribute('data-from'));
    const beijing = new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-US', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23', // 00–23, as the window shows (hour12: false gives "24" after midnight in en-US)
      timeZone: 'Asia/Shanghai',
    }).format(from);
    await expect(range).toContainText(beijing);

    // Legend and the alert's moment.
    const legend = page.getByTestId('case-legend');
    await expect(legend).toContainText(catalogue.case.legend.buy);
    await expect(legend).toContainText(catalogue.case.legend.cancel);
    await expect(chart).toHaveAttribute('data-fired-ts', /^\d+$/);
    await expect(legend).toContainText(catalogue.case.legend.fired);

    await page.screenshot({ path: path.join(artifactsDir, `lang-case-detail-${language}.png`) });
    expect(problems).toEqual([]);
    await context.close();
  }
});

test('every window in zh-CN shows no English catalogue text; screenshots in both languages and themes', async ({
  browser,
  host,
}) => {
  test.setTimeout(360_000);
  const extra: Partial<Record<WindowKind, string>> = {
    case: caseAlert ? `&alert=${encodeURIComponent(caseAlert)}` : '',
    account: caseAccount ? `&account=${encodeURIComponent(caseAccount)}` : '',
  };
  const found: string[] = [];
  // One load per window: checked and shot in Chinese, then switched to English in place and shot again.
  const context = await languageContext(browser, 'zh-CN');
  const page = await context.newPage();
  for (const kind of WINDOW_KINDS) {
    await openWindow(page, host, kind, extra[kind] ?? '');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await page.waitForTimeout(800); // grids and topics settle
    for (const english of await englishOn(page)) found.push(`${kind}: "${english}"`);
    await shoot(page, kind, 'zh-CN');
    await page.getByTestId('language-select').selectOption('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await shoot(page, kind, 'en');
  }
  await context.close();
  expect(found, 'English catalogue texts on zh-CN windows').toEqual([]);
});
