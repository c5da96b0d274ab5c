/** proto.Merge on protojson Envoy messages, with Kuma's whole-Duration and Any-unpacking rules. */
import { describe, expect, it } from 'vitest';
import { mergeEnvoyJson } from '../../../internal/proto/envoy-merge';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const FILTER = 'envoy.config.listener.v3.Filter';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

describe('mergeEnvoyJson', () => {
  it('replaces a Duration whole, sets scalars, appends lists and keeps the rest', () => {
    const target = { name: 'c', connectTimeout: '5s', type: 'EDS', dnsLookupFamily: 'V4_ONLY', healthChecks: [{ timeout: '1s', interval: '2s', tcpHealthCheck: {} }] };
    const source = { connectTimeout: '0.500s', perConnectionBufferLimitBytes: 1024, healthChecks: [{ timeout: '3s', interval: '4s', tcpHealthCheck: {} }] };
    const out = mergeEnvoyJson(CLUSTER, target, source) as Record<string, unknown>;
    expect(out).toMatchObject({ name: 'c', connectTimeout: '0.500s', type: 'EDS', dnsLookupFamily: 'V4_ONLY', perConnectionBufferLimitBytes: 1024 });
    expect((out.healthChecks as unknown[]).length).toBe(2);
    expect(target.connectTimeout).toBe('5s');
  });

  it('switches a oneof to the member the source sets', () => {
    const out = mergeEnvoyJson(CLUSTER, { name: 'c', type: 'EDS' }, { clusterType: { name: 'envoy.clusters.aggregate' } }) as Record<string, unknown>;
    expect(out.type).toBeUndefined();
    expect(out.clusterType).toEqual({ name: 'envoy.clusters.aggregate' });
  });

  it('merges the unpacked messages of two Anys of the same type', () => {
    const target = { name: 'hcm', typedConfig: { '@type': HCM, statPrefix: 'in', streamIdleTimeout: '3600s', httpFilters: [{ name: 'envoy.filters.http.router' }] } };
    const out = mergeEnvoyJson(FILTER, target, { typedConfig: { '@type': HCM, streamIdleTimeout: '11s' } }) as { typedConfig: Record<string, unknown> };
    expect(out.typedConfig).toMatchObject({ statPrefix: 'in', streamIdleTimeout: '11s', httpFilters: [{ name: 'envoy.filters.http.router' }] });
  });

  it('replaces an Any of another type', () => {
    const tcp = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
    const out = mergeEnvoyJson(FILTER, { name: 'f', typedConfig: { '@type': HCM, statPrefix: 'in' } }, { typedConfig: { '@type': tcp, statPrefix: 'tcp', cluster: 'x' } }) as { typedConfig: Record<string, unknown> };
    expect(out.typedConfig).toEqual({ '@type': tcp, statPrefix: 'tcp', cluster: 'x' });
  });

  it('rejects a field the message does not have', () => {
    expect(() => mergeEnvoyJson(CLUSTER, { name: 'c' }, { noSuchField: 1 })).toThrow(/noSuchField/);
  });
});
