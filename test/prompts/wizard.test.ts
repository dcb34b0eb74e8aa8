/**
 * The wizard, driven through its real prompts with @inquirer/testing's screen (the prompts are
 * swapped for testable ones; the wizard code is the one `init` runs). Cluster reads are a fake:
 * the e2e tier covers the real Kubernetes client.
 */
import fc from 'fast-check';
import { screen } from '@inquirer/testing/vitest';
import { checkDnsLabel, checkDnsSubdomain } from '../../src/validate.js';
import { afterEach, describe, expect, it } from 'vitest';
import { askAnswers, WIZARD_SECRET, type ClusterFacts, type WizardDeps } from '../../src/wizard/ask.js';
import { flagsToLayer } from '../../src/config/flags.js';
import type { Prefill } from '../../src/wizard/prefill.js';

const facts: ClusterFacts = {
  storageClasses: [
    { name: 'fast-ssd', isDefault: false },
    { name: 'standard', isDefault: true },
  ],
  ingressClasses: [{ name: 'nginx', isDefault: true }],
  clusterIssuers: ['letsencrypt-prod', 'letsencrypt-staging'],
};
const deps = (f: ClusterFacts | null = facts): WizardDeps => ({
  contexts: () => ({ names: ['kind-dev', 'prod-eu'], current: 'kind-dev' }),
  discover: async () => f,
});
const noFlags = { values: {}, given: new Set<string>() };
const interactive = { flags: noFlags, yes: false, interactive: true };

/** Waits for the next prompt and checks it is the one expected. */
async function at(question: string) {
  await screen.next();
  expect(screen.getScreen()).toContain(question);
}

/** Waits for a question, then presses keys (names) or types text (anything else) in order. */
async function answer(question: string, ...input: string[]) {
  await at(question);
  for (const i of input) {
    if (['enter', 'down', 'space', 'backspace'].includes(i)) screen.keypress(i);
    else screen.type(i);
  }
}

/**
 * Waits (up to 2 s) for `text` on the screen, then asserts it. A validation message may be drawn
 * before a `screen.next()` would start waiting, so this polls instead of waiting for one render.
 */
async function shows(text: string) {
  for (let i = 0; i < 40 && !screen.getScreen().includes(text); i++) await Promise.race([screen.next(), new Promise((r) => setTimeout(r, 50))]);
  expect(screen.getScreen()).toContain(text);
}

/** Takes the default of each question in turn. */
async function acceptAll(...questions: string[]) {
  for (const q of questions) await answer(q, 'enter');
}

/** Replaces what was typed at a refused prompt. */
function retype(typed: string, replacement: string) {
  for (let i = 0; i < typed.length; i++) screen.keypress('backspace');
  screen.type(replacement);
  screen.keypress('enter');
}

afterEach(() => screen.clear());

