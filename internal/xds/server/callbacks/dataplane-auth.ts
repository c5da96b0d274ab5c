/**
 * Dataplane token authentication on the ADS stream (kuma-api-cli.md §5): the
 * token in gRPC metadata `authorization` must verify with the mesh's signing
 * key and name this very proxy. A refusal closes the stream with the reason.
 */
import type { ResourceStore } from '../../../store/resource-store';
import type { Registry } from '../../../resources/registry';
import { verifyDataplaneToken, verifyZoneToken, TokenError } from '../../../auth/tokens';
import { authenticateDataplane, authenticateZoneEntity } from '../../../auth/token-authn';
import type { StreamCallbacks } from '../callbacks';
import { identify, proxyResource, type ProxyStreams } from './proxy-streams';

/**
 * Sidecars present a dataplane token; zone proxies (ingress, egress) a zone
 * token whose scope covers them, for this zone.
 */
export function dataplaneAuth(deps: { store: ResourceStore; registry: Registry; streams: ProxyStreams; authType: string; zoneProxyAuthType: string; zone: string; federated: boolean }): StreamCallbacks {
  return {
    onStreamOpen: (ctx) => {
      const raw = String(ctx.metadata.get('authorization')[0] ?? '').replace(/^Bearer\s+/i, '');
      deps.streams.open(ctx.streamId, raw);
    },
    onStreamRequest: async (streamId, node) => {
      const s = deps.streams.get(streamId);
      if (!s || s.verified) return;
      identify(s, node, deps.registry);
      if (s.kind !== 'dataplane') {
        if (deps.zoneProxyAuthType !== 'none') {
          if (!s.token) {
            throw new TokenError(`authentication failed: the zone ${s.kind} ${s.name} sent no zone token; generate one on the global with "kuma generate zone-token --zone ${deps.zone} --scope ${s.kind} --valid-for 720h" and pass it with --dataplane-token-file`);
          }
          authenticateZoneEntity(await verifyZoneToken(deps.store, s.token, { federatedZone: deps.federated }), s.kind!, deps.zone);
        }
      } else if (deps.authType !== 'none') {
        if (!s.token) {
          throw new TokenError(`authentication failed: the proxy ${node.id} sent no dataplane token; generate one with "kuma generate dataplane-token --mesh ${s.mesh} --name ${s.name} --valid-for 24h" and pass it with --dataplane-token-file`);
        }
        const claims = await verifyDataplaneToken(deps.store, s.token, s.mesh!);
        const dp = proxyResource(s, deps.store);
        authenticateDataplane(claims, { ...dp, version: 0, creationTime: '', modificationTime: '' }, 'dataplane');
      }
      s.verified = true;
    },
  };
}
