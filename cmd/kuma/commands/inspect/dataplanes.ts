import { Option } from 'clipanion';
import { meshOption } from '../kumactl-command';
import { InspectCommand } from './inspect-command';

/** `kuma inspect dataplanes`: every dataplane of a mesh with its connection, certificate and version details. */
export class InspectDataplanesCommand extends InspectCommand {
  static override paths = [['inspect', 'dataplanes']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the dataplanes of a mesh with their status',
    details: 'STATUS is Online, Offline or Partially degraded (some inbounds not ready; NOTES says which).',
    examples: [
      ['Inspect the dataplanes of mesh default', '$0 inspect dataplanes'],
      ['Only the dataplanes of service web in mesh demo', '$0 inspect dataplanes -m demo --tag kuma.io/service=web'],
      ['Only gateways', '$0 inspect dataplanes --gateway'],
    ],
  });

  mesh = meshOption();
  tags = Option.Array('--tag', { description: 'filter by tag, key=value (a substring match on the value); repeatable' });
  gateway = Option.Boolean('--gateway', false, { description: 'only gateway dataplanes' });
  ingress = Option.Boolean('--ingress', false, { description: 'only zone ingress dataplanes (kept for old scripts)' });

  async run(): Promise<number> {
    const { parseKeyValueFlags } = await import('../../../../internal/cli/key-values');
    // The API takes `tag=key:value`, one per tag.
    const tag = Object.entries(parseKeyValueFlags('--tag', this.tags, { commaSeparated: true })).map(([k, v]) => `${k}:${v}`);
    const { dataplaneOverviewsTable } = await import('../../../../internal/cli/inspect-tables');
    const path = `/meshes/${encodeURIComponent(this.mesh)}/dataplanes/_overview`;
    return this.printList(path, { tag, gateway: this.gateway ? 'true' : undefined, ingress: this.ingress ? 'true' : undefined }, dataplaneOverviewsTable, this.mesh);
  }
}
