/**
 * Kuma's mesh mTLS on the sidecar (spec kuma-kds-xds.md §3.3; Kuma pkg/xds/envoy/tls/v3/tls.go):
 * both sides fetch `identity_cert:secret:<mesh>` and `mesh_ca:secret:<mesh>` over SDS (ADS), speak
 * ALPN "kuma"; the server accepts any SPIFFE ID of the mesh (prefix), the client verifies the exact
 * SPIFFE ID of the service it dials.
 */
import type { TransportSocket } from '../../../../proto/gen/envoy/config/core/v3/base';
import type { TlsParameters } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/common';
import {
  DownstreamTlsContext,
  UpstreamTlsContext,
  type CommonTlsContext,
} from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/tls';
import { SubjectAltNameMatcher_SanType } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/common';
import type { StringMatcher } from '../../../../proto/gen/envoy/type/matcher/v3/string';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import type { MeshContext, ProxyContext } from '../../context/types';
import { adsConfigSource } from './common';
import { identitySecretName, meshCaSecretName, spiffeId } from './names';
import { field, strAt } from './values';

export const KUMA_ALPN = 'kuma';
export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

export interface MeshMtls {
  mesh: string;
  /** PERMISSIVE backends also accept plaintext on inbounds. */
  permissive: boolean;
}

/**
 * Mesh mTLS as this proxy can apply it: the mesh names an enabled backend, the MeshContext carries
 * the CA bundle and the proxy has an identity. Without all three no TLS (and no RBAC) is generated.
 */
export function meshMtls(proxy: ProxyContext, ctx: MeshContext): MeshMtls | undefined {
  const mtls = field(ctx.mesh.spec, 'mtls');
  const backendName = strAt(mtls, 'enabledBackend');
  if (!backendName || !ctx.caCertsPem || !proxy.identity) return undefined;
  const backends = field(mtls, 'backends');
  const backend = Array.isArray(backends) ? backends.find((b) => strAt(b, 'name') === backendName) : undefined;
  return { mesh: ctx.meshName, permissive: strAt(backend, 'mode') === 'PERMISSIVE' };
}

function commonTlsContext(mesh: string, sans: readonly DeepPartial<StringMatcher>[], params?: DeepPartial<TlsParameters>): DeepPartial<CommonTlsContext> {
  return {
    ...(params ? { tlsParams: params } : {}),
    alpnProtocols: [KUMA_ALPN],
    tlsCertificateSdsSecretConfigs: [{ name: identitySecretName(mesh), sdsConfig: adsConfigSource() }],
    validationContextType: {
      $case: 'combinedValidationContext',
      value: {
        defaultValidationContext: { matchTypedSubjectAltNames: sans.map((matcher) => ({ sanType: SubjectAltNameMatcher_SanType.URI, matcher })) },
        validationContextSdsSecretConfig: { name: meshCaSecretName(mesh), sdsConfig: adsConfigSource() },
      },
    },
  };
}

/**
 * The server side of an inbound: client certificate required, any identity of the mesh.
 * `params`: MeshTLS versions and ciphers.
 */
export function downstreamTlsSocket(mesh: string, params?: DeepPartial<TlsParameters>): DeepPartial<TransportSocket> {
  const ctx: DeepPartial<DownstreamTlsContext> = {
    commonTlsContext: commonTlsContext(mesh, [{ matchPattern: { $case: 'prefix', value: `spiffe://${mesh}/` } }], params),
    requireClientCertificate: true,
  };
  return { name: TLS_TRANSPORT_SOCKET, configType: { $case: 'typedConfig', value: pack(DownstreamTlsContext, ctx) } };
}

/** The client side towards a MeshService-mode destination: its hashed SNI, any of its SPIFFE IDs. */
export function upstreamTlsSocketForSans(mesh: string, sni: string, sans: readonly string[], params?: DeepPartial<TlsParameters>): DeepPartial<TransportSocket> {
  // A MeshService without identities still only talks to the mesh.
  const matchers = sans.length
    ? sans.map((san) => ({ matchPattern: { $case: 'exact' as const, value: san } }))
    : [{ matchPattern: { $case: 'prefix' as const, value: `spiffe://${mesh}/` } }];
  const ctx: DeepPartial<UpstreamTlsContext> = { commonTlsContext: commonTlsContext(mesh, matchers, params), sni };
  return { name: TLS_TRANSPORT_SOCKET, configType: { $case: 'typedConfig', value: pack(UpstreamTlsContext, ctx) } };
}

/** The client side towards a mesh service: SNI of the destination tags, exact SPIFFE ID of the service. */
export function upstreamTlsSocket(mesh: string, sni: string, service: string, params?: DeepPartial<TlsParameters>): DeepPartial<TransportSocket> {
  const ctx: DeepPartial<UpstreamTlsContext> = {
    commonTlsContext: commonTlsContext(mesh, [{ matchPattern: { $case: 'exact', value: spiffeId(mesh, service) } }], params),
    sni,
  };
  return { name: TLS_TRANSPORT_SOCKET, configType: { $case: 'typedConfig', value: pack(UpstreamTlsContext, ctx) } };
}
