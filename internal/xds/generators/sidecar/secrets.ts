/**
 * SDS secrets of a sidecar when mesh mTLS applies (spec kuma-kds-xds.md §3.3; Kuma
 * pkg/xds/envoy/secrets.go): `identity_cert:secret:<mesh>` (the proxy's certificate and key) and
 * `mesh_ca:secret:<mesh>` (the mesh CA bundle to validate peers against).
 */
import { Secret } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import type { MeshContext, ProxyContext } from '../../context/types';
import { identitySecretName, meshCaSecretName } from '../envoy/names';
import { meshMtls } from '../envoy/tls';
import { ORIGIN, type TaggedResource, secret } from '../types';

function inline(pem: string): { specifier: { $case: 'inlineBytes'; value: Buffer } } {
  return { specifier: { $case: 'inlineBytes', value: Buffer.from(pem, 'utf8') } };
}

/** The CA bundle secret is the same for every proxy of a mesh: built once per MeshContext, so it is encoded once and its bytes shared. */
const caSecrets = new WeakMap<MeshContext, Map<string, Secret>>();

function meshCaSecret(ctx: MeshContext, name: string, caCertsPem: string): Secret {
  let byName = caSecrets.get(ctx);
  if (!byName) caSecrets.set(ctx, (byName = new Map()));
  let ca = byName.get(name);
  if (!ca) byName.set(name, (ca = Secret.fromPartial({ name, type: { $case: 'validationContext', value: { trustedCa: inline(caCertsPem) } } })));
  return ca;
}

export function secrets(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const mtls = meshMtls(proxy, ctx);
  if (!mtls || !proxy.identity || !ctx.caCertsPem) return [];
  const identityName = identitySecretName(mtls.mesh);
  const caName = meshCaSecretName(mtls.mesh);
  const identity = Secret.fromPartial({
    name: identityName,
    type: { $case: 'tlsCertificate', value: { certificateChain: inline(proxy.identity.certPem), privateKey: inline(proxy.identity.keyPem) } },
  });
  const ca = meshCaSecret(ctx, caName, ctx.caCertsPem);
  return [secret(identityName, ORIGIN.secrets, identity), secret(caName, ORIGIN.secrets, ca)];
}
