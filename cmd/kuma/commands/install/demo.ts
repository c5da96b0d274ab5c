import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

/** `kuma install demo`: Kuma's demo app (demo-app + redis) as Kubernetes YAML. */
export class InstallDemoCommand extends BaseCommand {
  static override paths = [['install', 'demo']];
  static override usage = BaseCommand.Usage({
    category: 'Install',
    description: "print the Kubernetes manifests of Kuma's demo application (demo-app counting in redis)",
    details: `
      A namespace labelled kuma.io/sidecar-injection=enabled with Deployments and Services demo-app (HTTP 5000)
      and redis (TCP 6379), as kumactl install demo prints them. This control plane does not inject sidecars
      on Kubernetes: the pods run without proxies unless Kuma's own injector serves the cluster.
    `,
    examples: [
      ['Install the demo', '$0 install demo | kubectl apply -f -'],
      ['In another namespace, labelled with a zone', '$0 install demo --namespace demo --zone zone-1'],
    ],
  });

  namespace = Option.String('--namespace', { description: 'namespace of the demo (default kuma-demo)' });
  zone = Option.String('--zone', { description: 'add label kuma.io/zone=ZONE to the demo pods' });

  async run(): Promise<number> {
    const { demoObjects, parseDemoFlags } = await import('../../../../internal/install/demo');
    const { toYaml } = await import('../../../../internal/install/render');
    this.context.stdout.write(toYaml(demoObjects(parseDemoFlags({ namespace: this.namespace, zone: this.zone }))));
    return 0;
  }
}
