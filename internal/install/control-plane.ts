/**
 * `kuma install control-plane`: checked options -> every object of the
 * install. Pure (no I/O, no clock), so the output is a golden file per flag
 * combination (test/unit/install/).
 */
import { cpConfigMap } from './control-plane-config';
import type { ControlPlaneOptions } from './control-plane-options';
import { controlPlaneServices } from './control-plane-services';
import { controlPlaneWorkload } from './control-plane-workload';
import { sortObjects, type K8sObject } from './k8s';
import { controlPlaneRbac, namespace, zoneTokenSecret } from './namespace-rbac';
import { CP_NAME } from './paths';
import { zoneProxies } from './zone-proxies';

export function controlPlaneObjects(o: ControlPlaneOptions): K8sObject[] {
  const token = zoneTokenSecret(o);
  return sortObjects([
    namespace(o.namespace, CP_NAME),
    ...controlPlaneRbac(o),
    ...(token ? [token] : []),
    cpConfigMap(o),
    controlPlaneWorkload(o),
    ...controlPlaneServices(o),
    ...zoneProxies(o),
  ]);
}
