/**
 * The `_config` view of a proxy: the xDS this control plane generated for it
 * (proto3 JSON, private keys masked) plus notes on endpoints it could not
 * give it. Only the CP that serves the proxy has it; the global asks that
 * zone over KDS. Shared by the REST route and the zone side of KDS.
 */
import { Cluster } from '../../proto/gen/envoy/config/cluster/v3/cluster';
import { ClusterLoadAssignment } from '../../proto/gen/envoy/config/endpoint/v3/endpoint';
import { Listener } from '../../proto/gen/envoy/config/listener/v3/listener';
import { RouteConfiguration } from '../../proto/gen/envoy/config/route/v3/route';
import { Secret } from '../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import type { InspectSource } from '../apiserver/deps';
import type { Resource } from '../resources/model';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import { buildMeshContext } from '../xds/context/mesh-context';
import { meshContextInputFromStore } from '../xds/context/mesh-context-input';
import type { MeshContext, XdsResources } from '../xds/context/types';
import { EnvoyAdminError } from './admin-client';

export const NOT_CONNECTED = 'the proxy is not connected to this control plane; start it with kuma dp run';
export const NOT_GENERATED = 'no configuration has been generated for the proxy yet; see the control plane log (is the mesh CA ready?)';
const MASK = '*****';

export interface GeneratedConfigDeps {
  store: ResourceStore;
  registry: Registry;
  /** This CP's zone name (for cross-zone notes). */
  zoneName: string;
  inspect?: InspectSource;
}

/** `{xds, notes?}` of a connected proxy; throws EnvoyAdminError when it is not connected or has no config yet. */
export function generatedConfigOf(deps: GeneratedConfigDeps, proxy: Resource): Record<string, unknown> {
  const nodeId = `${proxy.mesh}.${proxy.name}`;
  if (!deps.inspect?.connected(nodeId)) throw new EnvoyAdminError(NOT_CONNECTED);
  const res = deps.inspect.generated(nodeId);
  if (!res) throw new EnvoyAdminError(NOT_GENERATED);
  return { xds: xdsJson(res), ...(proxy.type === 'Dataplane' ? notesOf(deps, proxy) : {}) };
}

/** The MeshContext of a mesh read from the store (as the xDS reconciler builds it, without CA certificates). */
export function meshContextOf(deps: Omit<GeneratedConfigDeps, 'inspect'>, mesh: string): MeshContext | undefined {
  const meshRes = deps.store.get({ type: 'Mesh', mesh: '', name: mesh });
  return meshRes ? buildMeshContext(meshContextInputFromStore(deps.store, deps.registry, meshRes, deps.zoneName)) : undefined;
}

/**
 * Why some endpoints a proxy might expect are missing (e.g. cross-zone
 * endpoints dropped for lack of mTLS), for the services it calls.
 */
function notesOf(deps: GeneratedConfigDeps, dp: Resource): { notes?: string[] } {
  const ctx = meshContextOf(deps, dp.mesh);
  const outbound = ((dp.spec.networking as { outbound?: { tags?: Record<string, string> }[] } | undefined)?.outbound ?? []).map((o) => o.tags?.['kuma.io/service']);
  const notes = [...new Set(outbound)].flatMap((svc) => (svc && ctx?.crossZoneNotes.get(svc) ? [ctx.crossZoneNotes.get(svc)!] : []));
  return notes.length ? { notes } : {};
}

/** XdsResources as proto3 JSON, with the private keys of secrets masked. */
export function xdsJson(res: XdsResources): Record<string, unknown[]> {
  return {
    listeners: res.listeners.map((r) => Listener.toJSON(r)),
    clusters: res.clusters.map((r) => Cluster.toJSON(r)),
    endpoints: res.endpoints.map((r) => ClusterLoadAssignment.toJSON(r)),
    routes: res.routes.map((r) => RouteConfiguration.toJSON(r)),
    secrets: res.secrets.map((r) => maskSecret(Secret.toJSON(r) as Record<string, unknown>)),
  };
}

/** Replaces the value of every private DataSource of a Secret's JSON by "*****", keeping its key (inlineBytes, filename, ...). */
export function maskSecret(json: Record<string, unknown>): Record<string, unknown> {
  const mask = (o: unknown, fields: string[]) => {
    if (typeof o !== 'object' || o === null) return;
    const rec = o as Record<string, unknown>;
    for (const f of fields) {
      const ds = rec[f];
      if (typeof ds === 'object' && ds !== null) rec[f] = Object.fromEntries(Object.keys(ds).map((k) => [k, MASK]));
      else if (ds !== undefined) rec[f] = MASK;
    }
  };
  mask(json.tlsCertificate, ['privateKey', 'password']);
  mask(json.genericSecret, ['secret']);
  if (typeof json.sessionTicketKeys === 'object' && json.sessionTicketKeys !== null) {
    const keys = (json.sessionTicketKeys as Record<string, unknown>).keys;
    if (Array.isArray(keys)) (json.sessionTicketKeys as Record<string, unknown>).keys = keys.map(() => ({ inlineBytes: MASK }));
  }
  return json;
}