describe('init wizard', () => {
  it('asks in order, with defaults, and returns answers; a typed secret goes to the Secret, a reference stays', async () => {
    const done = askAnswers(deps(), interactive, undefined);
    await at('Environment name');
    screen.type('prod');
    screen.keypress('enter');
    await at('Kube context');
    screen.keypress('down'); // prod-eu
    screen.keypress('enter');
    await at('Namespace');
    screen.keypress('enter'); // monitoring
    await at('Preset');
    screen.keypress('down'); // ha
    screen.keypress('enter');
    await at('StorageClass');
    expect(screen.getScreen()).toContain('standard (default)');
    screen.keypress('enter'); // the default is pre-selected
    await at('Prometheus retention');
    expect(screen.getScreen()).toContain('(30d)'); // the ha preset's
    screen.type('45d');
    screen.keypress('enter');
    await answer('Prometheus volume size', 'x', 'enter');
    await shows('must be a Kubernetes quantity such as 50Gi');
    retype('x', '');
    await at('IngressClass');
    screen.keypress('enter');
    await at('Ingress host for Prometheus');
    screen.keypress('enter'); // none
    await at('Ingress host for Grafana');
    screen.type('grafana.example.com');
    screen.keypress('enter');
    await at('Ingress host for Alertmanager');
    screen.keypress('enter');
    await at('TLS for the ingress hosts');
    screen.keypress('enter'); // ClusterIssuer
    await at('ClusterIssuer');
    screen.keypress('enter'); // letsencrypt-prod
    await at('Alert receivers');
    screen.keypress('space'); // Slack
    screen.keypress('down');
    screen.keypress('down');
    screen.keypress('space'); // PagerDuty
    screen.keypress('enter');
    await at('Slack webhook URL');
    screen.type('https://hooks.slack.com/services/T0/B0/CANARY');
    expect(screen.getScreen()).not.toContain('CANARY'); // masked
    screen.keypress('enter');
    await at('Slack channel');
    screen.keypress('enter'); // #alerts
    await at('PagerDuty routing key');
    screen.type('env:PD_KEY');
    screen.keypress('enter');
    await at('Default route');
    screen.keypress('down'); // pagerduty
    screen.keypress('enter');
    await at('Which receivers get critical alerts');
    expect(screen.getScreen()).toMatch(/◯ slack[\s\S]*◉ pagerduty/); // PagerDuty pages for critical alerts
    screen.keypress('enter');
    await at('Which receivers get warnings');
    expect(screen.getScreen()).toMatch(/◉ slack[\s\S]*◯ pagerduty/);
    screen.keypress('space'); // slack off: it would get nothing (the default route is PagerDuty)
    screen.keypress('enter');
    await at('slack would get no alert: select it here');
    screen.keypress('space'); // slack back on
    screen.keypress('down');
    screen.keypress('space'); // pagerduty too
    screen.keypress('enter');
    await at('Grafana admin credentials');
    screen.keypress('enter'); // generate
    await at('Loki push URL');
    screen.keypress('enter');
    const r = await done;
    expect(r.answers.values.retention).toBe('45d');
    expect(r.answers.values).not.toHaveProperty('prometheusStorageSize'); // the ha preset's 100Gi, accepted: the preset keeps it

    expect(r.missing).toEqual([]);
    expect(r.environment).toBe('prod');
    expect(r.routeReceiver).toBe('pagerduty');
    expect(r.secretValues).toEqual({ 'slack-webhook-url': 'https://hooks.slack.com/services/T0/B0/CANARY' });
    const layer = flagsToLayer(r.answers);
    expect(layer).toMatchObject({
      kubeContext: 'prod-eu',
      namespace: 'monitoring',
      preset: 'ha',
      storageClass: 'standard',
      ingress: { className: 'nginx', hosts: { grafana: 'grafana.example.com' } },
      tls: { clusterIssuer: 'letsencrypt-prod', secretName: null },
    });
    expect(layer.alertmanager?.receivers).toEqual([
      { name: 'slack', type: 'slack', webhookUrl: `secret:${WIZARD_SECRET}/slack-webhook-url`, channel: '#alerts' },
      { name: 'pagerduty', type: 'pagerduty', routingKey: 'env:PD_KEY' },
    ]);
    expect(layer.alertmanager?.route).toEqual({ receiver: 'slack', critical: ['pagerduty'], warning: ['slack', 'pagerduty'] });
    expect(JSON.stringify(r.answers.values)).not.toContain('CANARY');
  });

  it('a bad host is refused at the prompt with the DNS rule, then a good one is taken', async () => {
    const done = askAnswers(deps(), interactive, 'dev');
    await acceptAll('Kube context', 'Namespace', 'Preset', 'StorageClass', 'Prometheus retention', 'Prometheus volume size', 'IngressClass');
    await answer('Ingress host for Prometheus', 'Prometheus_Host', 'enter');
    await shows('must be a DNS-1123 name');
    retype('Prometheus_Host', 'prom.example.com');
    await acceptAll('Ingress host for Grafana', 'Ingress host for Alertmanager');
    await answer('TLS for the ingress hosts', 'down', 'down', 'enter'); // none
    await answer('Alert receivers', 'enter'); // none
    await answer('Grafana admin credentials', 'down', 'enter'); // existing
    await answer('Secret name', 'grafana-admin', 'enter');
    await acceptAll('Loki push URL');
    const r = await done;
    expect(r.answers.values).toMatchObject({ prometheusHost: 'prom.example.com', tls: true, grafanaAdminSecret: 'grafana-admin' });
  });

  it('with the cluster unreachable, classes are free text and a typed secret must be a reference', async () => {
    const done = askAnswers(deps(null), interactive, 'dev');
    await acceptAll('Kube context', 'Namespace', 'Preset');
    await answer('StorageClass (cluster not reachable', 'gp3', 'enter');
    await acceptAll('Prometheus retention', 'Prometheus volume size', 'IngressClass (none found', 'Ingress host for Prometheus', 'Ingress host for Grafana', 'Ingress host for Alertmanager');
    await answer('Alert receivers', 'down', 'down', 'down', 'space', 'enter'); // webhook
    await answer('Webhook URL', 'https://hooks.example.com/x', 'enter');
    await shows('the cluster is not reachable');
    retype('https://hooks.example.com/x', 'env:WEBHOOK_URL');
    await acceptAll('Grafana admin credentials', 'Loki push URL');
    const r = await done;
    expect(r.facts).toBeNull();
    expect(r.secretValues).toEqual({});
    expect(r.answers.values).toMatchObject({ storageClass: 'gp3', webhookUrl: 'env:WEBHOOK_URL' });
  });
});

