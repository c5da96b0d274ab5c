/** What the API server reads and writes through: one small deps object, no god runtime. */
import type { CpConfig } from '../config/cp-config';
import type { ResourceManager } from '../core/resource-manager';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';

export interface ApiDeps {
  config: CpConfig;
  registry: Registry;
  store: ResourceStore;
  manager: ResourceManager;
  /** hostname + "-" + 4 chars, as Kuma's instanceId. */
  instanceId: string;
  clusterId: () => string;
}
