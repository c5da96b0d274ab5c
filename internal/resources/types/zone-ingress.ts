/** ZoneIngress (spec kuma-api-cli.md §1.5; Kuma zone_ingress_validator.go). */
import { defineType } from '../define';
import type { Spec } from '../model';
import { Violations, checkPort, checkProxyAddress, checkTags, checkUint32, isObject, isUnset, listAt, objectAt } from '../validation';
import { checkZoneProxyNetworking } from './zone-proxy';
import { protoMessage } from '../schema/field-schema';

function validate(spec: Spec) {
  const vs = new Violations();
  const net = objectAt(vs, 'networking', spec.networking) ?? {};
  checkZoneProxyNetworking(vs, net);
  // Other zones dial advertisedAddress:advertisedPort, so it is both or neither.
  const advAddress = isUnset(net.advertisedAddress) ? '' : net.advertisedAddress;
  const advPort = isUnset(net.advertisedPort) ? 0 : net.advertisedPort;
  if (advAddress === '' && advPort !== 0) vs.add('networking.advertisedAddress', 'has to be defined with advertisedPort');
  if (advPort === 0 && advAddress !== '') vs.add('networking.advertisedPort', 'has to be defined with advertisedAddress');
  if (advAddress !== '') checkProxyAddress(vs, 'networking.advertisedAddress', advAddress);
  if (advPort !== 0) checkPort(vs, 'networking.advertisedPort', advPort);
  // Kuma's path is the singular `availableService` (zone_ingress_validator.go).
  listAt(vs, 'availableServices', spec.availableServices).forEach((s, i) => {
    const f = `availableService[${i}]`;
    if (!isObject(s)) return vs.add(f, 'must be an object');
    checkTags(vs, `${f}.tags`, s.tags, { requireService: true });
    checkUint32(vs, `${f}.instances`, s.instances);
  });
  return vs.list;
}

export const zoneIngress = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.ZoneIngress'),
  name: 'ZoneIngress',
  scope: 'Global',
  path: 'zoneingresses',
  altPaths: ['zone-ingresses'],
  cliSingular: 'zoneingress',
  cliPlural: 'zoneingresses',
  cliAliases: ['zone-ingress', 'zone-ingresses'],
  shortName: 'zi',
  pluralDisplayName: 'Zone Ingresses',
  insightType: 'ZoneIngressInsight',
  overview: { type: 'ZoneIngressOverview', resourceField: 'zoneIngress', insightField: 'zoneIngressInsight' },
  // Registered on its zone, mirrored to the global, and from there to every other zone (cross-zone traffic enters here).
  kds: { globalToZone: false, zoneToGlobal: true, zoneToOtherZones: true },
  providedByGlobal: false,
  providedByZone: true,
  proxyType: 'zoneingress',
  validate,
});
