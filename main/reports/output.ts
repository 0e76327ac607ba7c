// Writes the report files with predictable names: floorwatch-<kind>-<tradingDay>-<id>.<ext>, where <id> is the first
// 10 hex digits of the input file's SHA-256 (daily, abnormal) or the alert id with every character outside
// [A-Za-z0-9_.-] replaced by "_" (evidence). A language other than English adds its tag: ….zh-CN.pdf. Each table's CSV
// is <base>.<table id>.csv.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../shared/rules/types';
import { AlertWorkflow } from '../alerts/workflow';
import { anchorJson, anchorText, type AuditHeadAnchor } from '../store/auditAnchors';
import { AuditLog, type AuditRow } from '../store/auditLog';
import { SqliteAuditStore } from '../store/auditStore';
import { operatorRowsOfDay } from './auditActivity';
import { buildAbnormalReport, buildDailyReport, type DispositionOf } from './build';
import { collectSession, type CollectOptions, type SessionFacts } from './collect';
import { escapeHtml, renderReportHtml } from './html';
import { writeManifest, zipEvidencePack, type EvidenceManifest } from './manifest';
import { ALERT_STATE_NAMES, describeMetric, exchangeLabel, RULE_NAMES, SEVERITY_NAMES } from '../../shared/vocabulary';
import { both, t, pick, type ReportDocument, type ReportLang, type ReportTable } from './model';
import type { PdfPrinter, PdfPrinterFactory } from './printer';
import { readSlice } from './slice';
import { reportXlsx, rowsCsv, tableCsv } from './tables';

export class ReportError extends Error {}

/** The job was cancelled (checked between steps: messages read, files written, pages printed). */
export class ReportCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Where a running report stands: `fraction` of the whole job (null while the total is unknown). */
export interface ReportStep {
  phase: 'reading' | 'writing' | 'zipping';
  fraction: number | null;
  detail: string;
}

/** Share of the job spent reading the session (the rest: documents, files, PDF pages). */
const READING_SHARE = 0.6;

export const DAY_ID_LENGTH = 10;

export function sanitizeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function reportBase(kind: string, tradingDay: string, id: string): string {
  return `floorwatch-${kind}-${tradingDay}-${id}`;
}

const langSuffix = (lang: ReportLang) => (lang === 'en' ? '' : `.${lang}`);

export interface ReportRunOptions extends Omit<CollectOptions, 'onMessage'> {
  out: string;
  langs?: ReportLang[];
  /** An audit log file (read-only): dispositions, notes and operator activity. */
  audit?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Fixed "generated at" (tests); default now. */
  now?: Date;
  /** Skip the PDF (CSV/XLSX/HTML only). */
  pdf?: boolean;
  /** The PDF printer to use (not closed here); else one from `openPrinter`, closed when the report is written. */
  printer?: PdfPrinter;
  openPrinter?: PdfPrinterFactory;
  /** Polled between steps; true stops the report with ReportCancelled (the caller removes what was written). */
  cancelled?: () => boolean;
  /** Progress of the report (reading the session, then each file). */
  onStep?: (step: ReportStep) => void;
  /** Messages in the input when known beforehand (a session file's count): reading progress becomes a fraction. */
  totalMessages?: number;
  /** The audit chain's head when the report is made: printed in it, so the report is an anchor of the log. */
  auditHead?: AuditHeadAnchor | null;
}

/**
 * Prints the audit head at generation among the facts (PDF, HTML, XLSX) and as a row of the first item/value table
 * (its CSV): `audit verify --anchors REPORT.csv` or `--anchor N:HASH` typed from the paper finds it again.
 */
function withAuditHead(doc: ReportDocument, head: AuditHeadAnchor | null | undefined): ReportDocument {
  if (!head) return doc;
  const label = t('Audit head at generation', '生成时审计链头');
  const text = anchorText(head);
  const facts = [...doc.facts, { label, value: text }];
  let placed = false;
  const tables = doc.tables.map((table) => {
    if (placed || table.columns.map((c) => c.key).join() !== 'item,value') return table;
    placed = true;
    return { ...table, rows: [...table.rows, { item: both(label.en, label.zh), value: text }] };
  });
  return { ...doc, facts, tables };
}

/** Throws ReportCancelled when the caller has cancelled. */
function checkpoint(options: ReportRunOptions): void {
  if (options.cancelled?.()) throw new ReportCancelled();
}

