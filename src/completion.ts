/**
 * `monitor-stack completion bash|zsh|fish`: a shell completion script built from commander's own
 * metadata (commands, aliases, options, their choices and descriptions), so it never drifts from
 * the program. Options whose value is a path (`<path>`, `<file>`, `<dir>`) complete file names;
 * options with choices (`--output`) complete those; other values are left to the user.
 */
import type { Command, Option } from 'commander';

/** Shells a script can be printed for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface OptionSpec {
  long?: string;
  short?: string;
  description: string;
  /** The option takes a value. */
  takesValue: boolean;
  /** The value is a file or folder path. */
  isPath: boolean;
  choices: string[];
}

interface CommandSpec {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  /** Choices of its positional argument (`completion <shell>`), if any. */
  argChoices: string[];
}

const PATH_ARG = /<(path|file|dir)>/;

function optionSpec(o: Option): OptionSpec {
  return {
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    description: o.description,
    takesValue: o.required || o.optional,
    isPath: PATH_ARG.test(o.flags),
    choices: o.argChoices ?? [],
  };
}

const HELP: OptionSpec = { long: '--help', short: '-h', description: 'display help', takesValue: false, isPath: false, choices: [] };

/** Commands and options of `program`, as the scripts need them. */
function specOf(program: Command): { globals: OptionSpec[]; commands: CommandSpec[] } {
  return {
    globals: [...program.options.map(optionSpec), HELP],
    commands: program.commands.map((c) => ({
      name: c.name(),
      aliases: c.aliases(),
      description: c.description(),
      options: [...c.options.map(optionSpec), HELP],
      argChoices: c.registeredArguments.flatMap((a) => a.argChoices ?? []),
    })),
  };
}

const flagsOf = (o: OptionSpec) => [o.long, o.short].filter((f): f is string => Boolean(f));

/**
 * The completion script for `shell`.
 * @param program the built program (cli.ts `buildProgram`).
 * @param bin the command name completed, `monitor-stack`.
 */
export function completionScript(program: Command, shell: Shell, bin = 'monitor-stack'): string {
  const spec = specOf(program);
  if (shell === 'bash') return bashScript(spec, bin);
  if (shell === 'zsh') return zshScript(spec, bin);
  return fishScript(spec, bin);
}

function bashScript({ globals, commands }: ReturnType<typeof specOf>, bin: string): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}`;
  const words = (opts: OptionSpec[]) => opts.flatMap(flagsOf).join(' ');
  // One case per kind of value: `command:--flag` patterns that complete files, choices, or nothing.
  const byReply = new Map<string, string[]>();
  for (const c of [{ name: '*', aliases: [] as string[], options: globals }, ...commands]) {
    const names = c.name === '*' ? ['*'] : [c.name, ...c.aliases];
    for (const o of c.options) {
      if (!o.takesValue) continue;
      const reply = o.choices.length ? `COMPREPLY=( $(compgen -W "${o.choices.join(' ')}" -- "$cur") )` : o.isPath ? 'COMPREPLY=( $(compgen -f -- "$cur") )' : 'COMPREPLY=()';
      byReply.set(reply, [...(byReply.get(reply) ?? []), ...names.flatMap((n) => flagsOf(o).map((f) => `${n}:${f}`))]);
    }
  }
  const valueCases = [...byReply].map(([reply, patterns]) => `    ${patterns.join('|')}) ${reply}; return ;;`);
  const all = commands.flatMap((c) => [c.name, ...c.aliases]);
  return [
    `# ${bin} completion for bash. Load it with: source <(${bin} completion bash)`,
    `${fn}() {`,
    '  local cur prev cmd i',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  cmd=""',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    `    case "\${COMP_WORDS[i]}" in ${all.join('|')}) cmd="\${COMP_WORDS[i]}"; break ;; esac`,
    '  done',
    '  case "${cmd:-*}:$prev" in',
    ...valueCases,
    '  esac',
    '  case "$cmd" in',
    `    "") COMPREPLY=( $(compgen -W "${all.join(' ')} ${words(globals)}" -- "$cur") ) ;;`,
    ...commands.map((c) => `    ${[c.name, ...c.aliases].join('|')}) COMPREPLY=( $(compgen -W "${[...c.argChoices, words([...c.options, ...globals.filter((g) => g !== HELP)])].join(' ')}" -- "$cur") ) ;;`),
    '  esac',
    '}',
    `complete -F ${fn} ${bin}`,
    '',
  ].join('\n');
}

