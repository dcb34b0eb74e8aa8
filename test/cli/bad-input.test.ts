/**
 * Bad input, through the built bin: each case exits 2 with its message, prints no stack trace,
 * makes no helm call (the helm on offer is a recorder that fails if run), and writes nothing.
 */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedCalls, runCli, tempDir, writeHelmRecorder } from '../support/run.js';

const BASE_CONFIG = `charts:
  prometheus: {source: "http://127.0.0.1:9/charts"}
environments:
  dev:
    storageClass: standard
    alertmanager:
      receivers:
        - {name: slack, type: slack, webhookUrl: "env:MS_TEST_UNSET_SLACK_URL"}
`;

const INIT = ['init', '--non-interactive', '--env', 'dev', '--storage-class', 'standard'];
const SECRET = 'hooks.slack.com/services/T0000/B0000/SECRETSECRETSECRET';

interface Case {
  name: string;
  args: string[];
  /** Config file text; BASE_CONFIG when absent, no file when null. */
  config?: string | null;
  message: RegExp;
  env?: Record<string, string>;
  /** Prepares the case's folder (after the config is written): odd files, modes, links. */
  setup?: (dir: string) => void;
  /** Run as an unprivileged user (nobody when the tests run as root), to meet permission errors. */
  unprivileged?: boolean;
}

const aliasBomb = (): string => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1, prev = 'a'; i < 9; i++, prev = `b${i - 1}`) lines.push(`b${i}: &b${i} [${Array(10).fill(`*${prev}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
};
/** Bytes of a binary file; the test asserts none of its printable run ("BINARYRUN") is echoed. */
const BINARY = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]), Buffer.from('BINARYRUN'), Buffer.from([0xff, 0xfe, 0x00])]);
const write = (name: string, data: string | Buffer, mode?: number) => (dir: string) => {
  writeFileSync(join(dir, name), data);
  if (mode !== undefined) chmodSync(join(dir, name), mode);
};
/** A kubeconfig with contexts dev and prod, whose API server (port 1) never answers. */
const KUBECONFIG_TWO_CONTEXTS = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: dev, context: {cluster: c, user: u}}, {name: prod, context: {cluster: c, user: u}}]
current-context: dev
`;
const FILE_ERROR_CASES: Case[] = [
  { name: '--config is a folder', args: ['render', '--env', 'dev', '--config', 'conf'], setup: (d) => mkdirSync(join(d, 'conf')), message: /error: conf is a folder, not a file\.\n\s+Fix: give the path of a file, e\.g\. conf\/monitor-stack\.yaml\./ },
  { name: '--config through a file', args: ['render', '--env', 'dev', '--config', 'monitor-stack.yaml/x.yaml'], message: /monitor-stack\.yaml\/x\.yaml cannot be read: a part of its path is a file, not a folder/ },
  { name: '--config that does not exist', args: ['render', '--env', 'dev', '--config', 'prod.yaml'], message: /no config file at prod\.yaml\.\n\s+Fix: run `monitor-stack init` to write one, or pass --config <path>\./ },
  { name: 'config that is binary', args: ['render', '--env', 'dev', '--config', 'bin.yaml'], setup: write('bin.yaml', BINARY), message: /bin\.yaml is a binary file, not text \(a NUL byte at byte 7\)\./ },
  { name: 'config in Latin-1', args: ['render', '--env', 'dev'], setup: write('monitor-stack.yaml', Buffer.from('environments:\n  dev:\n    namespace: caf\xe9\n', 'latin1')), message: /monitor-stack\.yaml is not UTF-8 text \(an invalid byte at byte 40, line 3\)\.\n\s+Fix: save it as UTF-8/ },
  { name: 'config that is an alias bomb', args: ['render', '--env', 'dev'], config: aliasBomb(), message: /monitor-stack\.yaml uses YAML aliases \(\*name\) that expand too far: more than 100 uses/ },
  { name: 'config nested 5000 deep', args: ['render', '--env', 'dev'], config: `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, message: /monitor-stack\.yaml(:1)?: nested more than 64 levels deep; its own keys need at most 6 and chart values \(charts\.<chart>\.values\) seldom more than 12\./ },
  { name: 'config nested 70 deep in maps', args: ['render', '--env', 'dev'], config: `${Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`, message: /monitor-stack\.yaml:65: nested more than 64 levels deep/ },
  { name: 'config of 2 MiB', args: ['render', '--env', 'dev'], config: `# ${'x'.repeat(2 * 1024 * 1024)}\n`, message: /monitor-stack\.yaml is larger than 1 MiB, the limit for this file\./ },
  { name: 'config with 60 unknown keys: 20 listed', args: ['render', '--env', 'dev'], config: Array.from({ length: 60 }, (_, i) => `key${i}: 1`).join('\n'), message: /monitor-stack\.yaml has 60 errors:\n(.*\n){20}\s+… and 40 more \(fix these first\)\.$/ },
  { name: 'config that is a symbolic link loop', args: ['render', '--env', 'dev', '--config', 'a.yaml'], setup: (d) => { symlinkSync(join(d, 'b.yaml'), join(d, 'a.yaml')); symlinkSync(join(d, 'a.yaml'), join(d, 'b.yaml')); }, message: /a\.yaml cannot be read: its symbolic links form a loop/ },
  { name: 'config the user cannot read', args: ['render', '--env', 'dev'], setup: (d) => chmodSync(join(d, 'monitor-stack.yaml'), 0o000), unprivileged: true, message: /monitor-stack\.yaml cannot be read: permission denied\.\n\s+Fix: give your user read access \(chmod u\+r monitor-stack\.yaml\)/ },
  { name: 'YAML error with a control character, escaped', args: ['render', '--env', 'dev'], config: 'environments:\n  dev: [\u001b[31m\n', message: /monitor-stack\.yaml is not valid YAML\./ },
  // init: the file it will write is checked before the first question
  { name: 'init on a read-only config', args: [...INIT], setup: (d) => chmodSync(join(d, 'monitor-stack.yaml'), 0o444), message: /monitor-stack\.yaml is read-only \(mode 0444\); it was left as it is\.\n\s+Fix: make it writable \(chmod u\+w monitor-stack\.yaml\)/ },
  { name: 'init into a folder the user cannot write', args: [...INIT, '--config', 'ro/monitor-stack.yaml'], setup: (d) => { mkdirSync(join(d, 'ro')); chmodSync(join(d, 'ro'), 0o555); }, unprivileged: true, message: /ro\/monitor-stack\.yaml cannot be written: permission denied in .*\/ro\.\n\s+Fix: run where you can write, or give another path with --config\. Nothing was written\./ },
  { name: 'init with --config a folder', args: [...INIT, '--config', 'conf'], config: null, setup: (d) => mkdirSync(join(d, 'conf')), message: /conf is a folder, not a file\./ },
  { name: 'init with --config under a file', args: [...INIT, '--config', 'monitor-stack.yaml/sub/x.yaml'], message: /monitor-stack\.yaml\/sub\/x\.yaml cannot be written: a part of its path is a file, not a folder\./ },
  { name: 'init on a symbolic link loop', args: [...INIT, '--config', 'a.yaml'], setup: (d) => { symlinkSync(join(d, 'b.yaml'), join(d, 'a.yaml')); symlinkSync(join(d, 'a.yaml'), join(d, 'b.yaml')); }, message: /a\.yaml cannot be written: its symbolic links form a loop\./ },
  { name: 'init on a binary config', args: [...INIT], setup: write('monitor-stack.yaml', BINARY), message: /monitor-stack\.yaml is a binary file, not text/ },
  // saved plans and outputs
  { name: '--plan that does not exist', args: ['upgrade', '--env', 'dev', '--plan', 'p.json'], message: /--plan p\.json does not exist\.\n\s+Fix: give a file written by monitor-stack upgrade --plan-out\./ },
  { name: '--plan that is a folder', args: ['upgrade', '--env', 'dev', '--plan', 'plans'], setup: (d) => mkdirSync(join(d, 'plans')), message: /--plan plans is a folder, not a file\./ },
  { name: '--plan that is binary', args: ['upgrade', '--env', 'dev', '--plan', 'p.json'], setup: write('p.json', BINARY), message: /--plan p\.json is a binary file, not text/ },
  { name: '--plan of 2 MiB', args: ['upgrade', '--env', 'dev', '--plan', 'p.json'], setup: write('p.json', `"${'x'.repeat(2 * 1024 * 1024)}"`), message: /--plan p\.json is larger than 1 MiB/ },
  { name: '--plan that is not JSON', args: ['upgrade', '--env', 'dev', '--plan', 'p.json'], setup: write('p.json', 'plan: yes\n'), message: /--plan p\.json: it is not JSON\./ },
  { name: '--plan-out onto a read-only file', args: ['upgrade', '--env', 'dev', '--plan-out', 'p.json'], setup: write('p.json', '{}', 0o444), message: /--plan-out p\.json is read-only \(mode 0444\); it was left as it is\./ },
  { name: '--plan-out onto a folder', args: ['upgrade', '--env', 'dev', '--plan-out', 'plans'], setup: (d) => mkdirSync(join(d, 'plans')), message: /--plan-out plans is a folder, not a file\./ },
  { name: '--plan-out under a file', args: ['upgrade', '--env', 'dev', '--plan-out', 'monitor-stack.yaml/p.json'], message: /--plan-out monitor-stack\.yaml\/p\.json cannot be written: a part of its path is a file/ },
  { name: 'render --out through a file', args: ['render', '--env', 'dev', '--out', 'monitor-stack.yaml'], message: /monitor-stack\.yaml\/dev\/prometheus\.values\.yaml cannot be written: a part of its path is a file/ },
  { name: 'render onto a read-only overlay', args: ['render', '--env', 'dev'], setup: (d) => { mkdirSync(join(d, 'out', 'dev'), { recursive: true }); writeFileSync(join(d, 'out', 'dev', 'grafana.values.yaml'), 'old'); chmodSync(join(d, 'out', 'dev', 'grafana.values.yaml'), 0o444); }, message: /out\/dev\/grafana\.values\.yaml is read-only/ },
];

