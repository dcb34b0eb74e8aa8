/**
 * The questions of `monitor-stack init`, in order. Each answer resolves as
 * `flag ?? (yes ? default : interactive ? await prompt() : missing)`, so the same steps serve the
 * wizard, `--yes` and `--non-interactive` (where every missing required answer is collected and
 * reported at once). Answers are values of the setting flags (config/flags.ts): one mapping from
 * answers to settings serves flags and prompts alike.
 *
 * Asks everything, does nothing: the caller writes the config and the Secret afterwards.
 */
import { DEFAULT_LOKI_URL } from '../config/defaults.js';
import { readPresets } from '../config/load.js';
import type { PresetName } from '../config/schema.js';
import { receiverList, SETTING_FLAGS, type FlagValues } from '../config/flags.js';
import { parseSecretRef } from '../refs.js';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkDuration,
  checkStorageSize,
  checkEmail,
  checkEmailSender,
  checkHttpUrl,
  checkSlackChannel,
  checkSecretValue,
  checkSmarthost,
  type SecretValueKind,
} from '../validate.js';
import type { ClassInfo } from '../kube/client.js';
import { UsageError } from '../errors.js';
import type { Prefill } from './prefill.js';

/** What the wizard reads from the cluster of a context; `null` fields when it could not be read. */
export interface ClusterFacts {
  storageClasses: ClassInfo[];
  ingressClasses: ClassInfo[];
  /** `null` when cert-manager is not installed. */
  clusterIssuers: string[] | null;
}

export interface WizardDeps {
  /** kubeconfig contexts and the current one. */
  contexts: () => { names: string[]; current: string | undefined };
  /** Reads the cluster of a context; resolves `null` when it is unreachable. */
  discover: (context: string | undefined) => Promise<ClusterFacts | null>;
}

export interface WizardInput {
  flags: FlagValues;
  /** Accept the default of every question not given as a flag. */
  yes: boolean;
  /** Prompts allowed (a TTY, no --non-interactive, no CI). */
  interactive: boolean;
  /** The current answers of an environment already in the config file, to pre-fill from. */
  existing?: (environment: string) => Prefill | undefined;
}

/** Name of the Secret the wizard stores typed receiver secrets in. */
export const WIZARD_SECRET = 'monitor-stack-receivers';

export interface WizardResult {
  environment: string;
  /** Answers as setting-flag values (attr → value); only answered ones are present. */
  answers: FlagValues;
  /** Receiver of the default route, when the user chose one. */
  routeReceiver?: string;
  /** Typed secret values to store in {@link WIZARD_SECRET}: key → value. Memory only. */
  secretValues: Record<string, string>;
  /** Flags a non-interactive run lacked: non-empty means nothing must be written. */
  missing: string[];
  /** What was read from the cluster, null when unreachable. */
  facts: ClusterFacts | null;
  /** The environment's receivers were kept as they are, not asked about (see {@link Prefill.receiversKept}). */
  receiversKept: boolean;
}

const asPrompt = (check: (v: string) => string | undefined) => (v: string) => check(v) ?? true;
const optional = (check: (v: string) => string | undefined) => (v: string) => (v.trim() === '' ? true : (check(v.trim()) ?? true));
const flagName = (attr: string) => SETTING_FLAGS.find((f) => f.attr === attr)?.flags.split(' ')[0] ?? `--${attr}`;
const classChoices = (items: ClassInfo[]) =>
  items.map((c) => ({ name: c.isDefault ? `${c.name} (default)` : c.name, value: c.name }));

/**
 * Refuses a StorageClass, IngressClass or ClusterIssuer given as a flag that the cluster (read
 * and reachable) does not have, listing what it has. Every such flag is reported at once.
 * @throws UsageError before any question or write.
 */
