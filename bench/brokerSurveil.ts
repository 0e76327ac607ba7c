// One `floorwatch surveil` run for the broker bench, in its own process so its peak RSS is its own: runs the
// command (alerts to stdout, which the bench discards) and prints its figures as one JSON line on fd 3.
import { writeSync } from 'node:fs';
import { surveilCommand } from '../main/cli/commands/surveil';

const input = process.argv[2];
if (!input) throw new Error('usage: brokerSurveil.ts DAY.ndjson');
const cpuBefore = process.cpuUsage();
const started = performance.now();
const status = await surveilCommand.run(['--input', input]);
const cpu = process.cpuUsage(cpuBefore);
const figures = {
  status,
  cpuMs: (cpu.user + cpu.system) / 1000,
  wallMs: performance.now() - started,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
};
writeSync(3, `${JSON.stringify(figures)}\n`);
