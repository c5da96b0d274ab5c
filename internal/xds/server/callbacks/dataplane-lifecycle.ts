/**
 * Dataplane lifecycle on Universal (kuma-api-cli.md §4.7): a proxy that
 * carries its Dataplane registers it on its first request; when its last
 * stream closes, the Dataplane is deleted after the deregistration delay
 * unless the proxy came back. Connected proxies are handed to the reconciler.
 */
import type { Logger } from 'pino';
import type { ResourceManager } from '../../../core/resource-manager';
import type { Registry } from '../../../resources/registry';
import type { ResourceStore } from '../../../store/resource-store';
import type { XdsReconciler } from '../../sync/reconciler';
import type { StreamCallbacks } from '../callbacks';
import { PROXY_RESOURCE_TYPE, proxyResource, type ProxyStreams } from './proxy-streams';
import { BadRequestError, ValidationError } from '../../../errors';

/** A carried resource the manager refused: the stream closes with every violation by field, not "Resource is not valid". */
function carriedRejected(e: unknown, type: string): unknown {
  if (e instanceof ValidationError || (e instanceof BadRequestError && e.violations?.length)) {
    const vs = (e as ValidationError).violations.map((v) => `${v.field}: ${v.message}`).join('; ');
    return new BadRequestError(`the ${type} in the node metadata (dataplane.resource) is not valid: ${vs}`);
  }
  return e;
}

export function dataplaneLifecycle(deps: {
  store: ResourceStore;
  registry: Registry;
  manager: ResourceManager;
  reconciler: XdsReconciler;
  streams: ProxyStreams;
  deregistrationDelayMs: number;
  log: Logger;
}): StreamCallbacks {
  const pendingDeletes = new Map<string, NodeJS.Timeout>();
  return {
    onStreamRequest: async (streamId) => {
      const s = deps.streams.get(streamId);
      if (!s || s.connected || !s.nodeId) return;
      const timer = pendingDeletes.get(s.nodeId);
      if (timer) {
        clearTimeout(timer);
        pendingDeletes.delete(s.nodeId);
      }
      if (s.carried) {
        try {
          await deps.manager.upsert(s.carried);
        } catch (e) {
          throw carriedRejected(e, s.carried.type);
        }
        s.registered = true;
      } else {
        proxyResource(s, deps.store); // throws a clear "does not exist" for an unknown proxy
      }
      deps.streams.markConnected(s);
      deps.log.info({ proxy: s.nodeId, kind: s.kind, registered: !!s.registered }, 'proxy connected');
      await deps.reconciler.connect(s.nodeId, s.mesh!, s.name!, s.kind ?? 'dataplane', s.dnsPort ?? 0);
    },
    onStreamClose: (streamId) => {
      const s = deps.streams.close(streamId);
      if (!s?.connected || !s.nodeId) return;
      if (deps.streams.openFor(s.nodeId) > 0) return; // the proxy reconnected already
      deps.reconciler.disconnect(s.nodeId);
      deps.log.info({ proxy: s.nodeId }, 'proxy disconnected');
      if (!s.registered) return;
      const nodeId = s.nodeId;
      const timer = setTimeout(() => {
        pendingDeletes.delete(nodeId);
        if (deps.streams.openFor(nodeId) > 0) return;
        const type = PROXY_RESOURCE_TYPE[s.kind ?? 'dataplane'];
        deps.manager.delete(deps.registry.mustByName(type), { type, mesh: s.mesh!, name: s.name! }).then(
          () => deps.log.info({ proxy: nodeId, type }, 'deregistered the resource of a proxy that went away'),
          (e) => deps.log.warn({ proxy: nodeId, err: (e as Error).message }, 'could not deregister the Dataplane'),
        );
      }, deps.deregistrationDelayMs);
      // A pending deregistration must not keep a stopping control plane alive.
      timer.unref();
      pendingDeletes.set(nodeId, timer);
    },
  };
}
