/**
 * What a verified token lets in (Kuma pkg/xds/auth/universal/authenticator.go).
 * Every claim is optional: only what the token names is checked, so a
 * token bound to a mesh admits any proxy of that mesh, one bound to a name
 * admits only that proxy. Failures are TokenErrors with Kuma's texts.
 */
import { LABEL, type Resource } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';
import { TokenError, verifyZoneToken, type DataplaneClaims, type ZoneClaims, type ZoneTokenScope } from './tokens';

/** Go's `%q` of a []string: `["a" "b"]`. */
function goQuoted(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** Every value of every tag on the proxy's inbounds and gateway (Kuma's TagSet). */
export function dataplaneTagSet(dataplane: Resource): Map<string, Set<string>> {
  const net = (dataplane.spec.networking ?? {}) as { inbound?: { tags?: Record<string, string> }[]; gateway?: { tags?: Record<string, string> } };
  const out = new Map<string, Set<string>>();
  for (const tags of [...(net.inbound ?? []).map((i) => i.tags ?? {}), net.gateway?.tags ?? {}]) {
    for (const [k, v] of Object.entries(tags)) {
      if (!out.has(k)) out.set(k, new Set());
      out.get(k)!.add(v);
    }
  }
  return out;
}

/**
 * Checks a dataplane token's claims against the Dataplane that presented it.
 * `proxyType` is the kind of proxy connecting; a token with a `Type` claim
 * admits only that kind (the message is ours: Kuma 2.x no longer checks it).
 */
export function authenticateDataplane(claims: DataplaneClaims, dataplane: Resource, proxyType: 'dataplane' | 'ingress' | 'egress' = 'dataplane'): void {
  if (claims.Name !== '' && dataplane.name !== claims.Name) {
    throw new TokenError(`proxy name from requestor: ${dataplane.name} is different than in token: ${claims.Name}`);
  }
  if (claims.Mesh !== '' && dataplane.mesh !== claims.Mesh) {
    throw new TokenError(`proxy mesh from requestor: ${dataplane.mesh} is different than in token: ${claims.Mesh}`);
  }
  if (claims.Type !== '' && claims.Type !== proxyType) {
    throw new TokenError(`proxy type from requestor: ${proxyType} is different than in token: ${claims.Type}`);
  }
  const have = dataplaneTagSet(dataplane);
  for (const [tag, allowed] of Object.entries(claims.Tags)) {
    const values = have.get(tag);
    if (!values) throw new TokenError(`dataplane has no tag "${tag}" required by the token`);
    for (const v of values) {
      if (!allowed.includes(v)) {
        throw new TokenError(`dataplane contains tag "${tag}" with value "${v}" which is not allowed with this token. Allowed values in token are ${goQuoted(allowed)}`);
      }
    }
  }
  if (claims.Workload !== '') {
    const workload = dataplane.labels[LABEL.workload];
    if (workload === undefined) throw new TokenError('dataplane has no workload label required by the token');
    if (workload !== claims.Workload) {
      throw new TokenError(`dataplane workload "${workload}" is not allowed with this token. Allowed workload in token is "${claims.Workload}"`);
    }
  }
}

/**
 * Checks a zone token for a zone entity: `ingress` and `egress` for zone
 * proxies connecting to the zone CP named `zone`, `cp` for a zone control
 * plane named `zone` connecting to the global.
 */
export function authenticateZoneEntity(claims: ZoneClaims, scope: ZoneTokenScope, zone: string): void {
  if (!claims.Scope.includes(scope)) {
    throw new TokenError(`token cannot be used to authenticate zone entity (${scope} is out of token's scope: [${claims.Scope.join(' ')}])`);
  }
  if (claims.Zone !== '' && zone !== claims.Zone) {
    throw new TokenError(`zone from requestor: ${zone} is different than in token: ${claims.Zone}`);
  }
}

/**
 * The check of a zone control plane on the global's KDS port: a zone token
 * of scope `cp` for this very zone (fits kds/global/zone-auth.ts's
 * ZoneTokenVerifier).
 */
export async function verifyZoneCpToken(store: ResourceStore, token: string, zone: string): Promise<void> {
  authenticateZoneEntity(await verifyZoneToken(store, token), 'cp', zone);
}
