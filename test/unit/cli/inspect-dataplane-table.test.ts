import { describe, expect, it } from 'vitest';
import { dataplanePoliciesTable, targetRefCell } from '../../../internal/cli/inspect-tables';
import { renderTable } from '../../../internal/cli/printers/table';

describe('inspect dataplane --type policies', () => {
  it('puts a targetRef on one cell', () => {
    expect(targetRefCell({ kind: 'Mesh', proxyTypes: ['Sidecar'] })).toBe('Mesh');
    expect(targetRefCell({ kind: 'MeshService', name: 'web' })).toBe('MeshService/web');
    expect(targetRefCell({ kind: 'Dataplane', name: 'web-01', sectionName: 'http' })).toBe('Dataplane/web-01:http');
    expect(targetRefCell({ kind: 'MeshSubset', tags: { version: 'v1', 'kuma.io/zone': 'z' } })).toBe('MeshSubset{kuma.io/zone=z,version=v1}');
    expect(targetRefCell({ kind: 'Dataplane', labels: { app: 'web' } })).toBe('Dataplane{app=web}');
    expect(targetRefCell(undefined)).toBe('-');
  });

  it('prints one row per entry', () => {
    const items = [
      { type: 'MeshTimeout', name: 'mesh-timeout-all-default', section: 'to', targetRef: { kind: 'Mesh' }, target: { kind: 'Mesh' }, appliesTo: [] },
      { type: 'MeshTimeout', name: 'mesh-timeout-all-default', section: 'from', targetRef: { kind: 'Mesh' }, target: { kind: 'Mesh' }, appliesTo: ['inbound:127.0.0.1:8080'] },
      { type: 'TrafficRoute', name: 'route-all-default', section: 'outbound', appliesTo: ['outbound:127.0.0.1:10001', 'outbound:127.0.0.1:10002'] },
    ];
    expect(renderTable(dataplanePoliciesTable(items))).toBe(
      [
        'TYPE           NAME                       SECTION    TARGETREF   TARGET   APPLIES TO',
        'MeshTimeout    mesh-timeout-all-default   to         Mesh        Mesh     -',
        'MeshTimeout    mesh-timeout-all-default   from       Mesh        Mesh     inbound:127.0.0.1:8080',
        'TrafficRoute   route-all-default          outbound   -           -        outbound:127.0.0.1:10001, outbound:127.0.0.1:10002',
        '',
      ].join('\n'),
    );
  });
});
