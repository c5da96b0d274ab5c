/** Kuma DNS for the MeshService family (spec kuma-kds-xds.md §3.8): hostnames from HostnameGenerators, answered with the zone's VIPs. */
import { describe, expect, it } from 'vitest';
import { DnsServer } from '../../../internal/dns/dns-server';
import { RCODE, TYPE_A, buildQuery, parseResponse } from '../../../internal/dns/dns-wire';
import { meshServiceDnsRecords } from '../../../internal/meshservice/dns-records';
import type { Resource } from '../../../internal/resources/model';
import { hostnameGeneratorsOf, msVipsOfResources, parseResources } from '../../xds/generators/context-fixture';
import { LOCAL_BACKEND, MMZS, REMOTE_BACKEND } from '../../xds/generators/cases/mesh-service-outbounds';
import { docs } from '../../xds/generators/fixtures';

function records(resources: Resource[]) {
  const of = (t: string) => resources.filter((r) => r.type === t);
  return meshServiceDnsRecords({
    meshServices: of('MeshService'),
    multiZoneServices: of('MeshMultiZoneService'),
    externalServices: of('MeshExternalService'),
    hostnameGenerators: hostnameGeneratorsOf('zone-1'),
    vips: msVipsOfResources(resources),
  });
}

const HTTPBIN = `
type: MeshExternalService
mesh: default
name: httpbin
labels:
  kuma.io/origin: zone
spec:
  match:
    type: HostnameGenerator
    port: 80
    protocol: http
  endpoints:
  - address: httpbin.org
    port: 443
`;

describe('MeshService DNS records', () => {
  const resources = parseResources(docs(LOCAL_BACKEND, REMOTE_BACKEND, MMZS, HTTPBIN));

  it('names the local MeshService, the other zone\'s copy, the MeshMultiZoneService and the MeshExternalService with their VIPs, one record per port', () => {
    expect(records(resources)).toEqual([
      { name: 'backend.svc.mesh.local', ip: '241.0.0.1', port: 9090 },
      { name: 'backend.svc.zone-2.mesh.local', ip: '241.0.0.2', port: 9090 },
      { name: 'backend.mzsvc.mesh.local', ip: '243.0.0.1', port: 9090 },
      { name: 'httpbin.extsvc.mesh.local', ip: '242.0.0.1', port: 80 },
    ]);
  });

  it('answers a hostname two MeshServices claim with the VIP of the one that keeps it (the older), never both', () => {
    const twin = parseResources(docs(LOCAL_BACKEND.replace(/name: backend\n/, 'name: backend-twin\n')))[0]!;
    const ms = resources.filter((r) => r.type === 'MeshService');
    const local = ms.find((r) => r.name === 'backend')!;
    const older = { ...twin, creationTime: '2020-01-01T00:00:00.000Z' };
    const vips = { ...msVipsOfResources(resources), MeshService: { ...msVipsOfResources(resources).MeshService, 'backend-twin': '241.0.0.9' } };
    const recs = meshServiceDnsRecords({ meshServices: [{ ...local, creationTime: '2026-01-01T00:00:00.000Z' }, older], multiZoneServices: [], externalServices: [], hostnameGenerators: hostnameGeneratorsOf('zone-1'), vips });
    expect(recs.filter((r) => r.name === 'backend.svc.mesh.local').map((r) => r.ip)).toEqual(['241.0.0.9']);
  });

  it('gives no record to a resource without a VIP yet', () => {
    const of = (t: string) => resources.filter((r) => r.type === t);
    const none = meshServiceDnsRecords({ meshServices: of('MeshService'), multiZoneServices: of('MeshMultiZoneService'), externalServices: [], hostnameGenerators: hostnameGeneratorsOf('zone-1'), vips: { MeshService: {}, MeshMultiZoneService: {}, MeshExternalService: {} } });
    expect(none).toEqual([]);
  });

  it('kuma-dp\'s resolver answers those hostnames outside the mesh domain, and NXDOMAIN for unknown mesh names', async () => {
    const s = new DnsServer({ port: 0, upstreams: [] });
    s.setRecords({ domain: 'mesh', ttl: 30, records: new Map(records(resources).map((r) => [r.name, r.ip])) });
    const a = parseResponse((await s.answer(buildQuery(7, 'backend.mzsvc.mesh.local', TYPE_A)))!);
    expect(a.rcode).toBe(RCODE.NOERROR);
    expect(a.answers.map((x) => x.ip)).toEqual(['243.0.0.1']);
    expect(parseResponse((await s.answer(buildQuery(8, 'nope.mesh', TYPE_A)))!).rcode).toBe(RCODE.NXDOMAIN);
  });
});
