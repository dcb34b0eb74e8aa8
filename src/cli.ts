/**
 * The command line. Only option parsing lives here; each command's module is imported when the
 * command runs, so `--version` and `--help` load none of prompts, zod, the Kubernetes client or diff.
 * Exit codes are decided in one place, {@link main}: 0 ok, 1 operation failed, 2 usage or config
 * error, 130 interrupted.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { SHELLS, type Shell } from './completion.js';
import { createRequire } from 'node:module';
import { errorLines, MonitorStackError } from './errors.js';
import { SETTING_FLAGS, type FlagValues } from './config/flags.js';
import { DEFAULT_CONFIG_PATH } from './config/paths.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** What every command receives: global options and the setting flags. */
export interface CommandContext {
  configPath: string;
  debug: boolean;
  flags: FlagValues;
  options: Record<string, unknown>;
}

/**
 * Adds the setting flags. Their defaults are `init`'s; any other command takes the value from
 * monitor-stack.yaml, so its help says that instead of a default it would not use.
 */
function addSettingFlags(cmd: Command, forInit = false): Command {
  for (const f of SETTING_FLAGS) {
    const help = forInit ? f.help : `${f.help.replace(/ \(default: [^)]*\)$/, '')} (overrides monitor-stack.yaml)`;
    cmd.addOption(new Option(f.flags, help));
  }
  return cmd;
}

/** Flags of the commands that change a stack (upgrade, rollback, uninstall): see commands/run-options.ts. */
function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--timeout <duration>', 'how long helm waits for each release, e.g. 10m', '10m')
    .option('--lock-timeout <duration>', 'how long to wait for another run of this environment to finish, e.g. 10m', '0s')
    .option('--history-max <n>', 'stack revisions kept in the cluster', '20')
    .option('--helm <path>', 'helm binary (default: $MONITOR_STACK_HELM, else helm on PATH)');
}

function contextOf(cmd: Command): CommandContext {
  const options = cmd.optsWithGlobals() as Record<string, unknown>;
  const given = new Set<string>();
  for (const f of SETTING_FLAGS) if (cmd.getOptionValueSource(f.attr) === 'cli') given.add(f.attr);
  return {
    configPath: (options.config as string | undefined) ?? DEFAULT_CONFIG_PATH,
    debug: Boolean(options.debug) || process.env.MONITOR_STACK_DEBUG === '1',
    flags: { values: options, given },
    options,
  };
}

