/**
 * Rules of the pure core stated for every input fast-check generates, not for a few chosen ones:
 *
 * - merge precedence: for any stack of layers, each key comes from the highest layer that sets it;
 * - every overlay key path, for any valid settings, exists in the pinned chart's defaults (or its
 *   subchart's) with the same shape;
 * - a secret reference is never resolved into an overlay: every secret-bearing Alertmanager field
 *   is a `*_file` path inside a mounted Secret, and the overlays are the same bytes whatever value
 *   sits behind the references.
 *
 * A failure prints the smallest counterexample and the seed to replay it (fc.assert's report).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEFAULT_PRESET } from '../../src/config/defaults.js';
import { readPresets } from '../../src/config/load.js';
import { mergeLayer, resolveSettings } from '../../src/config/merge.js';
import { configFileSchema, PRESET_NAMES, type ConfigFile, type Layer, type PresetName } from '../../src/config/schema.js';
import { RECEIVER_SECRETS_ROOT } from '../../src/overlays/receivers.js';
import { planReleases } from '../../src/plan.js';
import { parseSecretRef } from '../../src/refs.js';
import { overlayKeyProblems } from '../support/upstream.js';

const presets = readPresets();
type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Value at a key path, or undefined when the path leaves the maps. */
function at(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (!isPlain(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Paths of every non-map value (scalars, lists, null) in a tree of maps. */
function leaves(value: Plain, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : isPlain(v) ? leaves(v, [...prefix, k]) : [[...prefix, k]]));
}

describe('mergeLayer: any stack of layers', () => {
  // Small key alphabet, so layers overlap often; leaves of every kind the layers hold.
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 3 }));
  const { tree } = fc.letrec<{ tree: Plain }>((tie) => ({
    tree: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('tree')), { maxKeys: 4 }),
  }));

  /** What the precedence rule says the merged value at `path` is: the highest layer that sets it. */
  function expected(layers: Plain[], path: string[]): { value: unknown } | 'map' | 'absent' {
    for (let i = layers.length - 1; i >= 0; i--) {
      let node: unknown = layers[i];
      for (let k = 0; k < path.length; k++) {
        node = (node as Plain)[path[k]!];
        if (node === undefined) break;
        if (k < path.length - 1 && !isPlain(node)) return 'absent'; // a higher layer replaced a map above this key
        if (k === path.length - 1) return isPlain(node) ? 'map' : { value: node };
      }
    }
    return 'absent';
  }

  it('every key comes from the highest layer that sets it; maps merge, the rest replaces; no input changes', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 4 }), (layers) => {
        const before = structuredClone(layers);
        const merged = layers.reduce<Plain>((acc, layer) => mergeLayer(acc, layer), {});
        expect(layers).toEqual(before);
        for (const path of layers.flatMap((l) => leaves(l))) {
          const want = expected(layers, path);
          const got = at(merged, path);
          if (want === 'absent') expect(got).toBeUndefined();
          else if (want === 'map') expect(isPlain(got)).toBe(true);
          else expect(got).toEqual(want.value);
        }
        for (const path of leaves(merged)) expect(expected(layers, path)).not.toBe('absent');
      }),
    );
  });

  it('a merged list or map is a copy: changing the result changes no layer', () => {
    fc.assert(
      fc.property(tree, tree, (a0, b0) => {
        // Copies: fast-check shrinks from the values it generated, so the property must not change them.
        const [a, b] = structuredClone([a0, b0]);
        const before = structuredClone([a, b]);
        const merged = mergeLayer(a, b);
        for (const path of leaves(merged)) {
          const v = at(merged, path);
          if (Array.isArray(v)) v.push(99);
        }
        expect([a, b]).toEqual(before);
      }),
    );
  });
});

