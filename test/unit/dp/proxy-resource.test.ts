import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../internal/errors';
import { buildProxyResource } from '../../../internal/dp/proxy-resource';
import { registerAll } from '../../../internal/resources/types/index';

const registry = registerAll();

const DP = `type: Dataplane
mesh: default
name: {{ name }}
networking:
  address: 127.0.0.1
  inbound:
  - port: {{ port }}
    servicePort: 8081
    tags:
      kuma.io/service: web
      kuma.io/protocol: http
`;

function violations(f: () => unknown): { field: string; message: string }[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e.violations;
    throw e;
  }
  throw new Error('no error');
}

describe('buildProxyResource', () => {
  it('renders --dataplane-var and sends the resource as REST JSON', () => {
    const p = buildProxyResource(registry, { text: DP, source: 'dp.yaml', vars: { name: 'web-01', port: '8080' } });
    expect(p).toMatchObject({ proxyType: 'dataplane', mesh: 'default', name: 'web-01' });
    expect(JSON.parse(p.resourceJson)).toEqual({
      type: 'Dataplane',
      mesh: 'default',
      name: 'web-01',
      networking: { address: '127.0.0.1', inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }] },
    });
  });

  it('fills networking.admin.port from --admin-port, and refuses a contradiction', () => {
    const p = buildProxyResource(registry, { text: DP, vars: { name: 'a', port: '8080' }, adminPort: 9911 });
    expect(JSON.parse(p.resourceJson).networking.admin).toEqual({ port: 9911 });
    const withAdmin = DP.replace('  address: 127.0.0.1\n', '  address: 127.0.0.1\n  admin: { port: 9901 }\n');
    expect(() => buildProxyResource(registry, { text: withAdmin, source: 'dp.yaml', vars: { name: 'a', port: '8080' }, adminPort: 9911 })).toThrow(
      '--admin-port 9911 contradicts networking.admin.port 9901 of dp.yaml',
    );
    // The registry's rule that the admin port differs from the inbounds applies to the flag too.
    expect(violations(() => buildProxyResource(registry, { text: DP, vars: { name: 'a', port: '8080' }, adminPort: 8081 }))).toEqual([{ field: 'networking.admin.port', message: 'must differ from inbound' }]);
  });

  it('names every invalid field', () => {
    const bad = `type: Dataplane
mesh: default
name: Web_01
networking:
  address: 127.0.0.1
  inbound:
  - port: 70000
    tags: { kuma.io/protocol: http }
`;
    let err: unknown;
    try {
      buildProxyResource(registry, { text: bad, source: 'dp.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe('invalid Dataplane "Web_01" in dp.yaml');
    expect((err as ValidationError).violations.map((v) => v.field)).toEqual(['name', 'networking.inbound[0].port', 'networking.inbound[0].tags["kuma.io/service"]']);
  });

  it('leaves an unrendered template to validation', () => {
    expect(violations(() => buildProxyResource(registry, { text: DP, vars: { port: '8080' } })).map((v) => v.field)).toEqual(['name']);
  });

  it('checks the type against --proxy-type', () => {
    expect(() => buildProxyResource(registry, { text: DP, vars: { name: 'a', port: '1' }, proxyType: 'ingress' })).toThrow(
      'invalid proxy resource type "Dataplane", expected ZoneIngress (--proxy-type ingress)',
    );
    expect(() => buildProxyResource(registry, { text: DP, proxyType: 'gateway' })).toThrow('invalid proxy type "gateway" (expected one of dataplane, ingress, egress)');
  });

  it('takes zone proxies without a mesh', () => {
    const zi = buildProxyResource(registry, {
      proxyType: 'ingress',
      text: 'type: ZoneIngress\nname: zi-1\nnetworking:\n  address: 127.0.0.1\n  port: 10001\n  advertisedAddress: 10.0.0.1\n  advertisedPort: 10001\n',
    });
    expect(zi).toMatchObject({ proxyType: 'ingress', mesh: '', name: 'zi-1' });
    expect(JSON.parse(zi.resourceJson)).toEqual({ type: 'ZoneIngress', name: 'zi-1', networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '10.0.0.1', advertisedPort: 10001 } });
    const ze = buildProxyResource(registry, { proxyType: 'egress', text: '{"type":"ZoneEgress","name":"ze-1","networking":{"address":"127.0.0.1","port":10002}}' });
    expect(ze).toMatchObject({ proxyType: 'egress', mesh: '', name: 'ze-1' });
  });

  it("applies Kuma's flag rules", () => {
    expect(() => buildProxyResource(registry, { text: DP, name: 'x' })).toThrow('--name and --mesh cannot be specified when a dataplane definition is provided');
    expect(violations(() => buildProxyResource(registry, {}))).toEqual([
      { field: 'name', message: '.Name must be non-empty (pass --name, or a resource with --dataplane-file)' },
      { field: 'mesh', message: '.Mesh must be non-empty (pass --mesh, or a resource with --dataplane-file)' },
    ]);
    expect(buildProxyResource(registry, { name: 'web-01', mesh: 'default' })).toEqual({ proxyType: 'dataplane', mesh: 'default', name: 'web-01', resourceJson: '' });
    expect(buildProxyResource(registry, { name: 'zi', proxyType: 'ingress' })).toEqual({ proxyType: 'ingress', mesh: '', name: 'zi', resourceJson: '' });
    expect(() => buildProxyResource(registry, { name: 'a', mesh: 'b', adminPort: 9901 })).toThrow('--admin-port needs a resource');
  });

  it('wants exactly one parseable document', () => {
    expect(() => buildProxyResource(registry, { text: `${DP}---\n${DP}`, source: 'dp.yaml' })).toThrow('dp.yaml: expected exactly one resource, found 2');
    expect(() => buildProxyResource(registry, { text: 'a: [', source: 'dp.yaml' })).toThrow(/^dp\.yaml: failed to parse the resource: /);
  });
});
