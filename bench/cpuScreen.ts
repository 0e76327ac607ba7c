// Dev aid (not a benchmark section): CPU each process spends under the workspace benchmark's load, for A/B runs on a
// shared machine where frame rates swing with other work. `tsx bench/cpuScreen.ts [kinds] [ms]`, e.g.
// `alerts,positions,marketWatch 8000`; FLOORWATCH_BENCH_RENDERER picks the renderer build as for the benchmarks.
// Prints per window the frames and long tasks (as the benchmark), Chromium's own main-thread split (task, script,
// layout, style as % of wall time), then CPU % of a core per Chromium process (renderers in window order) and of
// this process (the host and the load).
import { readFileSync } from 'node:fs';
import type { CDPSession } from '@playwright/test';
import { measureFrames } from './browser';
import { startLoadedWorkspace } from './loadedWorkspace';

interface ProcessInfo {
  type: string;
  id: number;
  cpuTime: number;
}

const kinds = (process.argv[2] ?? 'alerts,positions,marketWatch').split(',');
const ms = Number(process.argv[3] ?? 8000);
const workspace = await startLoadedWorkspace();
const browser = workspace.browser;

/** CPU seconds of a renderer's main thread (Linux: its thread id is the process id). */
function mainThreadSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

try {
  const browserCdp = await browser.newBrowserCDPSession();
  const processes = async () =>
    new Map(
      ((await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] }).processInfo.map(
        (p) => [p.id, p] as const,
      ),
    );
  const pages = [];
  const sessions: CDPSession[] = [];
  for (const kind of kinds) {
    const page = await workspace.open(kind);
    const session = await page.context().newCDPSession(page);
    await session.send('Performance.enable');
    pages.push(page);
    sessions.push(session);
  }
  await pages[0]!.waitForTimeout(2000);
  const metrics = () =>
    Promise.all(
      sessions.map(async (session) => {
        const { metrics: list } = (await session.send('Performance.getMetrics')) as {
          metrics: { name: string; value: number }[];
        };
        return new Map(list.map((m) => [m.name, m.value]));
      }),
    );
  const before = await metrics();
  const cpuBefore = await processes();
  const renderers = [...cpuBefore.values()].filter((p) => p.type === 'renderer').map((p) => p.id);
  const mainBefore = new Map(renderers.map((id) => [id, mainThreadSeconds(id)]));
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const figures = await measureFrames(pages, ms);
  const seconds = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownBefore);
  const after = await metrics();
  const cpuAfter = await processes();
  const pct = (value: number) => `${Math.round((value / seconds) * 100)}%`;
  kinds.forEach((kind, i) => {
    const delta = (name: string) => pct((after[i]!.get(name) ?? 0) - (before[i]!.get(name) ?? 0));
    const f = figures[i]!;
    console.log(
      `${kind.padEnd(12)} ${f.fps.toFixed(1)} fps, ${f.longTasks} long tasks (worst ${Math.round(f.worstTaskMs)} ms); ` +
        `main thread: task ${delta('TaskDuration')} script ${delta('ScriptDuration')} ` +
        `layout ${delta('LayoutDuration')} style ${delta('RecalcStyleDuration')}`,
    );
  });
  const busy = [...cpuAfter.values()]
    .sort((a, b) => a.id - b.id)
    .map((p) => ({ p, cpu: p.cpuTime - (cpuBefore.get(p.id)?.cpuTime ?? 0) }))
    .filter(({ cpu }) => cpu / seconds > 0.01);
  console.log(`CPU of a core: ${busy.map(({ p, cpu }) => `${p.type.split('.').pop()} ${pct(cpu)}`).join(', ')}`);
  const mains = renderers
    .sort((a, b) => a - b)
    .map((id) => mainThreadSeconds(id) - mainBefore.get(id)!)
    .filter((s) => s / seconds > 0.01);
  console.log(`renderer main threads: ${mains.map(pct).join(', ')}`);
  console.log(`host + load (this process): ${pct((own.user + own.system) / 1e6)}`);
} finally {
  await workspace.stop();
}
process.exit();
