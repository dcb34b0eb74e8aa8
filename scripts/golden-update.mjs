#!/usr/bin/env node
// Rewrites the golden overlays (test/golden/<scenario>/<chart>.values.yaml) with the built CLI's
// `render` of each scenario's monitor-stack.yaml, and test/golden/monitor-stack.schema.json with the
// published JSON Schema, then shows what changed: read that diff before
// committing it. The tests never write these files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const golden = join(root, 'test', 'golden');
const tmp = mkdtempSync(join(tmpdir(), 'monitor-stack-golden-update-'));
try {
  for (const scenario of readdirSync(golden).sort()) {
    const config = join(golden, scenario, 'monitor-stack.yaml');
    if (!existsSync(config)) continue;
    const out = join(tmp, scenario);
    execFileSync(process.execPath, [join(root, 'bin', 'monitor-stack.js'), 'render', '--config', config, '--env', 'test', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (const f of readdirSync(join(golden, scenario))) if (f.endsWith('.values.yaml')) rmSync(join(golden, scenario, f));
    for (const f of readdirSync(join(out, 'test'))) copyFileSync(join(out, 'test', f), join(golden, scenario, f));
  }
  // Help of the program and of every command, as a user piping it sees it (80 columns).
  const cli = (args) => execFileSync(process.execPath, [join(root, 'bin', 'monitor-stack.js'), ...args], { encoding: 'utf8' });
  const commands = cli(['help']).split('Commands:')[1].split('\n').flatMap((line) => /^  ([a-z-]+)[ |]/.exec(line)?.[1] ?? []).filter((c) => c !== 'help');
  const help = [['--help'], ...commands.map((c) => [c, '--help'])].map((args) => `$ monitor-stack ${args.join(' ')}\n${cli(args)}`).join('\n');
  writeFileSync(join(golden, 'help.txt'), help);
  // The published JSON Schema, as `npm run build` wrote it.
  copyFileSync(join(root, 'schema', 'monitor-stack.schema.json'), join(golden, 'monitor-stack.schema.json'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'test/golden'], { cwd: root, stdio: 'inherit' });
console.log('Golden files rewritten. Read the diff (git diff test/golden) before committing it; add the scenario to GOLDENS and SCENARIO_NAMES in test/support/scenarios.ts when it is new.');
