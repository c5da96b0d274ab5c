/**
 * Insight specs are encoded by the generated ts-proto codecs instead of reflection (spec-codec.ts):
 * both paths must give the same bytes for every shape a zone sends, and Kuma's own vector.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { encodeSpecWith } from '../../../internal/kds/spec-codec';
import { registry } from '../../../internal/resources/types';

const T = (name: string) => registry.mustByName(name);
const VECTORS = path.resolve(__dirname, '../../fixtures/kuma-wire');

const stats = (n: number) => ({ responsesSent: String(n), responsesAcknowledged: String(n - 1), responsesRejected: '1' });
const subscription = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `0a1b2c3d-0000-4000-8000-00000000000${i}`,
  controlPlaneInstanceId: `kuma-cp-${i}`,
  connectTime: '2024-01-01T00:00:00.123456789Z',
  generation: i,
  status: { lastUpdateTime: '2024-01-01T00:01:00.5Z', total: stats(9), cds: stats(3), eds: stats(2), lds: stats(2), rds: stats(2) },
  version: {
    kumaDp: { version: '2.14.3', gitTag: 'v2.14.3', gitCommit: 'abc', buildDate: '2026-12-02T12:53:34Z', kumaCpCompatible: true },
    envoy: { version: '1.38.2', build: 'hash/1.38.2/RELEASE', kumaDpCompatible: true },
    dependencies: { coredns: '1.11.1', zeta: '1', alpha: '2' },
  },
  ...extra,
});

const SPECS: [string, Record<string, unknown>][] = [
  ['DataplaneInsight', {}],
  ['DataplaneInsight', { subscriptions: [subscription(1)] }],
  ['DataplaneInsight', { subscriptions: [subscription(1, { disconnectTime: '2024-01-01T00:05:00Z' }), subscription(2)] }],
  [
    'DataplaneInsight',
    {
      subscriptions: [subscription(3)],
      mTLS: { certificateExpirationTime: '2024-01-02T00:00:00Z', lastCertificateRegeneration: '2024-01-01T00:00:00.001Z', certificateRegenerations: 4, issuedBackend: 'ca-1', supportedBackends: ['ca-1', 'ca-2'] },
      metadata: { features: ['feature-tproxy'], nested: { n: 1.5, ok: true, none: null } },
    },
  ],
  ['DataplaneInsight', { subscriptions: [{ id: 'x', status: { total: { responsesSent: '18446744073709551615' } } }] }],
  ['ZoneIngressInsight', { subscriptions: [subscription(1), subscription(2, { disconnectTime: '2024-01-01T00:05:00Z' })] }],
  ['ZoneEgressInsight', { subscriptions: [subscription(4)] }],
];

describe('insight specs through the generated encoders', () => {
  it.each(SPECS.map(([type, spec], i) => [`${type} #${i}`, type, spec] as const))('%s: same bytes as reflection', (_n, type, spec) => {
    const fast = encodeSpecWith(T(type), spec, true);
    const slow = encodeSpecWith(T(type), spec, false);
    expect(fast.typeUrl).toBe(slow.typeUrl);
    expect(fast.value.toString('hex')).toBe(slow.value.toString('hex'));
  });

  it("gives the same bytes for Kuma's DataplaneInsight vector", () => {
    const doc = parse(fs.readFileSync(path.join(VECTORS, 'dataplaneinsight.yaml'), 'utf8')) as Record<string, unknown>;
    const { type: _t, mesh: _m, name: _n, ...spec } = doc;
    expect(encodeSpecWith(T('DataplaneInsight'), spec, true).value.toString('hex')).toBe(encodeSpecWith(T('DataplaneInsight'), spec, false).value.toString('hex'));
  });

  it('still refuses a field the message does not have', () => {
    expect(() => encodeSpecWith(T('DataplaneInsight'), { subscriptions: [{ id: '1', bogus: 1 }] }, true)).toThrow(/bogus/);
  });
});