/** Counts the files of the writing phase for the progress fraction. */
class WriteProgress {
  private done = 0;
  constructor(
    private readonly options: ReportRunOptions,
    private readonly total: number,
  ) {}

  step(detail: string): void {
    checkpoint(this.options);
    const fraction = READING_SHARE + (1 - READING_SHARE) * Math.min(1, this.done / Math.max(1, this.total));
    this.done++;
    this.options.onStep?.({ phase: 'writing', fraction, detail });
  }
}

export interface WrittenReport {
  facts: SessionFacts;
  files: string[];
}

interface AuditView {
  rows: AuditRow[];
  disposition: DispositionOf;
  workflow: AlertWorkflow;
}

function openAudit(file: string): AuditView {
  let audit: AuditLog;
  try {
    audit = AuditLog.open(file, { readonly: true });
  } catch (error) {
    throw new ReportError(`cannot open --audit ${file}: ${(error as Error).message}`);
  }
  try {
    const rows = audit.readRows();
    const workflow = AlertWorkflow.fromRows({ audit: new SqliteAuditStore(audit) }, rows);
    return { rows, workflow, disposition: (id) => workflow.row(id)?.state ?? 'new' };
  } finally {
    audit.close();
  }
}

function generatedAt(now: Date): string {
  return now.toISOString().replace('T', ' ').slice(0, 19);
}