/** Builds the program. Exported for tests of the flag table. */
export function buildProgram(): Command {
  const program = new Command('monitor-stack')
    .description('Install and upgrade Prometheus, Alertmanager, Grafana and Promtail on Kubernetes with helm.')
    .version(version, '-V, --version')
    .option('--config <path>', 'path of monitor-stack.yaml', DEFAULT_CONFIG_PATH)
    .option('--debug', 'show stack traces and the helm command lines (secrets are never in them)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      // commander echoes a mistyped `--flag=value`: drop the value, which may be a secret.
      outputError: (text, write) => write(text.replace(/(--[\w-]+)=[^'"\s]*/g, '$1=…')),
    });

  addSettingFlags(
    program
      .command('init')
      .description('ask for what differs between clusters, write monitor-stack.yaml, and offer to upgrade now')
      .option('--env <name>', 'environment to write (asked; dev with --yes); a second run pre-fills every question from it')
      .option('--yes', 'accept the default of every question not given as a flag')
      .option('--non-interactive', 'never prompt (implied when stdin is not a TTY or CI is set)')
      .option('--dry-run', 'show what would be written and run; write and change nothing'),
    true,
  ).action(async (_o, cmd: Command) => (await import('./commands/init.js')).runInit(contextOf(cmd)));

  addSettingFlags(
    program
      .command('render')
      .description('write one values overlay per chart to <out>/<env>/<chart>.values.yaml')
      .requiredOption('--env <name>', 'environment to render')
      .option('--out <dir>', 'output folder', 'out'),
  ).action(async (_o, cmd: Command) => (await import('./commands/render.js')).runRender(contextOf(cmd)));

  addSettingFlags(
    program
      .command('diff')
      .description("show what upgrade would change, resource by resource (helm's server-side dry run against what is installed), drift and risks")
      .requiredOption('--env <name>', 'environment to compare')
      .option('--context <lines>', 'lines of context in each diff', '3')
      .option('--show-secrets', 'show the data of Secrets in the diff (masked by default: only which keys changed)')
      .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on error')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--parallel <n>', 'releases dry-run at once', '3')
      .option('--helm <path>', 'helm binary (default: $MONITOR_STACK_HELM, else helm on PATH)'),
  ).action(async (_o, cmd: Command) => (await import('./commands/diff.js')).runDiff(contextOf(cmd)));

  const upgrade = addSettingFlags(
    program
      .command('upgrade')
      .alias('apply')
      .description('preflight and plan, show the changes, ask, then helm upgrade --install every release that changes')
      .requiredOption('--env <name>', 'environment to upgrade')
      .option('--yes', 'apply without asking (needed when not in a terminal)')
      .option('--show-diff', 'print the full diff of every changed resource before asking')
      .option('--plan-out <file>', 'save the plan to a file and stop; apply it later with --plan')
      .option('--plan <file>', 'apply a saved plan, refused if the cluster or settings moved since')
      .option('--allow-recreate', 'delete and create anew an object whose immutable fields change (a StatefulSet keeps its pods and PVCs)')
      .option('--recover', 'first put back releases left pending-* by an interrupted run: rollback to the last deployed revision, or uninstall one never deployed')
      .option('--server-side-apply', 'Helm 4: switch releases applied client-side (installed with Helm 3) to server-side apply; they keep their method otherwise')
      .option('--dry-run', "compute and show the plan with helm's server-side dry run; change nothing")
      .option('--no-wait', 'do not wait for workloads to be ready (and so no rollback on a readiness failure)')
      .option('--parallel <n>', 'releases dry-run and upgraded at once', '3'),
  );
  addRunFlags(upgrade).action(async (_o, cmd: Command) => (await import('./commands/upgrade.js')).runUpgrade(contextOf(cmd)));

  const rollback = addSettingFlags(
    program
      .command('rollback')
      .description('roll every release back to a recorded stack revision (default: the previous one), or one release to a helm revision')
      .requiredOption('--env <name>', 'environment to roll back')
      .option('--to <revision>', 'stack revision to go back to (see monitor-stack history)')
      .option('--release <name>', 'roll back this release only (with --revision)')
      .option('--revision <n>', 'helm revision of --release to go back to')
      .option('--yes', 'roll back without asking (needed when not in a terminal)')
      .option('--show-diff', 'print the full diff of every resource that changes'),
  );
  addRunFlags(rollback).action(async (_o, cmd: Command) => (await import('./commands/rollback.js')).runRollback(contextOf(cmd)));

  const uninstall = addSettingFlags(
    program
      .command('uninstall')
      .description('helm uninstall every release of an environment; PVCs, Secrets and the stack history stay unless --delete-data')
      .requiredOption('--env <name>', 'environment to uninstall')
      .option('--yes', 'uninstall without asking (needed when not in a terminal); does not confirm --delete-data')
      .option('--delete-data', "also delete the stack's PVCs and the Secrets monitor-stack wrote; asks for the namespace to be typed")
      .option('--confirm-namespace <name>', 'the namespace, typed ahead: confirms --delete-data when not in a terminal'),
  );
  addRunFlags(uninstall).action(async (_o, cmd: Command) => (await import('./commands/uninstall.js')).runUninstall(contextOf(cmd)));

  program
    .command('history')
    .description('show the stack revisions of an environment (who changed what, when, and how it ended), or one release\'s helm history')
    .requiredOption('--env <name>', 'environment')
    .option('--release <name>', "show this release's helm history instead")
    .option('--kube-context <name>', 'kubeconfig context')
    .option('--namespace <name>', 'namespace of the releases')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (_o, cmd: Command) => (await import('./commands/history.js')).runHistory(contextOf(cmd)));

  program
    .command('status')
    .description('show the releases of an environment: chart, version, revision, status, updated')
    .requiredOption('--env <name>', 'environment')
    .option('--kube-context <name>', 'kubeconfig context')
    .option('--namespace <name>', 'namespace of the releases')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (_o, cmd: Command) => (await import('./commands/status.js')).runStatus(contextOf(cmd)));

  program
    .command('test-alert')
    .description("post a test alert to each receiver through the installed Alertmanager (Kubernetes API pod proxy) and report, from Alertmanager's own metrics, whether it was delivered")
    .requiredOption('--env <name>', 'environment')
    .option('--receiver <name>', 'test this receiver only')
    .option('--timeout <duration>', 'how long to wait for each receiver, e.g. 60s', '60s')
    .option('--kube-context <name>', 'kubeconfig context')
    .option('--namespace <name>', 'namespace of the releases')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (_o, cmd: Command) => (await import('./commands/test-alert.js')).runTestAlert(contextOf(cmd)));

  program
    .command('completion')
    .description('print a shell completion script of every command and flag, e.g. source <(monitor-stack completion bash)')
    .addArgument(new Argument('<shell>', 'shell to complete in').choices(SHELLS))
    .action(async (shell: Shell) => {
      process.stdout.write((await import('./completion.js')).completionScript(program, shell));
    });

  return program;
}

/**
 * Runs the program and returns the exit code. Prints errors: one message with hints, and the stack
 * only with --debug.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug') || process.env.MONITOR_STACK_DEBUG === '1';
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    const { default: chalk } = await import('chalk');
    if (err instanceof MonitorStackError) {
      if (!err.message) return err.exitCode; // an exit code with nothing to say (diff --detailed-exitcode)
      const { message, hints } = errorLines(err, debug);
      process.stderr.write(`${chalk.red('error:')} ${message}\n`);
      for (const hint of hints) process.stderr.write(`  ${hint}\n`);
      if (debug && err.stack) process.stderr.write(`${chalk.dim(err.stack)}\n`);
      return err.exitCode;
    }
    if (isPromptExit(err)) {
      process.stderr.write('Cancelled.\n');
      return 130;
    }
    process.stderr.write(`${chalk.red('error:')} ${(err as Error)?.message ?? String(err)}\n`);
    if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    else process.stderr.write('  This is unexpected: run again with --debug and report the output.\n');
    return 1;
  }
}

/** @inquirer/prompts throws ExitPromptError when the user presses Ctrl-C in a prompt. */
function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}
