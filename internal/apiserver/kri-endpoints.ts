/**
 * `GET /_kri/{kri}` (Kuma pkg/api-server/kri_endpoint.go): any resource by its KRI, answered as
 * `GET` of the resource answers it. The name part is the display name, so a synced copy (hashed
 * name on the receiving CP) is found by the KDS hash of (mesh, name, zone, namespace) and, failing
 * that, by its `kuma.io/display-name` label. The section part names a part of the resource (an
 * inbound, a port) and selects the whole resource here.
 */
import { hashedName } from '../kds/hash';
import { LABEL, type Resource } from '../resources/model';
import { descriptorOfShortName, kriOf, kriPartsOf, parseKri } from '../resources/kri';
import { toRest } from '../resources/codec';
import type { ResourceDescriptor } from '../resources/registry';
import type { ApiDeps } from './deps';
import { HttpError, sendFailure, sendJson } from './http-util';
import { statusReader } from './mesh-service-status';
import { assertAccess } from './resource-endpoints';
import type { RequestContext, Router } from './router';

const T_KRI = 'Could not retrieve a resource';

export function registerKriEndpoints(router: Router, deps: ApiDeps): void {
  router.add('GET', '/_kri/:kri', (c) => getByKri(deps, c));
}

function getByKri(deps: ApiDeps, c: RequestContext): void {
  try {
    const k = parseKri(c.params.kri!);
    if ('error' in k) throw new HttpError(400, T_KRI, k.error, [{ field: 'kri', message: k.error }]);
    const d = descriptorOfShortName(deps.registry, k.shortName);
    if (!d) {
      const known = deps.registry.all().flatMap((x) => (x.shortName ? [x.shortName] : [])).sort();
      throw new HttpError(400, T_KRI, `unknown resource type "${k.shortName}" in the KRI; known: ${known.join(', ')}`, [{ field: 'kri', message: 'unknown resource type' }]);
    }
    if (d.scope === 'Mesh' && k.mesh === '') throw new HttpError(400, T_KRI, `a ${d.name} KRI needs a mesh (its third part)`, [{ field: 'kri', message: 'mesh is missing' }]);
    if (d.scope === 'Global' && k.mesh !== '') throw new HttpError(400, T_KRI, `${d.name} is not mesh-scoped: leave the mesh part of the KRI empty`, [{ field: 'kri', message: 'mesh must be empty' }]);
    assertAccess(deps, d, c);
    const r = find(deps, d, k);
    if (!r) throw new HttpError(404, T_KRI, 'Not found');
    sendJson(c.res, 200, toRest(d, r, statusReader(deps)(r)));
  } catch (e) {
    sendFailure(c.res, e, T_KRI);
  }
}

function find(deps: ApiDeps, d: ResourceDescriptor, k: { mesh: string; zone: string; namespace: string; name: string }): Resource | undefined {
  const matches = (r: Resource) => {
    const p = kriPartsOf(d, r);
    return p !== undefined && p.mesh === k.mesh && p.zone === k.zone && p.namespace === k.namespace && p.name === k.name;
  };
  const extra = [k.zone, k.namespace].filter((x) => x !== '');
  for (const name of [k.name, hashedName(k.mesh, k.name, ...extra)]) {
    const r = deps.store.get({ type: d.name, mesh: k.mesh, name });
    if (r && matches(r)) return r;
  }
  // Copies named otherwise (older zones' "<zone>.<name>" prefix form) carry the display name label.
  return deps.store.list(d.name, { mesh: d.scope === 'Mesh' ? k.mesh : undefined, labels: { [LABEL.displayName]: k.name } }).items.find(matches);
}

/** The KRI of a resource the API shows one for; a part holding "_" cannot be addressed (400 naming it). */
export function mustKri(d: ResourceDescriptor, r: Resource, sectionName = ''): string {
  const kri = kriOf(d, r, sectionName);
  if (!kri) throw new HttpError(400, T_KRI, `${d.name} "${r.name}"${sectionName ? ` section "${sectionName}"` : ''} has no KRI: a KRI part cannot contain "_"`);
  return kri;
}
