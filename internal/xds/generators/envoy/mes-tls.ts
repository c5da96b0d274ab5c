/**
 * TLS origination of the zone egress towards a MeshExternalService (`spec.tls`; Kuma docs
 * "MeshExternalService" TLS section): SNI, TLS version bounds, renegotiation, ALPN h2 for
 * http2/grpc (the egress forwards the sidecar's HTTP/2 bytes as they are), client certificate,
 * and the server verification of `verification.mode`:
 *
 * - Secured (default): the chain must lead to `caCert`, else to the system CA bundle, and the
 *   certificate must name one of `subjectAltNames` (else the SNI; DNS or IP SAN).
 * - SkipSAN: the chain is verified, names are not.
 * - SkipCA: names are verified, the chain is not (Envoy checks SANs only with a trusted CA, so the
 *   CA stays and ACCEPT_UNTRUSTED lets any chain through).
 * - SkipAll: nothing is verified.
 */
import type { TransportSocket } from '../../../../proto/gen/envoy/config/core/v3/base';
import {
  CertificateValidationContext_TrustChainVerification,
  SubjectAltNameMatcher_SanType,
  TlsParameters_TlsProtocol,
  type CertificateValidationContext,
} from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/common';
import { UpstreamTlsContext } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/tls';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import type { MesTls, MesTlsVersion } from '../../context/mesh-external-services';
import { TLS_TRANSPORT_SOCKET } from './tls';

/** Where kuma-dp finds the system CA bundle first (internal/dp/dataplane-runner.ts). */
export const DEFAULT_SYSTEM_CA_PATH = '/etc/ssl/certs/ca-certificates.crt';

const PROTOCOL: Record<MesTlsVersion, TlsParameters_TlsProtocol> = {
  TLSAuto: TlsParameters_TlsProtocol.TLS_AUTO,
  TLS10: TlsParameters_TlsProtocol.TLSv1_0,
  TLS11: TlsParameters_TlsProtocol.TLSv1_1,
  TLS12: TlsParameters_TlsProtocol.TLSv1_2,
  TLS13: TlsParameters_TlsProtocol.TLSv1_3,
};

function inlineBytes(b64: string): { specifier: { $case: 'inlineBytes'; value: Buffer } } {
  return { specifier: { $case: 'inlineBytes', value: Buffer.from(b64, 'base64') } };
}

function validation(tls: MesTls, systemCaPath: string): DeepPartial<CertificateValidationContext> | undefined {
  if (tls.mode === 'SkipAll') return undefined;
  const checkNames = tls.mode !== 'SkipSAN' && tls.sans.length > 0;
  if (tls.mode === 'SkipCA' && !checkNames) return undefined;
  const trustedCa = tls.caCertB64 ? inlineBytes(tls.caCertB64) : { specifier: { $case: 'filename' as const, value: systemCaPath } };
  return {
    trustedCa,
    ...(tls.mode === 'SkipCA' ? { trustChainVerification: CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED } : {}),
    ...(checkNames
      ? {
          matchTypedSubjectAltNames: tls.sans.flatMap((san) =>
            [SubjectAltNameMatcher_SanType.DNS, SubjectAltNameMatcher_SanType.IP_ADDRESS].map((sanType) => ({
              sanType,
              matcher: { matchPattern: san.type === 'Prefix' ? { $case: 'prefix' as const, value: san.value } : { $case: 'exact' as const, value: san.value } },
            })),
          ),
        }
      : {}),
  };
}

export function meshExternalTlsSocket(tls: MesTls, systemCaPath = DEFAULT_SYSTEM_CA_PATH): DeepPartial<TransportSocket> {
  const v = validation(tls, systemCaPath);
  const common: DeepPartial<UpstreamTlsContext>['commonTlsContext'] = {
    ...(tls.minVersion || tls.maxVersion
      ? {
          tlsParams: {
            ...(tls.minVersion ? { tlsMinimumProtocolVersion: PROTOCOL[tls.minVersion] } : {}),
            ...(tls.maxVersion ? { tlsMaximumProtocolVersion: PROTOCOL[tls.maxVersion] } : {}),
          },
        }
      : {}),
    ...(tls.alpn ? { alpnProtocols: tls.alpn } : {}),
    ...(tls.clientCertB64 && tls.clientKeyB64
      ? { tlsCertificates: [{ certificateChain: inlineBytes(tls.clientCertB64), privateKey: inlineBytes(tls.clientKeyB64) }] }
      : {}),
    ...(v ? { validationContextType: { $case: 'validationContext' as const, value: v } } : {}),
  };
  const ctx: DeepPartial<UpstreamTlsContext> = {
    ...(tls.sni ? { sni: tls.sni } : {}),
    ...(tls.allowRenegotiation ? { allowRenegotiation: true } : {}),
    ...(Object.keys(common).length > 0 ? { commonTlsContext: common } : {}),
  };
  return { name: TLS_TRANSPORT_SOCKET, configType: { $case: 'typedConfig', value: pack(UpstreamTlsContext, ctx) } };
}
