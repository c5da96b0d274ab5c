/**
 * Outbound listeners are shared between proxies whose listener inputs are equal (memo.ts), and
 * only then: a proxy with its own client tags or its own policies gets its own listener, and the
 * shared one is byte-identical to what a fresh memo builds.
 */
import { describe, expect, it } from 'vitest';
import { type Resource, ZERO_TIME } from '../../../internal/resources/model';
import { LISTENER_KIND, encodeResource } from '../../../internal/xds/cache/snapshot-resources';
import type { MeshContext, ProxyContext } from '../../../internal/xds/context/types';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import type { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import { contextOf } from './context-fixture';

function resource(type: string, name: string, spec: Record<string, unknown>): Resource {
  return { type, mesh: 'default', name, labels: {}, spec, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME };
}

const dataplane = (name: string, service: string, ip: string) =>
  resource('Dataplane', name, {
    networking: {
      address: ip,
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
      outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
    },
  });

const backend = resource('Dataplane', 'backend-1', {
  networking: { address: '10.0.0.9', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
});

/** web-1 and web-2 are alike but for name and address; api-1 is another service. */
function mesh(extra: Resource[] = []): { ctx: MeshContext; proxies: Record<string, ProxyContext> } {
  const dps = [dataplane('web-1', 'web', '10.0.0.1'), dataplane('web-2', 'web', '10.0.0.2'), dataplane('web-3', 'web', '10.0.0.3'), dataplane('api-1', 'api', '10.0.0.4')];
  const ctx = contextOf([...dps, backend, ...extra]);
  return { ctx, proxies: Object.fromEntries(dps.map((d) => [d.name, { dataplane: d, adminPort: 9901 }])) };
}

const outbound = (ls: Listener[]) => ls.find((l) => l.name === 'outbound:127.0.0.1:10001')!;
/** The encoded listener as text: the strings of nested typed configs show in it. */
const bytesOf = (l: Listener) => Buffer.from(encodeResource(LISTENER_KIND, l).resource.value).toString('latin1');

describe('outbound listeners shared between proxies', () => {
  it('proxies with equal inputs get one listener object, encoded once', () => {
    const { ctx, proxies } = mesh();
    const memo = createSidecarMemo();
    const a = outbound(generateSidecar(proxies['web-1']!, ctx, memo).listeners);
    const b = outbound(generateSidecar(proxies['web-2']!, ctx, memo).listeners);
    expect(b).toBe(a);
    expect(encodeResource(LISTENER_KIND, b).resource.value).toBe(encodeResource(LISTENER_KIND, a).resource.value);
    // Sharing changes nothing in what a proxy gets.
    expect(generateSidecar(proxies['web-2']!, ctx, memo)).toEqual(generateSidecar(proxies['web-2']!, ctx, createSidecarMemo()));
  });

  it('a proxy of another service gets its own listener: x-kuma-tags are the client tags', () => {
    const { ctx, proxies } = mesh();
    const memo = createSidecarMemo();
    const web = outbound(generateSidecar(proxies['web-1']!, ctx, memo).listeners);
    const api = outbound(generateSidecar(proxies['api-1']!, ctx, memo).listeners);
    expect(api).not.toBe(web);
    expect(bytesOf(web)).toContain('&kuma.io/service=web&');
    expect(bytesOf(api)).toContain('&kuma.io/service=api&');
  });

  it('a policy selecting one proxy by name gives it its own listener and leaves the others shared', () => {
    const timeout = resource('MeshTimeout', 'web-2-only', {
      targetRef: { kind: 'Dataplane', name: 'web-2' },
      to: [{ targetRef: { kind: 'Mesh' }, default: { http: { streamIdleTimeout: '7s' } } }],
    });
    const { ctx, proxies } = mesh([timeout]);
    const memo = createSidecarMemo();
    const [one, two, three] = ['web-1', 'web-2', 'web-3'].map((n) => outbound(generateSidecar(proxies[n]!, ctx, memo).listeners));
    expect(three).toBe(one);
    expect(two).not.toBe(one);
    expect(bytesOf(two)).toBe(bytesOf(outbound(generateSidecar(proxies['web-2']!, ctx, createSidecarMemo()).listeners)));
    expect(bytesOf(one)).toBe(bytesOf(outbound(generateSidecar(proxies['web-1']!, ctx, createSidecarMemo()).listeners)));
    expect(bytesOf(two)).not.toBe(bytesOf(one));
  });

  it('an access log (which names the proxy) is never shared between proxies', () => {
    const log = resource('MeshAccessLog', 'all', {
      targetRef: { kind: 'Mesh' },
      to: [{ targetRef: { kind: 'Mesh' }, default: { backends: [{ type: 'File', file: { path: '/tmp/access.log', format: { type: 'Plain', plain: '%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%' } } }] } }],
    });
    const { ctx, proxies } = mesh([log]);
    const memo = createSidecarMemo();
    const a = outbound(generateSidecar(proxies['web-1']!, ctx, memo).listeners);
    const b = outbound(generateSidecar(proxies['web-2']!, ctx, memo).listeners);
    expect(bytesOf(a)).toContain('10.0.0.1');
    expect(bytesOf(b)).toContain('10.0.0.2');
    expect(b).not.toBe(a);
  });
});
