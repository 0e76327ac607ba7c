// The gate around Electronegativity (build/electronegativity.mjs): CSV parsing and the inline-explanation rule.
// The scan itself runs in `npm run security` (about 30 s); here only the decision logic, on recorded output.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { explainedInline, parseCsvLine, parseFindings } from '../../build/electronegativity.mjs';

interface Finding {
  issue: string;
  severity: string;
  file: string;
  line: number;
}

const CSV = `issue, severity, confidence, filename, location, sample, description, url
NODE_INTEGRATION_JS_CHECK,"HIGH","FIRM","main/electron/win.ts","12:4","nodeIntegration: true","Disable nodeIntegration, please",https://x
PRELOAD_JS_CHECK,"MEDIUM","TENTATIVE","main/electron/main.ts","3:8","preload: P","Check the preload, ""really""",https://x
CSP_GLOBAL_CHECK,"LOW","FIRM","renderer/index.html","11:0","default-src 'self'; a, b","weak CSP",https://x
LIMIT_NAVIGATION_GLOBAL_CHECK,"HIGH","CERTAIN","N/A","0:0",N/A,"Missing navigation limits",https://x
`;

const SOURCES: Record<string, string> = {
  'main/electron/win.ts': Array(11).fill('//').join('\n') + '\n  nodeIntegration: true,\n',
  'main/electron/main.ts':
    '//\n// eng-disable PRELOAD_JS_CHECK: reviewed, exposes only call/subscribe\n  preload: P,\n',
};
const read = (file: string) => SOURCES[file] ?? null;

describe('electronegativity gate', () => {
  it('parses quoted CSV fields with commas and doubled quotes', () => {
    expect(parseCsvLine('A,"b, c","say ""hi""",d')).toEqual(['A', 'b, c', 'say "hi"', 'd']);
  });

  it('reads every finding with its severity, file and line', () => {
    const findings = parseFindings(CSV) as Finding[];
    expect(findings.map((f) => [f.issue, f.severity, f.file, f.line])).toEqual([
      ['NODE_INTEGRATION_JS_CHECK', 'HIGH', 'main/electron/win.ts', 12],
      ['PRELOAD_JS_CHECK', 'MEDIUM', 'main/electron/main.ts', 3],
      ['CSP_GLOBAL_CHECK', 'LOW', 'renderer/index.html', 11],
      ['LIMIT_NAVIGATION_GLOBAL_CHECK', 'HIGH', 'N/A', 0],
    ]);
  });

  it('only an eng-disable comment naming the check on the line or the line above explains a finding', () => {
    const [node, preload, , global] = parseFindings(CSV) as Finding[];
    expect(explainedInline(node, read)).toBe(false);
    expect(explainedInline(preload, read)).toBe(true);
    expect(explainedInline({ ...preload, issue: 'OTHER_CHECK' }, read)).toBe(false);
    // A global finding has no line to explain it on: it always counts.
    expect(explainedInline(global, read)).toBe(false);
  });
});
