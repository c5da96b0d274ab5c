/** meshInsightForm is the protojson form of Kuma's MeshInsight, written out: same result as protojson itself. */
import { describe, expect, it } from 'vitest';
import { meshInsightForm } from '../../../internal/insights/mesh-insight-form';
import { protojsonForm } from '../../../internal/kds/spec-codec';

const viaProtojson = (spec: Record<string, unknown>) => protojsonForm({ name: 'MeshInsight', nestedSpec: false }, spec);
const zero = () => ({ total: 0, online: 0, offline: 0, partiallyDegraded: 0 });

const CASES: [string, Record<string, unknown>][] = [
  [
    'an empty mesh',
    { dataplanes: zero(), policies: {}, resources: {}, dpVersions: { kumaDp: {}, envoy: {} }, mTLS: { issuedBackends: {}, supportedBackends: {} }, services: { total: 0, internal: 0, external: 0 }, dataplanesByType: { standard: zero(), gateway: zero(), gatewayBuiltin: zero(), gatewayDelegated: zero() } },
  ],
  [
    'a busy mesh',
    {
      dataplanes: { total: 3, online: 2, offline: 1, partiallyDegraded: 1 },
      policies: { MeshTimeout: { total: 2 }, MeshRetry: { total: 1 } },
      resources: { Dataplane: { total: 3 }, MeshTimeout: { total: 2 } },
      dpVersions: { kumaDp: { '2.14.0': { total: 2, online: 2, offline: 0 }, unknown: { total: 1, online: 0, offline: 1 } }, envoy: { '1.34.1': { total: 3, online: 2, offline: 1 } } },
      mTLS: { issuedBackends: { 'ca-1': { total: 2, online: 2, offline: 0 } }, supportedBackends: {} },
      services: { total: 3, internal: 2, external: 1 },
      dataplanesByType: { standard: { total: 2, online: 2, offline: 0, partiallyDegraded: 1 }, gateway: { total: 1, online: 0, offline: 1, partiallyDegraded: 0 }, gatewayBuiltin: zero(), gatewayDelegated: { total: 1, online: 0, offline: 1, partiallyDegraded: 0 } },
    },
  ],
];

describe('meshInsightForm', () => {
  it.each(CASES)('%s: as protojson prints it', (_, spec) => {
    expect(meshInsightForm(spec)).toStrictEqual(viaProtojson(spec));
    expect(JSON.stringify(meshInsightForm(spec))).toBe(JSON.stringify(viaProtojson(spec)));
  });
});
