// `npm run bench`: start-up of the built CLI against bare node, measured in the same run.
// Prints medians and ratios; asserts nothing (wall time is not a test). Build first (npm run build).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/monitor-stack.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);
const cases = [
  ['node -e 0', ['-e', '0']],
  ['monitor-stack --version', [bin, '--version']],
  ['monitor-stack --help', [bin, '--help']],
];
const times = new Map(cases.map(([name]) => [name, []]));
const once = (args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
for (const [, args] of cases) once(args); // warm the file cache
// Interleave the cases so drift on the machine touches all of them alike.
for (let i = 0; i < runs; i++) for (const [name, args] of cases) times.get(name).push(once(args));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times.get('node -e 0'));
console.log(`start-up, median of ${runs} interleaved runs (node ${process.version})`);
for (const [name] of cases) {
  const m = median(times.get(name));
  console.log(`  ${name.padEnd(26)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x node -e 0`);
}
