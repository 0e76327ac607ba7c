// CSV and XLSX of every table of a report document, with the same cell texts the PDF prints.
import ExcelJS from 'exceljs';
import { cellText, pick, type Cell, type ReportDocument, type ReportLang, type ReportTable } from './model';

/** RFC 4180 field: quoted when it holds a comma, quote or line break. A leading =+-@ is neutralised for Excel. */
export function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?[0-9.]+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A table as CSV (header in the report's language, CRLF line ends, UTF-8 BOM so Excel reads the Chinese). */
export function tableCsv(table: ReportTable, lang: ReportLang): string {
  const lines = [table.columns.map((c) => csvField(pick(c.title, lang))).join(',')];
  for (const row of table.rows) {
    lines.push(table.columns.map((c) => csvField(csvText(row[c.key] ?? null, c, lang))).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function csvText(value: Cell, column: ReportTable['columns'][number], lang: ReportLang): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return cellText(column, value, lang);
}

/** Raw rows as CSV with their keys as the header (the machine form: codes, not translations). */
export function rowsCsv(keys: readonly string[], rows: ReadonlyArray<Record<string, Cell>>): string {
  const lines = [keys.join(',')];
  for (const row of rows)
    lines.push(keys.map((k) => csvField(row[k] === null || row[k] === undefined ? '' : String(row[k]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One worksheet per table; numbers stay numbers. */
export async function reportXlsx(doc: ReportDocument, lang: ReportLang): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Floorwatch';
  // Fixed so the same report gives the same workbook content.
  workbook.created = new Date(0);
  workbook.modified = new Date(0);
  const facts = workbook.addWorksheet('report');
  facts.addRow([pick(doc.title, lang)]).font = { bold: true, size: 14 };
  for (const fact of doc.facts) facts.addRow([pick(fact.label, lang), fact.value]);
  facts.getColumn(1).width = 28;
  facts.getColumn(2).width = 80;
  const used = new Set<string>(['report']);
  for (const table of doc.tables) {
    let name = table.id.slice(0, 31);
    for (let i = 2; used.has(name); i++) name = `${table.id.slice(0, 28)}-${i}`;
    used.add(name);
    const sheet = workbook.addWorksheet(name);
    const header = sheet.addRow(table.columns.map((c) => pick(c.title, lang)));
    header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF12395F' } };
    for (const row of table.rows) {
      sheet.addRow(
        table.columns.map((c) => {
          const value = row[c.key] ?? null;
          if (typeof value === 'number') return value;
          return value === null ? null : cellText(c, value, lang);
        }),
      );
    }
    table.columns.forEach((c, i) => {
      sheet.getColumn(i + 1).width = Math.min(
        50,
        Math.max(10, pick(c.title, lang).length + 4, c.key === 'id' ? 40 : 0),
      );
    });
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
