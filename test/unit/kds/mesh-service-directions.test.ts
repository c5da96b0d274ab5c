/** Which way the MeshService family crosses KDS (spec kuma-kds-xds.md §1.6, §1.7). */
import { describe, expect, it } from 'vitest';
import { sendToGlobal, sendToZone } from '../../../internal/kds/filters';
import { mapForGlobal, mapForZone } from '../../../internal/kds/mappers';
import type { Resource } from '../../../internal/resources/model';
import { registry } from '../../../internal/resources/types';

const zones = { isEnabled: (z: string) => z !== 'off' };

function res(type: string, name: string, labels: Record<string, string>, mesh = 'default'): Resource {
  return { type, mesh, name, labels, spec: {}, version: 1, creationTime: '', modificationTime: '' };
}

describe('MeshService family KDS directions', () => {
  const ms = registry.mustByName('MeshService');
  const mzs = registry.mustByName('MeshMultiZoneService');
  const hg = registry.mustByName('HostnameGenerator');
  const mes = registry.mustByName('MeshExternalService');

  it('MeshService: zone to global, then to every other enabled zone, never back', () => {
    const local = res('MeshService', 'backend', { 'kuma.io/origin': 'zone' });
    expect(sendToGlobal(ms, local)).toBe(true);
    const up = mapForGlobal(local, 'zone-2');
    expect(up.name).toBe('backend-' + up.name.split('-').pop());
    expect(up.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2', 'kuma.io/display-name': 'backend' });
    const onGlobal = { ...local, name: up.name, labels: up.labels };
    expect(sendToZone(ms, onGlobal, 'zone-1', zones)).toBe(true);
    expect(sendToZone(ms, onGlobal, 'zone-2', zones)).toBe(false);
    expect(sendToZone(ms, { ...onGlobal, labels: { ...onGlobal.labels, 'kuma.io/zone': 'off' } }, 'zone-1', zones)).toBe(false);
    // Relayed under the same name, origin global ("last hop"), zone label kept.
    const down = mapForZone(ms, onGlobal);
    expect(down.name).toBe(up.name);
    expect(down.labels).toMatchObject({ 'kuma.io/origin': 'global', 'kuma.io/zone': 'zone-2' });
    // A copy a zone received is never echoed back.
    expect(sendToGlobal(ms, res('MeshService', up.name, down.labels))).toBe(false);
  });

  it('MeshMultiZoneService: global to zones only', () => {
    expect(sendToZone(mzs, res('MeshMultiZoneService', 'backend', {}), 'zone-1', zones)).toBe(true);
    expect(sendToGlobal(mzs, res('MeshMultiZoneService', 'backend', {}))).toBe(false);
  });

  it('HostnameGenerator and MeshExternalService: both ways, never zone to zone', () => {
    for (const d of [hg, mes]) {
      const mesh = d.scope === 'Mesh' ? 'default' : '';
      expect(sendToZone(d, res(d.name, 'x', {}, mesh), 'zone-1', zones)).toBe(true);
      expect(sendToGlobal(d, res(d.name, 'x', { 'kuma.io/origin': 'zone' }, mesh))).toBe(true);
      expect(sendToZone(d, res(d.name, 'x', { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2' }, mesh), 'zone-1', zones)).toBe(false);
    }
  });
});
