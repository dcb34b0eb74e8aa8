/** The flag table: exact public names, and their mapping to a settings layer. */
import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { checkFlagValues, flagsToLayer, SETTING_FLAGS } from '../../src/config/flags.js';
import { buildProgram } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';

const flags = (values: Record<string, unknown>) => ({ values, given: new Set(Object.keys(values)) });

describe('flag names', () => {
  it('init has exactly the documented flags (scripts and CI depend on them)', () => {
    const init = buildProgram().commands.find((c) => c.name() === 'init')!;
    const names = [...init.options.map((o) => o.long), ...buildProgram().options.map((o) => o.long)].filter((n) => n !== '--version' && n !== '--debug');
    expect(names.sort()).toEqual(
      [
        '--kube-context', '--namespace', '--env', '--preset', '--storage-class', '--ingress-class', '--prometheus-host', '--grafana-host',
        '--alertmanager-host', '--tls-issuer', '--tls-secret', '--no-tls', '--slack-webhook-url', '--slack-channel', '--email-to',
        '--email-from', '--smtp-smarthost', '--smtp-username', '--smtp-password', '--pagerduty-routing-key', '--webhook-url',
        '--critical-to', '--warning-to', '--deadmans-switch-url', '--grafana-admin-secret', '--loki-url', '--retention', '--prometheus-storage-size', '--config', '--yes', '--non-interactive', '--dry-run',
      ].sort(),
    );
  });
});

describe('flagsToLayer', () => {
  it('maps every setting flag to its settings key', () => {
    const layer = flagsToLayer(
      flags({
        kubeContext: 'prod-eu', namespace: 'obs', preset: 'ha', storageClass: 'fast', ingressClass: 'nginx',
        prometheusHost: 'p.example.com', grafanaHost: 'g.example.com', alertmanagerHost: 'a.example.com', tlsIssuer: 'le',
        slackWebhookUrl: 'env:S', slackChannel: '#a', emailTo: 'to@example.com', emailFrom: 'from@example.com',
        smtpSmarthost: 'smtp.example.com:587', smtpUsername: 'u', smtpPassword: 'file:/p', pagerdutyRoutingKey: 'secret:pd/key',
        webhookUrl: 'env:W', grafanaAdminSecret: 'gadmin', lokiUrl: 'http://loki/loki/api/v1/push', retention: '30d', prometheusStorageSize: '100Gi',
      }),
    );
    expect(layer).toEqual({
      kubeContext: 'prod-eu',
      namespace: 'obs',
      preset: 'ha',
      storageClass: 'fast',
      ingress: { className: 'nginx', hosts: { prometheus: 'p.example.com', grafana: 'g.example.com', alertmanager: 'a.example.com' } },
      tls: { clusterIssuer: 'le', secretName: null },
      alertmanager: {
        receivers: [
          { name: 'slack', type: 'slack', webhookUrl: 'env:S', channel: '#a' },
          { name: 'email', type: 'email', to: 'to@example.com', from: 'from@example.com', smarthost: 'smtp.example.com:587', username: 'u', password: 'file:/p' },
          { name: 'pagerduty', type: 'pagerduty', routingKey: 'secret:pd/key' },
          { name: 'webhook', type: 'webhook', url: 'env:W' },
        ],
        route: { receiver: 'slack' },
      },
      grafana: { adminSecret: 'gadmin' },
      loki: { url: 'http://loki/loki/api/v1/push' },
      prometheus: { retention: '30d', storageSize: '100Gi', persistence: true },
    });
  });

  it('--no-tls and --tls-secret clear the other TLS source', () => {
    expect(flagsToLayer(flags({ tls: false })).tls).toEqual({ clusterIssuer: null, secretName: null });
    expect(flagsToLayer(flags({ tlsSecret: 'wild' })).tls).toEqual({ clusterIssuer: null, secretName: 'wild' });
  });

  it('an incomplete receiver is an error naming the missing flags', () => {
    expect(() => flagsToLayer(flags({ emailTo: 'a@example.com' }))).toThrow('the e-mail receiver also needs --email-from, --smtp-smarthost.');
    expect(() => flagsToLayer(flags({ slackChannel: '#a' }))).toThrow('--slack-channel needs --slack-webhook-url.');
  });

  it('no flags, empty layer: not even keys set to undefined', () => {
    expect(flagsToLayer(flags({}))).toEqual({});
    expect(Object.keys(flagsToLayer(flags({})))).toEqual([]);
  });

  it("each flag's attribute is the one commander sets, so a given flag is seen as given", () => {
    for (const f of SETTING_FLAGS) expect(new Option(f.flags, '').attributeName(), f.flags).toBe(f.attr);
  });

  it('a value commander filled in as a default (not given) is ignored', () => {
    const values = { kubeContext: 'c', namespace: 'n', preset: 'ha', storageClass: 's', ingressClass: 'i', grafanaHost: 'g.example.com', tlsIssuer: 'le', webhookUrl: 'env:W', lokiUrl: 'http://l', retention: '1d', prometheusStorageSize: '1Gi', grafanaAdminSecret: 'a' };
    expect(flagsToLayer({ values, given: new Set() })).toEqual({});
  });

  it('each flag alone sets only its own keys', () => {
    const only = (values: Record<string, unknown>) => JSON.parse(JSON.stringify(flagsToLayer(flags(values))));
    expect(only({ grafanaHost: 'g.example.com' })).toEqual({ ingress: { hosts: { grafana: 'g.example.com' } } });
    expect(only({ ingressClass: 'nginx' })).toEqual({ ingress: { className: 'nginx', hosts: {} } });
    expect(only({ retention: '30d' })).toEqual({ prometheus: { retention: '30d' } });
    expect(only({ prometheusStorageSize: '20Gi' })).toEqual({ prometheus: { storageSize: '20Gi', persistence: true } });
    expect(only({ slackWebhookUrl: 'env:S' })).toEqual({ alertmanager: { receivers: [{ name: 'slack', type: 'slack', webhookUrl: 'env:S' }], route: { receiver: 'slack' } } });
    expect(only({ webhookUrl: 'env:W', pagerdutyRoutingKey: 'env:P' })).toEqual({
      alertmanager: { receivers: [{ name: 'pagerduty', type: 'pagerduty', routingKey: 'env:P' }, { name: 'webhook', type: 'webhook', url: 'env:W' }], route: { receiver: 'pagerduty' } },
    });
    expect(only({ emailTo: 't@example.com', emailFrom: 'f@example.com', smtpSmarthost: 'smtp:25' }).alertmanager.receivers).toEqual([{ name: 'email', type: 'email', to: 't@example.com', from: 'f@example.com', smarthost: 'smtp:25' }]);
  });

  it('any one e-mail flag asks for the rest; a password needs a username; problems of two receivers are said together', () => {
    const problem = (values: Record<string, unknown>) => {
      try {
        flagsToLayer(flags(values));
      } catch (err) {
        return (err as UsageError).message;
      }
      return 'no error';
    };
    expect(problem({ emailFrom: 'f@example.com' })).toBe('the e-mail receiver also needs --email-to, --smtp-smarthost.');
    expect(problem({ smtpSmarthost: 'smtp:25' })).toBe('the e-mail receiver also needs --email-to, --email-from.');
    expect(problem({ smtpUsername: 'u' })).toBe('the e-mail receiver also needs --email-to, --email-from, --smtp-smarthost.');
    expect(problem({ smtpPassword: 'env:P' })).toBe('the e-mail receiver also needs --email-to, --email-from, --smtp-smarthost, --smtp-username.');
    expect(problem({ emailTo: 't@example.com', emailFrom: 'f@example.com', smtpSmarthost: 'smtp:25', smtpPassword: 'env:P' })).toBe('the e-mail receiver also needs --smtp-username.');
    expect(problem({ slackChannel: '#a', emailTo: 't@example.com' })).toBe('--slack-channel needs --slack-webhook-url. the e-mail receiver also needs --email-from, --smtp-smarthost.');
  });
});

