import { meshOption } from '../kumactl-command';
import { InspectCommand } from './inspect-command';

/** `kuma inspect services`: every service of a mesh with how many of its dataplanes are online. */
export class InspectServicesCommand extends InspectCommand {
  static override paths = [['inspect', 'services']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the services of a mesh and their status',
    examples: [['Inspect the services of mesh default', '$0 inspect services'], ['Of mesh demo', '$0 inspect services -m demo']],
  });

  mesh = meshOption();

  async run(): Promise<number> {
    const { serviceInsightsTable } = await import('../../../../internal/cli/inspect-tables');
    return this.printList(`/meshes/${encodeURIComponent(this.mesh)}/service-insights`, {}, (items) => serviceInsightsTable(items), this.mesh);
  }
}
