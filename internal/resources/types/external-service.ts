/** ExternalService (spec kuma-api-cli.md §1.9; Kuma external_service_validator.go). */
import { defineType } from '../define';
import { TAG, type Spec } from '../model';
import { Violations, checkBool, checkPort, checkTags, isDNSName, isIP, isObject, isUnset, objectAt } from '../validation';
import { checkDataSource } from './data-source';
import { protoMessage } from '../schema/field-schema';

const PROTOCOLS = ['grpc', 'http', 'http2', 'kafka', 'tcp', 'tls'];

/** Splits "host:port" / "[v6]:port" like Go's net.SplitHostPort; undefined when malformed. */
function splitHostPort(address: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(address) ?? /^([^:[\]]*):([^:]*)$/.exec(address);
  return m ? { host: m[1]!, port: m[2]! } : undefined;
}

function checkAddress(vs: Violations, address: unknown): void {
  const f = 'networking.address';
  if (typeof address !== 'string' || address === '') {
    vs.add(f, "address can't be empty");
    return;
  }
  const hp = splitHostPort(address);
  if (!hp) vs.add(f, 'unable to parse address');
  const host = hp?.host ?? '';
  if (!isIP(host) && !isDNSName(host)) vs.add(f, 'address has to be a valid IP address or a domain name');
  const port = hp && /^\d+$/.test(hp.port) ? Number(hp.port) : undefined;
  if (port === undefined) vs.add(f, 'unable to parse port in address');
  checkPort(vs, f, port ?? 0);
}

function validate(spec: Spec) {
  const vs = new Violations();
  const net = objectAt(vs, 'networking', spec.networking);
  if (isUnset(spec.networking)) vs.add('networking', 'should have networking');
  if (net) {
    checkAddress(vs, net.address);
    checkBool(vs, 'networking.disableHostDNSEntry', net.disableHostDNSEntry);
    const tls = objectAt(vs, 'networking.tls', net.tls);
    if (tls) {
      for (const b of ['enabled', 'allowRenegotiation', 'skipHostnameVerification']) checkBool(vs, `networking.tls.${b}`, tls[b]);
      if (tls.serverName === '') vs.add('networking.tls.serverName', 'cannot be empty');
      for (const ds of ['caCert', 'clientCert', 'clientKey']) checkDataSource(vs, `networking.tls.${ds}`, tls[ds]);
    }
  }
  checkTags(vs, 'tags', spec.tags, { requireService: true });
  const tags = isObject(spec.tags) ? spec.tags : {};
  const protocol = tags[TAG.protocol];
  if (typeof protocol === 'string' && protocol !== '' && !PROTOCOLS.includes(protocol.toLowerCase())) {
    vs.add(`tags["${TAG.protocol}"]`, `tag "${TAG.protocol}" has an invalid value "${protocol}". Allowed values: grpc, http, http2, kafka, tcp`);
  }
  // A service named like its address would shadow the real host in the DNS server.
  const service = tags[TAG.service];
  const host = net && typeof net.address === 'string' ? splitHostPort(net.address)?.host : undefined;
  if (typeof service === 'string' && service !== '' && service === host) vs.add(`tags["${TAG.service}"]`, 'cannot be the same as networking.address');
  return vs.list;
}

export const externalService = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.ExternalService'),
  name: 'ExternalService',
  scope: 'Mesh',
  path: 'external-services',
  cliSingular: 'external-service',
  cliPlural: 'external-services',
  validate,
});