describe('checkFlagValues', () => {
  it('lists every bad flag at once, and never echoes a secret flag value', () => {
    try {
      checkFlagValues(flags({ grafanaHost: 'Bad_Host', retention: '15 days', slackWebhookUrl: 'https://hooks.example.com/SECRET123' }));
      expect.unreachable();
    } catch (err) {
      const e = err as UsageError;
      expect(e.message).toBe('invalid flags:');
      expect(e.hints).toHaveLength(3);
      expect(e.hints[0]).toMatch(/^- --grafana-host "Bad_Host": must be a DNS-1123 name/);
      expect(e.hints.join('\n')).not.toContain('SECRET123');
    }
  });
  it('one bad flag is the message itself; a secret flag is named without its value; unchecked flags and non-text values pass', () => {
    const one = (values: Record<string, unknown>) => {
      try {
        checkFlagValues(flags(values));
      } catch (err) {
        return [(err as UsageError).message, (err as UsageError).hints];
      }
      return 'ok';
    };
    expect(one({ namespace: 'Bad' })).toEqual(['--namespace "Bad": must be lowercase: bad', []]);
    expect(one({ namespace: 'b_d' })).toEqual(['--namespace "b_d": must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. monitoring)', []]);
    // each name flag gives an example of its own kind
    expect(one({ storageClass: 'a_b' })[0]).toMatch(/\(e\.g\. fast-ssd\)$/);
    expect(one({ ingressClass: 'a_b' })[0]).toMatch(/\(e\.g\. nginx\)$/);
    expect(one({ tlsIssuer: 'a_b' })[0]).toMatch(/\(e\.g\. letsencrypt-prod\)$/);
    expect(one({ alertmanagerHost: 'a_b' })[0]).toMatch(/\(e\.g\. alertmanager\.example\.com\)$/);
    expect(one({ preset: 'large' })).toEqual(['--preset "large": must be one of: minimal, standard, ha', []]);
    expect(one({ webhookUrl: 'https://hooks.example.com/SECRET' })[0]).toMatch(/^--webhook-url takes a reference, not a literal value/);
    expect(one({ kubeContext: 'Any_Context!', smtpUsername: 'Any User', tls: false })).toBe('ok');
    expect(one({ namespace: 7.5 })).toBe('ok');
    // Every flag taking a reference hides what was typed: it may be the secret itself.
    for (const attr of ['slackWebhookUrl', 'smtpPassword', 'pagerdutyRoutingKey', 'webhookUrl']) {
      const [message] = one({ [attr]: 'TYPED-SECRET-VALUE' }) as [string];
      expect(message, attr).toMatch(/takes a reference, not a literal value/);
      expect(message, attr).not.toContain('TYPED-SECRET-VALUE');
    }
    expect(one({ tls: false, tlsSecret: 'b' })).toEqual(['--no-tls cannot be combined with --tls-issuer or --tls-secret.', []]);
    expect(one({ preset: 'minimal' })).toBe('ok');
    expect(one({ tlsIssuer: 'a' })).toBe('ok');
  });
  it('refuses two TLS sources', () => {
    expect(() => checkFlagValues(flags({ tlsIssuer: 'a', tlsSecret: 'b' }))).toThrow(/give one/);
    expect(() => checkFlagValues(flags({ tls: false, tlsIssuer: 'a' }))).toThrow(/--no-tls cannot be combined/);
  });
});