/** Text inside single quotes in zsh: `'` closed, escaped and reopened. */
const zq = (s: string) => s.replace(/'/g, `'\\''`);
/** An `_arguments` option description: `[` and `]` escaped as well. */
const zdesc = (s: string) => zq(s).replace(/([[\]])/g, '\\$1');

function zshOption(o: OptionSpec): string[] {
  const value = o.takesValue ? `:value:${o.choices.length ? `(${o.choices.join(' ')})` : o.isPath ? '_files' : ' '}` : '';
  const flags = flagsOf(o);
  const exclusive = flags.length > 1 ? `(${flags.join(' ')})` : '';
  if (flags.length > 1) return [`'${exclusive}'{${flags.join(',')}}'[${zdesc(o.description)}]${value}'`];
  return [`'${flags[0]}[${zdesc(o.description)}]${value}'`];
}

function zshScript({ globals, commands }: ReturnType<typeof specOf>, bin: string): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}`;
  const describe = commands.flatMap((c) => [c.name, ...c.aliases].map((n) => `    '${zq(n).replace(/:/g, '\\:')}:${zq(c.description)}'`));
  return [
    `#compdef ${bin}`,
    `# ${bin} completion for zsh. Load it with: source <(${bin} completion zsh)`,
    `${fn}() {`,
    '  local curcontext="$curcontext" state line',
    '  local -a commands',
    '  commands=(',
    ...describe,
    '  )',
    '  _arguments -C \\',
    ...globals.flatMap(zshOption).map((o) => `    ${o} \\`),
    "    '1: :->command' \\",
    "    '*:: :->args'",
    '  case $state in',
    "    command) _describe 'command' commands ;;",
    '    args)',
    '      case $line[1] in',
    ...commands.map((c) => [`        ${[c.name, ...c.aliases].join('|')})`, '          _arguments \\', ...[...c.options, ...globals.filter((g) => g !== HELP)].flatMap(zshOption).map((o) => `            ${o} \\`), c.argChoices.length ? `            '1:argument:(${c.argChoices.join(' ')})' ;;` : "            '*: :_files' ;;"].join('\n')),
    '      esac ;;',
    '  esac',
    '}',
    `if [[ $zsh_eval_context[-1] == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${bin}; fi`,
    '',
  ].join('\n');
}

const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishScript({ globals, commands }: ReturnType<typeof specOf>, bin: string): string {
  const option = (o: OptionSpec, condition: string) => {
    const parts = [`complete -c ${bin}`, `-n ${fq(condition)}`];
    if (o.long) parts.push(`-l ${o.long.slice(2)}`);
    if (o.short) parts.push(`-s ${o.short.slice(1)}`);
    if (o.takesValue) parts.push(o.isPath ? '-r -F' : '-x');
    if (o.choices.length) parts.push(`-a ${fq(o.choices.join(' '))}`);
    parts.push(`-d ${fq(o.description)}`);
    return parts.join(' ');
  };
  return [
    `# ${bin} completion for fish. Load it with: ${bin} completion fish | source`,
    `complete -c ${bin} -f`,
    ...commands.flatMap((c) => [c.name, ...c.aliases].map((n) => `complete -c ${bin} -n '__fish_use_subcommand' -a ${fq(n)} -d ${fq(c.description)}`)),
    ...globals.map((o) => option(o, '__fish_use_subcommand')),
    ...commands.flatMap((c) => [...c.options, ...globals.filter((g) => g !== HELP)].map((o) => option(o, `__fish_seen_subcommand_from ${[c.name, ...c.aliases].join(' ')}`))),
    ...commands.filter((c) => c.argChoices.length).map((c) => `complete -c ${bin} -n ${fq(`__fish_seen_subcommand_from ${c.name}`)} -a ${fq(c.argChoices.join(' '))}`),
    '',
  ].join('\n');
}
