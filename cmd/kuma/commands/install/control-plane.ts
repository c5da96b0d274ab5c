import { readFileSync } from 'node:fs';
import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

/** `kuma install control-plane`: Kubernetes YAML for a global or zone CP, for `| kubectl apply -f -`. */
export class InstallControlPlaneCommand extends BaseCommand {
  static override paths = [['install', 'control-plane']];
  static override usage = BaseCommand.Usage({
    category: 'Install',
    description: 'print the Kubernetes manifests of a global or zone control plane',
    details: `
      Prints Namespace, ServiceAccount, RBAC, a ConfigMap with the control plane's config.yaml, the control plane
      (a StatefulSet with a PersistentVolumeClaim on the LevelDB store, or a Deployment of --replicas pods on
      PostgreSQL), Service kuma-control-plane (5680, 5681, 5682, 5678) and, for a global, Service
      kuma-global-zone-sync (LoadBalancer, 5685). A zone may add a zone ingress and a zone egress. A bad flag
      combination prints the reason on stderr, nothing on stdout, and exits 1.

      Zones authenticate to the global with a zone token: on the global, "kuma generate zone-token --zone NAME
      --scope cp --scope ingress --scope egress > zone.token", then --zone-token-file zone.token; it becomes
      Secret kuma-zone-token. --set KEY=VALUE sets a control-plane setting (a key of kuma control-plane run's
      --config-file, e.g. apiServer.readOnly=true). There are no CRDs and no sidecar injection: resources are
      applied with kuma apply through the API, as on Universal.
    `,
    examples: [
      ['A global control plane', '$0 install control-plane --mode=global | kubectl apply -f -'],
      [
        'A zone with an ingress, federated to the global',
        '$0 install control-plane --mode=zone --zone=zone-1 --ingress-enabled --kds-global-address grpcs://35.226.196.103:5685 --tls-kds-zone-client-secret kuma-global-ca --zone-token-file zone-1.token | kubectl apply -f -',
      ],
      ['Three replicas on PostgreSQL', '$0 install control-plane --mode=global --store postgres --replicas 3 --store-postgres-host pg.db.svc --store-postgres-password-secret kuma-pg'],
    ],
  });

  mode = Option.String('--mode', { description: 'global | zone (default zone; standalone means zone)' });
  zone = Option.String('--zone', { description: 'zone name (mode zone)' });
  kdsGlobalAddress = Option.String('--kds-global-address', { description: 'grpcs://HOST:5685 of the global (a federated zone)' });
  namespace = Option.String('--namespace', { description: 'namespace of the control plane (default kuma-system)' });
  controlPlaneImage = Option.String('--control-plane-image', { description: 'image of the control plane and zone proxies, REPO:TAG (default kuma:<version>, built from packaging/Dockerfile)' });
  imagePullPolicy = Option.String('--image-pull-policy', { description: 'Always | IfNotPresent (default) | Never' });
  ingressEnabled = Option.Boolean('--ingress-enabled', false, { description: 'also run a zone ingress (mode zone)' });
  ingressDrainTime = Option.String('--ingress-drain-time', { description: 'drain time of the zone ingress (default 30s)' });
  ingressServiceType = Option.String('--ingress-service-type', { description: 'LoadBalancer (default) | NodePort | ClusterIP' });
  ingressAdvertisedAddress = Option.String('--ingress-advertised-address', { description: 'address other zones dial to reach this ingress (default: the pod IP)' });
  egressEnabled = Option.Boolean('--egress-enabled', false, { description: 'also run a zone egress (mode zone)' });
  egressDrainTime = Option.String('--egress-drain-time', { description: 'drain time of the zone egress (default 30s)' });
  egressServiceType = Option.String('--egress-service-type', { description: 'ClusterIP (default) | NodePort | LoadBalancer' });
  useNodePort = Option.Boolean('--use-node-port', false, { description: 'global: Service kuma-global-zone-sync is a NodePort instead of a LoadBalancer' });
  zoneTokenFile = Option.String('--zone-token-file', { description: 'zone: file with the zone token from kuma generate zone-token (becomes Secret kuma-zone-token)' });
  store = Option.String('--store', { description: 'leveldb (default: StatefulSet + PersistentVolumeClaim) | postgres (Deployment of --replicas)' });
  replicas = Option.String('--replicas', { description: 'control plane replicas (default 1; more need --store postgres)' });
  storeLeveldbSize = Option.String('--store-leveldb-size', { description: 'size of the LevelDB volume claim (default 1Gi)' });
  storageClass = Option.String('--storage-class', { description: 'StorageClass of the LevelDB volume claim (default: the cluster default)' });
  storePostgresHost = Option.String('--store-postgres-host', { description: 'PostgreSQL host (KUMA_STORE_POSTGRES_HOST)' });
  storePostgresPort = Option.String('--store-postgres-port', { description: 'PostgreSQL port (default 5432)' });
  storePostgresUser = Option.String('--store-postgres-user', { description: 'PostgreSQL user (default kuma)' });
  storePostgresDbName = Option.String('--store-postgres-db-name', { description: 'PostgreSQL database (default kuma)' });
  storePostgresTlsMode = Option.String('--store-postgres-tls-mode', { description: 'disable (default) | verifyNone | verifyCa | verifyFull' });
  storePostgresPasswordSecret = Option.String('--store-postgres-password-secret', { description: 'Secret NAME[:KEY] (key default password) holding the PostgreSQL password' });
  tlsGeneralSecret = Option.String('--tls-general-secret', { description: 'Secret with tls.crt, tls.key and ca.crt: the CP certificate (API, DP server, KDS); zone proxies verify with its ca.crt' });
  tlsKdsZoneClientSecret = Option.String('--tls-kds-zone-client-secret', { description: "zone: Secret with ca.crt, the CA of the global's KDS certificate" });
  kdsTlsSkipVerify = Option.Boolean('--kds-tls-skip-verify', false, { description: "zone: do not verify the global's KDS certificate" });
  set = Option.Array('--set', { description: 'KEY=VALUE control-plane setting (config.yaml key), repeatable' });
  envVar = Option.Array('--env-var', { description: 'NAME=VALUE environment variable of the control plane, repeatable' });

