// `npm run bench` (part 2): the in-process manifest diff on a manifest set the size of
// kube-prometheus-stack's (about 20,000 lines in 300 resources) against a copy with changes,
// beside the bare YAML parse of the same text in the same run. Prints medians and ratios; asserts
// nothing. Build first (npm run build).
import { parseAllDocuments } from 'yaml';
import { diffManifests } from '../dist/core/manifest.js';
import { resourceDiff } from '../dist/present.js';

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ConfigMap', 'Service', 'ClusterRole'];
/** One synthetic resource of about 66 lines: a workload-like spec with containers, env, volumes and labels. */
function resource(i, variant) {
  const kind = KINDS[i % KINDS.length];
  const lines = [
    '---',
    `# Source: stack/templates/r${i}.yaml`,
    `apiVersion: ${kind === 'ConfigMap' || kind === 'Service' ? 'v1' : kind === 'ClusterRole' ? 'rbac.authorization.k8s.io/v1' : 'apps/v1'}`,
    `kind: ${kind}`,
    'metadata:',
    `  name: component-${i}`,
    ...(kind === 'ClusterRole' ? [] : ['  namespace: monitoring']),
    '  labels:',
    ...Array.from({ length: 6 }, (_, k) => `    label-${k}: "value-${k}-${i}"`),
    '  annotations:',
    `    checksum/config: "${(i * 7919).toString(16).padStart(16, '0')}"`,
    'spec:',
    `  replicas: ${variant && i % 10 === 0 ? 2 : 1}`,
    '  template:',
    '    spec:',
    '      containers:',
  ];
  for (let c = 0; c < 3; c++) {
    lines.push(
      `        - name: c${c}`,
      `          image: "registry.invalid/app-${c}:v1.${variant && i % 25 === 0 ? 1 : 0}.0"`,
      '          args:',
      ...Array.from({ length: 4 }, (_, a) => `            - --flag-${a}=value-${a}`),
      '          env:',
      ...Array.from({ length: 2 }, (_, e) => [`            - name: ENV_${e}`, `              value: "${e}"`]).flat(),
      '          resources:',
      '            requests: {cpu: 100m, memory: 128Mi}',
      '            limits: {cpu: 500m, memory: 512Mi}',
    );
  }
  lines.push('      volumes:', ...Array.from({ length: 2 }, (_, v) => [`        - name: vol-${v}`, `          configMap: {name: cm-${v}}`]).flat());
  return lines.join('\n');
}
const before = Array.from({ length: 300 }, (_, i) => resource(i, false)).join('\n') + '\n';
const after = Array.from({ length: 300 }, (_, i) => resource(i, true)).filter((_, i) => i !== 7).join('\n') + '\n' + resource(300, true) + '\n';
const lineCount = before.split('\n').length;

const runs = Number(process.env.BENCH_RUNS ?? 15);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const time = (fn) => {
  const t = process.hrtime.bigint();
  const out = fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, out];
};
const diffAll = () => {
  const changes = diffManifests(before, after, 'monitoring');
  const text = changes.filter((c) => c.change === 'changed').map((c) => resourceDiff(c, { context: 3, showSecrets: false }));
  return { changes, text };
};
const parseOnly = () => [...parseAllDocuments(before), ...parseAllDocuments(after)].length;
diffAll();
parseOnly();
const diffTimes = [];
const parseTimes = [];
let result;
for (let i = 0; i < runs; i++) {
  const [d, r] = time(diffAll);
  diffTimes.push(d);
  result = r;
  parseTimes.push(time(parseOnly)[0]);
}
const d = median(diffTimes);
const p = median(parseTimes);
const counts = {};
for (const c of result.changes) counts[c.change] = (counts[c.change] ?? 0) + 1;
console.log(`\nmanifest diff, median of ${runs} runs: ${lineCount} lines, 300 resources, against a copy with ${counts.changed ?? 0} changed, ${counts.added ?? 0} added, ${counts.removed ?? 0} removed`);
console.log(`  parse both + diff + unified text   ${d.toFixed(1).padStart(7)} ms  ${(d / 200).toFixed(2)}x the 200 ms aim`);
console.log(`  YAML parse of both alone           ${p.toFixed(1).padStart(7)} ms  (diff = ${(d / p).toFixed(2)}x the bare parse)`);
