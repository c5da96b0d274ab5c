/** Dataplane (spec kuma-api-cli.md §1.4; Kuma dataplane_validator.go). */
import { KDS_ZONE_TO_GLOBAL, defineType } from '../define';
import { TAG, type Spec } from '../model';
import {
  MUST_BE_DEFINED,
  Violations,
  checkEnum,
  checkPort,
  checkPositiveDuration,
  checkProxyAddress,
  checkTags,
  checkUint32,
  isIP,
  isNonEmptyString,
  isObject,
  isUnset,
  isUnspecifiedIP,
  listAt,
  objectAt,
} from '../validation';
import { protoMessage } from '../schema/field-schema';

const PROTOCOLS = ['grpc', 'http', 'http2', 'kafka', 'tcp', 'tls'];
// Kuma's SupportedProtocols hint (tls is accepted but not advertised).
const PROTOCOL_HINT = 'Allowed values: grpc, http, http2, kafka, tcp';
const BACKEND_KINDS = ['MeshExternalService', 'MeshMultiZoneService', 'MeshService'];
const LOOPBACK = '127.0.0.1';

type Obj = Record<string, unknown>;

/** Two listeners collide when the ports match and either address is a wildcard or both are equal. */
function overlap(a: string, b: string): boolean {
  return isUnspecifiedIP(a) || isUnspecifiedIP(b) || a === b;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function checkProtocolTag(vs: Violations, field: string, tags: unknown): void {
  const p = isObject(tags) ? tags[TAG.protocol] : undefined;
  if (typeof p === 'string' && p !== '' && !PROTOCOLS.includes(p.toLowerCase())) {
    vs.add(`${field}["${TAG.protocol}"]`, `tag "${TAG.protocol}" has an invalid value "${p}". ${PROTOCOL_HINT}`);
  }
}

function checkInbound(vs: Violations, f: string, ib: Obj, dpAddress: string): void {
  checkPort(vs, `${f}.port`, ib.port, true);
  if (!isUnset(ib.servicePort) && ib.servicePort !== 0) checkPort(vs, `${f}.servicePort`, ib.servicePort);
  const samePort = isUnset(ib.servicePort) || ib.servicePort === 0 || ib.servicePort === ib.port;
  const serviceAddress = str(ib.serviceAddress);
  if (serviceAddress) {
    if (!isIP(serviceAddress)) vs.add(`${f}.serviceAddress`, 'serviceAddress has to be valid IP address');
    if (serviceAddress === dpAddress && samePort) vs.add(`${f}.serviceAddress`, 'serviceAddress and servicePort has to differ from address and port');
  }
  const address = str(ib.address);
  if (address) {
    if (!isIP(address)) vs.add(`${f}.address`, 'address has to be valid IP address');
    if (address === serviceAddress && samePort) vs.add(`${f}.serviceAddress`, 'serviceAddress and servicePort has to differ from address and port');
  }
  checkTags(vs, `${f}.tags`, ib.tags, { requireService: true });
  checkProtocolTag(vs, `${f}.tags`, ib.tags);
  checkEnum(vs, `${f}.state`, ib.state, ['Ready', 'NotReady', 'Ignored']);
  const probe = objectAt(vs, `${f}.serviceProbe`, ib.serviceProbe);
  if (probe) {
    checkPositiveDuration(vs, `${f}.serviceProbe.interval`, probe.interval);
    checkPositiveDuration(vs, `${f}.serviceProbe.timeout`, probe.timeout);
    checkUint32(vs, `${f}.serviceProbe.unhealthyThreshold`, probe.unhealthyThreshold, { min: 1 });
    checkUint32(vs, `${f}.serviceProbe.healthyThreshold`, probe.healthyThreshold, { min: 1 });
  }
}

function checkOutbound(vs: Violations, f: string, ob: Obj): void {
  checkPort(vs, `${f}.port`, ob.port, true);
  const address = str(ob.address);
  if (address && !isIP(address)) vs.add(`${f}.address`, 'address has to be valid IP address');
  const hasTags = isObject(ob.tags) && Object.keys(ob.tags).length > 0;
  const ref = objectAt(vs, `${f}.backendRef`, ob.backendRef);
  if (ref) {
    if (typeof ref.kind !== 'string' || !BACKEND_KINDS.includes(ref.kind)) {
      vs.add(`${f}.backendRef.kind`, `invalid value. Available values are: ${BACKEND_KINDS.join(',')}`);
    }
    if (!isNonEmptyString(ref.name) && !(isObject(ref.labels) && Object.keys(ref.labels).length > 0)) {
      vs.add(`${f}.backendRef`, "either 'name' or 'labels' should be specified");
    }
    // A MeshExternalService's port comes from its endpoints.
    if (ref.kind !== 'MeshExternalService') checkPort(vs, `${f}.backendRef.port`, ref.port, true);
    if (hasTags || isNonEmptyString(ob.service)) vs.add(`${f}.backendRef`, 'both backendRef and tags/service cannot be defined');
  } else if (hasTags || !isNonEmptyString(ob.service)) {
    // The deprecated `service` field stands in for tags.
    checkTags(vs, `${f}.tags`, ob.tags, { requireService: true });
  }
}

function checkGateway(vs: Violations, gw: Obj, inbound: unknown[], outbound: unknown[]): void {
  checkEnum(vs, 'networking.gateway.type', gw.type, ['DELEGATED', 'BUILTIN']);
  const builtin = gw.type === 'BUILTIN';
  if (inbound.length > 0) vs.add('networking.inbound', `inbound cannot be defined for ${builtin ? 'builtin' : 'delegated'} gateways`);
  if (builtin && outbound.length > 0) vs.add('networking.outbound', 'outbound cannot be defined for builtin gateways');
  checkTags(vs, 'networking.gateway.tags', gw.tags, { requireService: true });
  const p = isObject(gw.tags) ? gw.tags[TAG.protocol] : undefined;
  if (typeof p === 'string' && p !== 'tcp') {
    vs.add(`networking.gateway.tags["${TAG.protocol}"]`, `other values than tcp are not allowed, provided value "${p}"`);
  }
}

/** Envoy admin listens on 127.0.0.1; it must not take a port a listener or the app already uses there. */
function checkAdmin(vs: Violations, net: Obj, inbound: unknown[], outbound: unknown[]): void {
  const admin = objectAt(vs, 'networking.admin', net.admin);
  if (!admin || isUnset(admin.port)) return;
  checkPort(vs, 'networking.admin.port', admin.port);
  const port = admin.port;
  const dpAddress = str(net.address);
  const usesInbound = inbound.some((x) => {
    if (!isObject(x)) return false;
    const dpIP = str(x.address) || dpAddress;
    const workloadIP = str(x.serviceAddress) || dpIP;
    const workloadPort = isUnset(x.servicePort) || x.servicePort === 0 ? x.port : x.servicePort;
    return (x.port === port && overlap(LOOPBACK, dpIP)) || (workloadPort === port && overlap(LOOPBACK, workloadIP));
  });
  if (usesInbound) vs.add('networking.admin.port', 'must differ from inbound');
  const usesOutbound = outbound.some((x) => isObject(x) && x.port === port && overlap(LOOPBACK, str(x.address) || LOOPBACK));
  if (usesOutbound) vs.add('networking.admin.port', 'must differ from outbound');
}

function checkTransparentProxying(vs: Violations, v: unknown): void {
  const tp = objectAt(vs, 'networking.transparentProxying', v);
  if (!tp) return;
  checkPort(vs, 'networking.transparentProxying.redirectPortInbound', tp.redirectPortInbound);
  checkPort(vs, 'networking.transparentProxying.redirectPortOutbound', tp.redirectPortOutbound);
  checkEnum(vs, 'networking.transparentProxying.ipFamilyMode', tp.ipFamilyMode, ['UnSpecified', 'DualStack', 'IPv4', 'IPv6']);
  const rb = objectAt(vs, 'networking.transparentProxying.reachableBackends', tp.reachableBackends);
  if (!rb) return;
  listAt(vs, 'networking.transparentProxying.reachableBackends.refs', rb.refs).forEach((r, i) => {
    const f = `networking.transparentProxying.reachableBackends.refs[${i}]`;
    const ref = isObject(r) ? r : {};
    if (typeof ref.kind !== 'string' || !BACKEND_KINDS.includes(ref.kind)) {
      vs.add(`${f}.kind`, `invalid value. Available values are: ${BACKEND_KINDS.join(',')}`);
    }
    const hasLabels = isObject(ref.labels) && Object.keys(ref.labels).length > 0;
    if (!isNonEmptyString(ref.name) && !isNonEmptyString(ref.namespace) && !hasLabels) vs.add(`${f}.name`, 'name or labels are required');
    if (!isNonEmptyString(ref.name) && isNonEmptyString(ref.namespace)) vs.add(`${f}.name`, 'name is required, when namespace is defined');
    if ((isNonEmptyString(ref.name) || isNonEmptyString(ref.namespace)) && hasLabels) vs.add(`${f}.labels`, 'labels cannot be defined when name is specified');
  });
}

function validate(spec: Spec) {
  const vs = new Violations();
  if (isUnset(spec.networking)) {
    vs.add('networking', MUST_BE_DEFINED);
    return vs.list;
  }
  const net = objectAt(vs, 'networking', spec.networking);
  if (!net) return vs.list;
  const inbound = listAt(vs, 'networking.inbound', net.inbound);
  const outbound = listAt(vs, 'networking.outbound', net.outbound);
  checkAdmin(vs, net, inbound, outbound);
  const gateway = objectAt(vs, 'networking.gateway', net.gateway);
  if (gateway) checkGateway(vs, gateway, inbound, outbound);
  else if (inbound.length === 0) vs.add('networking', 'has to contain at least one inbound interface or gateway');
  checkProxyAddress(vs, 'networking.address', net.address);
  const dpAddress = str(net.address);
  inbound.forEach((ib, i) => {
    if (isObject(ib)) checkInbound(vs, `networking.inbound[${i}]`, ib, dpAddress);
    else vs.add(`networking.inbound[${i}]`, 'must be an object');
  });
  outbound.forEach((ob, i) => {
    if (isObject(ob)) checkOutbound(vs, `networking.outbound[${i}]`, ob);
    else vs.add(`networking.outbound[${i}]`, 'must be an object');
  });
  checkTransparentProxying(vs, net.transparentProxying);
  const probes = objectAt(vs, 'probes', spec.probes);
  if (probes) {
    checkPort(vs, 'probes.port', probes.port);
    listAt(vs, 'probes.endpoints', probes.endpoints).forEach((e, i) => {
      const ep = isObject(e) ? e : {};
      checkPort(vs, `probes.endpoints[${i}].inboundPort`, ep.inboundPort);
      for (const k of ['inboundPath', 'path']) {
        if (typeof ep[k] !== 'string' || !String(ep[k]).startsWith('/')) vs.add(`probes.endpoints[${i}].${k}`, 'should be a valid URL Path');
      }
    });
  }
  return vs.list;
}

export const dataplane = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.Dataplane'),
  name: 'Dataplane',
  scope: 'Mesh',
  path: 'dataplanes',
  cliSingular: 'dataplane',
  cliPlural: 'dataplanes',
  shortName: 'dp',
  insightType: 'DataplaneInsight',
  overview: { type: 'DataplaneOverview', resourceField: 'dataplane', insightField: 'dataplaneInsight' },
  kds: KDS_ZONE_TO_GLOBAL,
  // Dataplanes register on their zone CP; the global only mirrors them.
  providedByGlobal: false,
  providedByZone: true,
  proxyType: 'sidecar',
  validate,
});
