import { InspectCommand } from './inspect-command';

/** `kuma inspect meshes`: dataplane and legacy policy counts per mesh, from MeshInsights. */
export class InspectMeshesCommand extends InspectCommand {
  static override paths = [['inspect', 'meshes']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show dataplane and policy counts of every mesh',
    examples: [['Inspect meshes', '$0 inspect meshes'], ['As JSON', '$0 inspect meshes -o json']],
  });

  async run(): Promise<number> {
    const { meshInsightsTable } = await import('../../../../internal/cli/inspect-tables');
    return this.printList('/mesh-insights', {}, (items) => meshInsightsTable(items));
  }
}
