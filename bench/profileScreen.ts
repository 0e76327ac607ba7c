// Dev aid (not a benchmark section): CPU profile of one window under the screen benchmark's load, top self time by
// function. `tsx bench/profileScreen.ts positions [ms]` with FLOORWATCH_BENCH_RENDERER pointing at a non-minified build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { measureFrames } from './browser';
import { startLoadedWorkspace } from './loadedWorkspace';

const kinds = (process.argv[2] ?? 'positions').split(',');
const ms = Number(process.argv[3] ?? 6000);
const workspace = await startLoadedWorkspace();
const browser = workspace.browser;
try {
  const pages = [];
  for (const kind of kinds) pages.push(await workspace.open(kind));
  await pages[0]!.waitForTimeout(2000);
  const page = pages[0]!;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  if (process.env.TRACE)
    await browser.startTracing(page, {
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'],
    });
  const figures = await measureFrames(pages, ms);
  if (process.env.TRACE) {
    const buffer = await browser.stopTracing();
    const events = (
      JSON.parse(buffer.toString()) as {
        traceEvents: { name: string; ph: string; dur?: number; tid: number; pid: number }[];
      }
    ).traceEvents;
    const byThread = new Map<string, Map<string, number>>();
    for (const e of events) {
      if (e.ph !== 'X' || !e.dur) continue;
      const key = `${e.pid}:${e.tid}`;
      const m = byThread.get(key) ?? new Map<string, number>();
      byThread.set(key, m);
      m.set(e.name, (m.get(e.name) ?? 0) + e.dur);
    }
    const all = events as unknown as {
      name: string;
      ph: string;
      dur?: number;
      ts: number;
      tid: number;
      pid: number;
      args?: { data?: { functionName?: string; url?: string } };
    }[];
    for (const long of all.filter((e) => e.ph === 'X' && e.name === 'RunTask' && (e.dur ?? 0) > 50_000)) {
      const inside = all
        .filter(
          (e) =>
            e.ph === 'X' &&
            e.tid === long.tid &&
            e.pid === long.pid &&
            e !== long &&
            e.ts >= long.ts &&
            e.ts < long.ts + long.dur! &&
            (e.dur ?? 0) > 5000,
        )
        .slice(0, 8)
        .map(
          (e) =>
            `${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ''}=${((e.dur ?? 0) / 1000).toFixed(0)}`,
        );
      console.log(`long task ${(long.dur! / 1000).toFixed(0)} ms: ${inside.join(' ')}`);
    }
    for (const [thread, m] of byThread) {
      const top = [...m].sort((a, b) => b[1] - a[1]).slice(0, 14);
      if ((top[0]?.[1] ?? 0) < 100_000) continue;
      console.log(`thread ${thread}: ${top.map(([n, d]) => `${n}=${(d / 1000).toFixed(0)}`).join(' ')}`);
    }
  }
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
  mkdirSync('/tmp/fwprof', { recursive: true });
  writeFileSync('/tmp/fwprof/last.cpuprofile', JSON.stringify(profile)); // for DevTools
  console.log(JSON.stringify(figures));
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = new Map<number, number>();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const [id, us] of dt) {
    const n = byId.get(id)!;
    const name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(name, (self.get(name) ?? 0) + us);
    total += us;
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 45);
  for (const [name, us] of top)
    console.log(`${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
} finally {
  await workspace.stop();
}
process.exit();

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}
