/**
 * What ZoneIngress and ZoneEgress networking share (Kuma
 * zone_ingress_validator.go / zoneegress_validator.go): an optional listen
 * address, a required port, and an admin port that must not clash with it.
 */
import { Violations, checkPort, checkProxyAddress, isUnset, isUnspecifiedIP, objectAt } from '../validation';

export function checkZoneProxyNetworking(vs: Violations, net: Record<string, unknown>): void {
  const admin = objectAt(vs, 'networking.admin', net.admin);
  if (admin && !isUnset(admin.port)) {
    checkPort(vs, 'networking.admin.port', admin.port);
    // Envoy admin binds 127.0.0.1; the proxy listener binds `address`.
    const address = typeof net.address === 'string' ? net.address : '';
    const overlaps = address === '' || address === '127.0.0.1' || isUnspecifiedIP(address);
    if (admin.port === net.port && overlaps) vs.add('networking.admin.port', 'must differ from port');
  }
  if (typeof net.address === 'string' && net.address !== '') checkProxyAddress(vs, 'networking.address', net.address);
  checkPort(vs, 'networking.port', net.port, true);
}
