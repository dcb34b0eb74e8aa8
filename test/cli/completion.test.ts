/**
 * `monitor-stack completion`: the bash script is loaded into a real bash and asked to complete;
 * every script names every command and every flag commander knows.
 */
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { runCli, tempDir } from '../support/run.js';

const program = buildProgram();
const longFlags = (name: string) => program.commands.find((c) => c.name() === name)!.options.map((o) => o.long!).filter(Boolean);

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell], { cwd: tempDir('ms-compl-') });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

/** What bash offers for the words typed so far (the last one is being completed). */
async function complete(file: string, words: string[]): Promise<string[]> {
  const words_ = words.map((w) => `'${w}'`).join(' ');
  const r = await execa('bash', ['-c', `source '${file}'; COMP_WORDS=(${words_}); COMP_CWORD=${words.length - 1}; _monitor_stack; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: join(file, '..') });
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion bash, in a real bash', () => {
  let file: string;
  it('is valid bash', async () => {
    file = join(tempDir('ms-compl-'), 'c.bash');
    writeFileSync(file, await script('bash'));
    await expect(execa('bash', ['-n', file])).resolves.toMatchObject({ exitCode: 0 });
  });
  it('offers every command, alias and global flag first', async () => {
    const offered = await complete(file, ['monitor-stack', '']);
    expect(offered).toEqual(expect.arrayContaining([...program.commands.flatMap((c) => [c.name(), ...c.aliases()]), '--config', '--debug', '--version', '--help']));
    expect(await complete(file, ['monitor-stack', 'up'])).toEqual(['upgrade']);
  });
  it('offers every flag of each command', async () => {
    for (const c of program.commands) {
      const offered = await complete(file, ['monitor-stack', c.name(), '--']);
      expect(offered, c.name()).toEqual(expect.arrayContaining([...longFlags(c.name()), '--config', '--debug', '--help']));
    }
    expect(await complete(file, ['monitor-stack', 'apply', '--plan'])).toEqual(['--plan-out', '--plan']);
  });
  it('completes choices, files for paths, and nothing for other values', async () => {
    expect(await complete(file, ['monitor-stack', 'diff', '-o', ''])).toEqual(['text', 'json']);
    expect(await complete(file, ['monitor-stack', 'status', '--output', 'j'])).toEqual(['json']);
    expect(await complete(file, ['monitor-stack', 'completion', 'f'])).toEqual(['fish']);
    expect(await complete(file, ['monitor-stack', 'upgrade', '--plan', 'c.b'])).toEqual(['c.bash']);
    expect(await complete(file, ['monitor-stack', '--config', 'c.'])).toEqual(['c.bash']);
    expect(await complete(file, ['monitor-stack', 'render', '--env', ''])).toEqual([]);
    expect(await complete(file, ['monitor-stack', 'render', '--env', 'dev', '--o'])).toEqual(['--out']);
  });
});

describe('completion zsh and fish', () => {
  it('zsh names every command and every flag, with path values completing files', async () => {
    const text = await script('zsh');
    expect(text.split('\n')[0]).toBe('#compdef monitor-stack');
    for (const c of program.commands) {
      expect(text).toContain(`    '${c.name()}:`);
      for (const flag of longFlags(c.name())) expect(text, `${c.name()} ${flag}`).toMatch(new RegExp(`['{,]${flag}[\\[},]`));
    }
    expect(text).toContain("'--plan-out[save the plan to a file and stop; apply it later with --plan]:value:_files'");
    expect(text).toContain("'(--output -o)'{--output,-o}'[output format]:value:(text json)'");
    expect(text).toContain("'1:argument:(bash zsh fish)'");
  });
  it('fish has one complete line per flag of each command', async () => {
    const text = await script('fish');
    const lines = text.split('\n').filter((l) => l.startsWith('complete '));
    for (const c of program.commands) {
      for (const flag of longFlags(c.name())) {
        expect(lines.filter((l) => l.includes(`'__fish_seen_subcommand_from ${[c.name(), ...c.aliases()].join(' ')}'`) && l.includes(` -l ${flag.slice(2)} `)), `${c.name()} ${flag}`).toHaveLength(1);
      }
    }
    expect(lines).toContain("complete -c monitor-stack -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'");
    // Quotes inside descriptions are escaped, so every line has an even number of unescaped quotes.
    for (const l of lines) expect(l.replace(/\\'/g, '').split("'").length % 2, l).toBe(1);
  });
});
