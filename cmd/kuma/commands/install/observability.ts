import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

/** `kuma install observability`: Prometheus + Grafana with the control plane dashboard, as Kubernetes YAML. */
export class InstallObservabilityCommand extends BaseCommand {
  static override paths = [['install', 'observability']];
  static override usage = BaseCommand.Usage({
    category: 'Install',
    description: 'print the Kubernetes manifests of Prometheus and Grafana for the control plane',
    details: `
      Prometheus scrapes /metrics of Service kuma-control-plane (port 5680) in --control-plane-namespace;
      Grafana has it as its data source and the "Kuma Control Plane" dashboard (packaging/grafana/kuma-cp.json:
      xDS and KDS generation, leader, cp_info, resources, store). Reach Grafana with
      kubectl -n mesh-observability port-forward svc/grafana 3000:80.
    `,
    examples: [
      ['Install both', '$0 install observability | kubectl apply -f -'],
      ['Prometheus only, for a control plane in namespace mesh', '$0 install observability --components prometheus --control-plane-namespace mesh'],
    ],
  });

  namespace = Option.String('--namespace', { description: 'namespace of Prometheus and Grafana (default mesh-observability)' });
  controlPlaneNamespace = Option.String('--control-plane-namespace', { description: 'namespace of the control plane to scrape (default kuma-system)' });
  components = Option.Array('--components', { description: 'prometheus, grafana (default both; comma separated or repeated)' });

  async run(): Promise<number> {
    const { observabilityObjects, parseObservabilityFlags } = await import('../../../../internal/install/observability');
    const { toYaml } = await import('../../../../internal/install/render');
    const o = parseObservabilityFlags({ namespace: this.namespace, controlPlaneNamespace: this.controlPlaneNamespace, components: this.components });
    this.context.stdout.write(toYaml(observabilityObjects(o)));
    return 0;
  }
}
