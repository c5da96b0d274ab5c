/** meshContextInputFromStore: what the reconciler and the inspection routes read for a mesh. */
import { describe, expect, it } from 'vitest';
import { registry } from '../../../internal/resources/types/index';
import { MemoryStore } from '../../../internal/store/memory-store';
import { msVipAllocationKey } from '../../../internal/meshservice/vips';
import { meshContextInputFromStore } from '../../../internal/xds/context/mesh-context-input';

const MESH = { type: 'Mesh', mesh: '', name: 'm1', labels: {}, spec: {} };

describe('meshContextInputFromStore', () => {
  it('a mesh whose only MeshService-family members are MeshExternalServices gets their VIPs and the HostnameGenerators', async () => {
    const store = new MemoryStore();
    await store.create(MESH);
    await store.create({ type: 'HostnameGenerator', mesh: '', name: 'hg', labels: {}, spec: { selector: { meshExternalService: { matchLabels: {} } }, template: '{{ .DisplayName }}.extsvc.mesh.local' } });
    const none = meshContextInputFromStore(store, registry, store.get(MESH)!, 'zone-1');
    expect(none.hostnameGenerators).toBeUndefined();
    expect(none.meshServiceVips).toBeUndefined();

    await store.create({ type: 'MeshExternalService', mesh: 'm1', name: 'ext', labels: {}, spec: { match: { type: 'HostnameGenerator', port: 80, protocol: 'http' }, endpoints: [{ address: '127.0.0.1', port: 8080 }] } });
    await store.create({ ...msVipAllocationKey('m1'), labels: {}, spec: { MeshExternalService: { ext: '242.0.0.1' } } });
    const input = meshContextInputFromStore(store, registry, store.get(MESH)!, 'zone-1');
    expect(input.hostnameGenerators?.map((h) => h.name)).toEqual(['hg']);
    expect(input.meshServiceVips?.MeshExternalService).toEqual({ ext: '242.0.0.1' });
  });
});
