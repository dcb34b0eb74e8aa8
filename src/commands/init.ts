/**
 * `monitor-stack init`: ask (or read flags), then write `monitor-stack.yaml`. An existing file is
 * kept, comments included; in `environments.<env>` only the keys the wizard asks about change, and
 * a second run pre-fills every question from the environment (wizard/prefill.ts). Typed receiver secrets go to
 * the Secret `monitor-stack-receivers` through the Kubernetes API; the file keeps references only.
 * Nothing is written until every answer is in and the resulting file validates.
 */
import { existsSync } from 'node:fs';
import { Document, parseDocument, stringify } from 'yaml';
import type { CommandContext } from '../cli.js';
import { CHART_IDS, PINNED_CHARTS } from '../charts.js';
import { checkEnvironmentName } from '../config/index.js';
import { checkFlagValues, flagsToLayer } from '../config/flags.js';
import { parseYamlWith, readPresets } from '../config/load.js';
import { resolveSettings } from '../config/merge.js';
import { configFileSchema } from '../config/schema.js';
import { DEFAULT_CONFIG_PATH } from '../config/paths.js';
import { CancelledError, UsageError } from '../errors.js';
import { checkWritable, readTextFile, writeTextFile } from '../user-files.js';
import { isInteractive } from '../ui.js';
import { askAnswers, WIZARD_SECRET, type ClusterFacts, type WizardDeps } from '../wizard/ask.js';
import { mergeAnswers, prefillFrom } from '../wizard/prefill.js';

/** Header of a new config file: lets YAML editors complete and check it. */
const NEW_FILE_HEADER = [
  ' monitor-stack configuration: no secret values here, only references (env:NAME, file:PATH, secret:NAME/KEY).',
  ' Precedence: built-in defaults < preset < this base < environments.<env> < command-line flags.',
  ' yaml-language-server: $schema=./node_modules/monitor-stack/schema/monitor-stack.schema.json',
].join('\n');

/** The wizard's view of the cluster, through the Kubernetes client. Unreachable → `null`, and questions become free text. */
function clusterDeps(KubeClient: typeof import('../kube/client.js').KubeClient): WizardDeps {
  return {
    contexts: () => KubeClient.contexts(),
    discover: async (context) => {
      try {
        const kube = KubeClient.load(context);
        await kube.serverVersion();
        const [storageClasses, ingressClasses, clusterIssuers] = await Promise.all([kube.listStorageClasses(), kube.listIngressClasses(), kube.listClusterIssuers()]);
        return { storageClasses, ingressClasses, clusterIssuers } satisfies ClusterFacts;
      } catch (err) {
        process.stderr.write(`note: cannot read the cluster, so answers are not checked against it: ${(err as Error).message.split('\n')[0]}\n`);
        return null;
      }
    },
  };
}