export function checkClusterAnswers(facts: ClusterFacts, flags: FlagValues, context: string | undefined): void {
  const problems: string[] = [];
  const where = context ? `the cluster of context ${context}` : 'the cluster';
  const given = (attr: string) => (flags.given.has(attr) ? (flags.values[attr] as string) : undefined);
  const classes = (items: ClassInfo[]) => items.map((c) => (c.isDefault ? `${c.name} (default)` : c.name)).join(', ') || 'none';
  const storage = given('storageClass');
  if (storage !== undefined && !facts.storageClasses.some((c) => c.name === storage)) {
    problems.push(`--storage-class "${storage}": ${where} has no such StorageClass. Available: ${classes(facts.storageClasses)}.`);
  }
  const ingress = given('ingressClass');
  if (ingress !== undefined && !facts.ingressClasses.some((c) => c.name === ingress)) {
    problems.push(`--ingress-class "${ingress}": ${where} has no such IngressClass. Available: ${classes(facts.ingressClasses)}.`);
  }
  const issuer = given('tlsIssuer');
  if (issuer !== undefined) {
    if (facts.clusterIssuers === null) problems.push(`--tls-issuer "${issuer}": cert-manager is not installed in ${where} (no ClusterIssuer kind). Use --tls-secret or --no-tls, or install cert-manager first.`);
    else if (!facts.clusterIssuers.includes(issuer)) problems.push(`--tls-issuer "${issuer}": ${where} has no such ClusterIssuer. Available: ${facts.clusterIssuers.join(', ') || 'none'}.`);
  }
  if (problems.length) {
    throw new UsageError(problems.length === 1 ? problems[0]! : 'answers the cluster does not have:', [...(problems.length === 1 ? [] : problems.map((p) => `- ${p}`)), 'Nothing was written.']);
  }
}

/**
 * Runs the questions.
 * @param envFlag value of `--env`, if given.
 */
