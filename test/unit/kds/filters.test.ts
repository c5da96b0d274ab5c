/**
 * What crosses KDS (kuma-kds-xds.md §1.6-§1.7), for targetRef policies above all:
 * zone-originated ones go up to the global and never down to any zone; the
 * global's go down to every zone; a zone never echoes back what the global sent.
 */
import { describe, expect, it } from 'vitest';
import { sendToGlobal, sendToZone, typesGlobalToZone, typesZoneToGlobal, type ZoneLookup } from '../../../internal/kds/filters';
import type { Resource } from '../../../internal/resources/model';
import { registerAll } from '../../../internal/resources/types';

const registry = registerAll();
const d = (name: string) => registry.mustByName(name);
const allEnabled: ZoneLookup = { isEnabled: () => true };
const res = (type: string, name: string, labels: Record<string, string> = {}): Resource =>
  ({ type, mesh: type === 'ZoneIngress' ? '' : 'default', name, labels, spec: {}, version: 1, creationTime: '', modificationTime: '' }) as unknown as Resource;
const fromZone1 = { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/display-name': 'local' };
const targetRefPolicies = registry.all().filter((t) => t.policy?.isTargetRef).map((t) => t.name);

describe('KDS type lists', () => {
  it('every targetRef policy type syncs zone -> global and global -> zone', () => {
    expect(targetRefPolicies).toEqual(expect.arrayContaining(['MeshTimeout', 'MeshRetry', 'MeshCircuitBreaker', 'MeshTrafficPermission', 'MeshHealthCheck']));
    const up = typesZoneToGlobal(registry).map((t) => t.name);
    const down = typesGlobalToZone(registry).map((t) => t.name);
    for (const t of targetRefPolicies) {
      expect(up, t).toContain(t);
      expect(down, t).toContain(t);
    }
  });

  it('legacy policies and the Mesh only go down', () => {
    const up = typesZoneToGlobal(registry).map((t) => t.name);
    for (const t of ['Mesh', 'TrafficPermission', 'TrafficRoute', 'Timeout']) expect(up, t).not.toContain(t);
  });
});

describe('zone -> global (sendToGlobal)', () => {
  it('a policy the zone created (origin zone) goes up', () => {
    for (const t of targetRefPolicies) expect(sendToGlobal(d(t), res(t, 'local', { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' })), t).toBe(true);
  });

  it('the copy the global sent down is never echoed back', () => {
    expect(sendToGlobal(d('MeshTimeout'), res('MeshTimeout', 'g-xyz', { 'kuma.io/origin': 'global' }))).toBe(false);
  });

  it('kuma.io/kds-sync: disabled keeps it in the zone', () => {
    expect(sendToGlobal(d('MeshTimeout'), res('MeshTimeout', 'local', { 'kuma.io/origin': 'zone', 'kuma.io/kds-sync': 'disabled' }))).toBe(false);
  });

  it('a type without the zone -> global flag stays (legacy policies)', () => {
    expect(sendToGlobal(d('TrafficPermission'), res('TrafficPermission', 'tp'))).toBe(false);
  });
});

describe('global -> zone (sendToZone)', () => {
  it('a global policy (origin global or none) reaches every zone', () => {
    for (const labels of [{}, { 'kuma.io/origin': 'global' }] as Record<string, string>[]) {
      for (const zone of ['zone-1', 'zone-2']) expect(sendToZone(d('MeshTimeout'), res('MeshTimeout', 'g', labels), zone, allEnabled)).toBe(true);
    }
  });

  it('a zone-originated policy reaches no zone: not back to its own, not to the others (Universal has no producer policies)', () => {
    for (const t of targetRefPolicies) {
      for (const zone of ['zone-1', 'zone-2', 'zone-3']) expect(sendToZone(d(t), res(t, 'local-abc', fromZone1), zone, allEnabled), `${t} -> ${zone}`).toBe(false);
    }
  });

  it('even labelled kuma.io/policy-role: producer (the role is recomputed, and on Universal it is always system)', () => {
    expect(sendToZone(d('MeshTimeout'), res('MeshTimeout', 'local-abc', { ...fromZone1, 'kuma.io/policy-role': 'producer' }), 'zone-2', allEnabled)).toBe(false);
  });

  it('contrast: a zone-originated ZoneIngress goes to the other zones, not back to its own, not from a disabled zone', () => {
    const zi = res('ZoneIngress', 'ingress-abc', fromZone1);
    expect(sendToZone(d('ZoneIngress'), zi, 'zone-2', allEnabled)).toBe(true);
    expect(sendToZone(d('ZoneIngress'), zi, 'zone-1', allEnabled)).toBe(false);
    expect(sendToZone(d('ZoneIngress'), zi, 'zone-2', { isEnabled: (z) => z !== 'zone-1' })).toBe(false);
  });

  it('kuma.io/kds-sync: disabled keeps a global policy on the global', () => {
    expect(sendToZone(d('MeshTimeout'), res('MeshTimeout', 'g', { 'kuma.io/kds-sync': 'disabled' }), 'zone-1', allEnabled)).toBe(false);
  });
});