export async function runInit(ctx: CommandContext): Promise<void> {
  const options = ctx.options;
  const envFlag = options.env as string | undefined;
  // Bad input is found before the first question.
  checkFlagValues(ctx.flags);
  if (envFlag !== undefined) checkEnvironmentName(envFlag);
  // The file is checked before the first question, so no answer is typed in vain.
  const existingText = existsSync(ctx.configPath) ? readTextFile(ctx.configPath, { exampleName: 'monitor-stack.yaml' }) : undefined;
  const existingFile = existingText !== undefined ? parseYamlWith(existingText, ctx.configPath, configFileSchema) : undefined;
  if (!options.dryRun) checkWritable(ctx.configPath);
  const presets = readPresets();

  const interactive = isInteractive(options);
  const yes = Boolean(options.yes);
  const { KubeClient } = await import('../kube/client.js');
  let result;
  try {
    result = await askAnswers(clusterDeps(KubeClient), { flags: ctx.flags, yes, interactive, existing: (e) => existingFile && prefillFrom(existingFile, e) }, envFlag);
  } catch (err) {
    // Secrets typed so far live in memory only: nothing was stored, so nothing is half-done.
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) throw new CancelledError('Cancelled: nothing was written and no secret was stored.');
    throw err;
  }
  if (result.missing.length) {
    throw new UsageError(`a non-interactive run is missing ${result.missing.length === 1 ? 'an answer' : `${result.missing.length} answers`}; give ${result.missing.length === 1 ? 'it' : 'them'} as flags:`, [
      ...result.missing.map((m) => `- ${m}`),
      'Or add --yes to accept the defaults (environment dev, the cluster default StorageClass and IngressClass, no TLS).',
      'Nothing was written.',
    ]);
  }

  const env = result.environment;
  checkEnvironmentName(env);
  const layer = flagsToLayer(result.answers);
  if (result.routeReceiver && layer.alertmanager) layer.alertmanager.route = { ...layer.alertmanager.route, receiver: result.routeReceiver };
  // The layer as plain data: keys whose value is undefined dropped.
  const envLayer = JSON.parse(JSON.stringify(layer)) as Record<string, unknown>;
  const doc = existingText !== undefined ? parseDocument(existingText) : new Document({});
  if (existingText === undefined) doc.commentBefore = NEW_FILE_HEADER;
  // Pin what this version of monitor-stack was checked against, so a chart upgrade is a change
  // in the file (and its review), not a side effect of upgrading monitor-stack.
  for (const id of CHART_IDS) {
    const pinned = PINNED_CHARTS[id];
    if (!doc.hasIn(['charts', id, 'release'])) doc.setIn(['charts', id, 'release'], id);
    if (!doc.hasIn(['charts', id, 'version'])) doc.setIn(['charts', id, 'version'], pinned.version);
    if (!doc.hasIn(['charts', id, 'source'])) doc.setIn(['charts', id, 'source'], pinned.repository);
  }
  const replacing = doc.hasIn(['environments', env]);
  const before = doc.toString({ lineWidth: 0 });
  // The keys the wizard asks about are set or removed; every other key of the environment stays.
  mergeAnswers(doc, env, envLayer, result.receiversKept && !layer.alertmanager);
  const text = doc.toString({ lineWidth: 0 });
  const hasSecrets = Object.keys(result.secretValues).length > 0;
  if (replacing && text === before && !hasSecrets && !options.dryRun) {
    process.stderr.write(`Environment ${env} in ${ctx.configPath} already has these answers; nothing was written.\n`);
    return;
  }
  if (replacing && interactive && !yes && !options.dryRun) {
    const { createTwoFilesPatch } = await import('diff');
    const patch = createTwoFilesPatch(ctx.configPath, ctx.configPath, before, text, '', '', { context: 2 }).split('\n').slice(2).join('\n');
    process.stderr.write(text === before ? `The file stays as it is; only Secret ${WIZARD_SECRET} changes.\n` : `Changes to ${ctx.configPath} (keys not asked about are kept):\n${patch}\n`);
    const { confirm } = await import('@inquirer/prompts');
    if (!(await confirm({ message: `Environment ${env} is already in ${ctx.configPath}. Replace its answers with these?`, default: false }))) {
      process.stderr.write('Nothing was written and no secret was stored.\n');
      return;
    }
  }
  // The file must load, and the environment resolve, exactly as upgrade will do it.
  const file = parseYamlWith(text, ctx.configPath, configFileSchema);
  const settings = resolveSettings({ file, fileName: ctx.configPath, environment: env, presets });

  if (options.dryRun) {
    process.stderr.write(`Dry run: ${ctx.configPath} would become:\n\n`);
    process.stdout.write(text);
    if (Object.keys(result.secretValues).length) process.stderr.write(`\nand Secret ${WIZARD_SECRET} would get keys: ${Object.keys(result.secretValues).join(', ')}.\n`);
    return;
  }

  // The Secret goes where this environment's releases go: the resolved namespace and context,
  // which may come from the base of the file rather than from the answers.
  const namespace = settings.namespace;
  if (Object.keys(result.secretValues).length) {
    const kube = KubeClient.load(settings.kubeContext);
    if (!(await kube.namespaceExists(namespace))) await kube.createNamespace(namespace);
    const current = (await kube.readSecretData(namespace, WIZARD_SECRET)) ?? {};
    await kube.writeSecret(namespace, WIZARD_SECRET, { ...current, ...result.secretValues });
    process.stderr.write(`Stored ${Object.keys(result.secretValues).join(', ')} in Secret ${namespace}/${WIZARD_SECRET}.\n`);
  }
  writeTextFile(ctx.configPath, text);
  process.stderr.write(`${replacing ? 'Updated' : 'Wrote'} environment ${env} in ${ctx.configPath}:\n\n`);
  process.stdout.write(stringify({ environments: { [env]: doc.getIn(['environments', env]) } }, { lineWidth: 0 }));
  process.stderr.write(`\nNext: monitor-stack upgrade --env ${env}${ctx.configPath !== DEFAULT_CONFIG_PATH ? ` --config ${ctx.configPath}` : ''}\n`);

  if (interactive && !yes) {
    const { confirm } = await import('@inquirer/prompts');
    if (await confirm({ message: `Run the upgrade of ${env} now?`, default: true })) {
      const { runUpgrade } = await import('./upgrade.js');
      await runUpgrade({ ...ctx, options: { env, wait: true, timeout: '10m', parallel: '3' }, flags: { values: {}, given: new Set() } });
    }
  }
}