describe('resolveSettings: defaults < preset < base < environment < flags, for any layering', () => {
  /** Settings with a value of its own in each layer that may set it. */
  const KEYS: { path: string[]; value: fc.Arbitrary<unknown> }[] = [
    { path: ['namespace'], value: fc.constantFrom('ns-a', 'ns-b', 'ns-c') },
    { path: ['storageClass'], value: fc.constantFrom('fast', 'slow', null) },
    { path: ['prometheus', 'retention'], value: fc.integer({ min: 1, max: 90 }).map((n) => `${n}d`) },
    { path: ['prometheus', 'persistence'], value: fc.boolean() },
    { path: ['alertmanager', 'replicas'], value: fc.integer({ min: 1, max: 9 }) },
    { path: ['alertmanager', 'route', 'groupWait'], value: fc.integer({ min: 1, max: 59 }).map((n) => `${n}s`) },
    { path: ['grafana', 'storageSize'], value: fc.integer({ min: 1, max: 500 }).map((n) => `${n}Gi`) },
    { path: ['highAvailability', 'podAntiAffinity'], value: fc.constantFrom('none', 'soft', 'hard') },
  ];
  const layerArb = fc.tuple(...KEYS.map((k) => fc.option(k.value, { nil: undefined }))).map((values) => {
    let layer: Plain = {};
    values.forEach((v, i) => {
      if (v === undefined) return;
      const path = KEYS[i]!.path;
      layer = mergeLayer(layer, path.reduceRight<unknown>((inner, k) => ({ [k]: inner }), v) as Plain);
    });
    return layer;
  });
  const presetArb = fc.option(fc.constantFrom(...PRESET_NAMES), { nil: undefined });

  it('each key is the value of the highest layer that sets it, the preset chosen the same way', () => {
    fc.assert(
      fc.property(layerArb, layerArb, layerArb, presetArb, presetArb, presetArb, (base, env, flags, basePreset, envPreset, flagPreset) => {
        const file = { ...base, ...(basePreset ? { preset: basePreset } : {}), environments: { e: { ...env, ...(envPreset ? { preset: envPreset } : {}) } } } as ConfigFile;
        const s = resolveSettings({ file, fileName: 'f.yaml', environment: 'e', presets, flags: { ...(flags as Layer), ...(flagPreset ? { preset: flagPreset } : {}) } });
        const preset: PresetName = flagPreset ?? envPreset ?? basePreset ?? DEFAULT_PRESET;
        expect(s.preset).toBe(preset);
        for (const { path } of KEYS) {
          const want = [flags, env, base, presets[preset] as Plain, DEFAULTS as unknown as Plain].map((l) => at(l, path)).find((v) => v !== undefined);
          expect(at(s, path), path.join('.')).toEqual(want);
        }
      }),
    );
  });
});

// Settings as a user could write them: every combination the schema and the cross-key rules allow.
const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const secretRef = fc.oneof(
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/).map((n) => `env:${n}`),
  fc.stringMatching(/^[a-z0-9]{1,8}$/).map((n) => `file:/run/secrets/${n}`),
  fc.tuple(dnsLabel, fc.stringMatching(/^[a-z][a-z0-9._-]{0,8}$/)).map(([n, k]) => `secret:${n}/${k}`),
);
const receiverOf = (name: string) =>
  fc.oneof(
    fc.record({ name: fc.constant(name), type: fc.constant('slack' as const), webhookUrl: secretRef, channel: fc.option(fc.constant('#alerts'), { nil: undefined }) }, { requiredKeys: ['name', 'type', 'webhookUrl'] }),
    fc.record(
      {
        name: fc.constant(name),
        type: fc.constant('email' as const),
        to: fc.constant('oncall@example.com'),
        from: fc.constant('alertmanager@example.com'),
        smarthost: fc.constant('smtp.example.com:587'),
        username: fc.constant('alertmanager'),
        password: secretRef,
      },
      { requiredKeys: ['name', 'type', 'to', 'from', 'smarthost'] },
    ),
    fc.record({ name: fc.constant(name), type: fc.constant('pagerduty' as const), routingKey: secretRef }),
    fc.record({ name: fc.constant(name), type: fc.constant('webhook' as const), url: secretRef }),
  );
