/**
 * MeshTLS (Kuma 2.14 meshtls api + validator.go; kuma-api-cli.md §1.11): `from` + `rules`.
 * It overrides the Mesh's mTLS mode per inbound (Strict | Permissive) and sets the TLS versions and
 * ciphers of both sides of mesh mTLS. Versions and ciphers are mesh-wide settings, so only a
 * top-level targetRef of kind Mesh may carry them.
 */
import { isOneOf, mustBeOneOf } from '../one-of';
import { type Violations, isUnset, listAt, objectAt } from '../validation';
import { VALUE, message } from '../schema/field-schema';
import { type ConfContext, type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';

export const MESH_TLS_MODES = ['Strict', 'Permissive'] as const;
export const TLS_VERSIONS = ['TLSAuto', 'TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
export const TLS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/** api/common/v1alpha1/tls ValidateVersion: known names, and min not above max when both are specific. */
export function checkTlsVersion(vs: Violations, field: string, v: unknown): void {
  const version = objectAt(vs, field, v);
  if (!version) return;
  let min = -1;
  let max = -1;
  if (!isUnset(version.min)) {
    if (!isOneOf(version.min, TLS_VERSIONS)) vs.add(`${field}.min`, mustBeOneOf('min', TLS_VERSIONS));
    else min = TLS_VERSIONS.indexOf(version.min as (typeof TLS_VERSIONS)[number]);
  }
  if (!isUnset(version.max)) {
    if (!isOneOf(version.max, TLS_VERSIONS)) vs.add(`${field}.max`, mustBeOneOf('max', TLS_VERSIONS));
    else max = TLS_VERSIONS.indexOf(version.max as (typeof TLS_VERSIONS)[number]);
  }
  // Index 0 is TLSAuto: no bound.
  if (min > 0 && max > 0 && min > max) vs.add(`${field}.min`, 'min version must be lower than max');
}

function conf(vs: Violations, field: string, c: Record<string, unknown>, ctx: ConfContext): void {
  if (!isUnset(c.mode) && !isOneOf(c.mode, MESH_TLS_MODES)) vs.add(`${field}.mode`, mustBeOneOf('mode', MESH_TLS_MODES));
  const ciphers = listAt(vs, `${field}.tlsCiphers`, c.tlsCiphers);
  if (ciphers.length > 0 && ctx.topKind !== 'Mesh') {
    vs.add(`${field}.tlsCiphers`, 'tlsCiphers can only be defined with top level targetRef kind: Mesh');
  } else if (!ciphers.every((x) => isOneOf(x, TLS_CIPHERS))) {
    vs.add(`${field}.tlsCiphers`, mustBeOneOf('tlsCiphers', TLS_CIPHERS));
  }
  if (!isUnset(c.tlsVersion)) {
    if (ctx.topKind !== 'Mesh') vs.add(`${field}.tlsVersion`, 'tlsVersion can only be defined with top level targetRef kind: Mesh');
    else checkTlsVersion(vs, `${field}.tlsVersion`, c.tlsVersion);
  }
}

/** Kuma meshtls Conf. */
const CONF_FIELDS = message({
  tlsVersion: message({ min: VALUE, max: VALUE }),
  tlsCiphers: VALUE,
  mode: VALUE,
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'Dataplane'],
  from: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  rules: { conf, fields: CONF_FIELDS },
};

export const meshTls = defineTargetRefPolicy({ name: 'MeshTLS', path: 'meshtlses', shortName: 'mtls', pluralDisplayName: 'Mesh TLSes' }, shape);
