/** kuma-dp's DNS port travels bootstrap request -> Envoy node metadata -> the xDS stream (ProxyContext.dnsPort). */
import { describe, expect, it } from 'vitest';
import type { Node } from '../../../proto/gen/envoy/config/core/v3/base';
import { registerAll } from '../../../internal/resources/types';
import { envoyBootstrap } from '../../../internal/xds/bootstrap/envoy-bootstrap';
import { identify, type ProxyStream } from '../../../internal/xds/server/callbacks/proxy-streams';

const PARAMS = {
  nodeId: 'default.web-01',
  cluster: 'web',
  proxyType: 'dataplane' as const,
  dataplaneResource: '',
  adminAddress: '127.0.0.1',
  adminPort: 9901,
  xdsHost: '127.0.0.1',
  xdsPort: 5678,
  caCertPem: 'pem',
  token: '',
  version: {},
  features: [],
  workdir: '/tmp',
  dynamicMetadata: {},
};

function metadataOf(b: Record<string, unknown>): Record<string, unknown> {
  return (b.node as { metadata: Record<string, unknown> }).metadata;
}

describe('the DNS port in the bootstrap', () => {
  it('is node metadata dataplane.dns.port only when kuma-dp runs its resolver', () => {
    expect(metadataOf(envoyBootstrap({ ...PARAMS, dnsPort: 15053 }))['dataplane.dns.port']).toBe('15053');
    expect(metadataOf(envoyBootstrap(PARAMS))).not.toHaveProperty('dataplane.dns.port');
    expect(metadataOf(envoyBootstrap({ ...PARAMS, dnsPort: 0 }))).not.toHaveProperty('dataplane.dns.port');
  });

  it('is read back from the node on the xDS stream', () => {
    const registry = registerAll();
    const s: ProxyStream = { token: '' };
    identify(s, { id: 'default.web-01', metadata: metadataOf(envoyBootstrap({ ...PARAMS, dnsPort: 15053 })) } as unknown as Node, registry);
    expect(s.dnsPort).toBe(15053);
    const plain: ProxyStream = { token: '' };
    identify(plain, { id: 'default.web-01', metadata: metadataOf(envoyBootstrap(PARAMS)) } as unknown as Node, registry);
    expect(plain.dnsPort).toBe(0);
  });
});
