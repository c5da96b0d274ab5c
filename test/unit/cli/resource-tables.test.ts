import { describe, expect, it } from 'vitest';
import { resourceTable } from '../../../internal/cli/resource-tables';
import { defineType } from '../../../internal/resources/define';
import { message } from '../../../internal/resources/schema/field-schema';

const now = Date.parse('2026-01-01T12:00:00Z');
const t = '2026-01-01T11:59:00Z';
const type = (name: string, scope: 'Mesh' | 'Global') => defineType({ name, scope, path: name.toLowerCase(), fields: message({}), validate: () => [] });

describe('get tables', () => {
  it('meshes: NAME mTLS LOCALITY ZONEEGRESS AGE', () => {
    const tb = resourceTable(type('Mesh', 'Global'), [
      { name: 'a', modificationTime: t, mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] }, routing: { localityAwareLoadBalancing: true } },
      { name: 'b', modificationTime: t, routing: { zoneEgress: true } },
    ], now);
    expect(tb.headers).toEqual(['NAME', 'mTLS', 'LOCALITY', 'ZONEEGRESS', 'AGE']);
    expect(tb.rows).toEqual([
      ['a', 'builtin/ca-1', 'on', 'off', '1m'],
      ['b', 'off', 'off', 'on', '1m'],
    ]);
  });

  it('dataplanes: tags of inbounds and gateway, advertised address first', () => {
    const tb = resourceTable(type('Dataplane', 'Mesh'), [
      { mesh: 'm', name: 'dp', modificationTime: t, networking: { address: '10.0.0.1', advertisedAddress: '1.2.3.4', inbound: [{ port: 1, tags: { 'kuma.io/service': 'a', v: '2' } }, { port: 2, tags: { 'kuma.io/service': 'b', v: '1' } }] } },
      { mesh: 'm', name: 'gw', modificationTime: t, networking: { address: '10.0.0.2', gateway: { tags: { 'kuma.io/service': 'edge' } } } },
    ], now);
    expect(tb.headers).toEqual(['MESH', 'NAME', 'TAGS', 'ADDRESS', 'AGE']);
    expect(tb.rows).toEqual([
      ['m', 'dp', 'kuma.io/service=a,b v=1,2', '1.2.3.4', '1m'],
      ['m', 'gw', 'kuma.io/service=edge', '10.0.0.2', '1m'],
    ]);
  });

  it('external services: tags and networking address', () => {
    const tb = resourceTable(type('ExternalService', 'Mesh'), [{ mesh: 'm', name: 'httpbin', modificationTime: t, tags: { 'kuma.io/service': 'httpbin' }, networking: { address: 'httpbin.org:443' } }], now);
    expect(tb.rows).toEqual([['m', 'httpbin', 'kuma.io/service=httpbin', 'httpbin.org:443', '1m']]);
  });

  it('other types by scope', () => {
    expect(resourceTable(type('MeshRetry', 'Mesh'), [{ mesh: 'm', name: 'r', modificationTime: t }], now)).toEqual({ headers: ['MESH', 'NAME', 'AGE'], rows: [['m', 'r', '1m']], footer: undefined });
    expect(resourceTable(type('Zone', 'Global'), [{ name: 'z', modificationTime: t }], now, 'more')).toEqual({ headers: ['NAME', 'AGE'], rows: [['z', '1m']], footer: 'more' });
  });
});