async function collect(options: ReportRunOptions): Promise<SessionFacts> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  checkpoint(options);
  const total = options.totalMessages;
  const facts = await collectSession({
    ...options,
    progressEvery: options.progressEvery ?? (options.onStep || options.cancelled ? 20_000 : undefined),
    onProgress:
      options.onProgress ??
      ((n) => {
        checkpoint(options);
        if (!options.onStep) return log(`report: ${n} messages read…`);
        options.onStep({
          phase: 'reading',
          fraction: total ? READING_SHARE * Math.min(1, n / total) : null,
          detail: `${n} messages read`,
        });
      }),
  });
  checkpoint(options);
  log(
    `report: ${facts.counters.messages} messages, ${facts.alerts.length} alerts, trading day ${facts.tradingDay} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return facts;
}

async function writeDocument(
  doc: ReportDocument,
  base: string,
  options: ReportRunOptions,
  renderer: PdfPrinter | null,
  extraFiles = 0,
): Promise<string[]> {
  const files: string[] = [];
  const langs = options.langs ?? ['en'];
  const progress = new WriteProgress(options, langs.length * (3 + doc.tables.length) + extraFiles);
  const put = (name: string, data: string | Buffer) => {
    writeFileSync(join(options.out, name), data);
    files.push(name);
  };
  for (const lang of langs) {
    const suffix = langSuffix(lang);
    progress.step(`${base}${suffix}.html`);
    const html = renderReportHtml(doc, lang);
    put(`${base}${suffix}.html`, html);
    progress.step(`${base}${suffix}.pdf`);
    if (renderer) {
      options.log?.(`report: printing ${base}${suffix}.pdf…`);
      const pdf = await renderer.render(html, `Floorwatch · ${pick(doc.title, lang)} · ${doc.tradingDay}`);
      checkpoint(options);
      put(`${base}${suffix}.pdf`, pdf);
    }
    progress.step(`${base}${suffix}.xlsx`);
    put(`${base}${suffix}.xlsx`, await reportXlsx(doc, lang));
    for (const table of doc.tables) {
      progress.step(`${base}${suffix}.${table.id}.csv`);
      put(`${base}${suffix}.${table.id}.csv`, tableCsv(table, lang));
    }
  }
  return files;
}

/** Runs `body` with the caller's printer, or one opened for it (and closed after), or none when no PDF is wanted. */
async function withRenderer<T>(
  options: ReportRunOptions,
  body: (renderer: PdfPrinter | null) => Promise<T>,
): Promise<T> {
  if (options.pdf === false) return body(null);
  if (options.printer) return body(options.printer);
  if (!options.openPrinter) throw new ReportError('no PDF printer is available here; use --no-pdf');
  checkpoint(options);
  const owned = await options.openPrinter();
  try {
    return await body(owned);
  } finally {
    await owned.close();
  }
}

function prepareOut(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
  } catch (error) {
    throw new ReportError(`cannot create --out ${out}: ${(error as Error).message}`);
  }
}

export async function writeDailyReport(options: ReportRunOptions): Promise<WrittenReport> {
  prepareOut(options.out);
  const audit = options.audit ? openAudit(options.audit) : null;
  const facts = await collect(options);
  const doc = withAuditHead(
    buildDailyReport({
      facts,
      disposition: audit?.disposition,
      auditRows: audit ? operatorRowsOfDay(audit.rows, facts.tradingDay, facts) : null,
      generatedAt: generatedAt(options.now ?? new Date()),
    }),
    options.auditHead,
  );
  const base = reportBase('daily', facts.tradingDay, facts.inputSha256.slice(0, DAY_ID_LENGTH) || 'stdin');
  const files = await withRenderer(options, (renderer) => writeDocument(doc, base, options, renderer));
  return { facts, files };
}

export const ABNORMAL_KEYS = [
  'tradingDay',
  'exchange',
  'rule',
  'subjectId',
  'subjectType',
  'accountIds',
  'instrumentId',
  'count',
  'threshold',
  'firstSeq',
  'lastSeq',
  'alertId',
] as const;

export async function writeAbnormalReport(options: ReportRunOptions): Promise<WrittenReport> {
  prepareOut(options.out);
  const facts = await collect(options);
  const doc = withAuditHead(buildAbnormalReport(facts, generatedAt(options.now ?? new Date())), options.auditHead);
  const base = reportBase('abnormal', facts.tradingDay, facts.inputSha256.slice(0, DAY_ID_LENGTH) || 'stdin');
  const files = await withRenderer(options, (renderer) => writeDocument(doc, base, options, renderer, 1));
  checkpoint(options);
  // Machine form: codes, not translations; one line / row per client × contract × standard reached.
  const machine = doc.tables.flatMap((table) => table.rows);
  writeFileSync(join(options.out, `${base}.ndjson`), machine.map((r) => `${JSON.stringify(pickKeys(r))}\n`).join(''));
  writeFileSync(join(options.out, `${base}.csv`), rowsCsv(ABNORMAL_KEYS, machine));
  files.push(`${base}.ndjson`, `${base}.csv`);
  return { facts, files };
}

function pickKeys(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(ABNORMAL_KEYS.map((k) => [k, row[k] ?? null]));
}

export interface EvidenceOptions extends ReportRunOptions {
  alertId: string;
  /** Messages kept on each side of the alert's [firstSeq, lastSeq] in the NDJSON slice. */
  context?: number;
  /** Also write the pack as `<out>/<base>.zip` (the folder inside it, manifest included). */
  zip?: boolean;
}

export interface WrittenEvidence {
  dir: string;
  manifest: EvidenceManifest;
  alert: Alert;
  /** The zip beside the folder, when asked for. */
  zipFile: string | null;
}

/** Evidence messages printed in the case summary (the NDJSON slice has them all). */
const PRINTED_EVIDENCE = 40;

export async function writeEvidencePack(options: EvidenceOptions): Promise<WrittenEvidence> {
  const context = options.context ?? 100;
  const audit = options.audit ? openAudit(options.audit) : null;
  const facts = await collect(options);
  const alert = facts.alerts.find((a) => a.id === options.alertId);
  if (!alert) {
    const known = facts.alerts.slice(0, 5).map((a) => a.id);
    throw new ReportError(
      `no alert "${options.alertId}" in ${options.input} (${facts.alerts.length} alerts${known.length ? `, e.g. ${known.join(', ')}` : ''})`,
    );
  }
  const fromSeq = Math.max(1, alert.firstSeq - context);
  const toSeq = alert.lastSeq + context;
  const langs = options.langs ?? ['en'];
  const progress = new WriteProgress(options, 3 + langs.length * 2 + (options.zip ? 1 : 0));
  progress.step('session slice');
  const kept = await readSlice(options.input, fromSeq, toSeq);

  const base = reportBase('evidence', alert.tradingDay, sanitizeId(alert.id));
  const dir = join(options.out, base);
  prepareOut(dir);
  const files: Array<{ name: string; description: string }> = [];
  const put = (name: string, data: string | Buffer, description: string) => {
    writeFileSync(join(dir, name), data);
    files.push({ name, description });
  };
  put(`${base}.alert.json`, `${JSON.stringify(alert, null, 2)}\n`, 'the alert as `floorwatch surveil` prints it');
  put(
    `${base}.slice.ndjson`,
    kept.map((k) => `${k.line}\n`).join(''),
    `session messages seq ${fromSeq}..${toSeq} (the alert's first..last seq ± ${context}), as in the input`,
  );
  const aboutAlert = audit
    ? audit.rows.filter((r) => r.target === `alert:${alert.id}` || r.details.includes(JSON.stringify(alert.id)))
    : [];
  if (audit) {
    put(
      `${base}.audit.ndjson`,
      aboutAlert.map((r) => `${JSON.stringify(r)}\n`).join(''),
      'audit rows about the alert (hash-chained rows as stored)',
    );
  }
  progress.step('case summary');
  const doc = withAuditHead(
    buildEvidenceDocument(alert, facts, audit, generatedAt(options.now ?? new Date()), fromSeq, toSeq),
    options.auditHead,
  );
  const evidenceSet = new Set(alert.evidence);
  const printed = kept.filter((k) => evidenceSet.has(k.seq)).slice(0, PRINTED_EVIDENCE);
  const appendix = (lang: ReportLang) =>
    `<section><h2>${lang === 'zh-CN' ? '证据消息' : 'Evidence messages'}</h2><p class="note">${
      lang === 'zh-CN'
        ? `前 ${printed.length} 条（共 ${alert.evidence.length} 条证据序号；完整消息见 NDJSON 片段）`
        : `First ${printed.length} of ${alert.evidence.length} evidence seq numbers; the NDJSON slice has every message.`
    }</p><pre class="evidence">${printed.map((k) => escapeHtml(k.line)).join('\n')}</pre></section>`;
  await withRenderer(options, async (renderer) => {
    for (const lang of langs) {
      const suffix = langSuffix(lang);
      progress.step(`${base}${suffix}.html`);
      const html = renderReportHtml(doc, lang, { appendix: appendix(lang) });
      put(`${base}${suffix}.html`, html, `case summary, print view (${lang})`);
      progress.step(`${base}${suffix}.pdf`);
      if (renderer) {
        const pdf = await renderer.render(html, `Floorwatch · ${pick(doc.title, lang)} · ${alert.id}`);
        checkpoint(options);
        put(`${base}${suffix}.pdf`, pdf, `case summary (${lang})`);
      }
    }
  });
  progress.step('manifest.json');
  const manifest = writeManifest(
    dir,
    {
      alertId: alert.id,
      tradingDay: alert.tradingDay,
      createdAt: (options.now ?? new Date()).toISOString(),
      input: { file: options.input, sha256: facts.inputSha256 },
      ...(options.auditHead ? { auditHead: anchorJson(options.auditHead) } : {}),
    },
    files,
  );
  let zipFile: string | null = null;
  if (options.zip) {
    progress.step(`${base}.zip`);
    options.onStep?.({ phase: 'zipping', fraction: null, detail: `${base}.zip` });
    zipFile = join(options.out, `${base}.zip`);
    zipEvidencePack(dir, zipFile, options.now ?? new Date());
  }
  return { dir, manifest, alert, zipFile };
}

