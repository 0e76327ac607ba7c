#!/usr/bin/env node
// Security scan of the Electron side with Doyensec's Electronegativity, failing the build on findings.
// Electronegativity exits 0 whatever it finds, so this script runs it, reads its CSV and exits 1 on any HIGH or
// MEDIUM finding that is not explained inline. An explanation is an `eng-disable CHECK_NAME` comment on the
// flagged line (or the line above) saying why: Electronegativity itself skips those, and so does this script.
//
// It scans main/ and preload/ together with renderer/index.html in one staging folder, because the global checks
// (CSP, navigation limits, permission handler) look at the app as a whole: the CSP of our windows is the <meta>
// tag in renderer/index.html, the navigation and permission handlers live in main/electron/main.ts.
//
// Usage: node build/electronegativity.mjs [--keep]   (--keep leaves the staging folder and CSV for a look)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const FAILING = new Set(['HIGH', 'MEDIUM']);
/** The Electron major in package.json, so version-dependent checks do not try to fetch release data. */
const electronVersion = (() => {
  const spec = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies?.electron ?? '41.0.0';
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(spec);
  return match ? `${match[1]}.${match[2] ?? 0}.${match[3] ?? 0}` : '41.0.0';
})();

/** Splits one CSV line (quoted fields may hold commas and doubled quotes). */
export function parseCsvLine(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

/** Findings from Electronegativity's CSV: { issue, severity, confidence, file, line, description }. */
export function parseFindings(csv) {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((line) => {
    const [issue, severity, confidence, file, location, , description] = parseCsvLine(line);
    return {
      issue,
      severity: (severity ?? '').toUpperCase(),
      confidence,
      file,
      line: Number((location ?? '0:0').split(':')[0]) || 0,
      description,
    };
  });
}

/** True when the flagged line, or the one above, carries `eng-disable <ISSUE>` (the inline explanation). */
export function explainedInline(finding, readSource) {
  if (!finding.file || finding.file === 'N/A' || finding.line <= 0) return false;
  const source = readSource(finding.file);
  if (source === null) return false;
  const lines = source.split('\n');
  const marker = new RegExp(`eng-disable[^\\n]*\\b${finding.issue}\\b`);
  return [lines[finding.line - 1], lines[finding.line - 2]].some((text) => text !== undefined && marker.test(text));
}

function main() {
  const bin = path.join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
  if (!existsSync(bin)) {
    console.error('electronegativity: @doyensec/electronegativity is not installed (npm install)');
    return 2;
  }
  const stage = mkdtempSync(path.join(os.tmpdir(), 'fw-electronegativity-'));
  try {
    cpSync(path.join(root, 'main'), path.join(stage, 'main'), { recursive: true });
    cpSync(path.join(root, 'preload'), path.join(stage, 'preload'), { recursive: true });
    cpSync(path.join(root, 'renderer', 'index.html'), path.join(stage, 'renderer', 'index.html'));
    const output = path.join(stage, 'findings.csv');
    const run = spawnSync(
      process.execPath,
      [bin, '-i', stage, '-o', output, '-r', '-v', 'false', '-e', electronVersion],
      { encoding: 'utf8', cwd: stage, timeout: 300_000 },
    );
    if (run.status !== 0 || !existsSync(output)) {
      console.error(`electronegativity: the scanner failed (exit ${run.status}):\n${run.stderr || run.stdout}`);
      return 2;
    }
    const findings = parseFindings(readFileSync(output, 'utf8'));
    const readSource = (file) => {
      const full = path.resolve(stage, file);
      return full.startsWith(stage) && existsSync(full) ? readFileSync(full, 'utf8') : null;
    };
    const failing = findings.filter((f) => FAILING.has(f.severity) && !explainedInline(f, readSource));
    const others = findings.length - failing.length;
    for (const f of failing) {
      console.error(`${f.severity} ${f.issue} ${f.file}:${f.line} — ${f.description}`);
    }
    if (failing.length > 0) {
      console.error(
        `electronegativity: ${failing.length} HIGH/MEDIUM finding(s) not explained inline ` +
          `(fix them, or add "eng-disable CHECK_NAME" with the reason on the flagged line). ${others} other finding(s).`,
      );
      return 1;
    }
    console.log(
      `electronegativity: no unexplained HIGH/MEDIUM findings in main/ and preload/ (${findings.length} finding(s) in all).`,
    );
    return 0;
  } finally {
    if (keep) console.log(`electronegativity: staging folder kept at ${stage}`);
    else rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