export async function askAnswers(deps: WizardDeps, input: WizardInput, envFlag: string | undefined): Promise<WizardResult> {
  const { flags, yes, interactive } = input;
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  /** Attributes decided in this run (a flag, a prompt, a default taken): the rest keep the environment's value. */
  const asked = new Set<string>();
  const missing: string[] = [];
  const secretValues: Record<string, string> = {};
  const prompts = interactive && !yes ? await import('@inquirer/prompts') : undefined;

  const set = (attr: string, value: string | true | undefined) => {
    asked.add(attr);
    if (value === undefined || value === '') return;
    values[attr] = value;
    given.add(attr);
  };
  const fromFlag = (attr: string): string | undefined => (flags.given.has(attr) ? (flags.values[attr] as string) : undefined);

  // 1. environment: first, so that a second run pre-fills every other question from it
  let environment = envFlag;
  if (environment === undefined) {
    if (prompts) environment = (await prompts.input({ message: 'Environment name', default: 'dev', validate: asPrompt((v) => checkDnsLabel(v, 'prod')) })).trim();
    else if (yes) environment = 'dev';
    else missing.push('--env');
  }
  const pre = environment !== undefined ? input.existing?.(environment) : undefined;
  /** The environment's current answer for `attr`, if it has one. */
  const had = (attr: string): string | undefined => {
    const v = pre?.values[attr];
    return typeof v === 'string' ? v : undefined;
  };

  /** Resolves one answer: flag, else (the environment's value or the default) under --yes, else prompt, else (non-interactive) missing when required. */
  async function resolve(attr: string, def: string | undefined, ask: (p: NonNullable<typeof prompts>, current: string | undefined) => Promise<string>, required = false): Promise<string | undefined> {
    const flag = fromFlag(attr);
    if (flag !== undefined) return flag;
    const current = had(attr) ?? def;
    if (prompts) return (await ask(prompts, current)).trim() || undefined;
    if (!yes && required && current === undefined) missing.push(flagName(attr));
    return current;
  }

  // 2. kube context
  const ctx = deps.contexts();
  const context = await resolve('kubeContext', ctx.current, (p, current) =>
    ctx.names.length
      ? p.select({ message: 'Kube context', choices: ctx.names.map((n) => ({ name: n, value: n })), default: current })
      : p.input({ message: 'Kube context (none found in kubeconfig; leave empty to decide later)', default: current }),
  );
  set('kubeContext', context);

  // 3. namespace
  set('namespace', await resolve('namespace', 'monitoring', (p, current) => p.input({ message: 'Namespace', default: current, validate: asPrompt(checkDnsLabel) })));

  // 4. preset
  const preset = await resolve('preset', 'standard', (p, current) =>
    p.select({
      message: 'Preset',
      default: current,
      choices: [
        { name: 'minimal: single replicas, no volumes (dev clusters)', value: 'minimal' },
        { name: 'standard: volumes for Prometheus, Alertmanager and Grafana', value: 'standard' },
        { name: 'ha: replicas, anti-affinity, PodDisruptionBudgets', value: 'ha' },
      ] as { name: string; value: string }[],
    }),
  );
  set('preset', preset);

  // A context the kubeconfig does not have is refused at once: nothing else can be read without it.
  const contextFlag = fromFlag('kubeContext');
  if (contextFlag !== undefined && ctx.names.length && !ctx.names.includes(contextFlag)) {
    throw new UsageError(`--kube-context "${contextFlag}" is not a context of the kubeconfig.`, [`Contexts: ${ctx.names.join(', ')}.`, 'Nothing was written.']);
  }

  const facts = await deps.discover(context);
  if (facts) checkClusterAnswers(facts, flags, context);
  /** A class the environment has, when the cluster still has it; else the cluster default. */
  const classDefault = (attr: string, items: ClassInfo[] | undefined) => {
    const current = had(attr);
    return current && (!items || items.some((c) => c.name === current)) ? current : items?.find((c) => c.isDefault)?.name;
  };

  // 5. StorageClass: not asked when the preset has no volumes
  const defaultStorage = classDefault('storageClass', facts?.storageClasses);
  if (preset !== 'minimal' || flags.given.has('storageClass')) {
    const storageClass = await resolve(
      'storageClass',
      yes && !had('storageClass') ? undefined : defaultStorage,
      (p) =>
        facts && facts.storageClasses.length
          ? p.select({ message: 'StorageClass for Prometheus, Alertmanager and Grafana volumes', choices: classChoices(facts.storageClasses), default: defaultStorage })
          : p.input({ message: 'StorageClass (cluster not reachable; empty = the cluster default)', default: had('storageClass'), validate: optional((v) => checkDnsSubdomain(v, 'fast-ssd')) }),
      !defaultStorage,
    );
    set('storageClass', storageClass);
  }
  // 5b. Prometheus retention and volume size; the preset's values are the defaults, and an answer
  // equal to them is not written (the preset stays in charge) unless the environment held it already.
  // No volume size is asked without a volume.
  const presetPrometheus = readPresets()[preset as PresetName]?.prometheus ?? {};
  for (const [attr, question, check, def] of [
    ['retention', 'Prometheus retention (how long samples are kept)', checkDuration, presetPrometheus.retention],
    ['prometheusStorageSize', 'Prometheus volume size', checkStorageSize, presetPrometheus.storageSize],
  ] as const) {
    if (attr === 'prometheusStorageSize' && !presetPrometheus.persistence && !flags.given.has(attr) && !had(attr)) continue;
    const value = await resolve(attr, def, (p, current) => p.input({ message: question, default: current, validate: asPrompt(check) }));
    asked.add(attr);
    if (value && (value !== def || flags.given.has(attr) || had(attr) !== undefined)) set(attr, value);
  }

  // 6. IngressClass
  const defaultIngress = classDefault('ingressClass', facts?.ingressClasses);
  set(
    'ingressClass',
    await resolve('ingressClass', yes && !had('ingressClass') ? undefined : defaultIngress, (p) =>
      facts && facts.ingressClasses.length
        ? p.select({ message: 'IngressClass', choices: classChoices(facts.ingressClasses), default: defaultIngress })
        : p.input({ message: 'IngressClass (none found; empty = the cluster default)', default: had('ingressClass'), validate: optional((v) => checkDnsSubdomain(v, 'nginx')) }),
    ),
  );

  // 7. hosts: each must differ from the ones answered before it (one Ingress host, one component)
  const hostAttrs = [
    ['prometheusHost', 'Prometheus'],
    ['grafanaHost', 'Grafana'],
    ['alertmanagerHost', 'Alertmanager'],
  ] as const;
  for (const [attr, what] of hostAttrs) {
    const earlier = hostAttrs.filter(([a]) => a !== attr && typeof values[a] === 'string').map(([a, w]) => [values[a] as string, w] as const);
    const notTaken = (v: string) => {
      const clash = earlier.find(([host]) => host === v);
      return clash ? `${v} is already the ${clash[1]} host: each component needs its own host (e.g. ${what.toLowerCase()}.example.com)` : checkDnsSubdomain(v, `${what.toLowerCase()}.example.com`);
    };
    set(attr, await resolve(attr, undefined, (p, current) => p.input({ message: `Ingress host for ${what} (empty = no ingress)`, default: current, validate: optional(notTaken) })));
  }

  // 8. TLS, when there is a host to secure
  const anyHost = ['prometheusHost', 'grafanaHost', 'alertmanagerHost'].some((a) => given.has(a));
  const tlsGiven = ['tlsIssuer', 'tlsSecret', 'tls'].filter((a) => flags.given.has(a));
  const tlsNow = had('tlsIssuer') ? 'issuer' : had('tlsSecret') ? 'secret' : pre?.values.tls === true ? 'none' : undefined;
  if (tlsGiven.length) for (const a of tlsGiven) set(a, a === 'tls' ? true : fromFlag(a));
  else if (anyHost) {
    if (prompts) {
      const issuers = facts?.clusterIssuers ?? [];
      const mode = await prompts.select({
        message: 'TLS for the ingress hosts',
        default: tlsNow === 'issuer' && !issuers.length ? undefined : tlsNow,
        choices: [
          ...(issuers.length ? [{ name: 'a cert-manager ClusterIssuer', value: 'issuer' }] : []),
          { name: 'an existing TLS Secret', value: 'secret' },
          { name: 'none (plain HTTP)', value: 'none' },
        ],
      });
      for (const a of ['tlsIssuer', 'tlsSecret', 'tls']) asked.add(a);
      if (mode === 'issuer') set('tlsIssuer', await prompts.select({ message: 'ClusterIssuer', default: had('tlsIssuer'), choices: issuers.map((i) => ({ name: i, value: i })) }));
      else if (mode === 'secret') set('tlsSecret', (await prompts.input({ message: 'TLS Secret name (kubernetes.io/tls, in the namespace)', default: had('tlsSecret'), validate: asPrompt((v) => checkDnsSubdomain(v, 'wildcard-tls')) })).trim());
      else set('tls', true);
    } else if (tlsNow) {
      // --yes or --non-interactive on an environment that has TLS settings: they stay (below).
    } else if (yes) set('tls', true);
    else missing.push('one of --tls-issuer <ClusterIssuer>, --tls-secret <Secret>, --no-tls');
  }

  // 9. receivers and the default route
  const receiverAttrs = ['slackWebhookUrl', 'slackChannel', 'emailTo', 'emailFrom', 'smtpSmarthost', 'smtpUsername', 'smtpPassword', 'pagerdutyRoutingKey', 'webhookUrl'];
  let routeReceiver: string | undefined;
  const receiversKept = Boolean(pre?.receiversKept);
  if (receiverAttrs.some((a) => flags.given.has(a))) {
    for (const a of receiverAttrs) set(a, fromFlag(a));
    // New receivers: the lists of the old ones do not carry over (flags below may give new ones).
    asked.add('criticalTo');
    asked.add('warningTo');
  } else if (prompts && receiversKept) {
    process.stderr.write(`note: the receivers of environment ${environment} do not fit these questions (custom names, or two of one type), so they are kept as they are; edit monitor-stack.yaml to change them.\n`);
  } else if (prompts) {
    const p = prompts;
    const kinds: string[] = await p.checkbox({
      message: 'Alert receivers (space to select, enter to go on)',
      choices: [
        { name: 'Slack', value: 'slack', checked: Boolean(pre?.receiverKinds.includes('slack')) },
        { name: 'e-mail', value: 'email', checked: Boolean(pre?.receiverKinds.includes('email')) },
        { name: 'PagerDuty', value: 'pagerduty', checked: Boolean(pre?.receiverKinds.includes('pagerduty')) },
        { name: 'webhook', value: 'webhook', checked: Boolean(pre?.receiverKinds.includes('webhook')) },
      ],
    });
    for (const a of receiverAttrs) asked.add(a);
    /**
     * A secret: the reference the environment has may be kept; else typed at a password prompt,
     * where a reference is kept as it is and a value goes to the Secret.
     */
    const secret = async (attr: string, key: string, message: string, kind: SecretValueKind) => {
      const current = had(attr);
      if (current && (await p.confirm({ message: `${message}: keep ${current}?`, default: true }))) {
        set(attr, current);
        return;
      }
      const typed = (
        await p.password({
          message: `${message} (stored in Secret ${WIZARD_SECRET}; or type env:NAME, file:PATH, secret:NAME/KEY)`,
          mask: '*',
          validate: (v) => {
            const t = v.trim();
            if (!t) return 'required';
            if (/^(env|file|secret):/.test(t)) {
              const ref = parseSecretRef(t);
              return typeof ref === 'string' ? ref : true;
            }
            if (!facts) return 'the cluster is not reachable, so the value cannot be stored in a Secret: type a reference such as env:NAME';
            return checkSecretValue(kind, t) ?? true;
          },
        })
      ).trim();
      if (/^(env|file|secret):/.test(typed)) set(attr, typed);
      else {
        secretValues[key] = typed;
        set(attr, `secret:${WIZARD_SECRET}/${key}`);
      }
    };
    if (kinds.includes('slack')) {
      await secret('slackWebhookUrl', 'slack-webhook-url', 'Slack webhook URL', 'url');
      set('slackChannel', (await p.input({ message: 'Slack channel', default: had('slackChannel') ?? '#alerts', validate: asPrompt(checkSlackChannel) })).trim());
    }
    if (kinds.includes('email')) {
      set('emailTo', (await p.input({ message: 'Send alert e-mails to', default: had('emailTo'), validate: asPrompt(checkEmail) })).trim());
      set('emailFrom', (await p.input({ message: 'Send them from (an address, or Name <address>)', default: had('emailFrom'), validate: asPrompt(checkEmailSender) })).trim());
      set('smtpSmarthost', (await p.input({ message: 'SMTP smarthost (host:port)', default: had('smtpSmarthost'), validate: asPrompt(checkSmarthost) })).trim());
      const user = (await p.input({ message: 'SMTP username (empty = no auth)', default: had('smtpUsername') })).trim();
      if (user) {
        set('smtpUsername', user);
        await secret('smtpPassword', 'smtp-password', 'SMTP password', 'password');
      }
    }
    if (kinds.includes('pagerduty')) await secret('pagerdutyRoutingKey', 'pagerduty-routing-key', 'PagerDuty routing key', 'pagerdutyKey');
    if (kinds.includes('webhook')) await secret('webhookUrl', 'webhook-url', 'Webhook URL', 'url');
    if (kinds.length > 1) {
      routeReceiver = await p.select({
        message: 'Default route: which receiver gets the alerts the lists below do not take',
        default: pre?.routeReceiver && kinds.includes(pre.routeReceiver) ? pre.routeReceiver : undefined,
        choices: kinds.map((k) => ({ name: k, value: k })),
      });
      // Every receiver chosen must get something: the default route or one of the two lists. By
      // default PagerDuty (when chosen) pages for critical alerts only; the others get both.
      const was = (attr: string) => (had(attr) ? receiverList(had(attr)!).filter((k) => kinds.includes(k)) : undefined);
      const critical: string[] = await p.checkbox({
        message: 'Which receivers get critical alerts? (space to select, enter to go on)',
        choices: kinds.map((k) => ({ name: k, value: k, checked: (was('criticalTo') ?? (kinds.includes('pagerduty') ? ['pagerduty'] : kinds)).includes(k) })),
      });
      const warning: string[] = await p.checkbox({
        message: 'Which receivers get warnings? (space to select, enter to go on)',
        choices: kinds.map((k) => ({ name: k, value: k, checked: (was('warningTo') ?? kinds.filter((x) => x !== 'pagerduty')).includes(k) })),
        validate: (chosen: readonly { value: string }[]) => {
          const reached = new Set([routeReceiver, ...critical, ...chosen.map((c) => c.value)]);
          const idle = kinds.filter((k) => !reached.has(k));
          return idle.length ? `${idle.join(' and ')} would get no alert: select ${idle.length === 1 ? 'it' : 'them'} here` : true;
        },
      });
      set('criticalTo', critical.length ? critical.join(',') : undefined);
      set('warningTo', warning.length ? warning.join(',') : undefined);
    }
    asked.add('criticalTo');
    asked.add('warningTo');
  } else if (pre?.routeReceiver && !receiversKept) routeReceiver = pre.routeReceiver;
  for (const attr of ['criticalTo', 'warningTo', 'deadmansSwitchUrl']) {
    if (flags.given.has(attr)) {
      set(attr, fromFlag(attr));
      asked.add(attr);
    }
  }

  // 10. Grafana admin
  const adminFlag = fromFlag('grafanaAdminSecret');
  if (adminFlag) set('grafanaAdminSecret', adminFlag);
  else if (prompts) {
    const mode = await prompts.select({
      message: 'Grafana admin credentials',
      default: had('grafanaAdminSecret') ? 'existing' : 'generate',
      choices: [
        { name: 'generate a password into a Secret (on upgrade)', value: 'generate' },
        { name: 'use an existing Secret (keys admin-user, admin-password)', value: 'existing' },
      ],
    });
    asked.add('grafanaAdminSecret');
    if (mode === 'existing') set('grafanaAdminSecret', (await prompts.input({ message: 'Secret name', default: had('grafanaAdminSecret'), validate: asPrompt((v) => checkDnsSubdomain(v, 'grafana-admin')) })).trim());
  }

  // 11. Loki
  const loki = await resolve('lokiUrl', undefined, (p, current) => p.input({ message: 'Loki push URL for Promtail', default: current ?? DEFAULT_LOKI_URL, validate: asPrompt(checkHttpUrl) }));
  asked.add('lokiUrl');
  if (loki && loki !== DEFAULT_LOKI_URL) set('lokiUrl', loki);

  // Whatever this run did not decide keeps the environment's value.
  for (const [attr, value] of Object.entries(pre?.values ?? {})) if (!asked.has(attr) && !(receiversKept && receiverAttrs.includes(attr))) set(attr, value);

  return {
    environment: environment ?? '',
    answers: { values, given },
    ...(routeReceiver ? { routeReceiver } : {}),
    secretValues,
    missing,
    facts,
    receiversKept,
  };
}
