/**
 * MeshTLS on a sidecar (Kuma 2.14 meshtls plugin): per inbound, the mode (Strict | Permissive)
 * replaces the Mesh backend's mode and the TLS versions and ciphers go on the inbound's
 * DownstreamTlsContext; the same versions and ciphers go on the UpstreamTlsContext of every
 * mesh-service outbound cluster ("both client and server"). Nothing applies while the Mesh has
 * no mTLS. Versions and ciphers may only come from policies with a top-level targetRef of kind
 * Mesh (the validator refuses others), so the outbound side reads those policies only.
 *
 * Identity certificates here are ECDSA (internal/ca/identity-cert.ts; Kuma's are RSA), so up to
 * TLS 1.2 only the ECDHE-ECDSA suites can be negotiated: a list of ECDHE-RSA suites alone leaves
 * the sidecars no shared cipher (seen on Envoy 1.40: every mesh connection fails).
 */
import type { TlsParameters } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/common';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { TLS_VERSIONS } from '../../../resources/types/mesh-tls';
import type { InboundView } from '../../context/dataplane-view';
import { mergeConfs } from '../../policies/merge';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { comparePolicies, selectsProxy, targetRefOf } from '../../policies/target-ref';

type Obj = Record<string, unknown>;

export const MESH_TLS = 'MeshTLS';

export interface InboundTls {
  /** Undefined: the Mesh backend's mode stands. */
  permissive?: boolean;
  params?: DeepPartial<TlsParameters>;
}

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Envoy's TlsProtocol enum has TLS_AUTO = 0 .. TLSv1_3 = 4, the order of Kuma's names. */
function protocol(v: unknown): number | undefined {
  const i = typeof v === 'string' ? (TLS_VERSIONS as readonly string[]).indexOf(v) : -1;
  return i >= 0 ? i : undefined;
}

/** TlsParameters of a MeshTLS conf; undefined when it sets neither versions nor ciphers. */
export function tlsParamsOf(conf: Obj | undefined): DeepPartial<TlsParameters> | undefined {
  if (!conf) return undefined;
  const version = obj(conf.tlsVersion);
  const min = protocol(version?.min);
  const max = protocol(version?.max);
  const ciphers = Array.isArray(conf.tlsCiphers) ? conf.tlsCiphers.filter((c): c is string => typeof c === 'string') : [];
  if (min === undefined && max === undefined && ciphers.length === 0) return undefined;
  return {
    ...(min !== undefined ? { tlsMinimumProtocolVersion: min } : {}),
    ...(max !== undefined ? { tlsMaximumProtocolVersion: max } : {}),
    ...(ciphers.length > 0 ? { cipherSuites: ciphers } : {}),
  };
}

/** What MeshTLS says for an inbound: the conf that matches all incoming traffic. */
export function inboundMeshTls(pp: ProxyPolicies, inbound: InboundView): InboundTls {
  const conf = pp.fromMesh(MESH_TLS, inbound);
  if (!conf) return {};
  const params = tlsParamsOf(conf);
  return {
    ...(conf.mode === 'Permissive' || conf.mode === 'Strict' ? { permissive: conf.mode === 'Permissive' } : {}),
    ...(params ? { params } : {}),
  };
}

/** The TLS parameters of this proxy's mesh outbound clusters: the mesh-wide MeshTLS confs. */
export function outboundTlsParams(pp: ProxyPolicies): DeepPartial<TlsParameters> | undefined {
  const confs: unknown[] = [];
  const policies = pp
    .all(MESH_TLS)
    .filter((p) => {
      const ref = targetRefOf(p.spec.targetRef);
      return ref.kind === 'Mesh' && selectsProxy(ref, pp.dp);
    })
    .sort(comparePolicies);
  for (const p of policies) {
    for (const section of ['from', 'rules'] as const) {
      const list = p.spec[section];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const o = obj(item);
        if (!o) continue;
        if (section === 'from' && targetRefOf(o.targetRef).kind !== 'Mesh') continue;
        confs.push(o.default);
      }
    }
  }
  return confs.length > 0 ? upstreamParams(tlsParamsOf(mergeConfs(confs))) : undefined;
}

/**
 * Envoy's client side defaults its maximum to TLS 1.2 (the server side to 1.3), so a minimum
 * without a maximum would leave an upstream with no version to offer when the minimum is TLS 1.3
 * (every handshake fails), and with a narrower range than the server otherwise. The client gets
 * the server's default maximum so both sides speak the same versions.
 */
function upstreamParams(params: DeepPartial<TlsParameters> | undefined): DeepPartial<TlsParameters> | undefined {
  if (!params?.tlsMinimumProtocolVersion || params.tlsMaximumProtocolVersion) return params;
  return { ...params, tlsMaximumProtocolVersion: TLS_VERSIONS.indexOf('TLS13') };
}
