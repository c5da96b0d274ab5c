/**
 * MeshExternalService (Kuma meshexternalservice/api/v1alpha1): a destination outside the mesh,
 * reached at `match.port` on its VIP/hostname (HostnameGenerator, 242.0.0.0/8) and sent to
 * `endpoints[]`, optionally with TLS origination. Authored on the global or a zone.
 */
import type { Spec } from '../model';
import { defineType } from '../define';
import { FREE, VALUE, message } from '../schema/field-schema';
import { MUST_BE_DEFINED, Violations, checkBool, checkEnum, checkPort, isUnset, listAt, objectAt } from '../validation';
import { APP_PROTOCOLS, KDS_GLOBAL_AND_ZONE , rootedAtSpec } from './mesh-service-common';

const TLS_VERSIONS = ['TLSAuto', 'TLS10', 'TLS11', 'TLS12', 'TLS13'];
const VERIFICATION_MODES = ['Secured', 'SkipSAN', 'SkipCA', 'SkipAll'];
const DATA_SOURCE = message({ inline: VALUE, inlineString: VALUE, secret: VALUE });

function validate(spec: Spec) {
  const vs = new Violations();
  const match = objectAt(vs, 'match', spec.match);
  if (!match) vs.add('match', MUST_BE_DEFINED);
  else {
    checkEnum(vs, 'match.type', match.type, ['HostnameGenerator']);
    checkPort(vs, 'match.port', match.port, true);
    checkEnum(vs, 'match.protocol', match.protocol, APP_PROTOCOLS);
  }
  const endpoints = listAt(vs, 'endpoints', spec.endpoints);
  if (endpoints.length === 0 && isUnset(spec.extension)) vs.add('endpoints', 'must not be empty');
  endpoints.forEach((raw, i) => {
    const f = `endpoints[${i}]`;
    const e = objectAt(vs, f, raw);
    if (!e) return;
    if (typeof e.address !== 'string' || e.address === '') vs.add(`${f}.address`, MUST_BE_DEFINED);
    if (!(typeof e.address === 'string' && e.address.startsWith('unix://'))) checkPort(vs, `${f}.port`, e.port, true);
  });
  const tls = objectAt(vs, 'tls', spec.tls);
  if (tls) {
    checkBool(vs, 'tls.enabled', tls.enabled);
    checkBool(vs, 'tls.allowRenegotiation', tls.allowRenegotiation);
    const version = objectAt(vs, 'tls.version', tls.version);
    if (version) {
      checkEnum(vs, 'tls.version.min', version.min, TLS_VERSIONS);
      checkEnum(vs, 'tls.version.max', version.max, TLS_VERSIONS);
    }
    const ver = objectAt(vs, 'tls.verification', tls.verification);
    if (ver) checkEnum(vs, 'tls.verification.mode', ver.mode, VERIFICATION_MODES);
  }
  const ext = objectAt(vs, 'extension', spec.extension);
  if (ext && (typeof ext.type !== 'string' || ext.type === '')) vs.add('extension.type', MUST_BE_DEFINED);
  return vs.list;
}

export const meshExternalService = defineType({
  name: 'MeshExternalService',
  scope: 'Mesh',
  path: 'meshexternalservices',
  cliSingular: 'meshexternalservice',
  cliPlural: 'meshexternalservices',
  shortName: 'extsvc',
  nestedSpec: true,
  kds: KDS_GLOBAL_AND_ZONE,
  providedByGlobal: true,
  providedByZone: true,
  fields: message({
    match: message({ type: VALUE, port: VALUE, protocol: VALUE }),
    endpoints: message({ address: VALUE, port: VALUE }),
    tls: message({
      enabled: VALUE,
      allowRenegotiation: VALUE,
      version: message({ min: VALUE, max: VALUE }),
      verification: message({
        mode: VALUE,
        serverName: VALUE,
        subjectAltNames: message({ type: VALUE, value: VALUE }),
        caCert: DATA_SOURCE,
        clientCert: DATA_SOURCE,
        clientKey: DATA_SOURCE,
      }),
    }),
    extension: message({ type: VALUE, config: FREE }),
  }),
  validate: rootedAtSpec(validate),
});