const cfg = (extra: string) => `${BASE_CONFIG}${extra}`;
const envCfg = (env: string) => `environments:\n  dev:\n${env.replace(/^/gm, '    ')}\n`;
/** An environment with remote writes: `entries` are list items, the first without its dash. */
const rwCfg = (entries: string) => envCfg(`prometheus:\n  remoteWrite:\n    - ${entries}`);

const CASES: Case[] = [
  // init: hosts and names
  { name: 'host with an underscore', args: [...INIT, '--grafana-host', 'Bad_Host'], message: /--grafana-host "Bad_Host": must be a DNS-1123 name/ },
  { name: 'host with an empty label', args: [...INIT, '--prometheus-host', 'a..example.com'], message: /--prometheus-host "a\.\.example\.com": must not have an empty label: no dot at either end, no "\.\." \(e\.g\. prometheus\.example\.com\)/ },
  { name: 'host starting with a dash', args: [...INIT, '--alertmanager-host', '-am.example.com'], message: /--alertmanager-host "-am\.example\.com": must be a DNS-1123/ },
  { name: 'host longer than 253', args: [...INIT, '--grafana-host', `${'a'.repeat(60)}.`.repeat(5) + 'com'], message: /at most 253 characters/ },
  { name: 'host with a label over 63', args: [...INIT, '--grafana-host', `${'a'.repeat(64)}.example.com`], message: /--grafana-host "a{64}\.example\.com": each label between dots must be at most 63 characters \(DNS-1123\); "a{12}…" has 64/ },
  { name: 'host with a scheme', args: [...INIT, '--grafana-host', 'https://grafana.example.com'], message: /--grafana-host "https:\/\/grafana\.example\.com": must be a name without a scheme: drop "https:\/\/" \(e\.g\. grafana\.example\.com\)/ },
  { name: 'namespace in capitals', args: [...INIT, '--namespace', 'Monitoring'], message: /--namespace "Monitoring": must be lowercase: monitoring/ },
  { name: 'namespace with a dot', args: [...INIT, '--namespace', 'mon.itoring'], message: /--namespace "mon\.itoring": must be a single label, without dots \(e\.g\. monitoring\)/ },
  { name: 'sender without angle brackets', args: [...INIT, '--email-to', 'a@example.com', '--email-from', 'Alertmanager am@example.com', '--smtp-smarthost', 'smtp.example.com:25'], message: /--email-from "Alertmanager am@example\.com": must be an e-mail address such as alerts@example\.com, or with a display name: Alertmanager <alerts@example\.com>/ },
  { name: 'StorageClass with an underscore', args: [...INIT, '--storage-class', 'Fast_SSD'], message: /--storage-class "Fast_SSD": must be a DNS-1123 name/ },
  { name: 'IngressClass in capitals', args: [...INIT, '--ingress-class', 'NGINX'], message: /--ingress-class "NGINX": must be lowercase: nginx/ },
  { name: 'ClusterIssuer with a bang', args: [...INIT, '--tls-issuer', 'letsencrypt!'], message: /--tls-issuer "letsencrypt!": must be a DNS-1123/ },
  { name: 'TLS Secret with a space', args: [...INIT, '--tls-secret', 'my cert'], message: /--tls-secret "my cert": must be a DNS-1123/ },
  { name: 'Grafana admin Secret in capitals', args: [...INIT, '--grafana-admin-secret', 'Grafana'], message: /--grafana-admin-secret "Grafana": must be lowercase: grafana/ },
  { name: 'two TLS sources', args: [...INIT, '--tls-issuer', 'le', '--tls-secret', 'wild'], message: /--tls-issuer and --tls-secret are two ways/ },
  { name: '--no-tls with an issuer', args: [...INIT, '--no-tls', '--tls-issuer', 'le'], message: /--no-tls cannot be combined/ },
  { name: 'unknown preset', args: [...INIT, '--preset', 'huge'], message: /--preset "huge": must be one of: minimal, standard, ha/ },
  { name: 'environment in capitals', args: ['init', '--non-interactive', '--env', 'Prod', '--storage-class', 'standard'], message: /--env "Prod": must be lowercase: prod\./ },
  { name: 'environment with an underscore', args: ['init', '--non-interactive', '--env', 'pre_prod', '--storage-class', 'standard'], message: /--env "pre_prod"/ },
  // init: answers the kubeconfig does not have (its API server is unreachable: only the file is read)
  { name: 'kube context not in the kubeconfig', args: [...INIT, '--kube-context', 'does-not-exist'], env: { KUBECONFIG: 'kubeconfig' }, setup: write('kubeconfig', KUBECONFIG_TWO_CONTEXTS), message: /--kube-context "does-not-exist" is not a context of the kubeconfig\.\n\s+Contexts: dev, prod\.\n\s+Nothing was written\./ },
  // init: literal secrets and bad references
  { name: 'literal Slack webhook URL', args: [...INIT, '--slack-webhook-url', `https://${SECRET}`], message: /--slack-webhook-url takes a reference, not a literal value.*env:NAME, file:PATH, secret:NAME\/KEY/ },
  { name: 'literal SMTP password', args: [...INIT, '--email-to', 'a@example.com', '--email-from', 'b@example.com', '--smtp-smarthost', 'smtp.example.com:587', '--smtp-username', 'u', '--smtp-password', 'SECRETSECRETSECRET'], message: /--smtp-password takes a reference/ },
  { name: 'literal PagerDuty key', args: [...INIT, '--pagerduty-routing-key', 'R0SECRETSECRETSECRET'], message: /--pagerduty-routing-key takes a reference/ },
  { name: 'literal webhook URL', args: [...INIT, '--webhook-url', `http://${SECRET}`], message: /--webhook-url takes a reference/ },
  { name: 'env: without a name', args: [...INIT, '--slack-webhook-url', 'env:'], message: /env: must be followed by a variable name/ },
  { name: 'env: with a bad name', args: [...INIT, '--slack-webhook-url', 'env:1SLACK'], message: /env: must be followed by a variable name/ },
  { name: 'file: without a path', args: [...INIT, '--webhook-url', 'file:'], message: /file: must be followed by a path/ },
  { name: 'secret: without a key', args: [...INIT, '--pagerduty-routing-key', 'secret:pd'], message: /secret: must be followed by NAME\/KEY/ },
  { name: 'secret: with a bad Secret name', args: [...INIT, '--pagerduty-routing-key', 'secret:PD_Keys/key'], message: /secret: must be followed by NAME\/KEY/ },
  // init: receivers
  { name: 'Slack channel without #', args: [...INIT, '--slack-webhook-url', 'env:S', '--slack-channel', 'alerts'], message: /--slack-channel "alerts": must be a Slack channel/ },
  { name: 'Slack channel without a webhook', args: [...INIT, '--slack-channel', '#alerts'], message: /--slack-channel needs --slack-webhook-url/ },
  { name: 'e-mail without a domain', args: [...INIT, '--email-to', 'oncall'], message: /--email-to "oncall": must be an e-mail address/ },
  { name: 'e-mail without a TLD', args: [...INIT, '--email-from', 'a@b'], message: /--email-from "a@b": must be an e-mail address/ },
  { name: 'smarthost without a port', args: [...INIT, '--smtp-smarthost', 'smtp.example.com'], message: /--smtp-smarthost "smtp\.example\.com": must be host:port/ },
  { name: 'smarthost with port 99999', args: [...INIT, '--smtp-smarthost', 'smtp.example.com:99999'], message: /must be host:port/ },
  { name: 'e-mail receiver missing from and smarthost', args: [...INIT, '--email-to', 'a@example.com'], message: /the e-mail receiver also needs --email-from, --smtp-smarthost/ },
  { name: 'SMTP password without a username', args: [...INIT, '--email-to', 'a@example.com', '--email-from', 'b@example.com', '--smtp-smarthost', 'smtp.example.com:587', '--smtp-password', 'env:P'], message: /also needs --smtp-username/ },
  // init: routes
  { name: 'two receivers, one reached by no route', args: [...INIT, '--slack-webhook-url', 'env:S', '--pagerduty-routing-key', 'env:PD'], message: /alertmanager\.receivers: "pagerduty" gets no alert: no route reaches it\. List it in alertmanager\.route\.critical or alertmanager\.route\.warning \(init: --critical-to, --warning-to\)/ },
  { name: '--critical-to naming no receiver', args: [...INIT, '--slack-webhook-url', 'env:S', '--critical-to', 'pagerduty'], message: /alertmanager\.route\.critical\[0\]: "pagerduty" is not one of the receivers \(slack\)/ },
  { name: '--warning-to with an empty list', args: [...INIT, '--slack-webhook-url', 'env:S', '--warning-to', ' , '], message: /--warning-to " , ": must name at least one receiver, e\.g\. slack,pagerduty/ },
  { name: '--critical-to with a bad name', args: [...INIT, '--critical-to', 'Slack'], message: /--critical-to "Slack": "Slack" must be lowercase: slack/ },
  { name: '--deadmans-switch-url literal', args: [...INIT, '--deadmans-switch-url', `https://${SECRET}`], message: /--deadmans-switch-url takes a reference/ },
  // init: URLs, durations, sizes
  { name: 'Loki URL without a scheme', args: [...INIT, '--loki-url', 'loki-gateway/loki/api/v1/push'], message: /--loki-url .*must be an absolute http/ },
  { name: 'Loki URL with ftp', args: [...INIT, '--loki-url', 'ftp://loki/push'], message: /must use http:\/\/ or https:\/\// },
  { name: 'retention without a unit', args: [...INIT, '--retention', '15'], message: /--retention "15": must be a Prometheus duration/ },
  { name: 'retention in words', args: [...INIT, '--retention', '15 days'], message: /--retention "15 days": must be a Prometheus duration/ },
  { name: 'retention of zero', args: [...INIT, '--retention', '0d'], message: /--retention "0d"/ },
  { name: 'size without a unit', args: [...INIT, '--prometheus-storage-size', '50'], message: /--prometheus-storage-size "50": must be a Kubernetes quantity/ },
  { name: 'size in lowercase gb', args: [...INIT, '--prometheus-storage-size', '50gb'], message: /--prometheus-storage-size "50gb"/ },
  { name: 'several bad flags at once', args: [...INIT, '--grafana-host', 'X', '--retention', 'x'], message: /invalid flags:\n\s+- --grafana-host "X".*\n\s+- --retention "x"/ },
  // init: missing answers and unknown flags
  { name: 'non-interactive init without --env', args: ['init', '--non-interactive', '--storage-class', 'standard'], message: /a non-interactive run is missing an answer; give it as flags:\n\s+- --env/ },
  { name: 'non-interactive init missing env, StorageClass and TLS', args: ['init', '--non-interactive', '--grafana-host', 'g.example.com'], message: /missing 3 answers[\s\S]*- --env[\s\S]*- --storage-class[\s\S]*--no-tls/ },
  { name: 'unknown flag', args: ['init', '--storage', 'x'], message: /unknown option '--storage'/ },
  { name: 'misspelt secret flag does not echo its value', args: ['init', `--slack-webhook=https://${SECRET}`], message: /unknown option '--slack-webhook=…'/ },
  { name: 'flag without its value', args: ['init', '--non-interactive', '--grafana-host'], message: /option '--grafana-host <host>' argument missing/ },
  { name: 'unknown command', args: ['instal'], message: /unknown command 'instal'/ },
  // render / upgrade / status: flags
  { name: 'render without --env', args: ['render'], message: /required option '--env <name>' not specified/ },
  { name: 'render of an undefined environment', args: ['render', '--env', 'qa'], message: /environment "qa" is not defined in monitor-stack\.yaml\.\n\s+Defined: dev\./ },
  { name: 'upgrade with a bad flag value', args: ['upgrade', '--env', 'dev', '--grafana-host', 'BAD'], message: /--grafana-host "BAD"/ },
  { name: 'upgrade with a bad timeout', args: ['upgrade', '--env', 'dev', '--timeout', 'forever'], message: /--timeout "forever": must be a duration/ },
  { name: 'upgrade with an unset env: reference', args: ['upgrade', '--env', 'dev'], message: /env:MS_TEST_UNSET_SLACK_URL: the environment variable MS_TEST_UNSET_SLACK_URL is not set/ },
  { name: 'upgrade with --parallel 0', args: ['upgrade', '--env', 'dev', '--parallel', '0'], message: /--parallel "0": must be a whole number from 1 to 16/ },
  { name: 'upgrade saving and applying a plan at once', args: ['upgrade', '--env', 'dev', '--plan-out', 'a.json', '--plan', 'b.json'], message: /--plan-out and --plan cannot be used together/ },
  { name: 'upgrade with a plan that is not JSON', args: ['upgrade', '--env', 'dev', '--plan', 'monitor-stack.yaml'], message: /--plan monitor-stack\.yaml: it is not JSON\.\n\s+Fix: give a file written by monitor-stack upgrade --plan-out/ },
  { name: 'diff with a word for --context', args: ['diff', '--env', 'dev', '--context', 'three'], message: /--context "three": must be a whole number from 0 to 1000/ },
  { name: 'diff with an unknown output', args: ['diff', '--env', 'dev', '-o', 'yaml'], message: /argument 'yaml' is invalid. Allowed choices are text, json/ },
  // resolved values, judged before anything changes; the value is never shown
  { name: 'Slack URL from env: that is not a URL', args: ['upgrade', '--env', 'dev'], env: { MS_TEST_UNSET_SLACK_URL: 'SECRETSECRETSECRET' }, message: /env:MS_TEST_UNSET_SLACK_URL \(receiver slack, webhookUrl\): the value of MS_TEST_UNSET_SLACK_URL must be an absolute http:\/\/ or https:\/\/ URL .*; the value is not shown\./ },
  { name: 'Slack URL from env: with a trailing space', args: ['diff', '--env', 'dev'], env: { MS_TEST_UNSET_SLACK_URL: 'https://hooks.example.com/SECRETSECRETSECRET ' }, message: /the value of MS_TEST_UNSET_SLACK_URL starts or ends with white space, which is kept as part of the value: remove it/ },
  { name: 'Slack URL from env: on two lines', args: ['upgrade', '--env', 'dev'], env: { MS_TEST_UNSET_SLACK_URL: 'https://hooks.example.com/SECRETSECRETSECRET\nx' }, message: /the value of MS_TEST_UNSET_SLACK_URL has a line break inside/ },
  { name: 'PagerDuty key from file: too short', args: ['upgrade', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: pd, type: pagerduty, routingKey: "file:pd.key"}'), setup: write('pd.key', 'SECRETSECRETSECRET\n'), message: /file:pd\.key \(receiver pd, routingKey\): the text of .*\/pd\.key must be a PagerDuty Events API v2 integration key: 32 letters and digits; the value is not shown\./ },
  { name: 'webhook URL from file: with two trailing newlines', args: ['upgrade', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: hook, type: webhook, url: "file:hook.url"}'), setup: write('hook.url', 'https://hook.example.com/SECRETSECRETSECRET\n\n'), message: /the text of .*\/hook\.url has a line break inside \(only one trailing newline of a file: is removed\)/ },
  { name: 'SMTP password from file: that is a folder', args: ['upgrade', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: mail, type: email, to: a@example.com, from: b@example.com, smarthost: "smtp.example.com:587", username: u, password: "file:pw"}'), setup: (d) => mkdirSync(join(d, 'pw')), message: /file:pw: .*\/pw is a folder, not a file\./ },
  { name: 'webhook URL from file: that is binary', args: ['upgrade', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: hook, type: webhook, url: "file:hook.bin"}'), setup: write('hook.bin', BINARY), message: /file:hook\.bin: .*\/hook\.bin is a binary file, not text/ },
  { name: 'webhook URL from file: over 64 KiB', args: ['upgrade', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: hook, type: webhook, url: "file:hook.url"}'), setup: write('hook.url', `https://h.example.com/${'x'.repeat(70 * 1024)}`), message: /file:hook\.url: .*\/hook\.url is larger than 64 KiB, the limit for this file\./ },
  { name: 'diff with an unset env: reference', args: ['diff', '--env', 'dev'], message: /env:MS_TEST_UNSET_SLACK_URL: the environment variable MS_TEST_UNSET_SLACK_URL is not set/ },
  { name: 'upgrade with a lock timeout in words', args: ['upgrade', '--env', 'dev', '--lock-timeout', 'soon'], message: /--lock-timeout "soon": must be a duration such as 90s, 10m or 1h/ },
  { name: 'rollback of a release without a revision', args: ['rollback', '--env', 'dev', '--release', 'grafana'], message: /--release and --revision go together/ },
  { name: 'rollback to stack revision zero', args: ['rollback', '--env', 'dev', '--to', '0'], message: /--to "0": must be a whole number from 1/ },
  { name: 'uninstall --delete-data with the wrong namespace typed ahead', args: ['uninstall', '--env', 'dev', '--yes', '--delete-data', '--confirm-namespace', 'default'], message: /--confirm-namespace "default" is not the namespace of environment dev \("monitoring"\); nothing was deleted/ },
  { name: 'uninstall --delete-data not in a terminal, --yes alone', args: ['uninstall', '--env', 'dev', '--yes', '--delete-data'], message: /not in a terminal it needs --confirm-namespace monitoring \(--yes does not stand for it\)/ },
  { name: 'uninstall --confirm-namespace without --delete-data', args: ['uninstall', '--env', 'dev', '--confirm-namespace', 'monitoring'], message: /--confirm-namespace goes with --delete-data/ },
  { name: 'rollback with a history of none', args: ['rollback', '--env', 'dev', '--history-max', '0'], message: /--history-max "0": must be a whole number from 1 to 1000/ },
  { name: 'history of an unknown release', args: ['history', '--env', 'dev', '--release', 'loki'], message: /--release "loki" is not a release of environment dev\.\n\s+Releases: prometheus, grafana, promtail\./ },
  { name: 'status with an unknown output', args: ['status', '--env', 'dev', '--output', 'xml'], message: /argument 'xml' is invalid. Allowed choices are table, json/ },
  { name: 'completion for an unknown shell', args: ['completion', 'ksh'], message: /command-argument value 'ksh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish\./ },
  { name: 'completion without a shell', args: ['completion'], message: /missing required argument 'shell'/ },
  // init: more flag values, each with the rule it breaks and an example of its kind
  { name: 'Slack channel in capitals', args: [...INIT, '--slack-webhook-url', 'env:S', '--slack-channel', '#Alerts'], message: /--slack-channel "#Alerts": must be a Slack channel such as #alerts \(or @user\)/ },
  { name: 'Slack channel of only #', args: [...INIT, '--slack-webhook-url', 'env:S', '--slack-channel', '#'], message: /--slack-channel "#": must be a Slack channel/ },
  { name: 'e-mail with a space', args: [...INIT, '--email-to', 'a b@example.com'], message: /--email-to "a b@example\.com": must be an e-mail address such as alerts@example\.com/ },
  { name: 'recipient with a display name', args: [...INIT, '--email-to', 'Ops <ops@example.com>'], message: /--email-to "Ops <ops@example\.com>": must be an e-mail address such as alerts@example\.com/ },
  { name: 'empty sender', args: [...INIT, '--email-from', ''], message: /--email-from "": must be an e-mail address such as alerts@example\.com, or with a display name/ },
  { name: 'smarthost with port 0', args: [...INIT, '--smtp-smarthost', 'smtp.example.com:0'], message: /--smtp-smarthost "smtp\.example\.com:0": must be host:port, e\.g\. smtp\.example\.com:587/ },
  { name: 'smarthost without a host', args: [...INIT, '--smtp-smarthost', ':25'], message: /--smtp-smarthost ":25": must be host:port/ },
  { name: 'smarthost with an underscore', args: [...INIT, '--smtp-smarthost', 'smtp_x.example.com:25'], message: /--smtp-smarthost "smtp_x\.example\.com:25": must be host:port/ },
  { name: 'smarthost with two ports', args: [...INIT, '--smtp-smarthost', 'smtp.example.com:25:25'], message: /--smtp-smarthost "smtp\.example\.com:25:25": must be host:port/ },
  { name: 'Loki URL with no host', args: [...INIT, '--loki-url', 'http://'], message: /--loki-url "http:\/\/": must be an absolute http:\/\/ or https:\/\/ URL \(e\.g\. http:\/\/loki-gateway\/loki\/api\/v1\/push\)/ },
  { name: 'Loki URL with port 99999', args: [...INIT, '--loki-url', 'https://loki:99999/push'], message: /--loki-url "https:\/\/loki:99999\/push": must be an absolute http/ },
  { name: 'Loki URL with a space', args: [...INIT, '--loki-url', 'http://loki gateway/push'], message: /--loki-url "http:\/\/loki gateway\/push": must be an absolute http/ },
  { name: 'retention with a fraction', args: [...INIT, '--retention', '1.5d'], message: /--retention "1\.5d": must be a Prometheus duration such as 15d, 12h or 1w \(units: y, w, d, h, m, s, ms\)/ },
  { name: 'negative retention', args: [...INIT, '--retention', '-1d'], message: /--retention "-1d": must be a Prometheus duration/ },
  { name: 'retention with a capital unit', args: [...INIT, '--retention', '15D'], message: /--retention "15D": must be a Prometheus duration/ },
  { name: 'size of zero', args: [...INIT, '--prometheus-storage-size', '0Gi'], message: /--prometheus-storage-size "0Gi": must be a Kubernetes quantity such as 50Gi, 500Mi or 1Ti/ },
  { name: 'size in GiB', args: [...INIT, '--prometheus-storage-size', '50GiB'], message: /--prometheus-storage-size "50GiB": must be a Kubernetes quantity/ },
  { name: 'negative size', args: [...INIT, '--prometheus-storage-size', '-5Gi'], message: /--prometheus-storage-size "-5Gi": must be a Kubernetes quantity/ },
  { name: 'empty namespace', args: [...INIT, '--namespace', ''], message: /--namespace "": must not be empty/ },
  { name: 'namespace starting with a dash', args: [...INIT, '--namespace', '-mon'], message: /--namespace "-mon": must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit \(e\.g\. monitoring\)/ },
  { name: 'namespace ending with a dash', args: [...INIT, '--namespace', 'mon-'], message: /--namespace "mon-": must be a DNS-1123 label/ },
  { name: 'empty StorageClass', args: ['init', '--non-interactive', '--env', 'dev', '--storage-class', ''], message: /--storage-class "": must not be empty/ },
  { name: 'host ending with a dot', args: [...INIT, '--grafana-host', 'grafana.example.com.'], message: /--grafana-host "grafana\.example\.com\.": must not have an empty label: no dot at either end, no "\.\." \(e\.g\. grafana\.example\.com\)/ },
  { name: 'host with a non-ASCII letter', args: [...INIT, '--grafana-host', 'grafana.exämple.com'], message: /--grafana-host "grafana\.exämple\.com": must be ASCII: write a non-ASCII name in punycode \(xn--…; idn2 converts it\), e\.g\. grafana\.example\.com/ },
  { name: 'wildcard host', args: [...INIT, '--grafana-host', '*.example.com'], message: /--grafana-host "\*\.example\.com": must be one name, not a wildcard \(e\.g\. grafana\.example\.com\)/ },
  { name: 'host with a port', args: [...INIT, '--alertmanager-host', 'am.example.com:9093'], message: /--alertmanager-host "am\.example\.com:9093": must be a name without a port: drop ":9093" \(e\.g\. alertmanager\.example\.com\)/ },
  { name: 'host with a path', args: [...INIT, '--prometheus-host', 'p.example.com/prom'], message: /--prometheus-host "p\.example\.com\/prom": must be a name without a path \(e\.g\. prometheus\.example\.com\)/ },
  { name: 'host with http://', args: [...INIT, '--prometheus-host', 'http://p.example.com'], message: /--prometheus-host "http:\/\/p\.example\.com": must be a name without a scheme: drop "http:\/\/"/ },
  { name: 'StorageClass in capitals', args: ['init', '--non-interactive', '--env', 'dev', '--storage-class', 'GP3'], message: /--storage-class "GP3": must be lowercase: gp3/ },
  { name: 'TLS Secret in capitals', args: [...INIT, '--tls-secret', 'Wild-TLS'], message: /--tls-secret "Wild-TLS": must be lowercase: wild-tls/ },
  { name: 'ClusterIssuer ending with a dot', args: [...INIT, '--tls-issuer', 'le.'], message: /--tls-issuer "le\.": must not have an empty label: no dot at either end, no "\.\." \(e\.g\. letsencrypt-prod\)/ },
  { name: 'preset in capitals', args: [...INIT, '--preset', 'HA'], message: /--preset "HA": must be one of: minimal, standard, ha/ },
  { name: 'empty preset', args: [...INIT, '--preset', ''], message: /--preset "": must be one of: minimal, standard, ha/ },
  { name: 'reference with a capital prefix', args: [...INIT, '--webhook-url', 'ENV:X'], message: /--webhook-url takes a reference, not a literal value/ },
  { name: 'reference of an unknown kind', args: [...INIT, '--pagerduty-routing-key', 'vault:pd/key'], message: /--pagerduty-routing-key takes a reference, not a literal value.*Use one of: env:NAME, file:PATH, secret:NAME\/KEY/ },
  { name: 'secret: without a name', args: [...INIT, '--webhook-url', 'secret:/k'], message: /--webhook-url secret: must be followed by NAME\/KEY of a Kubernetes Secret, such as secret:alertmanager-receivers\/slack-url/ },
  { name: 'secret: with an empty key', args: [...INIT, '--webhook-url', 'secret:name/'], message: /--webhook-url secret: must be followed by NAME\/KEY/ },
  { name: 'secret: with two slashes', args: [...INIT, '--webhook-url', 'secret:name/key/extra'], message: /--webhook-url secret: must be followed by NAME\/KEY/ },
  { name: 'env: with a space', args: [...INIT, '--slack-webhook-url', 'env:A B'], message: /--slack-webhook-url env: must be followed by a variable name such as env:SLACK_WEBHOOK_URL/ },
  { name: 'empty environment', args: ['init', '--non-interactive', '--env', ''], message: /--env "": must not be empty\./ },
  { name: 'environment of 64 characters', args: ['init', '--non-interactive', '--env', 'e'.repeat(64)], message: /--env "e{64}": must be at most 63 characters \(a DNS-1123 label\); it has 64\./ },
  { name: 'environment with a dot', args: ['init', '--non-interactive', '--env', 'prod.eu'], message: /--env "prod\.eu": must be a single label, without dots \(e\.g\. dev, staging or prod\)\./ },
  // commands: counts, durations and choices
  { name: 'diff with a negative context', args: ['diff', '--env', 'dev', '--context', '-1'], message: /--context "-1": must be a whole number from 0 to 1000\./ },
  { name: 'diff with --parallel 17', args: ['diff', '--env', 'dev', '--parallel', '17'], message: /--parallel "17": must be a whole number from 1 to 16\./ },
  { name: 'upgrade with a timeout without a unit', args: ['upgrade', '--env', 'dev', '--timeout', '10'], message: /--timeout "10": must be a duration such as 90s, 10m or 1h\./ },
  { name: 'upgrade keeping 1001 stack revisions', args: ['upgrade', '--env', 'dev', '--history-max', '1001'], message: /--history-max "1001": must be a whole number from 1 to 1000\./ },
  { name: 'rollback to a word', args: ['rollback', '--env', 'dev', '--to', 'abc'], message: /--to "abc": must be a whole number from 1 to 1000000\./ },
  { name: 'rollback of a revision without a release', args: ['rollback', '--env', 'dev', '--revision', '3'], message: /--release and --revision go together: --release NAME --revision N rolls back one release\./ },
  { name: 'rollback of one release to revision 0', args: ['rollback', '--env', 'dev', '--release', 'grafana', '--revision', '0'], message: /--revision "0": must be a whole number from 1 to 1000000\./ },
  { name: 'history without --env', args: ['history'], message: /required option '--env <name>' not specified/ },
  { name: 'status as yaml', args: ['status', '--env', 'dev', '--output', 'yaml'], message: /argument 'yaml' is invalid\. Allowed choices are table, json\./ },
  { name: 'upgrade with --parallel 99', args: ['upgrade', '--env', 'dev', '--parallel', '99'], message: /--parallel "99": must be a whole number from 1 to 16\./ },
  // config file values: the rule, the path and the line
  { name: 'StorageClass in capitals in the file', args: ['render', '--env', 'dev'], config: envCfg('storageClass: Fast'), message: /monitor-stack\.yaml:3: environments\.dev\.storageClass: must be lowercase: fast/ },
  { name: 'IngressClass in capitals in the file', args: ['render', '--env', 'dev'], config: envCfg('ingress: {className: NGINX}'), message: /environments\.dev\.ingress\.className: must be lowercase: nginx/ },
  { name: 'host with a scheme in the file', args: ['render', '--env', 'dev'], config: envCfg('ingress: {hosts: {grafana: "https://g.example.com"}}'), message: /environments\.dev\.ingress\.hosts\.grafana: must be a name without a scheme: drop "https:\/\/" \(e\.g\. grafana\.example\.com\)/ },
  { name: 'ClusterIssuer in capitals in the file', args: ['render', '--env', 'dev'], config: envCfg('tls: {clusterIssuer: LE}'), message: /environments\.dev\.tls\.clusterIssuer: must be lowercase: le/ },
  { name: 'size in GB in the file', args: ['render', '--env', 'dev'], config: envCfg('prometheus: {storageSize: 10GB}'), message: /environments\.dev\.prometheus\.storageSize: must be a Kubernetes quantity such as 50Gi/ },
  { name: 'ten replicas', args: ['render', '--env', 'dev'], config: envCfg('prometheus: {replicas: 10}'), message: /environments\.dev\.prometheus\.replicas: must be a whole number from 1 to 9/ },
  { name: 'replicas of 1.5', args: ['render', '--env', 'dev'], config: envCfg('prometheus: {replicas: 1.5}'), message: /environments\.dev\.prometheus\.replicas: must be a whole number from 1 to 9/ },
  { name: 'Slack channel in capitals in the file', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: s, type: slack, webhookUrl: "env:S", channel: "#Alerts"}]}'), message: /alertmanager\.receivers\[0\]\.channel: must be a Slack channel such as #alerts/ },
  { name: 'route matcher without an operator', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: s, type: webhook, url: "env:S"}], routes: [{matchers: [severity], receiver: s}]}'), message: /alertmanager\.routes\[0\]\.matchers\[0\]: must be an Alertmanager matcher: a label name, then =, !=, =~ or !~, then a value, such as severity="critical"/ },
  { name: 'route matcher with a bad regular expression', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: s, type: webhook, url: "env:S"}], routes: [{matchers: [\'namespace=~"shop(\'], receiver: s}]}'), message: /alertmanager\.routes\[0\]\.matchers\[0\]: has .*(unterminated|not a regular expression)/ },
  { name: 'route to a receiver that does not exist', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: s, type: webhook, url: "env:S"}], routes: [{matchers: [\'severity="critical"\'], receiver: pager}]}'), message: /alertmanager\.routes\[0\]\.receiver: "pager" is not one of the receivers \(s\)/ },
  { name: 'receiver named null', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: "null", type: webhook, url: "env:S"}]}'), message: /the name "null" is reserved/ },
  { name: 'unknown alert in alerts.disabled', args: ['render', '--env', 'dev'], config: envCfg('alerts: {disabled: [TargetDwn]}'), message: /alerts\.disabled\[0\]: "TargetDwn" is not a baseline alert; did you mean TargetDown\?/ },
  { name: 'unknown severity in alerts.severityOverrides', args: ['render', '--env', 'dev'], config: envCfg('alerts: {severityOverrides: {TargetDown: page}}'), message: /alerts\.severityOverrides\.TargetDown: must be one of critical, warning, info/ },
  { name: 'receiver name with an underscore', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: Team_A, type: webhook, url: "env:S"}]}'), message: /alertmanager\.receivers\[0\]\.name: must be a DNS-1123 label: .*\(e\.g\. oncall\)/ },
  { name: 'sender that is not an address', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: m, type: email, to: a@example.com, from: nope, smarthost: "s.example.com:25"}]}'), message: /alertmanager\.receivers\[0\]\.from: must be an e-mail address such as alerts@example\.com, or with a display name/ },
  { name: 'smarthost without a port in the file', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: m, type: email, to: a@example.com, from: b@example.com, smarthost: "s.example.com"}]}'), message: /alertmanager\.receivers\[0\]\.smarthost: must be host:port, e\.g\. smtp\.example\.com:587/ },
  { name: 'literal PagerDuty key in the file', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: p, type: pagerduty, routingKey: SECRETSECRETSECRET}]}'), message: /alertmanager\.receivers\[0\]\.routingKey: takes a reference, not a literal value/ },
  { name: 'unknown key in a receiver', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {receivers: [{name: w, type: webhook, url: "env:W", extra: 1}]}'), message: /alertmanager\.receivers\[0\]\.extra: unknown key\./ },
  { name: 'route to a number', args: ['render', '--env', 'dev'], config: envCfg('alertmanager: {route: {receiver: 5}}'), message: /alertmanager\.route\.receiver: Invalid input: expected string, received number/ },
  { name: 'Grafana admin Secret in capitals in the file', args: ['render', '--env', 'dev'], config: envCfg('grafana: {adminSecret: Admin}'), message: /environments\.dev\.grafana\.adminSecret: must be lowercase: admin/ },
  { name: 'Loki URL without a scheme in the file', args: ['render', '--env', 'dev'], config: envCfg('loki: {url: "loki:3100"}'), message: /environments\.dev\.loki\.url: must use http:\/\/ or https:\/\/, not loki:\/\// },
  { name: 'component switch as a word', args: ['render', '--env', 'dev'], config: envCfg('components: {grafana: "no"}'), message: /environments\.dev\.components\.grafana: Invalid input: expected boolean, received string/ },
  { name: 'retention of zero days in the file', args: ['render', '--env', 'dev'], config: envCfg('prometheus: {retention: 0d}'), message: /environments\.dev\.prometheus\.retention: must be a Prometheus duration/ },
  { name: 'chart source over ftp', args: ['render', '--env', 'dev'], config: envCfg('charts: {prometheus: {source: "ftp://charts.example.com"}}'), message: /environments\.dev\.charts\.prometheus\.source: must be an https:\/\/ chart repository, an oci:\/\/ reference or a local folder, not ftp:\/\// },
  { name: 'chart version with two parts', args: ['render', '--env', 'dev'], config: envCfg('charts: {grafana: {version: "12.11"}}'), message: /environments\.dev\.charts\.grafana\.version: must be a chart version such as 29\.27\.0/ },
  { name: 'environments as null', args: ['render', '--env', 'dev'], config: 'environments: null\n', message: /monitor-stack\.yaml:1: environments: Invalid input: expected record, received null/ },
  { name: 'config that is a number', args: ['render', '--env', 'dev'], config: '42\n', message: /monitor-stack\.yaml:1: \(top level\): Invalid input: expected object, received number/ },
  { name: 'config that is a list', args: ['render', '--env', 'dev'], config: '- a\n- b\n', message: /\(top level\): Invalid input: expected object, received array/ },
  { name: 'empty config', args: ['render', '--env', 'dev'], config: '', message: /environment "dev" is not defined in monitor-stack\.yaml\.\n\s+The file defines no environments\./ },
  { name: 'config indented with tabs', args: ['render', '--env', 'dev'], config: 'environments:\n\tdev: {}\n', message: /monitor-stack\.yaml:2:1: Tabs are not allowed as indentation/ },
  { name: 'namespace as a list', args: ['render', '--env', 'dev'], config: envCfg('namespace: [a]'), message: /environments\.dev\.namespace: Invalid input: expected string, received array/ },
  { name: 'no config file', args: ['render', '--env', 'dev'], config: null, message: /no config file at monitor-stack\.yaml\.\n\s+Fix: run `monitor-stack init`/ },
  // config file errors
  { name: 'unknown top-level key', args: ['render', '--env', 'dev'], config: cfg('storageclass: fast\n'), message: /monitor-stack\.yaml:\d+: storageclass: unknown key\. Expected one of: .*storageClass/ },
  { name: 'unknown nested key', args: ['render', '--env', 'dev'], config: envCfg('ingress:\n  host: g.example.com'), message: /environments\.dev\.ingress\.host: unknown key\. Expected one of: className, hosts/ },
  { name: 'replicas as a word', args: ['render', '--env', 'dev'], config: envCfg('prometheus:\n  replicas: two'), message: /environments\.dev\.prometheus\.replicas: must be a whole number from 1 to 9/ },
  { name: 'replicas of zero', args: ['render', '--env', 'dev'], config: envCfg('prometheus:\n  replicas: 0'), message: /prometheus\.replicas: must be a whole number from 1 to 9/ },
  { name: 'retention in words in the file', args: ['render', '--env', 'dev'], config: envCfg('prometheus:\n  retention: 2 weeks'), message: /prometheus\.retention: must be a Prometheus duration/ },
  { name: 'size without a unit in the file', args: ['render', '--env', 'dev'], config: envCfg('grafana:\n  storageSize: "10"'), message: /grafana\.storageSize: must be a Kubernetes quantity/ },
  { name: 'persistence as a string', args: ['render', '--env', 'dev'], config: envCfg('grafana:\n  persistence: "yes"'), message: /grafana\.persistence: Invalid input: expected boolean/ },
  { name: 'unknown receiver type', args: ['render', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: t, type: teams, url: "env:T"}'), message: /alertmanager\.receivers\[0\]\.type: Invalid discriminator value\. Expected 'slack' \| 'email' \| 'pagerduty' \| 'webhook'/ },
  { name: 'literal secret in the file', args: ['render', '--env', 'dev'], config: envCfg(`alertmanager:\n  receivers:\n    - {name: s, type: slack, webhookUrl: "https://${SECRET}"}`), message: /receivers\[0\]\.webhookUrl: takes a reference, not a literal value/ },
  { name: 'receiver without its webhook', args: ['render', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: s, type: slack}'), message: /receivers\[0\]\.webhookUrl: Invalid input: expected string, received undefined/ },
  { name: 'two receivers with one name', args: ['render', '--env', 'dev'], config: envCfg('alertmanager:\n  receivers:\n    - {name: a, type: webhook, url: "env:A"}\n    - {name: a, type: webhook, url: "env:B"}'), message: /the name "a" is used twice/ },
  { name: 'route to a missing receiver', args: ['render', '--env', 'dev'], config: envCfg('alertmanager:\n  route: {receiver: oncall}'), message: /alertmanager\.route\.receiver: "oncall" is not one of the receivers \(none defined\)/ },
  { name: 'two TLS sources in the file', args: ['render', '--env', 'dev'], config: envCfg('tls: {clusterIssuer: le, secretName: wild}'), message: /tls\.clusterIssuer and tls\.secretName are both set/ },
  { name: 'one host for two components', args: ['render', '--env', 'dev'], config: envCfg('ingress:\n  hosts: {grafana: a.example.com, prometheus: a.example.com}'), message: /"a\.example\.com" is given to two components/ },
  { name: 'promtail on with no Loki URL', args: ['render', '--env', 'dev'], config: envCfg('loki: {url: null}'), message: /components\.promtail is on but loki\.url is null/ },
  { name: 'chart version "latest"', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  grafana: {version: latest}'), message: /charts\.grafana\.version: must be a chart version such as 29\.27\.0/ },
  { name: 'two charts with one release name', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  grafana: {release: prometheus}'), message: /charts: the release name "prometheus" is used twice\./ },
  { name: 'release name of 64 characters', args: ['render', '--env', 'dev'], config: envCfg(`charts:\n  grafana: {release: ${'g'.repeat(64)}}`), message: /environments\.dev\.charts\.grafana\.release: must be at most 63 characters \(a DNS-1123 label\); it has 64/ },
  { name: 'namespace of 64 characters in the file', args: ['render', '--env', 'dev'], config: envCfg(`namespace: ${'n'.repeat(64)}`), message: /environments\.dev\.namespace: must be at most 63 characters \(a DNS-1123 label\); it has 64/ },
  { name: 'namespace flag of 64 characters', args: ['render', '--env', 'dev', '--namespace', 'n'.repeat(64)], message: /--namespace "n{64}": must be at most 63 characters \(a DNS-1123 label\); it has 64/ },
  { name: 'unknown chart', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  loki: {version: 1.0.0}'), message: /environments\.dev\.charts\.loki: unknown key\. Expected one of: prometheus, grafana, promtail/ },
  { name: 'environment name in capitals', args: ['render', '--env', 'dev'], config: 'environments:\n  Prod: {}\n  dev: {}\n', message: /environments\.Prod: must be a DNS-1123 label/ },
  { name: 'unknown preset in the file', args: ['render', '--env', 'dev'], config: 'preset: large\nenvironments:\n  dev: {}\n', message: /preset: Invalid option: expected one of "minimal"\|"standard"\|"ha"/ },
  { name: 'invalid YAML', args: ['render', '--env', 'dev'], config: 'environments:\n  dev: [\n', message: /monitor-stack\.yaml is not valid YAML/ },
  { name: 'duplicate keys', args: ['render', '--env', 'dev'], config: 'environments:\n  dev: {}\n  dev: {}\n', message: /monitor-stack\.yaml:3:3: Map keys must be unique/ },
  { name: 'chart value the chart lacks', args: ['upgrade', '--env', 'dev', '--yes'], config: envCfg('charts:\n  prometheus:\n    values: {server: {nodeSelecter: {disk: ssd}}}'), message: /charts\.prometheus\.values: prometheus-29\.27\.0 has no key server\.nodeSelecter; the closest key is server\.nodeSelector\./ },
  { name: 'chart value under a subchart the subchart lacks', args: ['diff', '--env', 'dev'], config: envCfg('charts:\n  prometheus:\n    values: {kube-state-metrics: {colectors: [pods]}}'), message: /kube-state-metrics-8\.4\.0 has no key colectors; the closest key is collectors\./ },
  { name: 'chart value a setting manages', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  prometheus:\n    values: {server: {persistentVolume: {storageClass: gp3}}}'), message: /charts\.prometheus\.values\.server\.persistentVolume\.storageClass: monitor-stack sets this from storageClass; set that instead\./ },
  { name: 'chart value of the wrong shape', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  promtail:\n    values: {tolerations: all}'), message: /tolerations is a list in promtail-6\.17\.1, given a string\./ },
  { name: 'chart values as a list', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  grafana:\n    values: [a]'), message: /environments\.dev\.charts\.grafana\.values: Invalid input: expected record, received array/ },
  { name: 'CPU request in words', args: ['render', '--env', 'dev'], config: envCfg('resources:\n  prometheus: {requests: {cpu: half}}'), message: /resources\.prometheus\.requests\.cpu: must be a CPU quantity such as 250m, 0\.5 or 2/ },
  { name: 'memory limit without a unit', args: ['render', '--env', 'dev'], config: envCfg('resources:\n  grafana: {limits: {memory: "512"}}'), message: /resources\.grafana\.limits\.memory: must be a memory quantity such as 512Mi or 2Gi/ },
  { name: 'memory request over its limit', args: ['render', '--env', 'dev'], config: envCfg('resources:\n  prometheus: {requests: {memory: 4Gi}, limits: {memory: 2Gi}}'), message: /resources\.prometheus: the memory request 4Gi is more than the memory limit 2Gi; Kubernetes refuses such a pod\./ },
  { name: 'unknown component in resources', args: ['render', '--env', 'dev'], config: envCfg('resources:\n  loki: {}'), message: /resources\.loki: unknown key\. Expected one of: prometheus, alertmanager, kubeStateMetrics, nodeExporter, pushgateway, grafana, promtail/ },
  { name: 'kube-state-metrics allow and deny lists at once', args: ['render', '--env', 'dev'], config: envCfg('kubeStateMetrics: {metricAllowlist: [kube_pod_.*], metricDenylist: [kube_secret_.*]}'), message: /kubeStateMetrics\.metricAllowlist and kubeStateMetrics\.metricDenylist are both set/ },
  { name: 'external label reserved by Prometheus', args: ['render', '--env', 'dev'], config: envCfg('prometheus:\n  externalLabels: {__tenant: a}'), message: /must not start with __ \(Prometheus reserves those names\)/ },
  { name: 'external label name with a dash', args: ['render', '--env', 'dev'], config: envCfg('prometheus:\n  externalLabels: {my-region: eu}'), message: /must be a label name such as cluster or region/ },
  { name: 'retention size in Kubernetes units', args: ['render', '--env', 'dev'], config: envCfg('prometheus: {retentionSize: 45Gi}'), message: /prometheus\.retentionSize: must be a Prometheus size such as 45GB or 500MB/ },
  { name: 'scrape interval without a unit', args: ['render', '--env', 'dev'], config: envCfg('prometheus: {scrapeInterval: "30"}'), message: /prometheus\.scrapeInterval: must be a Prometheus duration/ },
  { name: 'Grafana plugin as a download URL', args: ['render', '--env', 'dev'], config: envCfg('grafana:\n  plugins: ["https://example.com/p.zip"]'), message: /grafana\.plugins\[0\]: must be a grafana\.com plugin id, not a URL/ },
  { name: 'Grafana plugin pinned without a full version', args: ['render', '--env', 'dev'], config: envCfg('grafana:\n  plugins: [grafana-clock-panel@2]'), message: /grafana\.plugins\[0\]: must be a grafana\.com plugin id such as grafana-clock-panel, optionally pinned: grafana-clock-panel@2\.1\.8/ },
  { name: 'Grafana plugins through chart values', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  grafana:\n    values: {plugins: [grafana-clock-panel]}'), message: /charts\.grafana\.values\.plugins: monitor-stack sets this from grafana\.plugins; set that instead\./ },
  { name: 'chart value: a map where the chart has a list', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  prometheus:\n    values: {server: {tolerations: {key: a}}}'), message: /charts\.prometheus\.values: server\.tolerations is a list in prometheus-29\.27\.0, given a map\./ },
  { name: 'remote write URL with a password in it', args: ['render', '--env', 'dev'], config: rwCfg('{name: mimir, url: "https://u:SECRETSECRETSECRET@mimir.example.com/push"}'), message: /prometheus\.remoteWrite\[0\]\.url: must not hold a user or password: set basicAuth\.username and basicAuth\.password \(a secret reference\) instead; the value is not shown/ },
  { name: 'remote write password given as a value', args: ['render', '--env', 'dev'], config: rwCfg('{name: mimir, url: "https://mimir.example.com/push", basicAuth: {username: t, password: SECRETSECRETSECRET}}'), message: /prometheus\.remoteWrite\[0\]\.basicAuth\.password: takes a reference, not a literal value/ },
  { name: 'remote write with basic auth and a bearer token', args: ['render', '--env', 'dev'], config: rwCfg('{name: mimir, url: "https://mimir.example.com/push", basicAuth: {username: t, password: "env:P"}, bearerToken: "env:T"}'), message: /prometheus\.remoteWrite\[0\]: basicAuth and bearerToken are both set; Prometheus sends one Authorization header: choose one\./ },
  { name: 'remote write Authorization header', args: ['render', '--env', 'dev'], config: rwCfg('{name: mimir, url: "https://mimir.example.com/push", headers: {Authorization: "Bearer x"}}'), message: /"Authorization" is set by Prometheus: use bearerToken or basicAuth \(secret references\) instead/ },
  { name: 'remote write header Prometheus sets itself', args: ['render', '--env', 'dev'], config: rwCfg('{name: mimir, url: "https://mimir.example.com/push", headers: {Content-Encoding: gzip}}'), message: /"Content-Encoding" is set by Prometheus itself and cannot be overridden/ },
  { name: 'remote write names used twice', args: ['render', '--env', 'dev'], config: rwCfg('{name: m, url: "https://a.example.com/push"}\n    - {name: m, url: "https://b.example.com/push"}'), message: /prometheus\.remoteWrite: the name "m" is used twice; each remote write needs its own name\./ },
  { name: 'remote write through chart values', args: ['render', '--env', 'dev'], config: envCfg('charts:\n  prometheus:\n    values: {server: {remoteWrite: [{url: "https://a.example.com/push"}]}}'), message: /charts\.prometheus\.values\.server\.remoteWrite: monitor-stack sets this from prometheus\.remoteWrite; set that instead\./ },
  { name: 'upgrade with an unset remote write password', args: ['upgrade', '--env', 'dev'], config: rwCfg('{name: mimir, url: "https://mimir.example.com/push", basicAuth: {username: t, password: "env:MS_TEST_UNSET_RW"}}'), message: /env:MS_TEST_UNSET_RW: the environment variable MS_TEST_UNSET_RW is not set/ },
  { name: 'upgrade with a remote write token on two lines', args: ['upgrade', '--env', 'dev'], env: { MS_TEST_RW_TOKEN: 'SECRETSECRETSECRET\nx' }, config: rwCfg('{name: vm, url: "https://vm.example.com/write", bearerToken: "env:MS_TEST_RW_TOKEN"}'), message: /env:MS_TEST_RW_TOKEN \(remote write vm, bearerToken\): the value of MS_TEST_RW_TOKEN .*; the value is not shown\./ },
  { name: 'rule file with a PromQL typo', args: ['upgrade', '--env', 'dev'], config: envCfg('alerts:\n  ruleFiles: [rules/shop.yaml]'), setup: (d) => { mkdirSync(join(d, 'rules')); writeFileSync(join(d, 'rules', 'shop.yaml'), 'groups:\n  - name: shop\n    rules:\n      - alert: CheckoutErrors\n        expr: sum(rate(http_requests_total{code=~"5.."}[5m]) > 1\n'); }, message: /alerts\.ruleFiles: rules\/shop\.yaml:5: group "shop", rule "CheckoutErrors": expr is not valid PromQL at its end \(something is missing\)\n\s+Fix the file, then run again\. Nothing was changed\./ },
  { name: 'rule file that does not exist', args: ['render', '--env', 'dev'], config: envCfg('alerts:\n  ruleFiles: [rules/none.yaml]'), message: /alerts\.ruleFiles: rules\/none\.yaml does not exist/ },
  { name: 'dashboards folder that does not exist', args: ['upgrade', '--env', 'dev'], config: envCfg('grafana:\n  dashboards: {folder: boards}'), message: /grafana\.dashboards\.folder: boards does not exist\./ },
  { name: 'dashboard file that is not JSON', args: ['render', '--env', 'dev'], config: envCfg('grafana:\n  dashboards: {folder: boards}'), setup: (d) => { mkdirSync(join(d, 'boards')); writeFileSync(join(d, 'boards', 'shop.json'), '{\n  "title": "Shop",\n  "panels": [\n}\n'); }, message: /grafana\.dashboards\.folder: boards\/shop\.json:4: not JSON: / },
  { name: 'grafana.com dashboard without a revision', args: ['render', '--env', 'dev'], config: envCfg('grafana:\n  dashboards:\n    grafanaCom: [{name: node-exporter-full, id: 1860}]'), message: /grafana\.dashboards\.grafanaCom\[0\]\.revision: must be the revision number to pin/ },
  { name: 'test-alert for a receiver that does not exist', args: ['test-alert', '--env', 'dev', '--receiver', 'pager'], config: envCfg('alertmanager:\n  receivers: [{name: hook, type: webhook, url: "env:HOOK"}]'), message: /--receiver "pager": environment dev has no such receiver; it has hook\./ },
  { name: 'test-alert without Alertmanager', args: ['test-alert', '--env', 'dev'], config: envCfg('components: {alertmanager: false}'), message: /environment dev has no Alertmanager \(components\.alertmanager is false\): there is nothing to test\./ },
  { name: 'test-alert with a bad --timeout', args: ['test-alert', '--env', 'dev', '--timeout', 'soon'], message: /--timeout "soon": / },
  ...FILE_ERROR_CASES,
  { name: 'a list where a map belongs', args: ['render', '--env', 'dev'], config: 'environments: [dev]\n', message: /environments: Invalid input: expected record, received array/ },
];

/** Every path under `dir` with its mode and size, for "nothing was written or changed". */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => {
      const rel = join(prefix, e.name);
      const st = lstatSync(join(dir, rel));
      const line = `${rel} ${(st.mode & 0o7777).toString(8)} ${st.isFile() ? st.size : ''}`;
      return e.isDirectory() ? [line, ...listTree(dir, rel)] : [line];
    })
    .sort();
}

/** chown -R, without following links. */
function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) chownTree(join(dir, e.name), uid);
    else chownSync(join(dir, e.name), uid, uid);
  }
}

describe('bad input: exit 2, a clear message, no helm call, nothing written', () => {

  it.concurrent.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = tempDir('ms-bad-');
    const log = join(dir, 'helm-calls.log');
    const helm = writeHelmRecorder(join(dir, 'helm'), log);
    const configText = c.config === undefined ? BASE_CONFIG : c.config;
    if (configText !== null) writeFileSync(join(dir, 'monitor-stack.yaml'), configText);
    c.setup?.(dir);
    if (c.unprivileged && process.getuid?.() === 0) chownTree(dir, 65534);
    const before = listTree(dir);
    const configPath = join(dir, 'monitor-stack.yaml');
    const hash = lstatSync(configPath, { throwIfNoEntry: false })?.isFile() ? createHash('sha256').update(readFileSync(configPath)).digest('hex') : null;

    const r = await runCli(c.args, { cwd: dir, asUnprivileged: c.unprivileged, env: { MONITOR_STACK_HELM: helm, KUBECONFIG: join(dir, 'no-kubeconfig'), ...c.env } });

    expect(r.stderr).toMatch(c.message);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(r.stderr + r.stdout).not.toContain('SECRETSECRETSECRET');
    expect(recordedCalls(log)).toEqual([]);
    expect(r.stderr + r.stdout).not.toContain('BINARYRUN');
    expect(r.stderr.length).toBeLessThan(16 * 1024);
    expect(listTree(dir)).toEqual(before);
    if (hash) expect(createHash('sha256').update(readFileSync(configPath)).digest('hex')).toBe(hash);
  });
});
