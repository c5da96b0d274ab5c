/**
 * `kuma ingress run` and `kuma egress run`: `kuma dp run` for a zone proxy
 * (--proxy-type fixed), with a ZoneIngress/ZoneEgress file and a zone token.
 */
import { BaseCommand } from '../base-command';
import { DataplaneRunCommand } from './run';

export class IngressRunCommand extends DataplaneRunCommand {
  static override paths = [['ingress', 'run']];
  static override usage = BaseCommand.Usage({
    category: 'Data plane',
    description: 'run a zone ingress (Envoy) from a ZoneIngress file; the same as kuma dp run --proxy-type ingress',
    examples: [
      [
        'Run the zone ingress of zone-1',
        '$0 ingress run --cp-address https://localhost:5678 --dataplane-file zone-ingress.yaml --dataplane-token-file ingress-token --ca-cert-file kuma-cp.crt',
      ],
    ],
  });

  override async run(): Promise<number> {
    this.proxyType = 'ingress';
    return super.run();
  }
}

export class EgressRunCommand extends DataplaneRunCommand {
  static override paths = [['egress', 'run']];
  static override usage = BaseCommand.Usage({
    category: 'Data plane',
    description: 'run a zone egress (Envoy) from a ZoneEgress file; the same as kuma dp run --proxy-type egress',
    examples: [['Run the zone egress of zone-1', '$0 egress run --cp-address https://localhost:5678 --dataplane-file zone-egress.yaml --dataplane-token-file egress-token --skip-verify']],
  });

  override async run(): Promise<number> {
    this.proxyType = 'egress';
    return super.run();
  }
}
