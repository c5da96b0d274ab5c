import { describe, expect, it } from 'vitest';
import { Cluster, Cluster_DiscoveryType } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import { DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { KumaResource } from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import { Mesh } from '../../../proto/gen/kuma/mesh/v1alpha1/mesh';
import {
  Any,
  isType,
  pack,
  packBytes,
  packMessage,
  toBuffer,
  typeNameOf,
  typeUrlOf,
  unpack,
  unpackAs,
} from '../../../internal/proto/any';

const CLUSTER_URL = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

function sampleCluster() {
  return pack(Cluster, {
    name: 'backend_kuma-demo_svc_3001',
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.EDS },
    edsClusterConfig: { edsConfig: { configSourceSpecifier: { $case: 'ads', value: {} }, resourceApiVersion: 2 } },
    connectTimeout: { seconds: '5', nanos: 0 },
  });
}

describe('Any pack/unpack', () => {
  it('packs a partial with the canonical type URL and a Buffer value', () => {
    const any = sampleCluster();
    expect(any.typeUrl).toBe(CLUSTER_URL);
    expect(typeUrlOf(Cluster)).toBe(CLUSTER_URL);
    expect(Buffer.isBuffer(any.value)).toBe(true);
    expect(any.value.length).toBeGreaterThan(0);
  });

  it('unpacks through the type registry and through unpackAs to the same message', () => {
    const any = sampleCluster();
    const viaRegistry = unpack(any) as Cluster;
    const typed = unpackAs(Cluster, any);
    expect(typed).toEqual(viaRegistry);
    expect(typed.name).toBe('backend_kuma-demo_svc_3001');
    expect(typed.clusterDiscoveryType).toEqual({ $case: 'type', value: Cluster_DiscoveryType.EDS });
    expect(typed.edsClusterConfig?.edsConfig?.configSourceSpecifier?.$case).toBe('ads');
    expect(typed.connectTimeout).toEqual({ seconds: '5', nanos: 0 });
  });

  it('packMessage of a complete message gives the same bytes as pack', () => {
    const any = sampleCluster();
    const again = packMessage(Cluster, unpackAs(Cluster, any));
    expect(again.typeUrl).toBe(any.typeUrl);
    expect(Buffer.compare(again.value, any.value)).toBe(0);
  });

  it('packBytes/toBuffer wrap encoder output without copying', () => {
    const u8 = Cluster.encode(Cluster.fromPartial({ name: 'x' })).finish();
    const buf = toBuffer(u8);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf.buffer).toBe(u8.buffer);
    expect(buf.byteOffset).toBe(u8.byteOffset);
    expect(packBytes(Cluster, u8)).toEqual({ typeUrl: CLUSTER_URL, value: buf });
    expect(toBuffer(buf)).toBe(buf);
  });

  it('rejects a mismatching type in unpackAs and an unknown type in unpack', () => {
    const any = sampleCluster();
    expect(isType(Cluster, any)).toBe(true);
    expect(isType(ClusterLoadAssignment, any)).toBe(false);
    expect(() => unpackAs(ClusterLoadAssignment, any)).toThrow(/expected type "envoy.config.endpoint.v3.ClusterLoadAssignment"/);
    expect(() => unpack({ typeUrl: 'type.googleapis.com/no.such.Type', value: Buffer.alloc(0) })).toThrow(
      /"no.such.Type".*not registered/,
    );
  });

  it('takes the name after the last slash of any type URL prefix', () => {
    expect(typeNameOf('example.com/a/b/envoy.config.cluster.v3.Cluster')).toBe('envoy.config.cluster.v3.Cluster');
    expect(typeNameOf('envoy.config.cluster.v3.Cluster')).toBe('envoy.config.cluster.v3.Cluster');
  });

  it('round-trips a DeltaDiscoveryResponse carrying a Cluster and a KumaResource', () => {
    const spec = { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    const kuma = pack(KumaResource, {
      meta: { name: 'default', mesh: '', version: '', labels: { 'kuma.io/origin': 'global', 'kuma.io/zone': 'z1' } },
      spec: pack(Mesh, spec),
    });
    const response = DeltaDiscoveryResponse.fromPartial({
      systemVersionInfo: 'v1',
      typeUrl: 'Mesh',
      nonce: 'n-1',
      removedResources: ['gone'],
      resources: [
        { name: 'backend_kuma-demo_svc_3001', version: 'h1', resource: sampleCluster() },
        { name: 'default', version: 'h2', resource: kuma },
      ],
    });
    const wire = DeltaDiscoveryResponse.encode(response).finish();
    const decoded = DeltaDiscoveryResponse.decode(wire);
    expect(decoded).toEqual(response);
    expect(Buffer.compare(Buffer.from(DeltaDiscoveryResponse.encode(decoded).finish()), Buffer.from(wire))).toBe(0);

    const [c, k] = decoded.resources;
    expect(unpackAs(Cluster, c!.resource!).name).toBe('backend_kuma-demo_svc_3001');
    const res = unpack(k!.resource!) as KumaResource;
    expect(res.meta).toEqual({
      name: 'default',
      mesh: '',
      version: '',
      labels: { 'kuma.io/origin': 'global', 'kuma.io/zone': 'z1' },
    });
    expect(res.status).toBeUndefined();
    expect(res.spec?.typeUrl).toBe('type.googleapis.com/kuma.mesh.v1alpha1.Mesh');
    expect(unpackAs(Mesh, res.spec!).mtls).toMatchObject(spec.mtls);
  });

  it('renders nested Anys as canonical proto3 JSON', () => {
    const json = DeltaDiscoveryResponse.toJSON(
      DeltaDiscoveryResponse.fromPartial({ resources: [{ name: 'c', resource: sampleCluster() }] }),
    ) as { resources: { resource: { typeUrl: string; value: string } }[] };
    // ts-proto renders Any as {typeUrl, value: base64}; it decodes back to the same bytes
    const any = Any.fromJSON(json.resources[0]!.resource);
    expect(unpackAs(Cluster, any).name).toBe('backend_kuma-demo_svc_3001');
  });
});
