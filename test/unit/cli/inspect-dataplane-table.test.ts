import { describe, expect, it } from 'vitest';
import { targetRefCell } from '../../../internal/cli/inspect-tables';

describe('inspect dataplane --type policies', () => {
  it('puts a targetRef on one cell', () => {
    expect(targetRefCell({ kind: 'Mesh', proxyTypes: ['Sidecar'] })).toBe('Mesh');
    expect(targetRefCell({ kind: 'MeshService', name: 'web' })).toBe('MeshService/web');
    expect(targetRefCell({ kind: 'Dataplane', name: 'web-01', sectionName: 'http' })).toBe('Dataplane/web-01:http');
    expect(targetRefCell({ kind: 'MeshSubset', tags: { version: 'v1', 'kuma.io/zone': 'z' } })).toBe('MeshSubset{kuma.io/zone=z,version=v1}');
    expect(targetRefCell({ kind: 'Dataplane', labels: { app: 'web' } })).toBe('Dataplane{app=web}');
    expect(targetRefCell(undefined)).toBe('-');
  });
});
