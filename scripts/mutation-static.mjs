// `npm run mutation:static`, after `npm run mutation`: re-judges the static mutants the report calls
// Survived. With @stryker-mutator/vitest-runner 9.6.1 a static mutant (code run once, at import:
// schemas, tables) is activated after its module has loaded, so it can survive tests that kill it
// (stryker-js issues 6144 and 6209). Here each one is applied to the source by hand, in a copy of
// the repository, and the unit tier (vitest.mutation.config.ts) runs against it, stopping at the
// first failure. Prints, per file, how many the tests kill, and each mutant that still survives.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const report = JSON.parse(readFileSync(join(ROOT, 'reports', 'mutation', 'mutation.json'), 'utf8'));

/** Replaces the mutant's location (1-based lines and columns, end exclusive) with its replacement. */
function apply(source, { location: { start, end }, replacement }) {
  const lines = source.split('\n');
  const offset = (p) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  return source.slice(0, offset(start)) + replacement + source.slice(offset(end));
}

// The report holds each mutated file's source but not the commit: name it (default HEAD). Every
// mutated file of that commit must equal the report's source, or the verdicts would be of other code.
const commit = process.argv[2] ?? 'HEAD';
const work = mkdtempSync(join(tmpdir(), 'monitor-stack-mutation-static-'));
try {
  const archive = spawnSync('git', ['archive', '--format=tar', commit], { cwd: ROOT, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', work], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  for (const [file, { source }] of Object.entries(report.files)) {
    if (readFileSync(join(work, file), 'utf8') !== source) throw new Error(`${file} at ${commit} is not the source the report mutated: name the commit the report was made at.`);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  const byFile = {};
  const survivors = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const m of mutants.filter((x) => x.static && x.status === 'Survived')) {
      writeFileSync(join(work, file), apply(source, m));
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.mutation.config.ts', '--bail', '1', '--reporter', 'dot'], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, CI: '' },
      });
      const killed = r.status !== 0;
      const counts = (byFile[file] ??= { killed: 0, survived: 0 });
      counts[killed ? 'killed' : 'survived'] += 1;
      if (!killed) survivors.push(`${file}:${m.location.start.line} ${m.mutatorName}: ${JSON.stringify(m.replacement).slice(0, 70)}`);
      process.stderr.write(killed ? 'k' : 'S');
    }
    writeFileSync(join(work, file), source);
  }
  process.stderr.write('\n');
  console.log('file | static survivors re-run | killed by the unit tier | still surviving');
  console.log('---|---|---|---');
  for (const [file, c] of Object.entries(byFile)) console.log(`${file} | ${c.killed + c.survived} | ${c.killed} | ${c.survived}`);
  console.log(`\nStill surviving (${survivors.length}):`);
  for (const s of survivors) console.log(`- ${s}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