describe('a second run on an existing environment', () => {
  const pre: Prefill = {
    values: {
      kubeContext: 'prod-eu',
      namespace: 'obs',
      preset: 'ha',
      storageClass: 'fast-ssd',
      ingressClass: 'nginx',
      prometheusHost: 'p.example.com',
      grafanaHost: 'g.example.com',
      tlsIssuer: 'letsencrypt-staging',
      slackWebhookUrl: 'env:SLACK_URL',
      slackChannel: '#ops',
      emailTo: 'oncall@example.com',
      emailFrom: 'Alertmanager <am@example.com>',
      smtpSmarthost: 'smtp.example.com:587',
      criticalTo: 'email',
      warningTo: 'slack',
      grafanaAdminSecret: 'grafana-admin',
      lokiUrl: 'http://loki.logging:3100/loki/api/v1/push',
      retention: '30d',
    },
    receiverKinds: ['slack', 'email'],
    routeReceiver: 'email',
    receiversKept: false,
  };
  const again = { ...interactive, existing: (env: string) => (env === 'prod' ? pre : undefined) };

  it('pre-fills every question: Enter all the way keeps every answer', async () => {
    const done = askAnswers(deps(), again, 'prod');
    await at('Kube context');
    expect(screen.getScreen()).toContain('prod-eu');
    screen.keypress('enter');
    await answer('Namespace', 'enter');
    await answer('Preset', 'enter');
    await answer('StorageClass', 'enter');
    await answer('Prometheus retention', 'enter');
    await answer('Prometheus volume size', 'enter');
    await answer('IngressClass', 'enter');
    await at('Ingress host for Prometheus');
    expect(screen.getScreen()).toContain('p.example.com');
    screen.keypress('enter');
    await acceptAll('Ingress host for Grafana', 'Ingress host for Alertmanager', 'TLS for the ingress hosts', 'ClusterIssuer', 'Alert receivers');
    await answer('Slack webhook URL: keep env:SLACK_URL?', 'enter');
    await acceptAll('Slack channel', 'Send alert e-mails to', 'Send them from', 'SMTP smarthost', 'SMTP username', 'Default route', 'Which receivers get critical alerts', 'Which receivers get warnings', 'Grafana admin credentials', 'Secret name', 'Loki push URL');
    const r = await done;
    expect(r.answers.values).toEqual(pre.values);
    expect(r.routeReceiver).toBe('email');
    expect(r.secretValues).toEqual({});
  });

  it('a changed answer replaces the old one; an emptied host is removed', async () => {
    const done = askAnswers(deps(), again, 'prod');
    await acceptAll('Kube context', 'Namespace', 'Preset', 'StorageClass', 'Prometheus retention', 'Prometheus volume size', 'IngressClass');
    await answer('Ingress host for Prometheus', ...Array(13).fill('backspace'), 'enter'); // emptied
    await acceptAll('Ingress host for Grafana', 'Ingress host for Alertmanager', 'TLS for the ingress hosts', 'ClusterIssuer');
    await answer('Alert receivers', 'space', 'enter'); // Slack off, e-mail stays
    await acceptAll('Send alert e-mails to', 'Send them from', 'SMTP smarthost', 'SMTP username', 'Grafana admin credentials', 'Secret name', 'Loki push URL');
    const r = await done;
    expect(r.answers.values).not.toHaveProperty('prometheusHost');
    expect(r.answers.values).not.toHaveProperty('slackWebhookUrl');
    expect(r.answers.values).toMatchObject({ grafanaHost: 'g.example.com', emailTo: 'oncall@example.com', retention: '30d' });
  });

  it('receivers that do not fit the questions are kept and not asked about', async () => {
    const kept = { ...again, existing: () => ({ ...pre, values: { namespace: 'obs' }, receiverKinds: [], receiversKept: true }) };
    const done = askAnswers(deps(), kept, 'prod');
    await acceptAll('Kube context', 'Namespace', 'Preset', 'StorageClass', 'Prometheus retention', 'Prometheus volume size', 'IngressClass', 'Ingress host for Prometheus', 'Ingress host for Grafana', 'Ingress host for Alertmanager');
    await answer('Grafana admin credentials', 'enter');
    await acceptAll('Loki push URL');
    const r = await done;
    expect(r.receiversKept).toBe(true);
  });
});