function buildEvidenceDocument(
  alert: Alert,
  facts: SessionFacts,
  audit: AuditView | null,
  generated: string,
  fromSeq: number,
  toSeq: number,
): ReportDocument {
  const detail = audit?.workflow.row(alert.id) ? audit.workflow.get(alert.id) : null;
  const tables: ReportTable[] = [
    {
      id: 'alert',
      title: t('Alert', '预警'),
      columns: [
        { key: 'item', title: t('Field', '字段') },
        { key: 'value', title: t('Value', '内容') },
      ],
      rows: [
        { item: both('Alert id', '预警编号'), value: alert.id },
        {
          item: both('Rule', '规则'),
          value: both(RULE_NAMES[alert.rule].en, RULE_NAMES[alert.rule].zh),
        },
        {
          item: both('Client (accounts)', '客户（账户）'),
          value: `${alert.subjectId} (${alert.subjectType}) ${alert.accountIds.join(' ')}`,
        },
        {
          item: both('Contract / exchange', '合约 / 交易所'),
          value: both(
            `${alert.instrumentId ?? '—'} / ${exchangeLabel(alert.exchange, 'en')}`,
            `${alert.instrumentId ?? '—'} / ${exchangeLabel(alert.exchange, 'zh-CN')}`,
          ),
        },
        {
          item: both('Severity / score', '级别 / 评分'),
          value: both(
            `${SEVERITY_NAMES[alert.severity].en} / ${alert.score}`,
            `${SEVERITY_NAMES[alert.severity].zh} / ${alert.score}`,
          ),
        },
        { item: both('Count / threshold', '次数 / 阈值'), value: `${alert.count ?? '—'} / ${alert.threshold ?? '—'}` },
        { item: both('First – last seq', '首条 – 末条序号'), value: `${alert.firstSeq} – ${alert.lastSeq}` },
        { item: both('Disposition', '处置状态'), value: stateText(detail ? detail.alert.state : 'new') },
        { item: both('Assignee', '负责人'), value: detail?.alert.assignee ?? '—' },
        { item: both('Finding', '监控结论'), value: both(alert.message, alert.messageZh) },
      ],
    },
    {
      id: 'metrics',
      title: t('Metrics', '指标'),
      columns: [
        { key: 'metric', title: t('Metric', '指标') },
        { key: 'reading', title: t('Reading', '读数') },
        { key: 'key', title: t('Key', '字段名') },
        { key: 'value', title: t('Value', '数值'), numeric: true },
      ],
      rows: Object.entries(alert.metrics).map(([key, value]) => {
        const en = describeMetric(alert.rule, key, value, 'en');
        const zh = describeMetric(alert.rule, key, value, 'zh-CN');
        return { metric: both(en.label, zh.label), reading: both(en.value, zh.value), key, value };
      }),
      empty: t('No metrics.', '无指标。'),
    },
    {
      id: 'history',
      title: t('Dispositions', '处置记录'),
      columns: [
        { key: 'at', title: t('Time (UTC)', '时间 (UTC)') },
        { key: 'operator', title: t('Operator', '操作员') },
        { key: 'from', title: t('From', '原状态') },
        { key: 'to', title: t('To', '新状态') },
        { key: 'reason', title: t('Reason', '理由') },
      ],
      rows: (detail?.history ?? []).map((h) => ({
        at: new Date(h.at).toISOString().slice(0, 19).replace('T', ' '),
        operator: h.operator,
        from: stateText(h.from),
        to: stateText(h.to),
        reason: h.reason,
      })),
      empty: audit ? t('No state changes recorded.', '无状态变更记录。') : t('No audit log given.', '未提供审计日志。'),
    },
    {
      id: 'notes',
      title: t('Notes', '备注'),
      columns: [
        { key: 'at', title: t('Time (UTC)', '时间 (UTC)') },
        { key: 'operator', title: t('Operator', '操作员') },
        { key: 'text', title: t('Note', '内容') },
      ],
      rows: (detail?.notes ?? []).map((n) => ({
        at: new Date(n.at).toISOString().slice(0, 19).replace('T', ' '),
        operator: n.operator,
        text: n.text,
      })),
      empty: audit ? t('No notes.', '无备注。') : t('No audit log given.', '未提供审计日志。'),
    },
  ];
  return {
    kind: 'evidence',
    title: t('Case Summary — Evidence Pack', '案件摘要 — 证据包'),
    tradingDay: alert.tradingDay,
    facts: [
      { label: t('Alert', '预警'), value: alert.id },
      { label: t('Input', '输入数据'), value: facts.input },
      { label: t('Input SHA-256', '输入数据 SHA-256'), value: facts.inputSha256 || '—' },
      { label: t('Session slice', '会话片段'), value: `seq ${fromSeq} – ${toSeq}` },
      { label: t('Rules version', '规则版本'), value: facts.rulesVersion },
      { label: t('Generated at (UTC)', '生成时间 (UTC)'), value: generated },
    ],
    tables,
    footnote: t(
      'Every file of this pack is listed with its SHA-256 in manifest.json and SHA256SUMS: check with `sha256sum -c SHA256SUMS` or `floorwatch report verify DIR`.',
      '本证据包每个文件的 SHA-256 均列于 manifest.json 与 SHA256SUMS：可用 `sha256sum -c SHA256SUMS` 或 `floorwatch report verify DIR` 校验。',
    ),
  };
}

function stateText(state: string): string {
  const name = (ALERT_STATE_NAMES as Record<string, { en: string; zh: string } | undefined>)[state];
  return name ? both(name.en, name.zh) : state;
}
