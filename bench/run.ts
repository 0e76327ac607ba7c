// `npm run bench`: runs every benchmark section and prints one table; `npm run bench -- --json` prints the same
// figures as one JSON object (keys are a contract other tools read). `--only a,b` runs some sections.
import { parseArgs } from 'node:util';
import { DataKey, installDataKey } from '../main/security/dataKey';
import { sections, type BenchFigure } from './sections';

// As deployed: sessions are written and read with a data key (every block sealed with AES-256-GCM).
installDataKey(DataKey.generate());

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
  allowPositionals: false,
});

const wanted = values.only ? new Set(values.only.split(',')) : null;
const figures: BenchFigure[] = [];
for (const section of sections) {
  if (wanted && !wanted.has(section.name)) continue;
  if (!values.json) process.stderr.write(`bench: ${section.name}…\n`);
  try {
    figures.push(...(await section.run()));
  } catch (error) {
    process.stderr.write(`bench: ${section.name} failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(Object.fromEntries(figures.map((f) => [f.key, f.value])))}\n`);
} else {
  const rows = figures.map((f) => [f.key, formatValue(f.value), f.target ?? '', f.note ?? '']);
  const header = ['key', 'value', 'target', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}
process.exit();

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value % 1 === 0 ? 0 : 2);
}
