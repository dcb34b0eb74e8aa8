/** The one precedence order: built-in defaults < preset < base config < environment < flags. */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { readPresets } from '../../src/config/load.js';
import { checkSettings, mergeLayer, resolveSettings } from '../../src/config/merge.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';

const presets = readPresets();
const resolve = (file: ConfigFile, flags = {}, environment = 'e') => resolveSettings({ file, fileName: 'f.yaml', environment, presets, flags });

describe('precedence', () => {
  it('each layer overrides the one below it, key by key', () => {
    // retention: default 15d < preset minimal 2d < base 7d < env 10d < flag 20d
    const file: ConfigFile = { preset: 'minimal', prometheus: { retention: '7d' }, environments: { e: { prometheus: { retention: '10d' } } } };
    expect(DEFAULTS.prometheus.retention).toBe('15d');
    expect(resolve({ preset: 'minimal', environments: { e: {} } }).prometheus.retention).toBe('2d');
    expect(resolve({ ...file, environments: { e: {} } }).prometheus.retention).toBe('7d');
    expect(resolve(file).prometheus.retention).toBe('10d');
    expect(resolve(file, { prometheus: { retention: '20d' } }).prometheus.retention).toBe('20d');
    // a sibling key from a lower layer survives a higher layer that sets another key
    expect(resolve(file, { prometheus: { retention: '20d' } }).prometheus.persistence).toBe(false);
  });

  it('the preset is chosen by flags, then environment, then base, then standard', () => {
    expect(resolve({ environments: { e: {} } }).preset).toBe('standard');
    expect(resolve({ preset: 'minimal', environments: { e: {} } }).preset).toBe('minimal');
    expect(resolve({ preset: 'minimal', environments: { e: { preset: 'ha' } } }).preset).toBe('ha');
    expect(resolve({ preset: 'minimal', environments: { e: { preset: 'ha' } } }, { preset: 'standard' }).preset).toBe('standard');
    expect(resolve({ environments: { e: { preset: 'ha' } } }).alertmanager.replicas).toBe(3);
  });

  it('null overrides a lower value; arrays replace rather than append', () => {
    const file: ConfigFile = {
      tls: { clusterIssuer: 'le' },
      alertmanager: { receivers: [{ name: 'a', type: 'webhook', url: 'env:A' }] },
      environments: { e: { tls: { clusterIssuer: null, secretName: 'wild' }, alertmanager: { receivers: [{ name: 'b', type: 'webhook', url: 'env:B' }] } } },
    };
    const s = resolve(file);
    expect(s.tls).toEqual({ clusterIssuer: null, secretName: 'wild' });
    expect(s.alertmanager.receivers.map((r) => r.name)).toEqual(['b']);
  });

  it('mergeLayer without a layer above gives a copy of the one below', () => {
    const base = { a: { b: [1] } };
    const merged = mergeLayer(base, undefined);
    expect(merged).toEqual(base);
    expect(merged.a).not.toBe(base.a);
  });
  it('mergeLayer changes neither input', () => {
    const base = { a: { b: 1, c: [1] } };
    const over = { a: { b: 2 } };
    const out = mergeLayer(base, over);
    expect(out).toEqual({ a: { b: 2, c: [1] } });
    expect(base).toEqual({ a: { b: 1, c: [1] } });
  });
});

