/**
 * One sidecar in a mesh of 1000 services x 2 instances: only what it declares is generated, and
 * it is correct. Timing is measured by the benchmarks (bench/), never asserted here.
 */
import { describe, expect, it } from 'vitest';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import { largeMesh, svc } from './large-mesh-fixture';

describe('a sidecar in a mesh of 1000 services x 2 instances', () => {
  const { ctx, proxy } = largeMesh(5);

  it('generates only its own inbound and the 5 outbounds it declares', () => {
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    expect(res.listeners.map((l) => l.name)).toEqual([
      'inbound:192.168.0.1:8080',
      ...[0, 1, 2, 3, 4].map((o) => `outbound:127.0.0.1:${10000 + o}`),
      'kuma:envoy:admin',
    ]);
    expect(res.clusters.map((c) => c.name)).toEqual(['localhost:8081', 'svc-0000', 'svc-0007', 'svc-0014', 'svc-0021', 'svc-0028', 'kuma:envoy:admin']);
    expect(res.endpoints).toHaveLength(5);
    for (const [o, cla] of res.endpoints.entries()) {
      const s = o * 7;
      expect(cla.clusterName).toBe(svc(s));
      const addresses = cla.endpoints.flatMap((l) => l.lbEndpoints).map((e) => (e.hostIdentifier?.$case === 'endpoint' ? e.hostIdentifier.value.address?.address : undefined));
      expect(addresses).toEqual([1, 2].map((i) => ({ $case: 'socketAddress', value: expect.objectContaining({ address: `10.0.${s}.${i}`, portSpecifier: { $case: 'portValue', value: 8080 } }) })));
    }
  });

  it('applies the mesh default policies to every outbound', () => {
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    for (const c of res.clusters.filter((c) => c.name.startsWith('svc-'))) {
      expect(c.circuitBreakers?.thresholds[0]?.maxConnections).toBe(1024);
      expect(c.connectTimeout).toEqual({ seconds: '5', nanos: 0 });
    }
  });

  it('gives the same result with a shared memo as with a fresh one', () => {
    const memo = createSidecarMemo();
    generateSidecar(proxy, ctx, memo);
    expect(generateSidecar(proxy, ctx, memo)).toEqual(generateSidecar(proxy, ctx, createSidecarMemo()));
  });
});