  async run(): Promise<number> {
    const { BadRequestError } = await import('../../../../internal/errors');
    const { VERSION } = await import('../../../../internal/version');
    const { parseControlPlaneFlags } = await import('../../../../internal/install/control-plane-options');
    const { controlPlaneObjects } = await import('../../../../internal/install/control-plane');
    const { toYaml } = await import('../../../../internal/install/render');
    let zoneToken: string | undefined;
    if (this.zoneTokenFile !== undefined) {
      try {
        zoneToken = readFileSync(this.zoneTokenFile, 'utf8');
      } catch (e) {
        throw new BadRequestError(`--zone-token-file: cannot read ${this.zoneTokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const { options, warnings } = parseControlPlaneFlags({ ...this.flags(), zoneToken }, VERSION);
    const yaml = toYaml(controlPlaneObjects(options));
    for (const w of warnings) this.context.stderr.write(`Warning: ${w}\n`);
    this.context.stdout.write(yaml);
    return 0;
  }

  private flags() {
    return {
      mode: this.mode,
      zone: this.zone,
      kdsGlobalAddress: this.kdsGlobalAddress,
      namespace: this.namespace,
      controlPlaneImage: this.controlPlaneImage,
      imagePullPolicy: this.imagePullPolicy,
      ingressEnabled: this.ingressEnabled,
      ingressDrainTime: this.ingressDrainTime,
      ingressServiceType: this.ingressServiceType,
      ingressAdvertisedAddress: this.ingressAdvertisedAddress,
      egressEnabled: this.egressEnabled,
      egressDrainTime: this.egressDrainTime,
      egressServiceType: this.egressServiceType,
      useNodePort: this.useNodePort,
      zoneTokenFile: this.zoneTokenFile,
      store: this.store,
      replicas: this.replicas,
      storeLeveldbSize: this.storeLeveldbSize,
      storageClass: this.storageClass,
      storePostgresHost: this.storePostgresHost,
      storePostgresPort: this.storePostgresPort,
      storePostgresUser: this.storePostgresUser,
      storePostgresDbName: this.storePostgresDbName,
      storePostgresTlsMode: this.storePostgresTlsMode,
      storePostgresPasswordSecret: this.storePostgresPasswordSecret,
      tlsGeneralSecret: this.tlsGeneralSecret,
      tlsKdsZoneClientSecret: this.tlsKdsZoneClientSecret,
      kdsTlsSkipVerify: this.kdsTlsSkipVerify,
      set: this.set,
      envVar: this.envVar,
    };
  }
}
