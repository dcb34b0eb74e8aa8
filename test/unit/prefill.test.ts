import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { flagsToLayer } from '../../src/config/flags.js';
import { parseYamlWith } from '../../src/config/load.js';
import { configFileSchema } from '../../src/config/schema.js';
import { mergeAnswers, prefillFrom } from '../../src/wizard/prefill.js';

const FILE = `# team file: keep this comment
namespace: base-ns
environments:
  prod:
    # why prod is big
    preset: ha
    storageClass: fast-ssd
    ingress:
      className: nginx
      hosts: {prometheus: p.example.com, grafana: g.example.com}
    tls: {clusterIssuer: le, secretName: null}
    prometheus: {replicas: 3, retention: 30d}
    components: {promtail: false}
    alertmanager:
      receivers:
        - {name: slack, type: slack, webhookUrl: "env:SLACK", channel: "#ops"}
        - {name: email, type: email, to: a@example.com, from: b@example.com, smarthost: "smtp.example.com:587"}
      route: {receiver: email}
  odd:
    alertmanager:
      receivers:
        - {name: team-a, type: slack, webhookUrl: "env:A"}
`;
const file = parseYamlWith(FILE, 'f.yaml', configFileSchema);

describe('prefillFrom', () => {
  it('reads the answers of an environment over the base of the file', () => {
    expect(prefillFrom(file, 'prod')).toEqual({
      values: {
        namespace: 'base-ns',
        preset: 'ha',
        storageClass: 'fast-ssd',
        ingressClass: 'nginx',
        prometheusHost: 'p.example.com',
        grafanaHost: 'g.example.com',
        tlsIssuer: 'le',
        retention: '30d',
        slackWebhookUrl: 'env:SLACK',
        slackChannel: '#ops',
        emailTo: 'a@example.com',
        emailFrom: 'b@example.com',
        smtpSmarthost: 'smtp.example.com:587',
      },
      receiverKinds: ['slack', 'email'],
      routeReceiver: 'email',
      receiversKept: false,
    });
  });
  it('keeps receivers with their own names out of the questions', () => {
    expect(prefillFrom(file, 'odd')).toMatchObject({ receiverKinds: [], receiversKept: true });
    expect(prefillFrom(file, 'odd')!.values).not.toHaveProperty('slackWebhookUrl');
  });
  it('is undefined for an environment not in the file', () => {
    expect(prefillFrom(file, 'dev')).toBeUndefined();
  });
  it('reads "no TLS" as --no-tls', () => {
    const f = parseYamlWith('environments:\n  a: {tls: {clusterIssuer: null, secretName: null}}\n', 'f', configFileSchema);
    expect(prefillFrom(f, 'a')!.values.tls).toBe(true);
  });
});

describe('mergeAnswers', () => {
  const merged = (answers: Record<string, unknown>, keepReceivers = false, env = 'prod') => {
    const doc = parseDocument(FILE);
    mergeAnswers(doc, env, answers, keepReceivers);
    return doc.toString({ lineWidth: 0 });
  };
  const layerOf = (values: Record<string, string | true>) => JSON.parse(JSON.stringify(flagsToLayer({ values, given: new Set(Object.keys(values)) }))) as Record<string, unknown>;

  it('round-trips: the answers the file had, written back, change nothing', () => {
    const pre = prefillFrom(file, 'prod')!;
    const layer = layerOf(pre.values);
    (layer.alertmanager as { route: unknown }).route = { receiver: 'email' };
    // Byte for byte what the yaml library prints for the unchanged file: no restyled line, no
    // copy of the base namespace into the environment, comments kept.
    expect(merged(layer)).toBe(parseDocument(FILE).toString({ lineWidth: 0 }));
    expect(merged(layer)).toContain('# why prod is big');
  });
  it('changes only the answer that changed', () => {
    const pre = prefillFrom(file, 'prod')!;
    const layer = layerOf({ ...pre.values, grafanaHost: 'grafana.example.com' });
    (layer.alertmanager as { route: unknown }).route = { receiver: 'email' };
    const before = parseDocument(FILE).toString({ lineWidth: 0 }).split('\n');
    const after = merged(layer).split('\n');
    expect(after.filter((l) => !before.includes(l))).toEqual(['      hosts: { prometheus: p.example.com, grafana: grafana.example.com }']);
  });
  it('removes what an answer emptied, and maps left empty, but no key it does not own', () => {
    const text = merged(layerOf({ preset: 'standard', storageClass: 'fast-ssd' }));
    const prod = parseYamlWith(text, 'f', configFileSchema).environments!.prod!;
    expect(prod).toEqual({ preset: 'standard', storageClass: 'fast-ssd', prometheus: { replicas: 3 }, components: { promtail: false } });
  });
  it('leaves the receivers and the route when they are kept', () => {
    const prod = parseYamlWith(merged({ preset: 'ha' }, true), 'f', configFileSchema).environments!.prod!;
    expect(prod.alertmanager).toEqual(file.environments!.prod!.alertmanager);
  });
  it('writes a new environment whole', () => {
    const dev = parseYamlWith(merged({ namespace: 'dev-ns' }, false, 'dev'), 'f', configFileSchema).environments!.dev;
    expect(dev).toEqual({ namespace: 'dev-ns' });
  });
});