describe('answers that conflict', () => {
  it('a host already given to another component is refused at its prompt', async () => {
    const done = askAnswers(deps(), interactive, 'dev');
    await acceptAll('Kube context', 'Namespace', 'Preset', 'StorageClass', 'Prometheus retention', 'Prometheus volume size', 'IngressClass');
    await answer('Ingress host for Prometheus', 'a.example.com', 'enter');
    await answer('Ingress host for Grafana', 'a.example.com', 'enter');
    await shows('a.example.com is already the Prometheus host: each component needs its own host (e.g. grafana.example.com)');
    retype('a.example.com', 'g.example.com');
    await acceptAll('Ingress host for Alertmanager');
    await answer('TLS for the ingress hosts', 'down', 'down', 'enter');
    await acceptAll('Alert receivers', 'Grafana admin credentials', 'Loki push URL');
    const r = await done;
    expect(r.answers.values).toMatchObject({ prometheusHost: 'a.example.com', grafanaHost: 'g.example.com' });
  });
});

describe('without prompts', () => {
  it('--non-interactive lists every missing answer at once', async () => {
    const r = await askAnswers(deps({ ...facts, storageClasses: [] }), { flags: { values: { grafanaHost: 'g.example.com' }, given: new Set(['grafanaHost']) }, yes: false, interactive: false }, undefined);
    expect(r.missing).toEqual(['--env', '--storage-class', 'one of --tls-issuer <ClusterIssuer>, --tls-secret <Secret>, --no-tls']);
  });
  it('--yes takes the defaults and asks nothing', async () => {
    const r = await askAnswers(deps(), { flags: noFlags, yes: true, interactive: true }, undefined);
    expect(r.missing).toEqual([]);
    expect(r.environment).toBe('dev');
    expect(r.answers.values).toEqual({ kubeContext: 'kind-dev', namespace: 'monitoring', preset: 'standard' });
  });
  it('flags win over prompts: nothing is asked for a flagged answer', async () => {
    const given = { kubeContext: 'prod-eu', namespace: 'obs', preset: 'minimal', ingressClass: 'nginx', prometheusHost: 'p.example.com', grafanaHost: 'g.example.com', alertmanagerHost: 'a.example.com', tls: false, webhookUrl: 'env:W', grafanaAdminSecret: 'ga', lokiUrl: 'http://loki:3100/loki/api/v1/push', retention: '2d' };
    const r = await askAnswers(deps(), { flags: { values: given, given: new Set(Object.keys(given)) }, yes: false, interactive: true }, 'qa');
    expect(r.missing).toEqual([]);
    expect(r.answers.values).toMatchObject({ kubeContext: 'prod-eu', namespace: 'obs', preset: 'minimal', webhookUrl: 'env:W', tls: true, retention: '2d' });
    expect(r.answers.values).not.toHaveProperty('prometheusStorageSize'); // minimal has no volume to size
  });
  const refusal = async (values: Record<string, string>, f: ClusterFacts | null = facts) => {
    try {
      await askAnswers(deps(f), { flags: { values, given: new Set(Object.keys(values)) }, yes: false, interactive: false }, 'dev');
    } catch (err) {
      return [(err as Error).message, ...((err as { hints?: string[] }).hints ?? [])];
    }
    return [];
  };
  it('refuses a kube context the kubeconfig does not have, listing its contexts', async () => {
    expect(await refusal({ kubeContext: 'does-not-exist' })).toEqual(['--kube-context "does-not-exist" is not a context of the kubeconfig.', 'Contexts: kind-dev, prod-eu.', 'Nothing was written.']);
  });
  it('refuses classes and issuers the readable cluster does not have, all at once', async () => {
    expect(await refusal({ storageClass: 'gp3', ingressClass: 'traefik', tlsIssuer: 'le', grafanaHost: 'g.example.com' })).toEqual([
      'answers the cluster does not have:',
      '- --storage-class "gp3": the cluster of context kind-dev has no such StorageClass. Available: fast-ssd, standard (default).',
      '- --ingress-class "traefik": the cluster of context kind-dev has no such IngressClass. Available: nginx (default).',
      '- --tls-issuer "le": the cluster of context kind-dev has no such ClusterIssuer. Available: letsencrypt-prod, letsencrypt-staging.',
      'Nothing was written.',
    ]);
    expect(await refusal({ tlsIssuer: 'le', grafanaHost: 'g.example.com', storageClass: 'standard' }, { ...facts, clusterIssuers: null })).toEqual([
      '--tls-issuer "le": cert-manager is not installed in the cluster of context kind-dev (no ClusterIssuer kind). Use --tls-secret or --no-tls, or install cert-manager first.',
      'Nothing was written.',
    ]);
    expect(await refusal({ ingressClass: 'nginx', storageClass: 'fast-ssd', tlsIssuer: 'letsencrypt-prod', grafanaHost: 'g.example.com' })).toEqual([]);
  });
  it('an unreadable cluster takes the answers as given', async () => {
    expect(await refusal({ storageClass: 'gp3', ingressClass: 'traefik', tlsIssuer: 'le', grafanaHost: 'g.example.com' }, null)).toEqual([]);
  });
});

