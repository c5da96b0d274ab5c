/**
 * Service kuma-control-plane (API, diagnostics, DP server) and, for a
 * global, kuma-global-zone-sync: the KDS port zones dial, a LoadBalancer
 * as the seed's setup expects (NodePort with --use-node-port).
 */
import type { ControlPlaneOptions } from './control-plane-options';
import { CP_SELECTOR } from './control-plane-workload';
import { meta, type K8sObject } from './k8s';
import { CP_NAME, GLOBAL_SYNC_SERVICE, PORTS } from './paths';

export function controlPlaneServices(o: ControlPlaneOptions): K8sObject[] {
  const main: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(CP_NAME, o.namespace, CP_NAME),
    spec: {
      type: 'ClusterIP',
      selector: CP_SELECTOR,
      ports: [
        { name: 'diagnostics', port: PORTS.diagnostics, targetPort: PORTS.diagnostics, protocol: 'TCP' },
        { name: 'http-api-server', port: PORTS.httpApi, targetPort: PORTS.httpApi, protocol: 'TCP', appProtocol: 'http' },
        { name: 'https-api-server', port: PORTS.httpsApi, targetPort: PORTS.httpsApi, protocol: 'TCP', appProtocol: 'https' },
        { name: 'dp-server', port: PORTS.dpServer, targetPort: PORTS.dpServer, protocol: 'TCP' },
      ],
    },
  };
  if (o.mode !== 'global') return [main];
  const sync: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(GLOBAL_SYNC_SERVICE, o.namespace, CP_NAME),
    spec: {
      type: o.globalSyncServiceType,
      selector: CP_SELECTOR,
      ports: [{ name: 'global-zone-sync', port: PORTS.kds, targetPort: PORTS.kds, protocol: 'TCP', appProtocol: 'grpc' }],
    },
  };
  return [main, sync];
}
