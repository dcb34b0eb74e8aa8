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
import { SETTING_FLAGS, type FlagValues } from '../config/flags.js';
import { parseSecretRef } from '../refs.js';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkEmail,
  checkEmailSender,
  checkHttpUrl,
  checkSlackChannel,
  checkSecretValue,
  checkSmarthost,
  type SecretValueKind,
} from '../validate.js';
import type { ClassInfo } from '../kube/client.js';

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
}

const asPrompt = (check: (v: string) => string | undefined) => (v: string) => check(v) ?? true;
const optional = (check: (v: string) => string | undefined) => (v: string) => (v.trim() === '' ? true : (check(v.trim()) ?? true));
const flagName = (attr: string) => SETTING_FLAGS.find((f) => f.attr === attr)?.flags.split(' ')[0] ?? `--${attr}`;
const classChoices = (items: ClassInfo[]) =>
  items.map((c) => ({ name: c.isDefault ? `${c.name} (default)` : c.name, value: c.name }));

/**
 * Runs the questions.
 * @param envFlag value of `--env`, if given.
 */
export async function askAnswers(deps: WizardDeps, input: WizardInput, envFlag: string | undefined): Promise<WizardResult> {
  const { flags, yes, interactive } = input;
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const missing: string[] = [];
  const secretValues: Record<string, string> = {};
  const prompts = interactive && !yes ? await import('@inquirer/prompts') : undefined;

  const set = (attr: string, value: string | true | undefined) => {
    if (value === undefined || value === '') return;
    values[attr] = value;
    given.add(attr);
  };
  const fromFlag = (attr: string): string | undefined => (flags.given.has(attr) ? (flags.values[attr] as string) : undefined);
  /** Resolves one answer: flag, else default under --yes, else prompt, else (non-interactive) missing when required. */
  async function resolve(attr: string, def: string | undefined, ask: (p: NonNullable<typeof prompts>) => Promise<string>, required = false): Promise<string | undefined> {
    const flag = fromFlag(attr);
    if (flag !== undefined) return flag;
    if (prompts) return (await ask(prompts)).trim() || undefined;
    if (!yes && required && def === undefined) missing.push(flagName(attr));
    return def;
  }

  // 1. kube context
  const ctx = deps.contexts();
  const context = await resolve('kubeContext', ctx.current, (p) =>
    ctx.names.length
      ? p.select({ message: 'Kube context', choices: ctx.names.map((n) => ({ name: n, value: n })), default: ctx.current })
      : p.input({ message: 'Kube context (none found in kubeconfig; leave empty to decide later)' }),
  );
  set('kubeContext', context);

  // 2. namespace
  set('namespace', await resolve('namespace', 'monitoring', (p) => p.input({ message: 'Namespace', default: 'monitoring', validate: asPrompt(checkDnsLabel) })));

  // 3. environment
  let environment = envFlag;
  if (environment === undefined) {
    if (prompts) environment = (await prompts.input({ message: 'Environment name', default: 'dev', validate: asPrompt(checkDnsLabel) })).trim();
    else if (yes) environment = 'dev';
    else missing.push('--env');
  }

  // 4. preset
  const preset = await resolve('preset', 'standard', (p) =>
    p.select({
      message: 'Preset',
      default: 'standard',
      choices: [
        { name: 'minimal: single replicas, no volumes (dev clusters)', value: 'minimal' },
        { name: 'standard: volumes for Prometheus, Alertmanager and Grafana', value: 'standard' },
        { name: 'ha: replicas, anti-affinity, PodDisruptionBudgets', value: 'ha' },
      ],
    }),
  );
  set('preset', preset);

  const facts = await deps.discover(context);

  // 5. StorageClass: not asked when the preset has no volumes
  const defaultStorage = facts?.storageClasses.find((c) => c.isDefault)?.name;
  if (preset !== 'minimal' || flags.given.has('storageClass')) {
    const storageClass = await resolve(
      'storageClass',
      yes ? undefined : defaultStorage,
      (p) =>
        facts && facts.storageClasses.length
          ? p.select({ message: 'StorageClass for Prometheus, Alertmanager and Grafana volumes', choices: classChoices(facts.storageClasses), default: defaultStorage })
          : p.input({ message: 'StorageClass (cluster not reachable; empty = the cluster default)', validate: optional(checkDnsSubdomain) }),
      !defaultStorage,
    );
    set('storageClass', storageClass);
  }

  // 6. IngressClass
  const defaultIngress = facts?.ingressClasses.find((c) => c.isDefault)?.name;
  set(
    'ingressClass',
    await resolve('ingressClass', yes ? undefined : defaultIngress, (p) =>
      facts && facts.ingressClasses.length
        ? p.select({ message: 'IngressClass', choices: classChoices(facts.ingressClasses), default: defaultIngress })
        : p.input({ message: 'IngressClass (none found; empty = the cluster default)', validate: optional(checkDnsSubdomain) }),
    ),
  );

  // 7. hosts
  for (const [attr, what] of [
    ['prometheusHost', 'Prometheus'],
    ['grafanaHost', 'Grafana'],
    ['alertmanagerHost', 'Alertmanager'],
  ] as const) {
    set(attr, await resolve(attr, undefined, (p) => p.input({ message: `Ingress host for ${what} (empty = no ingress)`, validate: optional(checkDnsSubdomain) })));
  }

  // 8. TLS, when there is a host to secure
  const anyHost = ['prometheusHost', 'grafanaHost', 'alertmanagerHost'].some((a) => given.has(a));
  const tlsGiven = ['tlsIssuer', 'tlsSecret', 'tls'].filter((a) => flags.given.has(a));
  if (tlsGiven.length) for (const a of tlsGiven) set(a, a === 'tls' ? true : fromFlag(a));
  else if (anyHost) {
    if (prompts) {
      const issuers = facts?.clusterIssuers ?? [];
      const mode = await prompts.select({
        message: 'TLS for the ingress hosts',
        choices: [
          ...(issuers.length ? [{ name: 'a cert-manager ClusterIssuer', value: 'issuer' }] : []),
          { name: 'an existing TLS Secret', value: 'secret' },
          { name: 'none (plain HTTP)', value: 'none' },
        ],
      });
      if (mode === 'issuer') set('tlsIssuer', await prompts.select({ message: 'ClusterIssuer', choices: issuers.map((i) => ({ name: i, value: i })) }));
      else if (mode === 'secret') set('tlsSecret', (await prompts.input({ message: 'TLS Secret name (kubernetes.io/tls, in the namespace)', validate: asPrompt(checkDnsSubdomain) })).trim());
      else set('tls', true);
    } else if (yes) set('tls', true);
    else missing.push('one of --tls-issuer <ClusterIssuer>, --tls-secret <Secret>, --no-tls');
  }

  // 9. receivers and the default route
  const receiverAttrs = ['slackWebhookUrl', 'slackChannel', 'emailTo', 'emailFrom', 'smtpSmarthost', 'smtpUsername', 'smtpPassword', 'pagerdutyRoutingKey', 'webhookUrl'];
  let routeReceiver: string | undefined;
  if (receiverAttrs.some((a) => flags.given.has(a))) {
    for (const a of receiverAttrs) set(a, fromFlag(a));
  } else if (prompts) {
    const p = prompts;
    const kinds = await p.checkbox({
      message: 'Alert receivers (space to select, enter to go on)',
      choices: [
        { name: 'Slack', value: 'slack' },
        { name: 'e-mail', value: 'email' },
        { name: 'PagerDuty', value: 'pagerduty' },
        { name: 'webhook', value: 'webhook' },
      ],
    });
    /** A secret typed at a password prompt: a reference is kept as it is; a value goes to the Secret. */
    const secret = async (attr: string, key: string, message: string, kind: SecretValueKind) => {
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
      set('slackChannel', (await p.input({ message: 'Slack channel', default: '#alerts', validate: asPrompt(checkSlackChannel) })).trim());
    }
    if (kinds.includes('email')) {
      set('emailTo', (await p.input({ message: 'Send alert e-mails to', validate: asPrompt(checkEmail) })).trim());
      set('emailFrom', (await p.input({ message: 'Send them from (an address, or Name <address>)', validate: asPrompt(checkEmailSender) })).trim());
      set('smtpSmarthost', (await p.input({ message: 'SMTP smarthost (host:port)', validate: asPrompt(checkSmarthost) })).trim());
      const user = (await p.input({ message: 'SMTP username (empty = no auth)' })).trim();
      if (user) {
        set('smtpUsername', user);
        await secret('smtpPassword', 'smtp-password', 'SMTP password', 'password');
      }
    }
    if (kinds.includes('pagerduty')) await secret('pagerdutyRoutingKey', 'pagerduty-routing-key', 'PagerDuty routing key', 'pagerdutyKey');
    if (kinds.includes('webhook')) await secret('webhookUrl', 'webhook-url', 'Webhook URL', 'url');
    if (kinds.length > 1) {
      routeReceiver = await p.select({ message: 'Default route: which receiver gets every alert', choices: kinds.map((k) => ({ name: k, value: k })) });
    }
  }

  // 10. Grafana admin
  const adminFlag = fromFlag('grafanaAdminSecret');
  if (adminFlag) set('grafanaAdminSecret', adminFlag);
  else if (prompts) {
    const mode = await prompts.select({
      message: 'Grafana admin credentials',
      choices: [
        { name: 'generate a password into a Secret (on upgrade)', value: 'generate' },
        { name: 'use an existing Secret (keys admin-user, admin-password)', value: 'existing' },
      ],
    });
    if (mode === 'existing') set('grafanaAdminSecret', (await prompts.input({ message: 'Secret name', validate: asPrompt(checkDnsSubdomain) })).trim());
  }

  // 11. Loki
  const loki = await resolve('lokiUrl', undefined, (p) => p.input({ message: 'Loki push URL for Promtail', default: DEFAULT_LOKI_URL, validate: asPrompt(checkHttpUrl) }));
  if (loki && loki !== DEFAULT_LOKI_URL) set('lokiUrl', loki);

  for (const attr of ['retention', 'prometheusStorageSize']) set(attr, fromFlag(attr));

  return {
    environment: environment ?? '',
    answers: { values, given },
    ...(routeReceiver ? { routeReceiver } : {}),
    secretValues,
    missing,
    facts,
  };
}

