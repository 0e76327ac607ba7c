// The print view: one self-contained HTML page (inline CSS, inline SVG charts, no script, no external resource)
// rendered from a ReportDocument. Chromium's page.pdf (CLI, host) and Electron's printToPDF both print it to A4.
import { cellText, pick, type ReportDocument, type ReportLang, type ReportTable } from './model';

const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: 'Helvetica Neue', Arial, 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; color: #1b2733;
  font-size: 9.5pt; line-height: 1.35; margin: 0; }
header.doc { border-bottom: 2.5px solid #12395f; padding-bottom: 6px; margin-bottom: 10px; display: flex;
  justify-content: space-between; align-items: flex-end; }
header.doc h1 { font-size: 17pt; margin: 0; color: #12395f; letter-spacing: 0.3px; }
header.doc .brand { font-size: 8pt; color: #5a6b7b; text-align: right; }
header.doc .brand b { color: #12395f; font-size: 10pt; }
.confidential { font-size: 7.5pt; color: #8a1c1c; text-transform: uppercase; letter-spacing: 1px; }
table.facts { border-collapse: collapse; margin-bottom: 10px; width: 100%; }
table.facts td { padding: 2px 6px; border: none; font-size: 8.5pt; }
table.facts td.k { color: #5a6b7b; width: 26%; }
table.facts td.v { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; word-break: break-all; }
section { margin: 12px 0 4px 0; page-break-inside: auto; }
section h2 { font-size: 11pt; color: #12395f; border-bottom: 1px solid #c5d1dc; padding-bottom: 2px; margin: 0 0 5px 0;
  page-break-after: avoid; }
section p.note { font-size: 8pt; color: #5a6b7b; margin: 2px 0 4px 0; }
table.data { border-collapse: collapse; width: 100%; font-size: 8pt; }
table.data th { background: #12395f; color: #fff; font-weight: 600; text-align: left; padding: 3px 5px; }
table.data td { padding: 2.5px 5px; border-bottom: 1px solid #dde4ea; word-break: break-word; }
table.data tr:nth-child(even) td { background: #f3f6f9; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
table.data thead { display: table-header-group; }
table.data tr { page-break-inside: avoid; }
p.empty { font-style: italic; color: #5a6b7b; margin: 2px 0; }
.chart { margin: 4px 0 6px 0; }
footer.doc { margin-top: 14px; border-top: 1px solid #c5d1dc; padding-top: 5px; font-size: 7.5pt; color: #5a6b7b; }
.signoff { margin-top: 16px; display: flex; gap: 24px; font-size: 8.5pt; }
.signoff div { flex: 1; border-top: 1px solid #1b2733; padding-top: 3px; color: #5a6b7b; }
pre.evidence { font-family: 'DejaVu Sans Mono', monospace; font-size: 6.5pt; white-space: pre-wrap; word-break: break-all;
  background: #f3f6f9; border: 1px solid #dde4ea; padding: 4px; margin: 0; }
`;

/** A horizontal bar chart of one table (label column against value column). */
export function barChartSvg(table: ReportTable, lang: ReportLang): string {
  if (!table.chart || table.rows.length === 0) return '';
  const labelColumn = table.columns.find((c) => c.key === table.chart?.label);
  if (!labelColumn) return '';
  const bars = table.rows.map((row) => ({
    label: cellText(labelColumn, row[labelColumn.key] ?? null, lang),
    value: Number(row[table.chart?.value ?? ''] ?? 0),
  }));
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 16;
  const labelWidth = 190;
  const barWidth = 420;
  const height = bars.length * rowHeight + 4;
  const parts = bars.map((bar, i) => {
    const y = i * rowHeight + 2;
    const w = Math.max(1, Math.round((bar.value / max) * barWidth));
    return (
      `<text x="${labelWidth - 6}" y="${y + 11}" text-anchor="end" font-size="9">${esc(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="${rowHeight - 5}" fill="#2f6b9a" rx="1.5"/>` +
      `<text x="${labelWidth + w + 4}" y="${y + 11}" font-size="9" fill="#1b2733">${bar.value}</text>`
    );
  });
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 40}" height="${height}" ` +
    `role="img" aria-label="${esc(pick(table.title, lang))}">` +
    `<line x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height}" stroke="#8796a5" stroke-width="0.8"/>` +
    `${parts.join('')}</svg>`
  );
}

export function tableHtml(table: ReportTable, lang: ReportLang): string {
  const head = table.columns
    .map((c) => `<th${c.numeric ? ' class="num"' : ''}>${esc(pick(c.title, lang))}</th>`)
    .join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${table.columns
          .map((c) => `<td${c.numeric ? ' class="num"' : ''}>${esc(cellText(c, row[c.key] ?? null, lang))}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  const grid =
    table.rows.length === 0 && table.empty
      ? `<p class="empty">${esc(pick(table.empty, lang))}</p>`
      : `<table class="data"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  const note = table.note ? `<p class="note">${esc(pick(table.note, lang))}</p>` : '';
  return `<section id="${esc(table.id)}"><h2>${esc(pick(table.title, lang))}</h2>${note}${barChartSvg(table, lang)}${grid}</section>`;
}

export interface HtmlExtras {
  /** Raw HTML appended after the tables (e.g. evidence messages), already escaped by the caller. */
  appendix?: string;
}

/** The whole print view. */
export function renderReportHtml(doc: ReportDocument, lang: ReportLang, extras: HtmlExtras = {}): string {
  const zh = lang === 'zh-CN';
  const facts = doc.facts
    .map((f) => `<tr><td class="k">${esc(pick(f.label, lang))}</td><td class="v">${esc(f.value)}</td></tr>`)
    .join('');
  const signoff = zh
    ? '<div>编制人 / 日期</div><div>复核人 / 日期</div><div>合规负责人 / 日期</div>'
    : '<div>Prepared by / date</div><div>Reviewed by / date</div><div>Compliance officer / date</div>';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(pick(doc.title, lang))} ${esc(doc.tradingDay)}</title>
<style>${STYLE}</style></head>
<body>
<header class="doc"><div><div class="confidential">${zh ? '内部资料 · 合规专用' : 'Confidential · compliance use'}</div>
<h1>${esc(pick(doc.title, lang))}</h1></div>
<div class="brand"><b>Floorwatch</b><br>${zh ? '交易日' : 'Trading day'} ${esc(doc.tradingDay)}</div></header>
<table class="facts">${facts}</table>
${doc.tables.map((table) => tableHtml(table, lang)).join('\n')}
${extras.appendix ?? ''}
<div class="signoff">${signoff}</div>
<footer class="doc">${esc(pick(doc.footnote, lang))}</footer>
</body></html>
`;
}

export { esc as escapeHtml };