describe('generated answers (fast-check, fixed seed)', () => {
  // What a prompt accepts is exactly what the flags and the config accept: a typed host either
  // shows the rule at the prompt, or is taken and passes checkDnsSubdomain.
  const hosts = fc.sample(
    fc.oneof(fc.domain(), fc.webUrl(), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)), fc.constantFrom(' ', 'P.example.com', 'p.example.com:443', 'https://p.example.com', 'a..b'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 })),
    { seed: 20261122, numRuns: 30 },
  );
  it.each(hosts.map((h) => [h]))('host %j: refused at the prompt, or taken and valid', async (typedHost) => {
    const done = askAnswers(deps(), interactive, 'dev');
    await acceptAll('Kube context', 'Namespace', 'Preset', 'StorageClass', 'Prometheus retention', 'Prometheus volume size', 'IngressClass');
    await answer('Ingress host for Prometheus', typedHost, 'enter');
    // The screen is read, not waited on: the next prompt, or the rule under this one.
    for (let i = 0; i < 100 && !/Ingress host for Grafana|> /.test(screen.getScreen()); i++) await new Promise((r) => setTimeout(r, 20));
    const refused = !screen.getScreen().includes('Ingress host for Grafana');
    if (refused) {
      retype(typedHost, 'p.example.com');
      await at('Ingress host for Grafana');
    }
    screen.keypress('enter');
    await acceptAll('Ingress host for Alertmanager');
    if (refused || typedHost.trim() !== '') await answer('TLS for the ingress hosts', 'down', 'down', 'enter'); // asked when there is a host
    await acceptAll('Alert receivers', 'Grafana admin credentials', 'Loki push URL');
    const r = await done;
    const taken = r.answers.values.prometheusHost as string;
    if (refused) expect(taken).toBe('p.example.com');
    else if (typedHost.trim() === '') expect(taken).toBeUndefined(); // empty means no ingress
    else expect(taken).toBe(typedHost.trim());
    // The prompt refuses exactly what the flag and the config refuse.
    if (typedHost.trim() !== '') expect(checkDnsSubdomain(typedHost.trim()) !== undefined).toBe(refused);
  });
});

describe('generated namespaces (fast-check, fixed seed)', () => {
  const names = fc.sample(
    fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,70}$/), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''), fc.constantFrom('Monitoring', 'mon.itoring', 'a'.repeat(63), 'a'.repeat(64), '-a', 'a-')),
    { seed: 20261122, numRuns: 30 },
  );
  it.each(names.map((n) => [n]))('namespace %j: refused at the prompt exactly when the flag refuses it', async (typed) => {
    const done = askAnswers(deps(), interactive, 'dev');
    await acceptAll('Kube context');
    await answer('Namespace', typed, 'enter');
    for (let i = 0; i < 100 && !/\? Preset|> /.test(screen.getScreen()); i++) await new Promise((r) => setTimeout(r, 20));
    const refused = !screen.getScreen().includes('Preset');
    if (refused) {
      retype(typed, 'monitoring');
      await at('Preset');
    }
    screen.keypress('enter');
    await acceptAll('StorageClass', 'Prometheus retention', 'Prometheus volume size', 'IngressClass', 'Ingress host for Prometheus', 'Ingress host for Grafana', 'Ingress host for Alertmanager', 'Alert receivers', 'Grafana admin credentials', 'Loki push URL');
    const r = await done;
    expect(checkDnsLabel(typed.trim()) !== undefined).toBe(refused);
    expect(r.answers.values.namespace).toBe(refused ? 'monitoring' : typed.trim());
  });
});