const receiversArb = fc.uniqueArray(dnsLabel.filter((n) => n !== 'null' && n !== 'deadmansswitch'), { maxLength: 4 }).chain((names) => fc.tuple(...names.map(receiverOf)));

const configArb = fc
  .record({
    preset: fc.constantFrom(...PRESET_NAMES),
    namespace: dnsLabel,
    storageClass: fc.option(dnsLabel, { nil: null }),
    ingressClass: fc.option(dnsLabel, { nil: null }),
    hosts: fc.record({ prometheus: fc.boolean(), grafana: fc.boolean(), alertmanager: fc.boolean() }),
    tls: fc.constantFrom('none', 'issuer', 'secret'),
    components: fc.record({ alertmanager: fc.boolean(), kubeStateMetrics: fc.boolean(), nodeExporter: fc.boolean(), pushgateway: fc.boolean(), grafana: fc.boolean(), promtail: fc.boolean() }),
    prometheus: fc.record({ replicas: fc.integer({ min: 1, max: 9 }), retention: fc.integer({ min: 1, max: 400 }).map((n) => `${n}d`), persistence: fc.boolean(), storageSize: fc.integer({ min: 1, max: 999 }).map((n) => `${n}Gi`) }),
    alertmanager: fc.record({ replicas: fc.integer({ min: 1, max: 9 }), persistence: fc.boolean(), storageSize: fc.integer({ min: 1, max: 99 }).map((n) => `${n}Gi`) }),
    receivers: receiversArb,
    routeTo: fc.nat(),
    // Which severities each receiver gets, so that every receiver is reached.
    severities: fc.array(fc.constantFrom('critical', 'warning', 'both'), { minLength: 4, maxLength: 4 }),
    deadMansSwitch: fc.option(secretRef, { nil: null }),
    grafana: fc.record({ replicas: fc.integer({ min: 1, max: 9 }), persistence: fc.boolean(), adminSecret: fc.option(dnsLabel, { nil: null }) }),
    lokiUrl: fc.option(fc.constantFrom('http://loki-gateway.logs/loki/api/v1/push', 'https://logs.example.com/loki/api/v1/push'), { nil: null }),
    highAvailability: fc.record({ podAntiAffinity: fc.constantFrom('none' as const, 'soft' as const, 'hard' as const), podDisruptionBudget: fc.boolean() }),
    releases: fc.option(fc.uniqueArray(dnsLabel, { minLength: 3, maxLength: 3 }), { nil: undefined }),
  })
  .map((c): ConfigFile => {
    const on = c.components;
    const host = (name: string, wanted: boolean, enabled: boolean) => (wanted && enabled ? `${name}.example.com` : null);
    return configFileSchema.parse({
      preset: c.preset,
      namespace: c.namespace,
      storageClass: c.storageClass,
      ingress: {
        className: c.ingressClass,
        hosts: { prometheus: host('prometheus', c.hosts.prometheus, true), grafana: host('grafana', c.hosts.grafana, on.grafana), alertmanager: host('alertmanager', c.hosts.alertmanager, on.alertmanager) },
      },
      tls: { clusterIssuer: c.tls === 'issuer' ? 'letsencrypt' : null, secretName: c.tls === 'secret' ? 'wildcard-tls' : null },
      components: on,
      prometheus: c.prometheus,
      alertmanager: {
        ...c.alertmanager,
        receivers: c.receivers,
        deadMansSwitchUrl: c.deadMansSwitch,
        route: {
          receiver: c.receivers.length ? c.receivers[c.routeTo % c.receivers.length]!.name : null,
          critical: c.receivers.filter((_, i) => c.severities[i] !== 'warning').map((r) => r.name),
          warning: c.receivers.filter((_, i) => c.severities[i] !== 'critical').map((r) => r.name),
        },
      },
      grafana: c.grafana,
      loki: { url: on.promtail ? (c.lokiUrl ?? 'http://loki-gateway/loki/api/v1/push') : c.lokiUrl },
      highAvailability: c.highAvailability,
      ...(c.releases ? { charts: { prometheus: { release: c.releases[0] }, grafana: { release: c.releases[1] }, promtail: { release: c.releases[2] } } } : {}),
      environments: { test: {} },
    });
  });

