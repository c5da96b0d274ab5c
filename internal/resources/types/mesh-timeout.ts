/** MeshTimeout (spec kuma-api-cli.md §1.11; Kuma meshtimeout validator.go): `to` + `from` + `rules`. */
import { MUST_NOT_BE_DEFINED, type Violations, checkDurationGreaterThanZero, checkDurationNotNegative, isObject, isUnset, objectAt } from '../validation';
import { type ConfContext, type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';
import { MATCH } from '../schema/target-ref-fields';

const HTTP_FIELDS = ['requestTimeout', 'streamIdleTimeout', 'maxStreamDuration', 'maxConnectionDuration', 'requestHeadersTimeout'] as const;
const ROUTE_MSG = "can't be specified when top-level TargetRef is referencing MeshHTTPRoute";

function conf(vs: Violations, field: string, c: Record<string, unknown>, ctx: ConfContext): void {
  if (isUnset(c.connectionTimeout) && isUnset(c.idleTimeout) && isUnset(c.http)) {
    vs.add(field, 'at least one timeout should be configured');
    return;
  }
  // A route-level timeout cannot change connection-wide settings.
  if (ctx.topKind === 'MeshHTTPRoute') {
    if (!isUnset(c.connectionTimeout)) vs.add(`${field}.connectionTimeout`, ROUTE_MSG);
    if (!isUnset(c.idleTimeout)) vs.add(`${field}.idleTimeout`, ROUTE_MSG);
    if (isObject(c.http)) {
      if (!isUnset(c.http.maxStreamDuration)) vs.add(`${field}.http.maxStreamDuration`, ROUTE_MSG);
      if (!isUnset(c.http.maxConnectionDuration)) vs.add(`${field}.http.maxConnectionDuration`, ROUTE_MSG);
    }
  }
  checkDurationGreaterThanZero(vs, `${field}.connectionTimeout`, c.connectionTimeout);
  checkDurationNotNegative(vs, `${field}.idleTimeout`, c.idleTimeout);
  const http = objectAt(vs, `${field}.http`, c.http);
  if (!http) return;
  if (HTTP_FIELDS.every((k) => isUnset(http[k]))) vs.add(`${field}.http`, 'at least one timeout in this section should be configured');
  for (const k of HTTP_FIELDS) checkDurationNotNegative(vs, `${field}.http.${k}`, http[k]);
}

/** Kuma meshtimeout Conf. */
const CONF_FIELDS = message({
  connectionTimeout: VALUE,
  idleTimeout: VALUE,
  http: message({ requestTimeout: VALUE, streamIdleTimeout: VALUE, maxStreamDuration: VALUE, maxConnectionDuration: VALUE, requestHeadersTimeout: VALUE }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'MeshHTTPRoute', 'Dataplane'],
  to: { kinds: ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'], conf, fields: CONF_FIELDS },
  from: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  rules: { conf, fields: CONF_FIELDS, item: { matches: MATCH } },
  extra: (vs, spec) => {
    // Routes and gateways only have outbound (to) traffic.
    const top = isObject(spec.targetRef) ? spec.targetRef.kind : 'Mesh';
    if ((top === 'MeshHTTPRoute' || top === 'MeshGateway') && Array.isArray(spec.from) && spec.from.length > 0) {
      vs.add('spec.from', MUST_NOT_BE_DEFINED);
    }
  },
};

export const meshTimeout = defineTargetRefPolicy({ name: 'MeshTimeout', path: 'meshtimeouts', shortName: 'mt' }, shape);
