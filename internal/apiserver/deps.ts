/** What the API server reads and writes through: one small deps object, no god runtime. */
import type { CpConfig } from '../config/cp-config';
import type { ResourceManager } from '../core/resource-manager';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import type { XdsResources } from '../xds/context/types';
import type { EnvoyAdminForwarder } from '../kds/global/envoy-admin-forwarder';
import type { ZoneSyncViews } from '../kds/global/zone-sync-views';
import type { PropagationQuery, ProxyPropagation } from '../xds/sync/proxy-propagation';
import type { StatusSource } from '../meshservice/status-source';

/** What `inspect dataplane --type config` reads from the DP server; node ids are "<mesh>.<name>". */
export interface InspectSource {
  /** Whether the proxy has an xDS stream open to this CP. */
  connected(nodeId: string): boolean;
  /** The xDS last generated for the proxy. */
  generated(nodeId: string): XdsResources | undefined;
  /** Whether the proxies a resource affects ACKed it (the global's `_propagation`, asked over KDS). */
  proxyPropagation?(q: PropagationQuery): ProxyPropagation;
}

export interface ApiDeps {
  config: CpConfig;
  registry: Registry;
  store: ResourceStore;
  manager: ResourceManager;
  /** hostname + "-" + 4 chars, as Kuma's instanceId. */
  instanceId: string;
  clusterId: () => string;
  /** The DP server's generated config; absent when no DP server runs (the `_config` of every proxy is then a 400). */
  inspect?: InspectSource;
  /** Whether this instance leads its CP cluster (`leader` in `GET /`); absent = a single instance. */
  isLeader?: () => boolean;
  /** On a global: asks the zone that owns a proxy for its Envoy admin views over KDS. */
  adminForwarder?: EnvoyAdminForwarder;
  /** On a global: what each connected zone was sent and ACKed (`_propagation`). */
  syncViews?: ZoneSyncViews;
  /** The MeshService family's computed `status` (zone or global reader); absent: no status is shown. */
  status?: StatusSource;
}