const settingsOf = (file: ConfigFile) => resolveSettings({ file, fileName: 'generated.yaml', environment: 'test', presets });

describe('overlays, for any valid settings', () => {
  it('every key path exists in the pinned chart (or its subchart) with the same shape', () => {
    fc.assert(
      fc.property(configArb, (file) => {
        for (const plan of planReleases(settingsOf(file))) expect(overlayKeyProblems(plan), plan.release).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('no secret reference is resolved into an overlay: each secret field is a *_file path in a mounted Secret', () => {
    const SECRET_VALUE_KEYS = new Set(['api_url', 'routing_key', 'service_key', 'auth_password', 'url']);
    fc.assert(
      fc.property(configArb, (file) => {
        const s = settingsOf(file);
        const prometheus = planReleases(s).find((p) => p.id === 'prometheus')!;
        const am = prometheus.values.alertmanager as Plain;
        if (!s.components.alertmanager) return;
        const mounts = ((am.extraSecretMounts ?? []) as { mountPath: string; secretName: string }[]);
        const receivers = (am.config as { receivers: Plain[] }).receivers;
        const fileFields: [string, string][] = [];
        const walk = (v: unknown, key = ''): void => {
          if (Array.isArray(v)) v.forEach((x) => walk(x));
          else if (isPlain(v)) for (const [k, x] of Object.entries(v)) walk(x, k);
          else {
            expect(SECRET_VALUE_KEYS.has(key), `${key} holds a value in alertmanager.config`).toBe(false);
            if (key.endsWith('_file')) fileFields.push([key, String(v)]);
          }
        };
        walk(receivers);
        const refs = [
          ...s.alertmanager.receivers.flatMap((r) => Object.entries(r).filter(([k]) => ['webhookUrl', 'password', 'routingKey', 'url'].includes(k)).map(([, v]) => String(v))),
          ...(s.alertmanager.deadMansSwitchUrl ? [s.alertmanager.deadMansSwitchUrl] : []),
        ];
        expect(fileFields).toHaveLength(refs.length);
        for (const [, path] of fileFields) {
          expect(path.startsWith(`${RECEIVER_SECRETS_ROOT}/`)).toBe(true);
          expect(mounts.some((m) => path.startsWith(`${m.mountPath}/`)), path).toBe(true);
        }
        // A secret:NAME/KEY reference is mounted from NAME; every other Secret mounted is the managed one.
        for (const ref of refs.map(parseSecretRef)) {
          if (typeof ref === 'string') throw new Error(ref);
          if (ref.kind === 'secret') expect(fileFields.some(([, p]) => p === `${RECEIVER_SECRETS_ROOT}/${ref.name}/${ref.key}`)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the overlays are the same bytes whatever the referenced environment variables and files hold, and contain none of it', () => {
    fc.assert(
      fc.property(configArb, fc.string({ minLength: 8, maxLength: 16 }).map((s) => `canary-${s}`), (file, canary) => {
        const s = settingsOf(file);
        const envNames = [...s.alertmanager.receivers.flatMap((r) => Object.values(r)), s.alertmanager.deadMansSwitchUrl].map((v) => (typeof v === 'string' ? parseSecretRef(v) : 'x')).flatMap((r) => (typeof r !== 'string' && r.kind === 'env' ? [r.name] : []));
        const saved = envNames.map((n) => [n, process.env[n]] as const);
        const without = planReleases(s).map((p) => p.overlay);
        try {
          for (const n of envNames) process.env[n] = canary;
          const withValues = planReleases(s).map((p) => p.overlay);
          expect(withValues).toEqual(without);
          for (const text of withValues) expect(text).not.toContain(canary);
        } finally {
          for (const [n, v] of saved) if (v === undefined) delete process.env[n];
          else process.env[n] = v;
        }
      }),
      { numRuns: 100 },
    );
  });
});