describe('errors', () => {
  it('an undefined environment names the defined ones', () => {
    expect(() => resolve({ environments: { dev: {}, prod: {} } }, {}, 'qa')).toThrow(UsageError);
    try {
      resolve({ environments: { dev: {}, prod: {} } }, {}, 'qa');
    } catch (err) {
      expect((err as UsageError).message).toBe('environment "qa" is not defined in f.yaml.');
      expect((err as UsageError).hints[0]).toBe('Defined: dev, prod.');
    }
  });

  it('rules spanning keys are all reported', () => {
    const s = resolve({ environments: { e: {} } });
    const bad = {
      ...s,
      tls: { clusterIssuer: 'a', secretName: 'b' },
      alertmanager: { ...s.alertmanager, receivers: [{ name: 'x', type: 'webhook' as const, url: 'env:X' }, { name: 'x', type: 'webhook' as const, url: 'env:Y' }], route: { ...s.alertmanager.route, receiver: 'nope' } },
      ingress: { className: null, hosts: { prometheus: 'a.example.com', grafana: 'a.example.com', alertmanager: null } },
    };
    expect(checkSettings(bad)).toEqual([
      'tls.clusterIssuer and tls.secretName are both set; choose one (set the other to null, or pass --no-tls).',
      'alertmanager.receivers: the name "x" is used twice; receiver names must be unique.',
      'alertmanager.route.receiver: "nope" is not one of the receivers (x, x).',
      'ingress.hosts: "a.example.com" is given to two components; each needs its own host.',
    ]);
    expect(checkSettings(s)).toEqual([]);
  });

  it('each other rule spanning keys, word for word; none fires on a valid neighbour', () => {
    const s = resolve({ environments: { e: {} } });
    const off = { ...s.components, alertmanager: false, grafana: false, promtail: false };
    expect(checkSettings({ ...s, components: off, loki: { url: null }, ingress: { className: null, hosts: { prometheus: null, grafana: 'g.example.com', alertmanager: 'a.example.com' } } })).toEqual([
      'ingress.hosts.alertmanager is set but components.alertmanager is off.',
      'ingress.hosts.grafana is set but components.grafana is off.',
    ]);
    expect(checkSettings({ ...s, loki: { url: null } })).toEqual(['components.promtail is on but loki.url is null: Promtail needs a push URL (--loki-url).']);
    expect(checkSettings({ ...s, components: { ...s.components, promtail: false }, loki: { url: null } })).toEqual([]);
    expect(checkSettings({ ...s, alertmanager: { ...s.alertmanager, route: { ...s.alertmanager.route, receiver: 'pager' } } })).toEqual(['alertmanager.route.receiver: "pager" is not one of the receivers (none defined).']);
    const charts = { ...s.charts, grafana: { ...s.charts.grafana, release: 'prometheus' } };
    expect(checkSettings({ ...s, charts })).toEqual(['charts: the release name "prometheus" is used twice.']);
    // Distinct hosts, and components with hosts that are on, are fine.
    expect(checkSettings({ ...s, ingress: { className: null, hosts: { prometheus: 'p.example.com', grafana: 'g.example.com', alertmanager: 'a.example.com' } } })).toEqual([]);
  });

  it('one broken rule is the message; several are listed under it', () => {
    const one = () => resolve({ environments: { e: { tls: { clusterIssuer: 'a', secretName: 'b' } } } });
    expect(one).toThrow(new UsageError('f.yaml (environment e): tls.clusterIssuer and tls.secretName are both set; choose one (set the other to null, or pass --no-tls).'));
    try {
      one();
    } catch (err) {
      expect((err as UsageError).hints).toEqual([]);
    }
    try {
      resolve({ environments: { e: { tls: { clusterIssuer: 'a', secretName: 'b' }, loki: { url: null } } } });
      throw new Error('expected a UsageError');
    } catch (err) {
      expect((err as UsageError).message).toBe('f.yaml (environment e): the settings break these rules:');
      expect((err as UsageError).hints).toEqual([
        '- tls.clusterIssuer and tls.secretName are both set; choose one (set the other to null, or pass --no-tls).',
        '- components.promtail is on but loki.url is null: Promtail needs a push URL (--loki-url).',
      ]);
    }
  });

  it('an undefined environment: the fix names a defined one, or says none is defined', () => {
    const hints = (file: ConfigFile) => {
      try {
        resolve(file, {}, 'qa');
      } catch (err) {
        return (err as UsageError).hints;
      }
      throw new Error('expected a UsageError');
    };
    expect(hints({ environments: { dev: {}, prod: {} } })).toEqual(['Defined: dev, prod.', 'Fix: --env dev, or add environments.qa to f.yaml (monitor-stack init --env qa does).']);
    expect(hints({})).toEqual(['The file defines no environments.', 'Fix: --env <name>, or add environments.qa to f.yaml (monitor-stack init --env qa does).']);
  });
});
